"""One way to read a JSON request body, whatever the route: the ledger's strict parser.

Duplicate keys, NaN, nesting past `canonical.MAX_DEPTH` and numbers longer than
`canonical.MAX_NUMBER_CHARS` are refused as 400 `malformed-json` problems. Every JSON
body is read this way before its view runs, so the parsers that run after it (webargs
for flask-smorest's arguments) only ever see a body that passed these limits, and
never raise RecursionError or ValueError on one.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from gi_trace.ledger.canonical import parse_json

_PARSED = "gi_trace.json_body"  # the parsed body, kept in the request's WSGI environ


def request_json() -> Any:
    """The request's JSON body, parsed once; None when the request is not JSON (as
    Flask's get_json). MalformedError (400 malformed-json) when it is not valid JSON."""
    if not request.is_json:
        return None
    if _PARSED not in request.environ:
        request.environ[_PARSED] = parse_json(request.get_data(cache=True))
    return request.environ[_PARSED]


def _read_json_body() -> None:
    if request.is_json and request.get_data(cache=True):
        request_json()


def init_app(app: Flask) -> None:
    app.before_request(_read_json_body)
