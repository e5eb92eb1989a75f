"""The signed-in pages (regulators' dashboard, receiving desk): rendering them safely.

Both hold a private key in the page, so they rely on the strict Content Security Policy
of every page (security_headers.py): scripts run only with this response's nonce, and the
page may talk to this origin only. An injected script or an exfiltrating request is refused
by the browser, not merely unlikely. Nothing is cached, and no other site may frame them.

The pages sign v2 statements and seal their confidential fields themselves; which fields
those are comes from gi_trace.domain.disclosure_policy, rendered into the page as JSON, so
the browser and the server never hold two copies of the policy.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, make_response, render_template

from gi_trace.api.pages import page_language
from gi_trace.domain.disclosure_policy import CONFIDENTIAL

from . import strings


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no "</script>" can close it early)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def policy() -> dict[str, list[str]]:
    """The disclosure policy as the pages read it: each type's confidential fields, sorted."""
    return {type_: sorted(fields) for type_, fields in sorted(CONFIDENTIAL.items())}


def render_console(template: str, **context: Any) -> Response:
    """`template` with the page language, its words (also as JSON for the script) and the
    disclosure policy (JSON). Its CSP and the other headers of an HTML page: security_headers."""
    lang = page_language()
    response = make_response(render_template(
        template, lang=lang, t=strings.t, words_json=script_json(strings.table(lang)),
        policy_json=script_json(policy()), **context))
    response.headers["Cache-Control"] = "no-store"
    response.vary.update(("Accept-Language", "Cookie"))
    return response
