# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/qualifications: is the enterprise with this credit code approved to use the special
sign for this product now? Public and the same for every caller, so caches may keep it: its
ETag is the checkpoint's tree size (and the year asked), which changes with every append."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from gi_trace.api.context import current_log
from gi_trace.api.fields import Base64Url, Hex
from gi_trace.api.reads.connection import connection
from gi_trace.api.reads.schemas import QTY, NameSchema
from gi_trace.domain.full_match import FullMatch
from gi_trace.domain.uscc import valid_uscc
from gi_trace.labels.qualification import VERDICTS, Qualification, qualification
from gi_trace.ledger.statement import ID_PATTERN

MAX_AGE = 60  # seconds: a suspension reaches a platform's cache within a minute

blp = Blueprint("qualifications", __name__, url_prefix="/v1/qualifications", description=(
    "Qualification checks for platforms: is a seller (by unified social credit code) approved to "
    "use a GI's special sign, with the log entries that prove it and their inclusion in a signed "
    "checkpoint."))


def _uscc(code: str) -> None:
    if not valid_uscc(code):
        raise ValidationError("not a unified social credit code: 18 characters whose last is the "
                              "check character of the rest (GB 32100-2015)")


class QualificationArgs(Schema):
    uscc = fields.String(required=True, validate=_uscc, metadata={
        "description": "unified social credit code (统一社会信用代码)",
        "pattern": r"^[0-9A-HJ-NPQRTUWXY]{18}$"})
    product = fields.String(required=True, validate=FullMatch(ID_PATTERN.pattern),
                            metadata={"description": "the GI product's id"})
    year = fields.Integer(validate=validate.Range(2000, 2100),
                          metadata={"description": "the approval year; default: this year (UTC)"})


class QualifiedOrgSchema(Schema):
    org = fields.String(required=True)
    name = fields.Nested(NameSchema, allow_none=True, required=True)
    region = fields.String(allow_none=True, required=True, metadata={"description": "GB/T 2260"})


class QualifyingApprovalSchema(Schema):
    year = fields.Integer(required=True)
    quota = fields.String(required=True, metadata=QTY)
    regulator = fields.String(required=True)
    seq = fields.Integer(required=True, metadata={"description": "the producer.approve that set it"})


class QualifyingSuspensionSchema(Schema):
    reason = fields.String(required=True)
    regulator = fields.String(required=True)
    seq = fields.Integer(required=True, metadata={"description": "the producer.suspend in force"})


class IssuedLabelsSchema(Schema):
    issued = fields.Integer(required=True, metadata={
        "description": "labels it issued on the product's batches in the year"})
    cover = fields.String(required=True, metadata={
        **QTY, "description": "what they cover in the product's unit (count × pack, both public); "
        "the quota used by its harvests is confidential and not shown"})


class QualifyingRecallSchema(Schema):
    batch = fields.String(required=True)
    lot = fields.String(required=True)
    reason = fields.String(allow_none=True, required=True)
    seq = fields.Integer(required=True)


class QualifyingRecallsSchema(Schema):
    count = fields.Integer(required=True, metadata={"description": "its batches of it recalled"})
    latest = fields.List(fields.Nested(QualifyingRecallSchema), required=True)


class EvidenceEntrySchema(Schema):
    seq = fields.Integer(required=True)
    type = fields.String(required=True)
    statement = Base64Url(required=True, metadata={
        "description": "the statement bytes as signed (RFC 8785), base64url"})
    signature = Base64Url(required=True, metadata={
        "description": 'Ed25519 over "gi-trace/v1/statement\\n" + statement'})
    leaf_hash = Hex(required=True, metadata={
        "description": "SHA-256(0x00 || signature || statement)"})
    hashes = fields.List(Hex(), required=True, metadata={
        "description": "inclusion path to the checkpoint's root, RFC 9162 order"})


class QualificationEvidenceSchema(Schema):
    checkpoint = fields.String(allow_none=True, required=True, metadata={
        "description": "the latest signed checkpoint (C2SP tlog-checkpoint note)"})
    tree_size = fields.Integer(required=True)
    root = Hex(allow_none=True, required=True)
    operator_key = fields.String(required=True, metadata={
        "description": "the note verifier key of the operator (C2SP signed note vkey)"})
    entries = fields.List(fields.Nested(EvidenceEntrySchema), required=True, metadata={
        "description": "the org.register, the producer.approve and a producer.suspend in force"})


class QualificationSchema(Schema):
    uscc = fields.String(required=True)
    product = fields.String(required=True)
    year = fields.Integer(required=True)
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS),
                            metadata={"enum": list(VERDICTS)})
    org = fields.Nested(QualifiedOrgSchema, allow_none=True, required=True)
    approval = fields.Nested(QualifyingApprovalSchema, allow_none=True, required=True)
    suspension = fields.Nested(QualifyingSuspensionSchema, allow_none=True, required=True)
    labels = fields.Nested(IssuedLabelsSchema, allow_none=True, required=True)
    recalls = fields.Nested(QualifyingRecallsSchema, allow_none=True, required=True)
    evidence = fields.Nested(QualificationEvidenceSchema, required=True)


def _etag(size: int, year: int) -> str:
    return f"{size}-{year}"


def _cached(response: Response, size: int, year: int) -> Response:
    response.set_etag(_etag(size, year))
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.make_conditional(request)  # a 304 when If-None-Match holds the ETag
    return response


@blp.route("")
class Qualifications(MethodView):
    @blp.arguments(QualificationArgs, location="query", as_kwargs=True)
    @blp.response(200, QualificationSchema)
    @blp.alt_response(304, description="not modified since the ETag given (If-None-Match)")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, uscc: str, product: str, year: int | None = None) -> Response:
        """Whether the enterprise with credit code `uscc` may use `product`'s special sign in
        `year` (approved, suspended, not-approved, unknown-enterprise), with its approval, the
        labels it issued and recalls of its batches, and the evidence: the log entries that
        establish it, each with its inclusion path to the signed checkpoint included."""
        year = year or datetime.now(UTC).year
        log = current_log()
        size = log.size()
        if request.if_none_match.contains(_etag(size, year)):  # spare the reads
            return _cached(Response(status=304), size, year)
        found: Qualification = qualification(connection(), log, uscc, product, year)
        body: Any = QualificationSchema().dump(found)
        return _cached(current_app.response_class(current_app.json.dumps(body), 200,
                                                  mimetype="application/json"),
                       found.evidence.tree_size, year)


def init_app(app: Flask, api: Api) -> None:
    api.register_blueprint(blp)
