"""The body of every GI statement type, in one place: marshmallow schemas that refuse
unknown fields and report the field at fault.

`load_body(type, body, version=…)` is the only way the rules read a body. It picks
the shapes of the statement's version (`bodies_v1`, `bodies_v2`) and loads either into
one internal shape, so that each rule is written once. Lists of batches come out as
portions `{"batch", "quantity", "at", "quantity_at"}`: `at` and `quantity_at` are the
fields to name when a rule refuses that batch or its quantity.

A public audit has the public part of a v2 body only: `public=True` loads it without
the policy's confidential fields, which then come out as None.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError

from gi_trace.domain import bodies_protection, bodies_v1, bodies_v2
from gi_trace.domain.body_fields import GTIN14_PATTERN, LOT_PATTERN, ROLES, USCC_PATTERN
from gi_trace.domain.disclosure_policy import CONFIDENTIAL
from gi_trace.domain.label_commitment import SERIAL_PATTERN as _SERIAL
from gi_trace.ledger.errors import MalformedError

__all__ = ["BODIES", "GTIN14_PATTERN", "LOT_PATTERN", "MAX_LABELS", "ROLES", "SERIAL_PATTERN",
           "USCC_PATTERN", "V1_MAX_LABELS", "V1_TYPES", "load_body"]

SERIAL_PATTERN = _SERIAL.pattern
MAX_LABELS = bodies_v2.MAX_LABELS  # labels one v2 label.issue may carry
V1_MAX_LABELS = bodies_v1.MAX_LABELS
# The shapes a client builds today; the protection loop's types exist only in v2.
BODIES: dict[str, type[Schema]] = {**bodies_v2.BODIES, **bodies_protection.BODIES}
V1_TYPES = frozenset(bodies_v1.BODIES)
assert BODIES.keys() == CONFIDENTIAL.keys() and bodies_v2.BODIES.keys() == V1_TYPES

_SCHEMAS = {version: {name: schema() for name, schema in bodies.items()}
            for version, bodies in ((1, bodies_v1.BODIES), (2, BODIES))}


def load_body(type_: str, body: dict[str, Any], *, version: int = 2,
              public: bool = False) -> dict[str, Any]:
    """The validated body in the rules' shape; MalformedError names the first field at fault
    (as `body.<path>`). `public`: a v2 body without its confidential fields."""
    schema = _SCHEMAS[version][type_]
    try:
        loaded: dict[str, Any] = schema.load(
            body, partial=tuple(CONFIDENTIAL[type_]) if public else False)
    except ValidationError as e:
        path, message = _first_error(e.messages)
        raise MalformedError(message, field="body" + path, code="invalid-body") from e
    return _with_paths(type_, version, loaded)


def _with_paths(type_: str, version: int, body: dict[str, Any]) -> dict[str, Any]:
    """Name each portion's fields as v1 wrote them (v2's own shapes do so on load)."""
    lists = {"shipment.send": "items"}
    if version == 1:
        lists |= {"batch.split": "into", "batch.process": "inputs"}
    name = lists.get(type_)
    if name is not None and name in body:
        for index, portion in enumerate(body[name]):
            portion.update(at=f"body.{name}[{index}].batch",
                           quantity_at=f"body.{name}[{index}].quantity")
    if version == 1 and type_ == "batch.split":
        body["total_at"] = "body.into"
    if version == 1 and type_ == "batch.process":
        body["output"]["quantity_at"] = "body.output.quantity"
    return body


def _first_error(messages: Any, path: str = "") -> tuple[str, str]:
    if isinstance(messages, dict):
        key = sorted(messages, key=str)[0]
        step = f"[{key}]" if isinstance(key, int) else f".{key}"
        return _first_error(messages[key], path + ("" if key == "_schema" else step))
    if isinstance(messages, list) and messages:
        if all(isinstance(m, str) for m in messages):
            return path, "; ".join(messages)
        return _first_error(messages[0], path)
    return path, str(messages)
