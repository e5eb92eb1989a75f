# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""Counterfeit reports: anyone sends one (no account), regulators work through the queue.

`POST /v1/reports` takes the verdict page's multipart form, or JSON from an app
(the photo then as standard base64 in `photo`). The sender is the request's
remote address, hashed; behind a proxy set GI_TRACE_PROXY_HOPS so that address
is the client's (X-Forwarded-For), not the proxy's.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from flask import Flask, Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import NotFound, RequestEntityTooLarge, UnsupportedMediaType

from gi_trace.api.auth.authenticator import Caller
from gi_trace.api.auth.caller import protected
from gi_trace.api.auth.seal import derive_secret
from gi_trace.api.context import current_service
from gi_trace.api.json_body import request_json
from gi_trace.api.problems import Problem
from gi_trace.api.reads.access import regulator_reader
from gi_trace.api.reads.connection import connection
from gi_trace.api.reads.schemas import PageArgs, page_of
from gi_trace.api.schemas import BINARY
from gi_trace.domain.queries.paging import Page
from gi_trace.labels import receipts, report_queue, reports
from gi_trace.labels.photo import FIELD as PHOTO
from gi_trace.labels.photo import DecodersBusy, PhotoTooLarge
from gi_trace.ledger import keys
from gi_trace.ledger.errors import MalformedError
from gi_trace.service import Service

CLIENT_SECRET = "gi_trace.report_client_secret"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

blp = Blueprint("reports", __name__, url_prefix="/v1/reports", description=(
    "Counterfeit reports. Anyone may send one, without an account, a few an hour; only "
    "regulators read the queue and change a report's status."))


# -- schemas ---------------------------------------------------------------------------------
class ReportArgs(PageArgs):
    after = fields.String(validate=validate.Length(1, 200), metadata={
        "description": "the `next` of the previous page: created.id of the last it listed",
        "pattern": r"^[0-9]{1,15}\.[A-Za-z0-9_-]{1,22}$"})  # report_queue.py reads it
    status = fields.String(validate=validate.OneOf(reports.STATUSES))


class ReportSchema(Schema):
    id = fields.String(required=True)
    created = fields.String(required=True, metadata={"description": "RFC 3339, UTC"})
    updated = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(reports.STATUSES)})
    uri = fields.String(allow_none=True, metadata={"description": "the scanned Digital Link"})
    gtin = fields.String(allow_none=True)
    lot = fields.String(allow_none=True)
    serial = fields.String(allow_none=True)
    batch = fields.String(allow_none=True, metadata={
        "description": "the label's batch when its serial is known, else the lot's"})
    batch_url = fields.Method("_batch_url", allow_none=True)
    where_bought = fields.String(required=True)
    details = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    has_photo = fields.Boolean(required=True)
    photo_type = fields.String(allow_none=True)
    photo_url = fields.Method("_photo_url", allow_none=True)
    handled_by = fields.String(allow_none=True, metadata={"description": "the regulator's org"})
    note = fields.String(allow_none=True)

    def _batch_url(self, report: report_queue.Report) -> str | None:
        return None if report.batch is None else f"/v1/batches/{report.batch}"

    def _photo_url(self, report: report_queue.Report) -> str | None:
        return f"/v1/reports/{report.id}/photo" if report.has_photo else None


ReportPageSchema = page_of(ReportSchema, "ReportPage")


class StatusChangeSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(report_queue.HANDLED))
    note = fields.String(allow_none=True, validate=validate.Length(max=reports.MAX_LENGTHS["note"]))


class CreatedSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, metadata={"example": "new"})
    receipt = fields.String(required=True, metadata={
        "description": "the reporter's receipt code, shown this once and never stored (only its "
                       "hash): with it the reporter reads the report's status and claims a "
                       "reward (/v1/reports/receipt)",
        "example": "MFRG-GZDF-MZTW-Q2LK-NNSX-I3DP-OJUX-E5LT"})


# Each text field's limit, in characters, as labels/reports.py checks it.
_TEXTS = {name: {"type": "string", "maxLength": reports.MAX_LENGTHS[name]} for name in reports.FIELDS}
_REQUEST_BODY = {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["where_bought"], "properties": {
        **_TEXTS,
        "photo": {"type": "string", "format": "binary", "description": "JPEG, PNG or WebP, ≤ 5 MB"}}}},
    "application/json": {"schema": {"type": "object", "required": ["where_bought"], "properties": {
        **_TEXTS,
        "photo": {"type": "string", "contentEncoding": "base64",
                  "description": "JPEG, PNG or WebP, ≤ 5 MB before encoding (standard base64)"}}}},
}}


# -- reading a submission --------------------------------------------------------------------
def _json_photo(value: Any, max_bytes: int) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedError("photo must be a base64 string", code="not-base64", field=PHOTO)
    if len(value) > (max_bytes + 2) // 3 * 4:
        raise PhotoTooLarge(max_bytes)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as e:
        raise MalformedError("photo is not standard base64", code="not-base64", field=PHOTO) from e


def _submission(max_bytes: int) -> tuple[dict[str, Any], bytes | None]:
    """The fields and photo of a form or JSON POST. A body over the app's limit
    (GI_TRACE_MAX_REQUEST_BYTES) can only be so for its photo, so the problem names it."""
    try:
        return _read_submission(max_bytes)
    except RequestEntityTooLarge as e:
        raise PhotoTooLarge(max_bytes) from e


def _read_submission(max_bytes: int) -> tuple[dict[str, Any], bytes | None]:
    """An empty file input (what a browser sends when no file was chosen) means no photo."""
    if request.mimetype in FORM_TYPES:
        extra = sorted(set(request.files) - {PHOTO})
        if extra:
            raise MalformedError(f"unknown file field {extra[0]}", code="unknown-field", field=extra[0])
        form = request.form.to_dict()
        if form.pop(PHOTO, ""):
            raise MalformedError("send the photo as a file", code="not-an-image", field=PHOTO)
        upload = request.files.get(PHOTO)
        photo = upload.stream.read(max_bytes + 1) if upload is not None else None
        return form, photo or None
    if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        body = request_json()
        if not isinstance(body, dict):
            raise MalformedError("the body must be a JSON object", code="malformed-json")
        return body, _json_photo(body.pop(PHOTO, None), max_bytes)
    raise UnsupportedMediaType("send multipart/form-data (the page's form) or application/json")


def current_client() -> str:
    """The sender of this request as the tables keep it: the keyed hash of its address."""
    return reports.client_id(current_app.extensions[CLIENT_SECRET], request.remote_addr or "")


def _regulator() -> Caller:
    return regulator_reader("counterfeit reports")


def _found(report: report_queue.Report | None, report_id: str) -> report_queue.Report:
    if report is None:
        raise NotFound(f"no report {report_id!r}")
    return report


# -- views -----------------------------------------------------------------------------------
@blp.route("")
class Reports(MethodView):
    @blp.doc(requestBody=_REQUEST_BODY, security=[])
    @blp.response(201, CreatedSchema)
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def post(self) -> dict[str, str]:
        """Report a suspect product: where it was bought (required), details, a photo, a contact.

        At most `GI_TRACE_REPORT_MAX_PER_HOUR` reports an hour from one sender (429 with
        Retry-After past that, checked before the photo is read); the photo must be a JPEG, PNG
        or WebP image of at most `GI_TRACE_REPORT_MAX_PHOTO_BYTES` (413 naming `photo` when
        larger) and `GI_TRACE_REPORT_MAX_PHOTO_PIXELS` (16 M; 422 `photo-too-many-pixels`,
        from the header, before decoding). A process decodes two photos at once: a third
        gets 503 with Retry-After."""
        service = current_service()
        settings = service.settings
        client = current_client()
        reports.check_limit(service.engine, client, limit=settings.report_max_per_hour,
                            now=int(time.time()))
        fields_, photo = _submission(settings.report_max_photo_bytes)
        report = reports.new_report(fields_, photo, max_photo_bytes=settings.report_max_photo_bytes,
                                    max_photo_pixels=settings.report_max_photo_pixels)
        code = receipts.new_code()
        report_id = reports.submit(service.engine, report, client, limit=settings.report_max_per_hour,
                                   now=int(time.time()), receipt_hash=receipts.code_hash(code))
        return {"id": report_id, "status": "new", "receipt": code}

    @blp.arguments(ReportArgs, location="query", as_kwargs=True)
    @blp.response(200, ReportPageSchema)
    @protected(blp)
    def get(self, **args: Any) -> Page[report_queue.Report]:
        """The queue, newest first; filter by `status` (new, investigating, closed)."""
        _regulator()
        return report_queue.list_reports(connection(), **args)


@blp.route("/<report_id>")
class OneReport(MethodView):
    @blp.response(200, ReportSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, report_id: str) -> report_queue.Report:
        """One report (the photo apart: see `photo_url`)."""
        _regulator()
        return _found(report_queue.get_report(connection(), report_id), report_id)

    @blp.arguments(StatusChangeSchema)
    @blp.response(200, ReportSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def patch(self, change: dict[str, Any], report_id: str) -> report_queue.Report:
        """Take a report up (`investigating`) or close it, with an optional note; the caller's
        org is recorded as `handled_by`."""
        caller = _regulator()
        return _found(report_queue.set_status(current_service().engine, report_id, change["status"],
                                              handled_by=caller.org, now=int(time.time()),
                                              note=change.get("note")), report_id)


@blp.route("/<report_id>/photo")
class Photo(MethodView):
    @blp.response(200, BINARY, description="The photo as sent, in its own image type",
                  content_type="image/*")
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, report_id: str) -> Response:
        """The report's photo, byte for byte, shown inline and never sniffed as anything else."""
        _regulator()
        found = report_queue.get_photo(connection(), report_id)
        if found is None:
            raise NotFound(f"report {report_id!r} has no photo, or does not exist")
        data, media_type = found
        return Response(data, mimetype=media_type, headers={
            "Content-Disposition": "inline", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, no-store"})


# -- errors and wiring -----------------------------------------------------------------------
def _too_large(error: PhotoTooLarge) -> Response:
    return Problem(413, error.code, "Photo too large", error.message, error.field).response()


def _decoders_busy(error: DecodersBusy) -> Response:
    return Problem(503, error.code, "Too many photos being checked", error.message, error.field,
                   headers={"Retry-After": str(error.retry_after)}).response()


def _rate_limited(error: reports.RateLimited) -> Response:
    return Problem(429, error.code, "Too many reports", error.message,
                   headers={"Retry-After": str(error.retry_after)}).response()


def init_app(app: Flask, api: Any, service: Service) -> None:
    """Derive the sender-hashing key once (from the operator key, apart from the auth key)."""
    app.extensions[CLIENT_SECRET] = derive_secret(keys.load_private_key(service.settings.operator_key),
                                                  service.settings.origin, info=reports.CLIENT_KEY_INFO)
    app.register_error_handler(PhotoTooLarge, _too_large)
    app.register_error_handler(DecodersBusy, _decoders_busy)
    app.register_error_handler(reports.RateLimited, _rate_limited)
    api.register_blueprint(blp)
