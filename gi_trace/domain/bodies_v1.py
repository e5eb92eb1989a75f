"""The bodies of statement v1, as the rules read them before confidential fields existed.

Kept exactly as they were: a v1 statement in an old log replays under these shapes
and rules (`gi_trace.domain.bodies` chooses by the statement's version). The v2
shapes that differ are in `bodies_v2`.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gi_trace.domain.body_fields import (
    DATE_PATTERN,
    GTIN14_PATTERN,
    LOT_PATTERN,
    ROLES,
    USCC_PATTERN,
    Coordinate,
    Id,
    Name,
    Quantity,
    Strict,
    real_date,
)
from gi_trace.domain.full_match import FullMatch
from gi_trace.domain.gs1 import valid_check_digit
from gi_trace.domain.label_commitment import SERIAL_PATTERN, SIGNATURE_PATTERN

# v1 listed serials and signatures in the statement: 500 labels (~56 KB) is what fitted.
MAX_LABELS = 500
_real_date = real_date


class OrgRegister(Strict):
    org = Id(required=True)
    name = fields.Nested(Name, required=True)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True,
                        validate=validate.Length(1, len(ROLES)))
    keys = fields.List(fields.String(), required=True)  # checked by the ledger's identity
    region = fields.String(validate=FullMatch(r"^[0-9]{6}$"))  # GB/T 2260 admin code
    uscc = fields.String(validate=FullMatch(USCC_PATTERN))  # 统一社会信用代码


class KeyAdd(Strict):
    org = Id(required=True)
    pub = fields.String(required=True)
    reason = fields.String(validate=validate.Length(max=500))
    label = fields.String(validate=validate.Length(1, 100))  # e.g. "receiving-desk handheld"


class KeyRevoke(Strict):
    org = Id(required=True)
    key = fields.String(required=True, validate=FullMatch(r"^[0-9a-f]{64}$"))
    reason = fields.String(validate=validate.Length(max=500))


class Region(Strict):
    name = fields.Nested(Name, required=True)
    codes = fields.List(fields.String(validate=FullMatch(r"^[0-9]{6}$")), required=True,
                        validate=validate.Length(min=1))


class Process(Strict):
    to = Id(required=True)
    max_yield = Quantity(required=True)


class ProductRegister(Strict):
    product = Id(required=True)
    name = fields.Nested(Name, required=True)
    region = fields.Nested(Region, required=True)
    unit = fields.String(required=True, validate=validate.OneOf(("kg", "t", "g", "bottle", "box", "piece")))
    gtins = fields.List(fields.String(validate=FullMatch(GTIN14_PATTERN)), required=True,
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
    lat = Coordinate(90)
    lon = Coordinate(180)


class BatchRegister(Strict):
    batch = Id(required=True)
    product = Id(required=True)
    lot = fields.String(required=True, validate=FullMatch(LOT_PATTERN))
    quantity = Quantity(required=True)
    harvested = fields.String(required=True, validate=[FullMatch(DATE_PATTERN), _real_date])
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
    lot = fields.String(required=True, validate=FullMatch(LOT_PATTERN))


class BatchMerge(Strict):
    from_ = fields.List(Id(), required=True, data_key="from", validate=validate.Length(2, 100))
    into = fields.Nested(MergeInto, required=True)

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        if len(set(data.get("from_", []))) != len(data.get("from_", [])):
            raise ValidationError("each batch may appear once", "from")


class ProcessOutput(Strict):
    batch = Id(required=True)
    lot = fields.String(required=True, validate=FullMatch(LOT_PATTERN))
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
    sscc = fields.String(validate=[FullMatch(r"^[0-9]{18}$"), _sscc_check_digit])
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


Serials = fields.List(fields.String(validate=FullMatch(SERIAL_PATTERN.pattern)), required=True,
                      validate=validate.Length(1, MAX_LABELS))


class LabelIssue(Strict):
    batch = Id(required=True)
    gtin = fields.String(required=True, validate=FullMatch(GTIN14_PATTERN))
    serials = Serials
    # The label signatures (the `s` of each Digital Link), in the order of `serials`.
    sigs = fields.List(fields.String(validate=FullMatch(SIGNATURE_PATTERN.pattern)), required=True,
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
