"""Who-are-you and may-you errors, as problem+json: 401 with a Bearer challenge, or 403.

The ledger's errors have no 401; these are the API's own, mapped by one handler
onto the same Problem shape as every other error.
"""

from __future__ import annotations

from flask import Flask, Response

from gi_trace.api.problems import Problem

REALM = "gi-trace"


class AccessError(Exception):
    status = 403
    title = "Not authorized"
    code = "not-authorized"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code

    def headers(self) -> dict[str, str]:
        return {}


class Unauthenticated(AccessError):
    """No credentials, or bad ones (RFC 6750: `invalid_token` when a token was sent)."""

    status = 401
    title = "Authentication required"
    code = "unauthenticated"

    def __init__(self, detail: str, *, code: str | None = None, token_sent: bool = False) -> None:
        super().__init__(detail, code=code)
        self.token_sent = token_sent

    def headers(self) -> dict[str, str]:
        challenge = f'Bearer realm="{REALM}"'
        if self.token_sent:
            challenge += f', error="invalid_token", error_description="{self.code}"'
        return {"WWW-Authenticate": challenge}


class Forbidden(AccessError):
    """Authenticated, but this org may not read this (`not-a-party`, `not-authorized`)."""


def handle_access_error(error: AccessError) -> Response:
    return Problem(error.status, error.code, error.title, error.detail, headers=error.headers()).response()


def init_app(app: Flask) -> None:
    app.register_error_handler(AccessError, handle_access_error)
