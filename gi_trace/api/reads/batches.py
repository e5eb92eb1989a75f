# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/batches: batches and their journey, for the parties to them and regulators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.api.auth.caller import protected, require_caller
from gi_trace.api.auth.errors import Forbidden
from gi_trace.domain.queries import batches
from gi_trace.domain.queries.paging import Page

from .access import batch_reader, not_found, viewer_of
from .connection import connection
from .schemas import BatchArgs, BatchDetailSchema, BatchPageSchema

blp = Blueprint("batches", __name__, url_prefix="/v1/batches", description=(
    "Batches, their holders and journey. Only for a party to the batch (its producer, a holder "
    "now or once, an actor in its events, a sender or receiver of a shipment of it) or a regulator. "
    "Confidential values (quantities, plots, holders, shipments) show only to a regulator and to "
    "the parties to the statements they came from; a party sees its own holding and shipments, "
    "and the public lineage."))


@blp.route("")
class Batches(MethodView):
    @blp.arguments(BatchArgs, location="query", as_kwargs=True)
    @blp.response(200, BatchPageSchema)
    @protected(blp)
    def get(self, **args: Any) -> Page[batches.Batch]:
        """The batches the caller may see (a regulator: all), by id; filter as needed (an org
        by its own holdings only: who holds what is each holder's business)."""
        caller = require_caller()
        viewer = viewer_of(caller)
        holder = args.get("holder")
        if holder is not None and not viewer.sees_all and holder != caller.org:
            raise Forbidden(f"{caller.org} may filter by its own holdings only, not {holder}'s")
        return batches.list_batches(connection(), visible_to=viewer.party, viewer=viewer, **args)


@blp.route("/<batch>")
class Batch(MethodView):
    @blp.response(200, BatchDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, batch: str) -> batches.BatchDetail:
        """One batch: holders, ancestors and descendants, events and shipments."""
        conn = connection()
        caller = batch_reader(conn, batch)
        return batches.get_batch(conn, batch, viewer_of(caller)) or not_found("batch", batch)
