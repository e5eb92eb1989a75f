"""Structured logs: one JSON object a line, and one access line per request.

Operators ship these lines to a log store and search them by field, so every
line is JSON and every line a request causes carries its request id: the id a
client sent in X-Request-Id (when it looks like an id) or one made here, echoed
in the response, so a client's complaint finds the access line and the error.
The access line names the route (the URL rule), never the raw path: a scan's
path holds the label's serial and signature, which logs must not collect.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")
_ID, _STARTED = "gi_trace_request_id", "gi_trace_started"
# Where auth/caller.py keeps the request's checked caller (not imported: auth's errors are
# problems, and problems logs with the request id).
_CALLER = "gi_trace_caller"
# The attributes every LogRecord has; anything else on a record was passed in `extra`.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

access_log = logging.getLogger("gi_trace.access")


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, the `extra` fields, the
    request id when logged during a request, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        line.update((k, v) for k, v in vars(record).items() if k not in _STANDARD)
        if "request_id" not in line and has_request_context():
            line["request_id"] = request_id()
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging() -> None:
    """Log gi_trace's INFO lines as JSON on stderr, unless the host (gunicorn's logconfig_dict,
    pytest) already handles them: then they propagate to its handlers, never twice."""
    logger = logging.getLogger("gi_trace")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not logger.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)


def request_id() -> str:
    """This request's id: the client's X-Request-Id when it is a sane id, else a new one."""
    found: str | None = g.get(_ID)
    if found is None:
        sent = request.headers.get(HEADER, "")
        found = sent if _SANE_ID.fullmatch(sent) else uuid.uuid4().hex
        setattr(g, _ID, found)
    return found


def route() -> str:
    """The URL rule that answered (`/v1/batches/<batch>`), or `<unmatched>` for a 404 of no
    route: a bounded set of values, fit for a log field and a metric label."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


def elapsed() -> float:
    """Seconds since this request started (its before_request hooks included)."""
    return time.perf_counter() - float(g.get(_STARTED, time.perf_counter()))


def actor_org() -> str | None:
    """The org of the request's bearer token when some view has checked it; never checks one."""
    org = getattr(g.get(_CALLER), "org", None)
    return org if isinstance(org, str) else None


def _start() -> None:
    setattr(g, _STARTED, time.perf_counter())
    request_id()


def _echo_id(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    return response


def _access_line(response: Response) -> Response:
    access_log.info("request", extra={
        "request_id": request_id(), "method": request.method, "route": route(),
        "status": response.status_code, "duration_ms": round(elapsed() * 1000, 2),
        "org": actor_org(), "client": request.remote_addr})
    return _echo_id(response)


def init_app(app: Flask, *, enabled: bool) -> None:
    """Time every request and echo its id; log its access line when `enabled`. Call first, so
    that the clock starts before any other hook runs."""
    configure_logging()
    app.before_request(_start)
    app.after_request(_access_line if enabled else _echo_id)
