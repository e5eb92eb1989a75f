# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/orgs: organisations, their roles and public keys. Public: anyone verifying a
signature or a label needs the keys, and who is an approved producer is no secret."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.domain.queries import orgs
from gi_trace.domain.queries.paging import Page

from .access import not_found
from .connection import connection
from .schemas import OrgArgs, OrgPageSchema, OrgSchema

blp = Blueprint("orgs", __name__, url_prefix="/v1/orgs",
                description="Organisations, roles and public keys (revoked ones marked). Public.")


@blp.route("")
class Orgs(MethodView):
    @blp.arguments(OrgArgs, location="query", as_kwargs=True)
    @blp.response(200, OrgPageSchema)
    def get(self, **args: Any) -> Page[orgs.Org]:
        """Organisations by id, with their keys; filter by `role`."""
        return orgs.list_orgs(connection(), **args)


@blp.route("/<org>")
class Org(MethodView):
    @blp.response(200, OrgSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, org: str) -> orgs.Org:
        """One organisation, with every key it ever had."""
        return orgs.get_org(connection(), org) or not_found("organisation", org)
