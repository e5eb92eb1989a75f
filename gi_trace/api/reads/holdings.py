# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/orgs/{org}/holdings: what an org holds now, for itself and regulators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.api.auth.caller import protected
from gi_trace.domain.queries import holdings
from gi_trace.domain.queries.paging import Page

from .access import org_reader
from .connection import connection
from .schemas import HoldingArgs, HoldingPageSchema

blp = Blueprint("holdings", __name__, url_prefix="/v1/orgs",
                description="What an organisation holds now. For the org itself and regulators.")


@blp.route("/<org>/holdings")
class Holdings(MethodView):
    @blp.arguments(HoldingArgs, location="query", as_kwargs=True)
    @blp.response(200, HoldingPageSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, org: str, **args: Any) -> Page[holdings.Holding]:
        """The org's holdings by batch id; filter by `product`."""
        conn = connection()
        org_reader(conn, org)
        return holdings.org_holdings(conn, org, **args)
