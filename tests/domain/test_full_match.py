"""FullMatch refuses what marshmallow's Regexp (re.match, `$` before a final newline) let
through, and every pattern-validated field of every schema uses it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from marshmallow import Schema, ValidationError, fields, validate

import gi_trace
from gi_trace.domain.body_fields import Coordinate
from gi_trace.domain.full_match import FullMatch


@pytest.mark.parametrize("value", ["230184\n", "\n230184", "2301845", "23018", 230184, None],
                         ids=["trailing-newline", "leading-newline", "too-long", "too-short",
                              "a-number", "none"])
def test_full_match_refuses(value: object) -> None:
    with pytest.raises(ValidationError, match="String does not match"):
        FullMatch(r"^[0-9]{6}$")(value)


def test_full_match_keeps_the_pattern_for_the_openapi_document() -> None:
    assert FullMatch(r"^[0-9]{6}$")("230184") == "230184"
    assert FullMatch(r"^[0-9]{6}$").regex.pattern == r"^[0-9]{6}$"


@pytest.mark.parametrize(("limit", "text", "message"), [
    (90, "90.1", "must lie in"), (90, "-90.0000001", "must lie in"), (180, "181", "must lie in"),
    (90, "45.1\n", "does not match"), (90, "1e1", "does not match"), (90, "NaN", "does not match"),
    (180, "1.2.3", "does not match"),
], ids=["lat-above", "lat-below", "lon-above", "newline", "exponent", "nan", "two-points"])
def test_coordinates_are_decimal_degrees_on_the_globe(limit: int, text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Coordinate(limit).deserialize(text)


def _schemas() -> Iterator[type[Schema]]:
    for module in pkgutil.walk_packages(gi_trace.__path__, "gi_trace."):
        importlib.import_module(module.name)
    stack = list(Schema.__subclasses__())
    while stack:
        schema = stack.pop()
        stack.extend(schema.__subclasses__())
        if schema.__module__.startswith("gi_trace."):
            yield schema


def _validators(field: fields.Field) -> Iterator[object]:  # type: ignore[type-arg]
    yield from field.validators
    for inner in (getattr(field, "inner", None), getattr(field, "value_field", None)):
        if isinstance(inner, fields.Field):
            yield from _validators(inner)


def test_every_pattern_of_every_schema_is_a_full_match() -> None:
    loose = sorted(f"{schema.__module__}.{schema.__name__}.{name}"
                   for schema in _schemas() for name, field in schema._declared_fields.items()
                   for v in _validators(field)
                   if isinstance(v, validate.Regexp) and not isinstance(v, FullMatch))
    assert not loose, f"validate.Regexp (re.match) where FullMatch is needed: {loose}"
