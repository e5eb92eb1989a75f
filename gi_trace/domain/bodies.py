"""The body of every GI statement type, in one place: marshmallow schemas that refuse
unknown fields and report the field at fault.

`load_body(type, body)` is the only way the rules read a body.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from gi_trace.domain.gs1 import valid_check_digit
from gi_trace.domain.quantity import QUANTITY_PATTERN, parse_quantity
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.statement import ID_PATTERN

ROLES = ("producer", "processor", "distributor", "retailer", "regulator")
# GS1 AI 10 (batch/lot): up to 20 characters of GS1 AI encodable character set 82.
LOT_PATTERN = r"^[!%-?A-Z_a-z\"]{1,20}$"
GTIN14_PATTERN = r"^[0-9]{14}$"
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# GS1 AI 21 (serial): up to 20 characters of set 82; at least 12, as a floor under the
# ≥ 64 random bits DESIGN.md asks for (the server cannot see randomness, only length).
SERIAL_PATTERN = r"^[!%-?A-Z_a-z\"]{12,20}$"
SIGNATURE_PATTERN = r"^[A-Za-z0-9_-]{86}$"  # 64 bytes, base64url without padding
# DESIGN.md allows 2,000; with a signature each, 500 labels (~56 KB) is what fits a statement.
MAX_LABELS = 500


def Id(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(ID_PATTERN.pattern), **kwargs)


class Quantity(fields.Field):  # type: ignore[type-arg]
    """A positive exact decimal given as a string ("1200.5"), loaded as Decimal. Numbers
    are refused: a JSON number may already have been rounded by a float."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str) or not QUANTITY_PATTERN.fullmatch(value) \
                or parse_quantity(value) <= 0:
            raise ValidationError('must be a positive decimal string like "1200.5"')
        return parse_quantity(value)


def _real_date(text: str) -> None:
    try:
        date.fromisoformat(text)
    except ValueError as e:
        raise ValidationError("not a calendar date (YYYY-MM-DD)") from e


class Strict(Schema):
    class Meta:
        unknown = RAISE


class Name(Strict):
    zh = fields.String(required=True, validate=validate.Length(1, 200))
    en = fields.String(required=True, validate=validate.Length(1, 200))


class OrgRegister(Strict):
    org = Id(required=True)
    name = fields.Nested(Name, required=True)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True,
                        validate=validate.Length(1, len(ROLES)))
    keys = fields.List(fields.String(), required=True)  # checked by the ledger's identity
    region = fields.String(validate=validate.Regexp(r"^[0-9]{6}$"))  # GB/T 2260 admin code
    uscc = fields.String(validate=validate.Regexp(USCC_PATTERN))  # 统一社会信用代码


class KeyAdd(Strict):
    org = Id(required=True)
    pub = fields.String(required=True)
    reason = fields.String(validate=validate.Length(max=500))
    label = fields.String(validate=validate.Length(1, 100))  # e.g. "receiving-desk handheld"


class KeyRevoke(Strict):
    org = Id(required=True)
    key = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    reason = fields.String(validate=validate.Length(max=500))


class Region(Strict):
    name = fields.Nested(Name, required=True)
    codes = fields.List(fields.String(validate=validate.Regexp(r"^[0-9]{6}$")), required=True,
                        validate=validate.Length(min=1))


class Process(Strict):
    to = Id(required=True)
    max_yield = Quantity(required=True)


class ProductRegister(Strict):
    product = Id(required=True)
    name = fields.Nested(Name, required=True)
    region = fields.Nested(Region, required=True)
    unit = fields.String(required=True, validate=validate.OneOf(("kg", "t", "g", "bottle", "box", "piece")))
    gtins = fields.List(fields.String(validate=validate.Regexp(GTIN14_PATTERN)), required=True,
                        validate=validate.Length(min=1))
    processes = fields.Dict(keys=Id(), values=fields.Nested(Process))


class ProducerApprove(Strict):
    product = Id(required=True)
    producer = Id(required=True)
    year = fields.Integer(required=True, strict=True, validate=validate.Range(2000, 2100))
    quota = Quantity(required=True)


class ProducerSuspend(Strict):
    product = Id(required=True)
    producer = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class Origin(Strict):
    plot = fields.String(validate=validate.Length(1, 200))
    lat = fields.String(validate=validate.Regexp(r"^-?[0-9]{1,2}(\.[0-9]{1,7})?$"))
    lon = fields.String(validate=validate.Regexp(r"^-?[0-9]{1,3}(\.[0-9]{1,7})?$"))


class BatchRegister(Strict):
    batch = Id(required=True)
    product = Id(required=True)
    lot = fields.String(required=True, validate=validate.Regexp(LOT_PATTERN))
    quantity = Quantity(required=True)
    harvested = fields.String(required=True, validate=[validate.Regexp(DATE_PATTERN), _real_date])
    origin = fields.Nested(Origin)


class Portion(Strict):
    batch = Id(required=True)
    quantity = Quantity(required=True)


def _distinct_batches(items: list[dict[str, Any]], field: str) -> None:
    names = [item["batch"] for item in items]
    if len(set(names)) != len(names):
        raise ValidationError("each batch may appear once", field)


class BatchSplit(Strict):
    from_ = Id(required=True, data_key="from")
    into = fields.List(fields.Nested(Portion), required=True, validate=validate.Length(1, 100))

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        _distinct_batches(data.get("into", []), "into")


class MergeInto(Strict):
    batch = Id(required=True)
    lot = fields.String(required=True, validate=validate.Regexp(LOT_PATTERN))


class BatchMerge(Strict):
    from_ = fields.List(Id(), required=True, data_key="from", validate=validate.Length(2, 100))
    into = fields.Nested(MergeInto, required=True)

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        if len(set(data.get("from_", []))) != len(data.get("from_", [])):
            raise ValidationError("each batch may appear once", "from")


class ProcessOutput(Strict):
    batch = Id(required=True)
    lot = fields.String(required=True, validate=validate.Regexp(LOT_PATTERN))
    quantity = Quantity(required=True)


class BatchProcess(Strict):
    process = Id(required=True)
    inputs = fields.List(fields.Nested(Portion), required=True, validate=validate.Length(1, 100))
    output = fields.Nested(ProcessOutput, required=True)

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        _distinct_batches(data.get("inputs", []), "inputs")


def _sscc_check_digit(text: str) -> None:
    if not valid_check_digit(text):
        raise ValidationError("wrong SSCC check digit")


class ShipmentSend(Strict):
    shipment = Id(required=True)
    to = Id(required=True)
    # GS1 AI 00: the SSCC on the delivery's label, so a receiving desk can scan it.
    sscc = fields.String(validate=[validate.Regexp(r"^[0-9]{18}$"), _sscc_check_digit])
    items = fields.List(fields.Nested(Portion), required=True, validate=validate.Length(1, 100))

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        _distinct_batches(data.get("items", []), "items")


class ShipmentSettle(Strict):
    shipment = Id(required=True)
    reason = fields.String(validate=validate.Length(1, 500))


def _distinct_serials(data: dict[str, Any]) -> None:
    serials = data.get("serials", [])
    if len(set(serials)) != len(serials):
        raise ValidationError("each serial may appear once", "serials")


Serials = fields.List(fields.String(validate=validate.Regexp(SERIAL_PATTERN)), required=True,
                      validate=validate.Length(1, MAX_LABELS))


class LabelIssue(Strict):
    batch = Id(required=True)
    gtin = fields.String(required=True, validate=validate.Regexp(GTIN14_PATTERN))
    serials = Serials
    # The label signatures (the `s` of each Digital Link), in the order of `serials`.
    sigs = fields.List(fields.String(validate=validate.Regexp(SIGNATURE_PATTERN)), required=True,
                       validate=validate.Length(1, MAX_LABELS))

    @validates_schema
    def _paired(self, data: dict[str, Any], **_: Any) -> None:
        _distinct_serials(data)
        if len(data.get("sigs", [])) != len(data.get("serials", [])):
            raise ValidationError("one signature per serial, in the same order", "sigs")


class LabelStatus(Strict):
    serials = Serials
    reason = fields.String(validate=validate.Length(1, 500))

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        _distinct_serials(data)


class BatchRecall(Strict):
    batch = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 500))


BODIES: dict[str, type[Schema]] = {
    "org.register": OrgRegister,
    "key.add": KeyAdd,
    "key.revoke": KeyRevoke,
    "product.register": ProductRegister,
    "producer.approve": ProducerApprove,
    "producer.suspend": ProducerSuspend,
    "producer.reinstate": ProducerSuspend,
    "batch.register": BatchRegister,
    "batch.split": BatchSplit,
    "batch.merge": BatchMerge,
    "batch.process": BatchProcess,
    "shipment.send": ShipmentSend,
    "shipment.receive": ShipmentSettle,
    "shipment.reject": ShipmentSettle,
    "batch.recall": BatchRecall,
    "label.issue": LabelIssue,
    "label.void": LabelStatus,
    "label.sell": LabelStatus,
}
_SCHEMAS = {name: schema() for name, schema in BODIES.items()}


def load_body(type_: str, body: dict[str, Any]) -> dict[str, Any]:
    """The validated body; MalformedError names the first field at fault (as `body.<path>`)."""
    try:
        loaded: dict[str, Any] = _SCHEMAS[type_].load(body)
    except ValidationError as e:
        path, message = _first_error(e.messages)
        raise MalformedError(message, field="body" + path, code="invalid-body") from e
    return loaded


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
