"""The bodies of statement v2 that differ from v1, loaded into the shape the rules read.

v2 moves quantities out of the lists of batches, so that lineage (which batch came
from which) stays public while the quantities are sealed as one confidential field:
`batch.split` has `into` (ids) and `quantities`; `batch.process` has `inputs` (ids),
`output` ({batch, lot}) and `quantities` ({inputs, output}). Loading puts them back
together as v1's portions (`{"batch", "quantity"}`) so each rule is written once;
in a public audit the quantities are absent and load as None.

Each loaded portion also names where its parts came from (`at`, `quantity_at`), so a
refusal points at the field the author wrote, whichever version that was.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from gi_trace.domain import bodies_v1 as v1
from gi_trace.domain.body_fields import (
    GTIN14_PATTERN,
    USCC_PATTERN,
    AdminCode,
    Coordinate,
    Date,
    Id,
    Lot,
    Name,
    Quantity,
    Strict,
    distinct,
)
from gi_trace.domain.full_match import FullMatch
from gi_trace.domain.label_commitment import SERIAL_PATTERN
from gi_trace.domain.uscc import valid_uscc
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.errors import MalformedError

# One label.issue commits to its labels by a root, so the statement stays small however
# many labels it issues; 10,000 bounds the labels travelling beside it (~1.1 MB).
MAX_LABELS = 10_000
MAX_PACKS = 20


def _uscc(code: str) -> None:
    if not valid_uscc(code):
        raise ValidationError("wrong check character (GB 32100-2015)")


class OrgRegister(v1.OrgRegister):
    region = AdminCode()  # the seat's GB/T 2260 code: approvals must lie in the GI's region
    uscc = fields.String(validate=[FullMatch(USCC_PATTERN), _uscc])  # 统一社会信用代码


class ProductRegister(v1.ProductRegister):
    # Net quantities (in `unit`) that one label may cover, e.g. ["2.5", "5"] kg bags.
    packs = fields.List(Quantity(), required=True, validate=validate.Length(1, MAX_PACKS))

    @validates_schema
    def _distinct_packs(self, data: dict[str, Any], **_: Any) -> None:
        distinct(data.get("packs", []), "packs")


class Origin(Strict):
    plot = fields.String(validate=validate.Length(1, 200))
    lat = Coordinate(90)
    lon = Coordinate(180)
    region = AdminCode()  # the plot's GB/T 2260 code: it must lie in the GI's region


class BatchRegister(Strict):
    batch = Id(required=True)
    product = Id(required=True)
    lot = Lot(required=True)
    quantity = Quantity(required=True)
    harvested = Date(required=True)
    origin = fields.Nested(Origin)
    village = fields.Nested(Name)  # public: the origin a shopper sees, not the plot


def _portions(ids: list[str], quantities: list[Decimal] | None, ids_at: str,
              quantities_at: str) -> list[dict[str, Any]]:
    amounts: list[Decimal | None] = list(quantities) if quantities is not None else [None] * len(ids)
    return [{"batch": batch, "quantity": amount, "at": f"{ids_at}[{i}]",
             "quantity_at": f"{quantities_at}[{i}]"}
            for i, (batch, amount) in enumerate(zip(ids, amounts, strict=True))]


def _same_length(ids: list[Any], quantities: list[Any] | None, field: str) -> None:
    if quantities is not None and len(quantities) != len(ids):
        raise ValidationError("one quantity per batch, in the same order", field)


class BatchSplit(Strict):
    from_ = Id(required=True, data_key="from")
    into = fields.List(Id(), required=True, validate=validate.Length(1, 100))
    quantities = fields.List(Quantity(), required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        distinct(data.get("into", []), "into")
        _same_length(data.get("into", []), data.get("quantities"), "quantities")

    @post_load
    def _portions(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {"from_": data["from_"], "total_at": "body.quantities",
                "into": _portions(data["into"], data.get("quantities"), "body.into",
                                  "body.quantities")}


class ProcessOutput(Strict):
    batch = Id(required=True)
    lot = Lot(required=True)


class ProcessQuantities(Strict):
    inputs = fields.List(Quantity(), required=True)
    output = Quantity(required=True)


class BatchProcess(Strict):
    process = Id(required=True)
    inputs = fields.List(Id(), required=True, validate=validate.Length(1, 100))
    output = fields.Nested(ProcessOutput, required=True)
    quantities = fields.Nested(ProcessQuantities, required=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        distinct(data.get("inputs", []), "inputs")
        quantities = data.get("quantities")
        _same_length(data.get("inputs", []), quantities["inputs"] if quantities else None,
                     "quantities")

    @post_load
    def _portions(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        quantities = data.get("quantities")
        return {"process": data["process"],
                "inputs": _portions(data["inputs"], quantities["inputs"] if quantities else None,
                                    "body.inputs", "body.quantities.inputs"),
                "output": {**data["output"], "quantity": quantities["output"] if quantities else None,
                           "quantity_at": "body.quantities.output"}}


def _root(text: str) -> None:
    try:
        b64url_decode(text, length=32)
    except MalformedError as e:
        raise ValidationError(f"must be the base64url of a 32-byte tree hash: {e.message}") from e


class LabelIssue(Strict):
    batch = Id(required=True)
    gtin = fields.String(required=True, validate=FullMatch(GTIN14_PATTERN))
    pack = Quantity(required=True)  # what one label covers: one of the product's packs
    count = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_LABELS))
    labels_root = fields.String(required=True, validate=_root)


class LabelStatus(Strict):
    serials = fields.List(fields.String(validate=FullMatch(SERIAL_PATTERN.pattern)),
                          required=True, validate=validate.Length(1, MAX_LABELS))
    reason = fields.String(validate=validate.Length(1, 500))

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        distinct(data.get("serials", []), "serials")


BODIES: dict[str, type[Schema]] = {
    **v1.BODIES,
    "org.register": OrgRegister,
    "product.register": ProductRegister,
    "batch.register": BatchRegister,
    "batch.split": BatchSplit,
    "batch.process": BatchProcess,
    "label.issue": LabelIssue,
    "label.void": LabelStatus,
    "label.sell": LabelStatus,
}
