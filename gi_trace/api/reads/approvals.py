# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/approvals: which producers may use a GI's special sign, quota used and left. Public."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.domain.queries import approvals
from gi_trace.domain.queries.paging import Page

from .connection import connection
from .schemas import ApprovalArgs, ApprovalPageSchema

blp = Blueprint("approvals", __name__, url_prefix="/v1/approvals",
                description="Producer approvals: yearly quota, used, remaining, suspension. Public.")


@blp.route("")
class Approvals(MethodView):
    @blp.arguments(ApprovalArgs, location="query", as_kwargs=True)
    @blp.response(200, ApprovalPageSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, **args: Any) -> Page[approvals.Approval]:
        """Approvals by product, producer and year; filter by any of them."""
        return approvals.list_approvals(connection(), **args)
