"""GET /v1/docs: the OpenAPI document in Swagger UI, served by this service from the files the
flask-swagger-ui package ships (Swagger UI 5, which reads OpenAPI 3.1), never from a CDN.

The page loads Swagger UI's script and stylesheet from /v1/docs/static/ and starts it
with a nonced script, under the CSP of every page (security_headers.py). Its online
validator is off: it would send the document to another site and load a badge from it.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Flask, Response, abort, render_template, send_from_directory

bp = Blueprint("swagger_ui", __name__, url_prefix="/v1/docs")
# Only the files the page needs (not the package's blueprint: its inline script has no nonce).
DIST = Path(flask_swagger_ui.__file__).parent / "dist"
ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})


@bp.get("")
def viewer() -> str:
    return render_template("api_docs.html")


@bp.get("/static/<name>")
def asset(name: str) -> Response:
    if name not in ASSETS:
        abort(404)
    return send_from_directory(DIST, name, max_age=86400)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
