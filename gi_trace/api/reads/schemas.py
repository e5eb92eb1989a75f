"""Query arguments and responses of the reads, and so their OpenAPI.

Quantities go out as the exact decimal strings they are stored as, never numbers.
A confidential value the caller may not see is left out of the response (`Sparse`),
never sent as null: its field is optional in the schema and says so.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump, validate

from gi_trace.api.fields import Base64Url
from gi_trace.domain.bodies import ROLES
from gi_trace.domain.full_match import FullMatch
from gi_trace.domain.queries.paging import DEFAULT_LIMIT, MAX_LIMIT
from gi_trace.domain.queries.shipments import STATUSES
from gi_trace.ledger.statement import ID_PATTERN

QTY = {"description": 'exact decimal, e.g. "1200.5"', "example": "1200.5"}
HIDDEN = "left out when the caller may not see it (confidential)"


def confidential(description: str) -> dict[str, Any]:
    return {**QTY, "description": f"{description}; {HIDDEN}"}


class Sparse(Schema):
    """A response whose optional fields are left out, not null, when there is no value to show."""

    SPARSE: tuple[str, ...] = ()

    @post_dump
    def _leave_out(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if not (v is None and k in self.SPARSE)}


def _id(**kwargs: Any) -> fields.String:
    return fields.String(validate=FullMatch(ID_PATTERN.pattern), **kwargs)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page of `item`s with the `next` cursor, as every list read answers."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next": fields.String(allow_none=True, required=True, metadata={
            "description": "pass as `after` for the next page; null on the last page"}),
    }, name=name)


# -- query arguments -------------------------------------------------------------------------
class PageArgs(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT),
                           metadata={"description": f"page size, at most {MAX_LIMIT}"})
    after = fields.String(validate=validate.Length(1, 200), metadata={
        "description": "the `next` of the previous page: the last id it listed",
        "pattern": ID_PATTERN.pattern})


class ProductArgs(PageArgs):
    gtin = fields.String(validate=FullMatch(r"^[0-9]{14}$"),
                         metadata={"description": "the product owning this GTIN-14"})
    region = fields.String(validate=FullMatch(r"^[0-9]{6}$"),
                           metadata={"description": "products of this admin code"})


class OrgArgs(PageArgs):
    role = fields.String(validate=validate.OneOf(ROLES))


class ApprovalArgs(PageArgs):
    after = fields.String(validate=validate.Length(1, 200), metadata={
        "description": "the `next` of the previous page: product/producer/year of the last it listed",
        "pattern": r"^[A-Za-z0-9._-]{1,64}/[A-Za-z0-9._-]{1,64}/[0-9]{1,4}$"})  # approvals.py reads it
    product = _id()
    producer = _id()
    year = fields.Integer(validate=validate.Range(2000, 2100))


class BatchArgs(PageArgs):
    product = _id()
    lot = fields.String(validate=validate.Length(1, 20))
    holder = _id(metadata={"description": "batches this org holds now"})
    recalled = fields.Boolean()


class HoldingArgs(PageArgs):
    product = _id()


class ShipmentArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    direction = fields.String(validate=validate.OneOf(("in", "out")),
                              metadata={"description": "in: received or to receive; out: sent"})


# -- products and orgs (public) -------------------------------------------------------------
class NameSchema(Schema):
    zh = fields.String(required=True)
    en = fields.String(required=True)


class RegionSchema(Schema):
    name = fields.Nested(NameSchema, required=True)
    codes = fields.List(fields.String(), required=True, metadata={"description": "GB/T 2260 codes"})


class ProcessSchema(Schema):
    to = fields.String(required=True, metadata={"description": "the product it makes"})
    max_yield = fields.String(required=True, metadata=QTY)


class ProductSchema(Schema):
    product = fields.String(required=True)
    name = fields.Nested(NameSchema, required=True)
    region = fields.Nested(RegionSchema, required=True)
    unit = fields.String(required=True)
    gtins = fields.List(fields.String(), required=True)
    packs = fields.List(fields.String(metadata=QTY), required=True, metadata={
        "description": "net quantities (in `unit`) one label may cover"})
    processes = fields.Dict(keys=fields.String(), values=fields.Nested(ProcessSchema), required=True)
    regulator = fields.String(required=True, metadata={"description": "who registered it"})
    seq = fields.Integer(required=True, metadata={"description": "log record that registered it"})


class PublicKeySchema(Schema):
    key_id = fields.String(required=True, metadata={"description": "hex SHA-256 of the raw key"})
    pub = Base64Url(required=True, metadata={"description": "raw Ed25519 public key, base64url"})
    added_seq = fields.Integer(required=True)
    revoked = fields.Boolean(required=True)
    revoked_ts = fields.String(allow_none=True, required=True)
    revoked_seq = fields.Integer(allow_none=True, required=True)


class OrgSchema(Schema):
    org = fields.String(required=True)
    name = fields.Nested(NameSchema, allow_none=True, required=True)
    roles = fields.List(fields.String(), required=True)
    region = fields.String(allow_none=True, required=True)
    uscc = fields.String(allow_none=True, required=True,
                         metadata={"description": "unified social credit code"})
    seq = fields.Integer(required=True)
    keys = fields.List(fields.Nested(PublicKeySchema), required=True,
                       metadata={"description": "every key it ever had; revoked ones marked"})


class ApprovalSchema(Sparse):
    SPARSE = ("used", "remaining")

    product = fields.String(required=True)
    producer = fields.String(required=True)
    year = fields.Integer(required=True)
    quota = fields.String(required=True, metadata=QTY)
    used = fields.String(metadata=confidential(
        "registered against the quota (for the producer itself and regulators)"))
    remaining = fields.String(metadata=confidential("quota left (as `used`)"))
    suspended = fields.Boolean(required=True)
    suspension_reason = fields.String(allow_none=True, required=True)
    regulator = fields.String(required=True)
    seq = fields.Integer(required=True)


# -- batches, holdings, shipments (parties and regulators) -----------------------------------
class OriginSchema(Sparse):
    SPARSE = ("plot", "lat", "lon", "region")

    plot = fields.String()
    lat = fields.String()
    lon = fields.String()
    region = fields.String(metadata={"description": "GB/T 2260 code of the plot"})


class BatchSchema(Sparse):
    SPARSE = ("quantity", "origin", "village")

    batch = fields.String(required=True)
    product = fields.String(required=True)
    lot = fields.String(required=True)
    quantity = fields.String(metadata=confidential("at creation"))
    unit = fields.String(allow_none=True, required=True)
    producer = fields.String(required=True, metadata={"description": "the GI producer at its root"})
    producers = fields.List(fields.String(), required=True,
                            metadata={"description": "every grower of its root harvests"})
    created_by = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "register, split, merge or process"})
    harvested = fields.String(allow_none=True, required=True)
    village = fields.Nested(NameSchema, metadata={
        "description": "the harvest's village, as a shopper sees it (public), when given"})
    origin = fields.Nested(OriginSchema, metadata={
        "description": f"the harvest's plot, when given; {HIDDEN}"})
    recalled = fields.Boolean(required=True)
    recall_reason = fields.String(allow_none=True, required=True)
    seq = fields.Integer(required=True)


class HolderSchema(Schema):
    org = fields.String(required=True)
    quantity = fields.String(required=True, metadata=QTY)


class LinkSchema(Sparse):
    SPARSE = ("quantity",)

    batch = fields.String(required=True, metadata={"description": "the batch at the far end"})
    via = fields.String(required=True, metadata={"description": "its neighbour one step nearer"})
    kind = fields.String(required=True, metadata={"description": "split, merge or process"})
    quantity = fields.String(metadata=confidential("of the parent that went into the child"))
    depth = fields.Integer(required=True, metadata={"description": "steps from the batch asked"})
    product = fields.String(required=True)
    lot = fields.String(required=True)
    recalled = fields.Boolean(required=True)


class EventSchema(Schema):
    seq = fields.Integer(required=True)
    type = fields.String(required=True)
    actor = fields.String(required=True)
    ts = fields.String(required=True)
    detail = fields.Dict(required=True, metadata={"description": (
        "what the statement did to it: all of it for whoever may read the statement, its public "
        "part for other parties (events of shipments and of voided or sold labels only for "
        "their parties)")})


class BatchShipmentSchema(Schema):
    shipment = fields.String(required=True)
    sender = fields.String(required=True)
    receiver = fields.String(required=True)
    status = fields.String(required=True)
    reason = fields.String(allow_none=True, required=True)
    sent_ts = fields.String(required=True)
    quantity = fields.String(required=True, metadata=QTY)


class BatchDetailSchema(BatchSchema):
    holdings = fields.List(fields.Nested(HolderSchema), required=True, metadata={
        "description": "who holds how much of it now: every holder for a regulator, the caller's "
                       "own holding for an org"})
    ancestors = fields.List(fields.Nested(LinkSchema), required=True,
                            metadata={"description": "where it came from, breadth first"})
    descendants = fields.List(fields.Nested(LinkSchema), required=True,
                              metadata={"description": "what was made of it, breadth first"})
    events = fields.List(fields.Nested(EventSchema), required=True)
    shipments = fields.List(fields.Nested(BatchShipmentSchema), required=True, metadata={
        "description": "every shipment of it for a regulator, the caller's own (sent or "
                       "received) for an org"})


class HoldingSchema(Schema):
    batch = fields.String(required=True)
    product = fields.String(required=True)
    lot = fields.String(required=True)
    quantity = fields.String(required=True, metadata=QTY)
    unit = fields.String(allow_none=True, required=True)
    recalled = fields.Boolean(required=True)


class ItemSchema(Schema):
    batch = fields.String(required=True)
    quantity = fields.String(required=True, metadata=QTY)
    product = fields.String(allow_none=True, required=True)
    lot = fields.String(allow_none=True, required=True)


class ShipmentSchema(Schema):
    shipment = fields.String(required=True)
    sender = fields.String(required=True)
    receiver = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "pending, received or rejected"})
    reason = fields.String(allow_none=True, required=True)
    sent_ts = fields.String(required=True)
    sent_seq = fields.Integer(required=True)
    settled_seq = fields.Integer(allow_none=True, required=True)
    items = fields.List(fields.Nested(ItemSchema), required=True)
    sscc = fields.String(allow_none=True, required=True, metadata={
        "description": "the SSCC on the delivery's label (GS1 AI 00), if the sender gave one"})


ProductPageSchema = page_of(ProductSchema, "ProductPage")
OrgPageSchema = page_of(OrgSchema, "OrgPage")
ApprovalPageSchema = page_of(ApprovalSchema, "ApprovalPage")
BatchPageSchema = page_of(BatchSchema, "BatchPage")
HoldingPageSchema = page_of(HoldingSchema, "HoldingPage")
ShipmentPageSchema = page_of(ShipmentSchema, "ShipmentPage")
