# mypy: disable-error-code="untyped-decorator"
"""Who is asking: the bearer token of the request, checked once per request.

Public reads never look at it; protected ones call `require_caller()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_smorest import Blueprint

from .authenticator import Authenticator, Caller
from .errors import Unauthenticated

EXTENSION = "gi_trace.auth"
SECURITY_SCHEME = "bearerAuth"
_CALLER = "gi_trace_caller"
_ANONYMOUS = object()

F = TypeVar("F", bound=Callable[..., Any])


def authenticator() -> Authenticator:
    found: Authenticator = current_app.extensions[EXTENSION]
    return found


def current_caller() -> Caller | None:
    """The authenticated org, None without an Authorization header; 401 for a bad token."""
    cached = g.get(_CALLER)
    if cached is None:
        header = request.headers.get("Authorization")
        if header is None:
            cached = _ANONYMOUS
        else:
            scheme, _, token = header.strip().partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthenticated("send Authorization: Bearer <token>", code="bad-token",
                                      token_sent=True)
            cached = authenticator().check(token.strip())
        setattr(g, _CALLER, cached)
    return None if cached is _ANONYMOUS else cached


def require_caller() -> Caller:
    caller = current_caller()
    if caller is None:
        raise Unauthenticated("this resource needs a bearer token: POST /v1/auth/challenge, then "
                              "/v1/auth/token")
    return caller


def protected(blp: Blueprint) -> Callable[[F], F]:
    """Document a view as needing a bearer token, and its 401 and 403 answers."""
    def wrap(view: F) -> F:
        view = blp.alt_response(401, response="UNAUTHORIZED")(view)
        view = blp.alt_response(403, response="FORBIDDEN")(view)
        documented: F = blp.doc(security=[{SECURITY_SCHEME: []}])(view)
        return documented
    return wrap
