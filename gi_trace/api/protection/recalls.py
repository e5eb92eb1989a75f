# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""Recalls that reach holders (GET /v1/recalls, /v1/recalls/{batch}): per recall, the stock
it reached by holder and each holder's acknowledgement.

Anyone reads a recall and its counts; with a bearer token an organisation also reads its own
holder lines, a regulator every line (`gi_trace.domain.queries.recalls`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields

from gi_trace.api.auth.caller import SECURITY_SCHEME
from gi_trace.api.reads.access import current_viewer, not_found
from gi_trace.api.reads.connection import connection
from gi_trace.api.reads.schemas import PageArgs, page_of
from gi_trace.domain.full_match import FullMatch
from gi_trace.domain.queries import recalls
from gi_trace.domain.queries.paging import Page

OPTIONAL_TOKEN: list[dict[str, list[str]]] = [{}, {SECURITY_SCHEME: []}]

blp = Blueprint("recalls", __name__, url_prefix="/v1/recalls", description=(
    "Recalls and the stock they reach: the public reads each recall and how many of its "
    "holders acknowledged it; a holder reads its own lines, a regulator all of them."))


class RecallArgs(PageArgs):
    after = fields.String(validate=FullMatch(r"^[0-9]{1,15}$"), metadata={
        "description": "the `next` of the previous page: a seq", "pattern": r"^[0-9]{1,15}$"})


class HolderLineSchema(Schema):
    org = fields.String(required=True)
    batch = fields.String(required=True)
    holds = fields.String(allow_none=True, required=True, metadata={
        "description": "what it holds of the batch now (null: none left)"})
    acknowledged = fields.String(allow_none=True, required=True, metadata={
        "description": "when it signed recall.ack (null: not yet)"})
    withdrawn = fields.String(allow_none=True, required=True, metadata={
        "description": "what it said it withdrew"})


class RecallSchema(Schema):
    batch = fields.String(required=True, metadata={"description": "the batch the recall named"})
    product = fields.String(required=True)
    lot = fields.String(required=True)
    seq = fields.Integer(required=True, metadata={"description": "the batch.recall record"})
    ts = fields.String(required=True)
    actor = fields.String(required=True)
    reason = fields.String(allow_none=True, required=True)
    batches = fields.List(fields.String(), required=True, metadata={
        "description": "every batch it reached: the one named, then those made from it"})
    lines = fields.Integer(required=True, metadata={
        "description": "holder lines: an organisation and a recalled batch it holds or "
                       "acknowledged"})
    acknowledged = fields.Integer(required=True, metadata={"description": "of those lines"})
    holders = fields.List(fields.Nested(HolderLineSchema), allow_none=True, required=True,
                          metadata={"description": "null for the public; the caller's own "
                                                   "lines; a regulator's: all"})


@blp.route("")
class Recalls(MethodView):
    @blp.arguments(RecallArgs, location="query", as_kwargs=True)
    @blp.response(200, page_of(RecallSchema, "RecallPage"))
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.doc(security=OPTIONAL_TOKEN)
    def get(self, **args: Any) -> Page[recalls.Recall]:
        """Recalls, newest first, with their holders as far as the caller may read them."""
        return recalls.list_recalls(connection(), current_viewer(), **args)


@blp.route("/<batch>")
class OneRecall(MethodView):
    @blp.response(200, RecallSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(security=OPTIONAL_TOKEN)
    def get(self, batch: str) -> recalls.Recall:
        """The recall that reached `batch` (named it, or a batch it was made from)."""
        return (recalls.recall_of(connection(), current_viewer(), batch)
                or not_found("recall of batch", batch))


def init_app(app: Flask, api: Api) -> None:
    api.register_blueprint(blp)
