"""No shared cache may keep an answer made for one caller and hand it to another.

A read that looks at the bearer token answers each organisation differently (its own
disclosures, holdings, quota used). Caches already must not store an answer to a
request with credentials unless it says `public` (RFC 9111 §3.5); the log's tiles and
checkpoint say so on purpose, for they are the same for everyone. Every other answer to
a request with credentials is marked `private, no-store` here, and every answer says it
varies with Authorization, so a cache never serves the public answer to a token or the
reverse.
"""

from __future__ import annotations

from flask import Flask, Response, request

PRIVATE = "private, no-store"


def _per_caller(response: Response) -> Response:
    response.vary.add("Authorization")
    if "Authorization" in request.headers and "public" not in (response.cache_control or {}):
        response.headers["Cache-Control"] = PRIVATE
    return response


def init_app(app: Flask) -> None:
    app.after_request(_per_caller)
