# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""POST /v1/statements: append one signed envelope, or a group of them all or nothing."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.log import MAX_BATCH
from gi_trace.ledger.record import Record
from gi_trace.ledger.statement import Envelope

from .context import current_log
from .envelopes import read_envelopes
from .schemas import AppendedSchema, EnvelopeSchema

blp = Blueprint("statements", __name__, url_prefix="/v1/statements",
                description="Append signed statements to the log.")


def _append(envelopes: list[Envelope], many: bool) -> list[Record]:
    """Append; a lone envelope is not a group, so its errors carry no index."""
    try:
        return current_log().append(envelopes)
    except LedgerError as e:
        if not many:
            e.index = None
        raise


def _one_or_many(schema: type) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "array", "items": schema, "minItems": 1,
                               "maxItems": MAX_BATCH}]}


@blp.route("")
class Statements(MethodView):
    @blp.doc(
        requestBody={"required": True,
                     "content": {"application/json": {"schema": _one_or_many(EnvelopeSchema)}}},
        responses={"201": {"description": "Appended: one result, or a list in request order",
                           "content": {"application/json": {"schema": _one_or_many(AppendedSchema)}}}},
    )
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def post(self) -> tuple[Any, int]:
        """Append envelopes; a group is written in one transaction or not at all."""
        envelopes, many = read_envelopes(request)
        records = _append(envelopes, many)
        return AppendedSchema(many=many).dump(records if many else records[0]), 201
