"""Every error the API returns is an RFC 9457 problem: one place maps error classes to statuses.

Clients (phone apps, regional systems, the CLI) branch on `code`, and on
`field` and `index` to point at the statement and the field at fault, so those
must look the same whatever raised the error: the ledger, werkzeug or webargs.
A browser, which asks for text/html above JSON, gets the same problem as a page
(problem.html) in the reader's language; curl's `*/*` and API clients keep the JSON.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from gi_trace.api.request_log import request_id
from gi_trace.ledger.database import is_unavailable
from gi_trace.ledger.errors import (
    ConflictError,
    DatabaseUnavailableError,
    LedgerBusyError,
    LedgerError,
    MalformedError,
    RefusedError,
    VerificationError,
)

from .i18n import STRINGS
from .pages import render_page

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://gi-trace.dev/problems/"

# Most specific class first: ConflictError is a RefusedError.
_BY_CLASS: tuple[tuple[type[LedgerError], int, str], ...] = (
    (DatabaseUnavailableError, 503, "The database is unavailable"),
    (LedgerBusyError, 503, "The log is busy"),
    (ConflictError, 409, "Conflicts with the log"),
    (RefusedError, 422, "Refused by the log"),
    (VerificationError, 400, "Does not verify"),
    (MalformedError, 422, "Malformed input"),
)
_BY_CODE = {"malformed-json": (400, "Malformed JSON"), "not-authorized": (403, "Not authorized")}
_FALLBACK = (422, "Refused by the ledger")

# Codes for werkzeug errors whose name does not make a good slug.
_HTTP_CODES = {413: "body-too-large", 500: "internal-error"}


@dataclasses.dataclass(frozen=True)
class Problem:
    status: int
    code: str
    title: str
    detail: str
    field: str | None = None
    index: int | None = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": TYPE_BASE + self.code, "title": self.title,
                                "status": self.status, "detail": self.detail, "code": self.code}
        if self.field is not None:
            body["field"] = self.field
        if self.index is not None:
            body["index"] = self.index
        return body

    def response(self, words: str | None = None) -> Response:
        """problem+json, or the page for a browser; `words` is the i18n prefix of the page's
        `.title` and `.lead` (default: the status's own words, else the general ones)."""
        if prefers_html():
            resp = render_page("problem.html", status=self.status, problem=self,
                               words=words or _page_words(self.status))
        else:
            resp = current_app.response_class(current_app.json.dumps(self.to_dict()), self.status,
                                              mimetype=MEDIA_TYPE)
            resp.vary.add("Accept")
        resp.headers.update(self.headers)
        return resp


def prefers_html() -> bool:
    """True when the client names text/html and ranks it no lower than JSON: a browser.
    `*/*` (curl) and an absent Accept rank nothing by name, so they keep problem+json."""
    accept = request.accept_mimetypes
    html = max((q for value, q in accept if value == "text/html"), default=0)
    return html > 0 and html >= max(accept.quality(MEDIA_TYPE), accept.quality("application/json"))


def _page_words(status: int) -> str:
    return f"problem.{status}" if f"problem.{status}.title" in STRINGS else "problem"


def from_ledger_error(error: LedgerError) -> Problem:
    status, title = _BY_CODE.get(error.code) or next(
        ((s, t) for cls, s, t in _BY_CLASS if isinstance(error, cls)), _FALLBACK)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, LedgerBusyError) else {}
    return Problem(status, error.code, title, error.message, error.field, error.index, headers)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _argument_error(messages: Mapping[str, Any]) -> tuple[str | None, str]:
    """The first offending argument of a webargs error, e.g. {"query": {"seq": ["Not…"]}}."""
    for location in messages.values():
        if isinstance(location, Mapping):
            for name, problems in location.items():
                first = problems[0] if isinstance(problems, list) and problems else problems
                return str(name), f"{name}: {first}"
    return None, str(messages)


def from_http_exception(error: HTTPException) -> Problem:
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    if "messages" in data:
        arg, detail = _argument_error(data["messages"])
        return Problem(status, "bad-argument", "Invalid query argument", detail, arg,
                       headers=headers)
    code = _HTTP_CODES.get(status) or _slug(error.name)
    return Problem(status, code, error.name, error.description or error.name, headers=headers)


def handle_ledger_error(error: LedgerError) -> Response:
    return from_ledger_error(error).response()


def handle_http_exception(error: HTTPException) -> Response:
    return from_http_exception(error).response()


def handle_unexpected(error: Exception) -> Response:
    """A bug, not bad input: log the traceback for the operator, give the client none."""
    current_app.logger.exception("unhandled error", exc_info=error,
                                 extra={"request_id": request_id()})
    return from_http_exception(InternalServerError()).response()


def handle_database_error(error: DBAPIError) -> Response:
    """A database that cannot answer now (connection lost, read-only, no privilege) is a 503
    the client may retry, on reads as on writes; any other database error is a bug."""
    if not is_unavailable(error):
        return handle_unexpected(error)
    current_app.logger.warning("database unavailable: %s", str(error.orig).strip(),
                               extra={"request_id": request_id()})
    return handle_ledger_error(DatabaseUnavailableError())


def init_app(app: Flask) -> None:
    app.register_error_handler(LedgerError, handle_ledger_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
