# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/approvals: which producers may use a GI's special sign, with their quotas. Public;
what a producer has used of its quota shows to itself and regulators (a bearer token)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.api.auth.caller import SECURITY_SCHEME
from gi_trace.domain.queries import approvals
from gi_trace.domain.queries.paging import Page

from .access import current_viewer
from .connection import connection
from .schemas import ApprovalArgs, ApprovalPageSchema

blp = Blueprint("approvals", __name__, url_prefix="/v1/approvals", description=(
    "Producer approvals: yearly quota and suspension, public. Quota used and remaining (the sum "
    "of the producer's harvests, which are confidential) for the producer itself and regulators."))


@blp.route("")
class Approvals(MethodView):
    @blp.arguments(ApprovalArgs, location="query", as_kwargs=True)
    @blp.response(200, ApprovalPageSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.doc(security=[{}, {SECURITY_SCHEME: []}])
    def get(self, **args: Any) -> Page[approvals.Approval]:
        """Approvals by product, producer and year; filter by any of them. With a bearer token,
        the caller's own approvals (a regulator: all) show their quota used and remaining."""
        return approvals.list_approvals(connection(), viewer=current_viewer(), **args)
