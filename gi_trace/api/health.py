# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /healthz (alive) and GET /readyz (fit to take traffic), for load balancers and probes.

/healthz touches the database so a dead one shows. /readyz says whether this
server should be sent requests: its database answers, is at the code's schema
(another release may have migrated it), and, when the operator asks for it, the
log's latest checkpoint is fresh. Checks stop at the first that fails, and the
503 names it in `field`; the reason for the operator goes to the log, not to the
client (it may name the database).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from gi_trace.ledger import schema
from gi_trace.ledger.statement import parse_ts
from gi_trace.migrate import NotInitialised, require_current
from gi_trace.service import Service

from .context import current_log, current_service
from .problems import Problem
from .schemas import HealthSchema

blp = Blueprint("health", __name__, description="Liveness and readiness of the service.")
log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5

# The ts of the latest checkpoint's last record: the log accepted it within the clock window of
# its own clock, and wrote the checkpoint in the same transaction.
_LAST_TS = select(schema.records.c.ts).where(
    schema.records.c.seq == select(func.max(schema.checkpoints.c.size)).scalar_subquery() - 1)


def checkpoint_age(conn: Connection, now: float) -> float | None:
    """Seconds since the latest checkpoint was written (None for a log never appended to)."""
    ts = conn.scalar(_LAST_TS)
    return None if ts is None else max(0.0, now - parse_ts(ts).timestamp())


class NotReady(Exception):
    def __init__(self, check: str, detail: str) -> None:
        super().__init__(detail)
        self.check, self.detail = check, detail


def _require_ready(engine: Engine, max_checkpoint_age: int) -> list[str]:
    """The checks passed, in order; raise NotReady for the first that fails."""
    try:
        with engine.connect() as conn:
            conn.scalar(select(1))
        try:
            require_current(engine)
        except NotInitialised as e:
            log.error("not ready: %s", e)
            raise NotReady("migrations", "the database is not at the code's schema revision: "
                                         "run `gi-trace init` with this release") from e
        if not max_checkpoint_age:
            return ["database", "migrations"]
        with engine.connect() as conn:
            age = checkpoint_age(conn, time.time())
    except SQLAlchemyError as e:
        log.error("not ready: database error %s", type(e).__name__, exc_info=e)
        raise NotReady("database", "the database does not answer") from e
    if age is not None and age > max_checkpoint_age:
        raise NotReady("checkpoint", f"the latest checkpoint is {age:.0f} s old, more than the "
                                     f"{max_checkpoint_age} s allowed")
    return ["database", "migrations", "checkpoint"]


class ReadySchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ready"]})
    checked = fields.List(fields.String(), required=True,
                          metadata={"description": "the checks passed: database, migrations, and "
                                                   "checkpoint when a maximum age is set"})


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        return {"status": "ok", "log_size": current_log().size()}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, ReadySchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self) -> dict[str, Any] | Response:
        """Whether to send this server traffic

        503 names the first check that fails in `field`: database, migrations or checkpoint.
        """
        service: Service = current_service()
        try:
            checked = _require_ready(service.engine,
                                     service.settings.ready_max_checkpoint_age_seconds)
        except NotReady as e:
            return Problem(503, "not-ready", "Not ready", e.detail, field=e.check,
                           headers={"Retry-After": str(RETRY_AFTER_SECONDS)}).response()
        return {"status": "ready", "checked": checked}
