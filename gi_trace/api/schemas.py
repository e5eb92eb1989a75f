"""Marshmallow schemas: the shape of query arguments and responses, and their OpenAPI.

Statements and envelopes are checked by the ledger itself (`Envelope.from_dict`),
so their schemas here only document the request body.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from gi_trace.domain.bodies import MAX_LABELS
from gi_trace.domain.label_commitment import SERIAL_PATTERN, SIGNATURE_PATTERN
from gi_trace.ledger.log import MAX_PAGE
from gi_trace.ledger.statement import (
    ID_PATTERN,
    KEY_ID_PATTERN,
    MAX_STATEMENT_BYTES,
    NONCE_PATTERN,
    TS_PATTERN,
    TYPE_PATTERN,
)

from .fields import Base64Url, CanonicalJSON, Hex

# Far above any real log, and small enough that start + MAX_PAGE stays a database integer.
MAX_INDEX = 2**62


def _index(minimum: int, **kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=minimum, max=MAX_INDEX), **kwargs)


# -- query arguments -------------------------------------------------------------------------
class RangeArgs(Schema):
    """`start` <= seq < `end`, the page capped at MAX_PAGE records."""

    start = _index(0, load_default=0, metadata={"description": "first seq (inclusive)"})
    end = _index(1, metadata={"description": f"last seq (exclusive), above start; default start + "
                                             f"{MAX_PAGE}, the most a page holds"})

    @validates_schema
    def _end_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "end" in data and data["end"] <= data["start"]:
            raise ValidationError("must be greater than start", field_name="end")

    @post_load
    def _default_end(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data.setdefault("end", data["start"] + MAX_PAGE)
        return data


EntriesArgs = RangeArgs
SidecarsArgs = RangeArgs


LOG_SIZE = "at most the log's size now (422 bad-tree-size past it)"


class InclusionArgs(Schema):
    seq = _index(0, required=True, metadata={"description": "the record's position, below tree_size"})
    tree_size = _index(1, required=True, metadata={
        "description": f"size of a signed checkpoint; {LOG_SIZE}"})


class ConsistencyArgs(Schema):
    first = _index(1, required=True, data_key="from", metadata={
        "description": "older tree size, at most `to`"})
    second = _index(1, required=True, data_key="to", metadata={
        "description": f"newer tree size; {LOG_SIZE}"})


# -- responses -------------------------------------------------------------------------------
BINARY: dict[str, Any] = {"type": "string", "format": "binary"}  # a body of bytes: a tile, a PDF


class HealthSchema(Schema):
    status = fields.String(required=True)
    log_size = fields.Integer(required=True)


class AppendedSchema(Schema):
    """What a submitter keeps: where its statement landed, to ask for proofs later."""

    seq = fields.Integer(required=True)
    leaf_hash = Hex(required=True)
    record_hash = Hex(required=True)


DISCLOSURE = {"type": "array", "minItems": 3, "maxItems": 3, "description": (
    "[salt, name, value]: salt 16 random bytes in base64url, the field's name, its value (any JSON)")}
DISCLOSURES_DESCRIPTION = (
    "the statement's confidential fields as [salt, name, value]; each one's digest, base64url of "
    'SHA-256(b"gi-trace/v2/disclosure\\n" + JCS([salt, name, value])), is in body._sd')


class EntrySchema(Schema):
    seq = fields.Integer(required=True)
    statement = CanonicalJSON(required=True, metadata={
        "description": "as signed (RFC 8785): public fields, confidential ones as body._sd digests"})
    signature = Base64Url(required=True)
    prev = Hex(required=True)
    record_hash = Hex(required=True)
    disclosures = fields.List(fields.Raw(metadata=DISCLOSURE), metadata={"description": (
        f"{DISCLOSURES_DESCRIPTION}. Only with a bearer token, and only on the records the caller "
        "may read: those it signed, those naming it (a shipment's receiver, a receipt's sender, a "
        "voided or sold label's issuer), and every record for a regulator. Never part of the leaf")})


class EntriesSchema(Schema):
    entries = fields.List(fields.Nested(EntrySchema), required=True)
    next = fields.Integer(allow_none=True, required=True,
                          metadata={"description": "start of the next page, null at the end"})


class SidecarSchema(Schema):
    """What is kept beside one record (a line of a regulator's audit bundle, sidecars.jsonl)."""

    seq = fields.Integer(required=True)
    disclosures = fields.List(fields.Raw(metadata=DISCLOSURE), required=True,
                              metadata={"description": DISCLOSURES_DESCRIPTION})
    attachments = fields.Dict(metadata={"description": (
        "what travelled beside the statement and its rules checked: a label.issue's `labels`, "
        '[{"serial", "sig"}…], whose RFC 6962 tree hash is body.labels_root')})


class SidecarsSchema(Schema):
    sidecars = fields.List(fields.Nested(SidecarSchema), required=True, metadata={
        "description": "in seq order; a record with nothing beside it has no item"})
    next = fields.Integer(allow_none=True, required=True, metadata={
        "description": "the `start` of the next page (its records may have no sidecar), null at "
                       "the end of the log"})


class InclusionProofSchema(Schema):
    seq = fields.Integer(required=True)
    tree_size = fields.Integer(required=True)
    leaf_hash = Hex(required=True)
    hashes = fields.List(Hex(), required=True, metadata={"description": "RFC 9162 order"})
    root = Hex(required=True)


class ConsistencyProofSchema(Schema):
    first = fields.Integer(required=True, data_key="from")
    second = fields.Integer(required=True, data_key="to")
    hashes = fields.List(Hex(), required=True, metadata={"description": "RFC 9162 order"})


class ProblemSchema(Schema):
    """RFC 9457 problem details, the body of every error."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "the rule that was broken"})
    field = fields.String(metadata={"description": "the field at fault, when known"})
    index = fields.Integer(metadata={"description": "position in a group append, when known"})


# -- request body (documentation only: the ledger parses it) --------------------------------
def _pattern(regex: re.Pattern[str], **metadata: Any) -> dict[str, Any]:
    """The ledger's own pattern, for the document: the ledger checks it (whole value)."""
    return {"pattern": regex.pattern, **metadata}


SIGNATURE = _pattern(SIGNATURE_PATTERN, maxLength=86)


class StatementSchema(Schema):
    v = fields.Integer(required=True, metadata={
        "example": 2, "enum": [1, 2], "description": "2 (v1 only for the genesis of the trust roots)"})
    type = fields.String(required=True, metadata=_pattern(TYPE_PATTERN, example="batch.register"))
    actor = fields.String(required=True, metadata=_pattern(ID_PATTERN, maxLength=64,
                                                           description="org id"))
    key = fields.String(required=True, metadata=_pattern(
        KEY_ID_PATTERN, maxLength=64, description="hex SHA-256 of the public key"))
    ts = fields.String(required=True, metadata=_pattern(TS_PATTERN, example="2026-11-24T08:00:00Z"))
    nonce = fields.String(required=True, metadata=_pattern(
        NONCE_PATTERN, maxLength=88, description="random, base64url"))
    body = fields.Dict(required=True, metadata={"description": (
        "the public fields; each field the disclosure policy makes confidential is left out and "
        "the digest of its disclosure listed in `_sd` (sorted, no duplicates). The statement's "
        f"canonical JSON is at most {MAX_STATEMENT_BYTES} bytes")})


class LabelSchema(Schema):
    serial = fields.String(required=True, metadata=_pattern(
        SERIAL_PATTERN, maxLength=20, description="GS1 AI 21, 12–20 characters of set 82"))
    sig = fields.String(required=True, metadata={**SIGNATURE, "description": (
        'base64url Ed25519 over b"gi-trace/v1/label\\n" + JCS({gtin, lot, serial, key})')})


class EnvelopeSchema(Schema):
    statement = fields.Nested(StatementSchema, required=True)
    signature = fields.String(required=True, metadata={
        **SIGNATURE,
        "description": 'base64url Ed25519 over b"gi-trace/v1/statement\\n" + JCS(statement)'})
    disclosures = fields.List(fields.Raw(metadata=DISCLOSURE), metadata={"description": (
        f"{DISCLOSURES_DESCRIPTION}. Exactly one per digest, none extra. Kept beside the log, "
        "never in it: shown to the actor, the orgs the statement names and regulators")})
    labels = fields.List(fields.Nested(LabelSchema), metadata={"maxItems": MAX_LABELS, "description": (
        "label.issue only: the labels, in issue order, whose RFC 6962 tree hash over the leaves "
        f"JCS({{serial, sig}}) is body.labels_root (body.count of them, at most {MAX_LABELS:,}). "
        "Checked and kept by the server, never in the log or its tiles")})
