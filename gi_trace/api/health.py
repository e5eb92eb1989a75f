# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /healthz: for load balancers, and it touches the database so a dead one shows."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from .context import current_log
from .schemas import HealthSchema

blp = Blueprint("health", __name__, description="Liveness of the service and its database.")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        return {"status": "ok", "log_size": current_log().size()}
