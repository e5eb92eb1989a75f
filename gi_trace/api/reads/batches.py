# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/batches: batches and their journey, for the parties to them and regulators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.api.auth.caller import protected, require_caller
from gi_trace.domain.queries import batches
from gi_trace.domain.queries.paging import Page

from .access import batch_reader, not_found
from .connection import connection
from .schemas import BatchArgs, BatchDetailSchema, BatchPageSchema

blp = Blueprint("batches", __name__, url_prefix="/v1/batches", description=(
    "Batches, their holders and journey. Only for a party to the batch (its producer, a holder "
    "now or once, an actor in its events, a sender or receiver of a shipment of it) or a regulator."))


@blp.route("")
class Batches(MethodView):
    @blp.arguments(BatchArgs, location="query", as_kwargs=True)
    @blp.response(200, BatchPageSchema)
    @protected(blp)
    def get(self, **args: Any) -> Page[batches.Batch]:
        """The batches the caller may see (a regulator: all), by id; filter as needed."""
        caller = require_caller()
        return batches.list_batches(connection(), visible_to=None if caller.is_regulator else caller.org,
                                    **args)


@blp.route("/<batch>")
class Batch(MethodView):
    @blp.response(200, BatchDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, batch: str) -> batches.BatchDetail:
        """One batch: holders, ancestors and descendants, events and shipments."""
        conn = connection()
        batch_reader(conn, batch)
        return batches.get_batch(conn, batch) or not_found("batch", batch)
