# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/notices and /v1/platform-notices: takedown notices and how platforms answer them.

Public, with a bearer token optional: who was asked to take what down, by when, and what it
answered is the record a platform's response time is judged by. A notice's evidence shows
only to its sender, its platform and regulators. Overdue is judged against the server's clock
at read time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate

from gi_trace.api.auth.caller import SECURITY_SCHEME
from gi_trace.api.reads.access import current_viewer, not_found
from gi_trace.api.reads.connection import connection
from gi_trace.api.reads.schemas import HIDDEN, PageArgs, Sparse, page_of
from gi_trace.domain.full_match import FullMatch
from gi_trace.domain.queries import notices
from gi_trace.domain.queries.paging import Page
from gi_trace.ledger.statement import ID_PATTERN

blp = Blueprint("notices", __name__, url_prefix="/v1", description=(
    "Takedown notices to e-commerce platforms and their answers, public; a notice's evidence "
    "shows only to its sender, its platform and regulators (a bearer token)."))

OPTIONAL_TOKEN: list[dict[str, list[str]]] = [{}, {SECURITY_SCHEME: []}]
TS = {"description": "RFC 3339 UTC"}


class NoticeArgs(PageArgs):
    platform = fields.String(validate=FullMatch(ID_PATTERN.pattern),
                             metadata={"description": "notices to this platform"})
    sender = fields.String(validate=FullMatch(ID_PATTERN.pattern),
                           metadata={"description": "notices this regulator or association sent"})
    status = fields.String(validate=validate.OneOf(notices.STATUSES))
    settled = fields.Boolean(metadata={
        "description": "true: removed or disputed; false: still waiting for a takedown"})
    overdue = fields.Boolean(metadata={
        "description": "past the deadline (to the second, by the server's clock) and not settled"})


class EvidenceSchema(Schema):
    reports = fields.List(fields.String())
    listings = fields.List(fields.String())
    anomalies = fields.List(fields.String())
    photos = fields.List(fields.String(), metadata={"description": "SHA-256 of each photo, hex"})


class NoticeSchema(Sparse):
    SPARSE = ("evidence",)

    notice = fields.String(required=True)
    platform = fields.String(required=True)
    listing = fields.String(allow_none=True, required=True,
                            metadata={"description": "the listing check it names"})
    url = fields.String(allow_none=True, required=True)
    reason = fields.String(required=True)
    detail = fields.String(allow_none=True, required=True)
    deadline = fields.String(required=True, metadata=TS)
    sender = fields.String(required=True)
    sent_ts = fields.String(required=True, metadata=TS)
    seq = fields.Integer(required=True, metadata={"description": "the notice.send's record"})
    status = fields.String(required=True, metadata={"description": ", ".join(notices.STATUSES)})
    acknowledged_ts = fields.String(allow_none=True, required=True, metadata=TS)
    answered_ts = fields.String(allow_none=True, required=True, metadata={
        "description": "when it was removed or disputed"})
    answer_reason = fields.String(allow_none=True, required=True)
    answer_seq = fields.Integer(allow_none=True, required=True, metadata={
        "description": "the platform's latest notice.answer"})
    evidence = fields.Nested(EvidenceSchema, metadata={"description": f"confidential; {HIDDEN}"})
    response_seconds = fields.Integer(allow_none=True, required=True, metadata={
        "description": "from sending to the platform's first answer (acknowledged, removed or "
                       "disputed); null before it answers"})
    overdue = fields.Boolean(required=True, metadata={
        "description": "past the deadline and not removed or disputed, at read time"})


class PlatformNoticesSchema(Schema):
    platform = fields.String(required=True)
    notices = fields.Integer(required=True)
    open = fields.Integer(required=True, metadata={"description": "not removed or disputed yet"})
    overdue = fields.Integer(required=True)
    responded = fields.Integer(required=True)
    median_response_seconds = fields.Integer(allow_none=True, required=True, metadata={
        "description": "median (lower) of `response_seconds` over its answered notices"})


PlatformNoticesList = Schema.from_dict(
    {"items": fields.List(fields.Nested(PlatformNoticesSchema), required=True)},
    name="PlatformNoticesList")


def _now() -> datetime:
    return datetime.now(UTC)


@blp.route("/notices")
class Notices(MethodView):
    @blp.arguments(NoticeArgs, location="query", as_kwargs=True)
    @blp.response(200, page_of(NoticeSchema, "NoticePage"))
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.doc(security=OPTIONAL_TOKEN)
    def get(self, **args: Any) -> Page[notices.Notice]:
        """Notices by id; filter by platform, sender, status, settled or overdue."""
        return notices.list_notices(connection(), _now(), viewer=current_viewer(), **args)


@blp.route("/notices/<notice>")
class Notice(MethodView):
    @blp.response(200, NoticeSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(security=OPTIONAL_TOKEN)
    def get(self, notice: str) -> notices.Notice:
        """One notice, its answer and its response time."""
        found = notices.get_notice(connection(), notice, _now(), current_viewer())
        return found or not_found("notice", notice)


@blp.route("/platform-notices")
class PlatformNotices(MethodView):
    @blp.response(200, PlatformNoticesList)
    def get(self) -> dict[str, Any]:
        """Per platform: notices, open, overdue, and the median time it took to respond."""
        return {"items": notices.by_platform(connection(), _now())}


def init_app(app: Flask, api: Api) -> None:
    api.register_blueprint(blp)
