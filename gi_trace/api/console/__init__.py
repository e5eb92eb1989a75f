"""The signed-in pages (regulators' dashboard, receiving desk): rendering them safely.

Both hold a private key in the page, so each response carries a strict Content
Security Policy: scripts run only with this response's nonce, and the page may talk
to this origin only. An injected script or an exfiltrating request is refused by the
browser, not merely unlikely. Nothing is cached, and no other site may frame them.

The pages sign v2 statements and seal their confidential fields themselves; which fields
those are comes from gi_trace.domain.disclosure_policy, rendered into the page as JSON, so
the browser and the server never hold two copies of the policy.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from flask import Response, make_response, render_template

from gi_trace.api.pages import page_language
from gi_trace.domain.disclosure_policy import CONFIDENTIAL

from . import strings


def csp(nonce: str) -> str:
    return "; ".join((
        "default-src 'none'",
        f"script-src 'nonce-{nonce}'",
        "style-src 'unsafe-inline'",  # the layout's one <style>; styles cannot run code
        "connect-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",  # the desk's camera preview
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ))


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no "</script>" can close it early)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def policy() -> dict[str, list[str]]:
    """The disclosure policy as the pages read it: each type's confidential fields, sorted."""
    return {type_: sorted(fields) for type_, fields in sorted(CONFIDENTIAL.items())}


def render_console(template: str, **context: Any) -> Response:
    """`template` with the page language, its words (also as JSON for the script), the
    disclosure policy (JSON) and a nonce."""
    lang = page_language()
    nonce = secrets.token_urlsafe(18)
    response = make_response(render_template(
        template, lang=lang, t=strings.t, nonce=nonce, words_json=script_json(strings.table(lang)),
        policy_json=script_json(policy()), **context))
    response.headers["Content-Security-Policy"] = csp(nonce)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.update(("Accept-Language", "Cookie"))
    return response
