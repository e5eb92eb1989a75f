"""The building blocks of statement bodies (`bodies`, `bodies_v2`): ids, exact
quantities, names, dates and codes, each refusing a bad value with the field at fault."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from gi_trace.domain.full_match import FullMatch
from gi_trace.domain.quantity import QUANTITY_PATTERN, parse_quantity
from gi_trace.ledger.statement import ID_PATTERN

ROLES = ("producer", "processor", "distributor", "retailer", "regulator", "platform", "association")
# GS1 AI 10 (batch/lot): up to 20 characters of GS1 AI encodable character set 82.
LOT_PATTERN = r"^[!%-?A-Z_a-z\"]{1,20}$"
GTIN14_PATTERN = r"^[0-9]{14}$"
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ADMIN_CODE_PATTERN = r"^[0-9]{6}$"  # GB/T 2260


def Id(**kwargs: Any) -> fields.String:
    return fields.String(validate=FullMatch(ID_PATTERN.pattern), **kwargs)


def Lot(**kwargs: Any) -> fields.String:
    return fields.String(validate=FullMatch(LOT_PATTERN), **kwargs)


def AdminCode(**kwargs: Any) -> fields.String:
    return fields.String(validate=FullMatch(ADMIN_CODE_PATTERN), **kwargs)


class Quantity(fields.Field):  # type: ignore[type-arg]
    """A positive exact decimal given as a string ("1200.5"), loaded as Decimal. Numbers
    are refused: a JSON number may already have been rounded by a float."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str) or not QUANTITY_PATTERN.fullmatch(value) \
                or parse_quantity(value) <= 0:
            raise ValidationError('must be a positive decimal string like "1200.5"')
        return parse_quantity(value)


def real_date(text: str) -> None:
    try:
        date.fromisoformat(text)
    except ValueError as e:
        raise ValidationError("not a calendar date (YYYY-MM-DD)") from e


def Coordinate(limit: int, **kwargs: Any) -> fields.String:
    """A latitude (`limit` 90) or longitude (180) in degrees, as a decimal string."""
    def bounded(text: str) -> None:
        try:
            value = Decimal(text)
        except InvalidOperation:
            return  # not a decimal at all: FullMatch says so
        if value.is_finite() and not -limit <= value <= limit:  # NaN too is FullMatch's
            raise ValidationError(f"must lie in [-{limit}, {limit}]")
    digits = len(str(limit))
    return fields.String(validate=[FullMatch(rf"^-?[0-9]{{1,{digits}}}(\.[0-9]{{1,7}})?$"), bounded],
                         **kwargs)


def Date(**kwargs: Any) -> fields.String:
    return fields.String(validate=[FullMatch(DATE_PATTERN), real_date], **kwargs)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class Name(Strict):
    zh = fields.String(required=True, validate=validate.Length(1, 200))
    en = fields.String(required=True, validate=validate.Length(1, 200))


def distinct(values: list[Any], field: str) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("each may appear once", field)
