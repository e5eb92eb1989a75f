"""GET /platform/: an e-commerce platform's console for the takedown notices sent to it.

Like the receiving desk, the page signs in with a key of the platform's kept in the browser,
reads the platform's notices with the bearer token (their evidence included: the platform
reads it) and signs notice.answer (acknowledged, removed, disputed with a reason) itself
before POSTing it to /v1/statements. The server never holds the key.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from gi_trace.api.console import render_console
from gi_trace.domain.bodies_protection import NOTICE_ANSWERS

bp = Blueprint("platform_console", __name__)


@bp.get("/platform/")
def platform() -> Response:
    return render_console("console/platform.html", answers=NOTICE_ANSWERS)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
