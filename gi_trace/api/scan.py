"""The consumer's scan: `GET /01/{gtin}/10/{lot}/21/{serial}?s=…`, the page a phone opens.

HTML for a browser, the same verdict as JSON for `Accept: application/json`. A
malformed Digital Link is a 400 (unknown serials are a verdict, INVALID, not an
error). `POST /v1/scans/<token>/place` adds the coarse place a phone granted.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import NotFound

from gi_trace.api.context import current_service
from gi_trace.api.pages import render_page, wants_json
from gi_trace.api.problems import Problem
from gi_trace.labels import scans
from gi_trace.labels.digital_link import DigitalLinkError, parse
from gi_trace.labels.verdict import Scanner
from gi_trace.ledger.errors import MalformedError

bp = Blueprint("scan", __name__)
SCANNER = "gi_trace.scanner"


def scanner() -> Scanner:
    found: Scanner = current_app.extensions[SCANNER]
    return found


def raw_path() -> str:
    """The path as sent, before percent-decoding: a lot or serial may hold an escaped '/'."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    return raw.split("?", 1)[0] if raw else request.path


def bad_link(error: DigitalLinkError) -> Response:
    problem = Problem(400, "bad-digital-link", "Not a gi-trace Digital Link", str(error), error.field)
    if wants_json():
        return problem.response()
    return render_page("scan/error.html", status=400, problem=problem)


@bp.get("/01/<gtin>/10/<lot>/21/<serial>")
def verdict(gtin: str, lot: str, serial: str) -> Response:
    try:
        link = parse(raw_path() + ("?" + request.query_string.decode("ascii", "replace")
                                   if request.query_string else ""))
    except DigitalLinkError as e:
        return bad_link(e)
    found = scanner().scan(link)
    found.link["uri"] = link.uri(current_service().settings.base_url)
    if wants_json():
        response = current_app.response_class(found.json(current_app.json.dumps),
                                              mimetype="application/json")
    else:
        result = found.to_dict()
        response = render_page("scan/verdict.html", v=result,
                               json_text=json.dumps(result, ensure_ascii=False).replace("</", "<\\/"))
    response.headers["Cache-Control"] = "no-store"  # every scan counts, and the verdict can change
    return response


@bp.post("/v1/scans/<token>/place")
def place(token: str) -> Response:
    body = request.get_json(silent=True)
    lat, lon = _coordinate(body, "lat", 90), _coordinate(body, "lon", 180)
    if not scanner().buffer.add_place(token, lat, lon):
        raise NotFound("no scan with this token, or it already has a place")
    return Response(status=204)


def _coordinate(body: Any, name: str, limit: float) -> float:
    value = body.get(name) if isinstance(body, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
        raise MalformedError(f"{name} must be a number between -{limit} and {limit}", field=name,
                             code="bad-place")
    return float(value)


def init_app(app: Flask) -> None:
    service = app.extensions["gi_trace"]
    app.extensions[SCANNER] = Scanner(service.engine, service.log,
                                      scans.ScanPolicy.from_settings(service.settings))
    app.register_blueprint(bp)
