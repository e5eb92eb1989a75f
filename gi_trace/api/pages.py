"""Server-rendered pages: the reader's language, and rendering with the words of i18n.py.

The language comes from `?lang=` (then remembered in a cookie), else the cookie,
else the browser's Accept-Language; Chinese when nothing says otherwise.
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request

from gi_trace.api.i18n import DEFAULT_LANG, LANGS, t

COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


def page_language() -> str:
    asked = request.args.get("lang")
    if asked in LANGS:
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGS:
        return remembered
    return request.accept_languages.best_match(LANGS) or DEFAULT_LANG


def wants_json() -> bool:
    """True when the client prefers JSON to HTML (a phone app, a script), False for browsers."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def render_page(template: str, *, status: int = 200, **context: Any) -> Response:
    lang = page_language()
    response = make_response(render_template(template, lang=lang, t=t, **context), status)
    if request.args.get("lang") in LANGS:
        response.set_cookie(COOKIE, lang, max_age=ONE_YEAR, samesite="Lax")
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    return response
