"""The longest URI the service reads: past it, a 414 problem like every other error.

Servers cut long request lines with a page of their own (gunicorn's 414 at its
`limit_request_line`, 4094 bytes by default; http.server's at 64 KiB), which no client
can parse as a problem. The app refuses first, below those limits, so a client always
gets application/problem+json; every operation of the document lists the 414.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import RequestURITooLarge

from .path_params import install

# Path and query as sent, in bytes. A label's Digital Link is under 200; a page of reads with
# every filter under 500. Below gunicorn's default request-line limit, so the app answers first.
MAX_URI_BYTES = 4000
RESPONSE = "REQUEST_URI_TOO_LONG"  # GiTraceApi registers a problem response per HTTP status


def _raw_uri() -> str:
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    query = str(request.environ.get("QUERY_STRING", ""))
    return str(request.environ.get("PATH_INFO", "")) + ("?" + query if query else "")


def refuse_long_uri() -> None:
    if len(_raw_uri().encode("utf-8", "surrogateescape")) > MAX_URI_BYTES:
        raise RequestURITooLarge(f"the path and query may be at most {MAX_URI_BYTES} bytes")


class UriLimitPlugin(BasePlugin):
    """Lists the 414 on every operation, as it can answer any of them."""

    def operation_helper(self, path: str | None = None, operations: dict[Any, Any] | None = None,
                         **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            operation.setdefault("responses", {}).setdefault("414", RESPONSE)


def init_app(app: Flask, api: Api) -> None:
    """Before any blueprint is registered: each adds its paths then."""
    app.before_request(refuse_long_uri)
    install(api, UriLimitPlugin())
