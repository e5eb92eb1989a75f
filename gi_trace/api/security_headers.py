"""The headers every HTML page carries, set in one place: one Content Security Policy, no sniffing,
no referrer.

Pages show text producers and shops typed, and the signed-in ones hold a private key, so a
script runs only if it carries this response's nonce (`csp_nonce()` in a template), the page may
talk to this origin only, and no other site may frame it. Styles may be inline (the layout's
one <style>, Swagger UI's style attributes): a style cannot run code. JSON and problem+json
answers are not documents a browser renders, so they keep the headers their routes set.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g

_NONCE = "csp_nonce"


def csp_nonce() -> str:
    """This response's script nonce, made on first use."""
    nonce: str | None = g.get(_NONCE)
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'none'",
        f"script-src 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "connect-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",  # the desk's camera preview
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ))


def secure_html(response: Response) -> Response:
    if response.mimetype != "text/html":
        return response
    response.headers["Content-Security-Policy"] = policy(csp_nonce())
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(secure_html)
