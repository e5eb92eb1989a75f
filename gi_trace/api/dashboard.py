"""GET /dashboard: the regulators' oversight page.

The server sends only the page; its script signs in with the regulator's key (kept in
the browser), reads /v1/oversight/… and the report queue with the bearer token, and
signs approve, suspend, reinstate and recall statements itself before POSTing them to
/v1/statements. The server never holds the key, a session or a cookie for it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from .console import render_console

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard", strict_slashes=False)
def dashboard() -> Response:
    return render_console("console/dashboard.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
