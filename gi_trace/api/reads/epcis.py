# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/epcis: the supply chain as GS1 EPCIS 2.0 JSON-LD, for partners' and regions' systems.

The same policy as the batch reads: a regulator gets every event, an organisation
the events of statements that touched a batch it is party to, with the confidential
values of the statements it may read (and the shipments and label sales it is party
to, no one else's).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gi_trace.api.auth.caller import protected, require_caller
from gi_trace.api.context import current_service
from gi_trace.domain.epcis.export import Exporter
from gi_trace.domain.epcis.vocabulary import MEDIA_TYPE
from gi_trace.domain.queries.paging import DEFAULT_LIMIT, MAX_LIMIT

from .access import batch_reader, not_found, viewer_of
from .connection import connection

blp = Blueprint("epcis", __name__, url_prefix="/v1/epcis", description=(
    "EPCIS 2.0 JSON-LD (application/ld+json): a batch's journey or the events of a period, "
    "validating against GS1's EPCIS JSON schema. Regulators see every event; an organisation "
    "the events that touched a batch it is party to, with the quantities, places and reasons "
    "of the statements it may read, and only its own shipments and label sales."))


def _in_utc_years(value: datetime) -> None:
    """The period is compared in UTC: a time whose UTC date falls outside years 1 to 9999
    (0001-01-01T00:00:00+01:00) has none, and would overflow rather than be refused."""
    try:
        value.astimezone(UTC)
    except OverflowError as e:
        raise ValidationError("must fall within years 1 to 9999 in UTC") from e


class PeriodArgs(Schema):
    start = fields.AwareDateTime(required=True, data_key="from", validate=_in_utc_years, metadata={
        "description": "RFC 3339 time, inclusive (compared to the second), years 1 to 9999 in UTC"})
    end = fields.AwareDateTime(data_key="to", validate=_in_utc_years, metadata={
        "description": "RFC 3339 time, exclusive, years 1 to 9999 in UTC; default: no bound"})
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT),
                           metadata={"description": f"events per page, at most {MAX_LIMIT}"})
    after = fields.Integer(validate=validate.Range(0, 2**62), metadata={
        "description": "the gitrace:seq of the last event of the previous page (see the Link header)"})

    @validates_schema
    def _end_after_start(self, data: dict[str, Any], **_: Any) -> None:
        if "end" in data and data["end"] <= data["start"]:
            raise ValidationError("must be later than from", field_name="to")


class EpcisDocumentSchema(Schema):
    """Documentation only: the body is GS1's EPCISDocument, sent as it is built."""

    context = fields.Raw(data_key="@context", required=True)
    type = fields.String(required=True, metadata={"example": "EPCISDocument"})
    schemaVersion = fields.String(required=True, metadata={"example": "2.0"})
    creationDate = fields.String(required=True)
    epcisBody = fields.Dict(required=True, metadata={"description": "eventList: the events"})


def _exporter() -> Exporter:
    settings = current_service().settings
    return Exporter(settings.base_url.rstrip("/"), settings.gs1_company_prefix_length)


def _ld_json(document: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return current_app.response_class(json.dumps(document, ensure_ascii=False), mimetype=MEDIA_TYPE,
                                      headers=headers)


@blp.route("/batches/<batch>")
class BatchJourney(MethodView):
    @blp.response(200, EpcisDocumentSchema, content_type=MEDIA_TYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, batch: str) -> Response:
        """The journey of a batch with its ancestors and descendants, in log order."""
        conn = connection()
        caller = batch_reader(conn, batch)
        document = _exporter().journey(conn, batch, viewer=viewer_of(caller),
                                       created=datetime.now(UTC))
        return _ld_json(document or not_found("batch", batch))


@blp.route("/events")
class Events(MethodView):
    @blp.arguments(PeriodArgs, location="query", as_kwargs=True)
    @blp.response(200, EpcisDocumentSchema, content_type=MEDIA_TYPE, headers={
        "Link": {"description": 'rel="next": the next page, when the limit cut this one',
                 "schema": {"type": "string"}}})
    @protected(blp)
    def get(self, start: datetime, limit: int, end: datetime | None = None,
            after: int | None = None) -> Response:
        """The events of statements signed in [from, to), in log order, `limit` at a time."""
        caller = require_caller()
        document, next_after = _exporter().period(
            connection(), start, end, viewer=viewer_of(caller), created=datetime.now(UTC),
            limit=limit, after=after)
        if next_after is None:
            return _ld_json(document)
        query = {k: v for k, v in request.args.items() if k != "after"}
        link = f'<{request.path}?{urlencode({**query, "after": next_after})}>; rel="next"'
        return _ld_json(document, {"Link": link})
