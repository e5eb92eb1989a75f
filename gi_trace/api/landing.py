"""GET /: what this service is, in both languages, and the way to each of its pages.

A person who types the bare address (or is sent home by a problem page) should find the
scan help, the dashboard, the desk and the API documentation, not a JSON 404.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from .pages import render_page

bp = Blueprint("landing", __name__)


@bp.get("/")
def landing() -> Response:
    return render_page("landing.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
