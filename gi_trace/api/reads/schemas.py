"""Query arguments and responses of the reads, and so their OpenAPI.

Quantities go out as the exact decimal strings they are stored as, never numbers.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from gi_trace.api.fields import Base64Url
from gi_trace.domain.bodies import ROLES
from gi_trace.domain.queries.paging import DEFAULT_LIMIT, MAX_LIMIT
from gi_trace.domain.queries.shipments import STATUSES
from gi_trace.ledger.statement import ID_PATTERN

QTY = {"description": 'exact decimal, e.g. "1200.5"', "example": "1200.5"}


def _id(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(ID_PATTERN.pattern), **kwargs)


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
    after = fields.String(validate=validate.Length(1, 200),
                          metadata={"description": "the `next` of the previous page"})


class ProductArgs(PageArgs):
    gtin = fields.String(validate=validate.Regexp(r"^[0-9]{14}$"),
                         metadata={"description": "the product owning this GTIN-14"})
    region = fields.String(validate=validate.Regexp(r"^[0-9]{6}$"),
                           metadata={"description": "products of this admin code"})


class OrgArgs(PageArgs):
    role = fields.String(validate=validate.OneOf(ROLES))


class ApprovalArgs(PageArgs):
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


class ApprovalSchema(Schema):
    product = fields.String(required=True)
    producer = fields.String(required=True)
    year = fields.Integer(required=True)
    quota = fields.String(required=True, metadata=QTY)
    used = fields.String(required=True, metadata=QTY)
    remaining = fields.String(required=True, metadata=QTY)
    suspended = fields.Boolean(required=True)
    suspension_reason = fields.String(allow_none=True, required=True)
    regulator = fields.String(required=True)
    seq = fields.Integer(required=True)


# -- batches, holdings, shipments (parties and regulators) -----------------------------------
class OriginSchema(Schema):
    plot = fields.String(allow_none=True)
    lat = fields.String(allow_none=True)
    lon = fields.String(allow_none=True)


class BatchSchema(Schema):
    batch = fields.String(required=True)
    product = fields.String(required=True)
    lot = fields.String(required=True)
    quantity = fields.String(required=True, metadata={**QTY, "description": "at creation"})
    unit = fields.String(allow_none=True, required=True)
    producer = fields.String(required=True, metadata={"description": "the GI producer at its root"})
    created_by = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "register, split, merge or process"})
    harvested = fields.String(allow_none=True, required=True)
    origin = fields.Nested(OriginSchema, allow_none=True, required=True)
    recalled = fields.Boolean(required=True)
    recall_reason = fields.String(allow_none=True, required=True)
    seq = fields.Integer(required=True)


class HolderSchema(Schema):
    org = fields.String(required=True)
    quantity = fields.String(required=True, metadata=QTY)


class LinkSchema(Schema):
    batch = fields.String(required=True, metadata={"description": "the batch at the far end"})
    via = fields.String(required=True, metadata={"description": "its neighbour one step nearer"})
    kind = fields.String(required=True, metadata={"description": "split, merge or process"})
    quantity = fields.String(required=True, metadata={
        **QTY, "description": "of the parent that went into the child"})
    depth = fields.Integer(required=True, metadata={"description": "steps from the batch asked"})
    product = fields.String(required=True)
    lot = fields.String(required=True)
    recalled = fields.Boolean(required=True)


class EventSchema(Schema):
    seq = fields.Integer(required=True)
    type = fields.String(required=True)
    actor = fields.String(required=True)
    ts = fields.String(required=True)
    detail = fields.Dict(required=True, metadata={"description": "what the statement did to it"})


class BatchShipmentSchema(Schema):
    shipment = fields.String(required=True)
    sender = fields.String(required=True)
    receiver = fields.String(required=True)
    status = fields.String(required=True)
    reason = fields.String(allow_none=True, required=True)
    sent_ts = fields.String(required=True)
    quantity = fields.String(required=True, metadata=QTY)


class BatchDetailSchema(BatchSchema):
    holdings = fields.List(fields.Nested(HolderSchema), required=True,
                           metadata={"description": "who holds how much of it now"})
    ancestors = fields.List(fields.Nested(LinkSchema), required=True,
                            metadata={"description": "where it came from, breadth first"})
    descendants = fields.List(fields.Nested(LinkSchema), required=True,
                              metadata={"description": "what was made of it, breadth first"})
    events = fields.List(fields.Nested(EventSchema), required=True)
    shipments = fields.List(fields.Nested(BatchShipmentSchema), required=True)


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
