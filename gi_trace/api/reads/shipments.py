# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/orgs/{org}/inbox and /shipments: an org's shipments, for itself and regulators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.api.auth.caller import protected
from gi_trace.domain.queries import shipments
from gi_trace.domain.queries.paging import Page

from .access import org_reader
from .connection import connection
from .schemas import PageArgs, ShipmentArgs, ShipmentPageSchema

blp = Blueprint("shipments", __name__, url_prefix="/v1/orgs",
                description="Shipments of an organisation. For the org itself and regulators.")


@blp.route("/<org>/inbox")
class Inbox(MethodView):
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, ShipmentPageSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, org: str, **args: Any) -> Page[shipments.Shipment]:
        """Pending shipments addressed to the org, with items and sender: to receive or reject."""
        conn = connection()
        org_reader(conn, org)
        return shipments.inbox(conn, org, **args)


@blp.route("/<org>/shipments")
class Shipments(MethodView):
    @blp.arguments(ShipmentArgs, location="query", as_kwargs=True)
    @blp.response(200, ShipmentPageSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, org: str, **args: Any) -> Page[shipments.Shipment]:
        """The org's shipments by id; filter by `status` and `direction` (in, out)."""
        conn = connection()
        org_reader(conn, org)
        return shipments.list_shipments(conn, org, **args)
