# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""The consumer's scan: `GET /01/{gtin}/10/{lot}/21/{serial}?s=…`, the page a phone opens.

HTML for a browser, the same verdict as JSON for `Accept: application/json`. A
malformed Digital Link is a 400 (unknown serials are a verdict, INVALID, not an
error). `POST /v1/scans/<token>/place` adds the coarse place a phone granted. A
client's scans are recorded up to its limit (labels/scan_limit.py, keyed on the
address ProxyFix found); past it the verdict still answers, unrecorded.
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Flask, current_app, request
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from gi_trace.api.context import current_service
from gi_trace.api.json_body import request_json
from gi_trace.api.links import bad_link, cors, linked, linkset_header, request_link, wants_linkset
from gi_trace.api.pages import render_page, wants_json
from gi_trace.labels import scans
from gi_trace.labels.digital_link import DigitalLink, DigitalLinkError
from gi_trace.labels.facts import label_facts
from gi_trace.labels.scan_buffer import ScanBuffer
from gi_trace.labels.scan_fold import Folder
from gi_trace.labels.scan_limit import ScanLimiter
from gi_trace.labels.verdict import Scanner
from gi_trace.labels.verdict_schema import VERDICT_SCHEMA
from gi_trace.ledger.errors import MalformedError

bp = Blueprint("scan", __name__, description=(
    "The consumer's scan of a special sign's QR code, and the coarse place a phone may add."))
bp.after_request(cors)
_VERDICT_DOC = {
    "summary": ("The verdict on a label: GENUINE, RECALLED, WARNING or INVALID, with reasons and an "
                "offline proof"),
    "description": (
        "HTML for a browser, JSON for `Accept: application/json`. A scan whose signature `s` verifies "
        "is recorded for copy detection; one that does not is INVALID, says nothing more about the "
        "label it claims to be, and is not counted. One client's scans are recorded up to "
        "`GI_TRACE_SCAN_LIMIT_PER_MINUTE` (60) a minute and `GI_TRACE_SCAN_LIMIT_PER_DAY` (1000) a "
        "day per server process; past that the verdict still answers, but the scan is not recorded "
        "(`scans.token` is null). `?linkType=all` (or `Accept: "
        "application/linkset+json`) answers the label's RFC 9264 linkset instead, and another GS1 "
        "`linkType` a 307 to that link; neither counts as a scan. The JSON shows the label's own "
        "lineage only (never quantities, plots, coordinates, shipment ids or SSCCs) and carries an "
        "offline proof of that one label: its leaf JCS({serial, sig}), index and path to the "
        "label.issue statement's `labels_root`, the statement as signed (batch, gtin, pack, count, "
        "labels_root), its signature and key, the entry's inclusion proof and the signed checkpoint."),
    "parameters": [{"in": "query", "name": "s",
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{86}$", "maxLength": 86},
                    "description": ("the producer's label signature, 64 bytes in base64url; a label "
                                    "without one, or with any other, is INVALID")},
                   {"in": "query", "name": "linkType", "schema": {"type": "string"},
                    "description": ("`all` or `linkset`: the linkset; a GS1 link type (`gs1:pip`…): "
                                    "a 307 to it; any other: the verdict itself")},
                   {"in": "query", "name": "lang", "schema": {"enum": ["zh", "en"]}}],
    "responses": {"200": {"description": "the verdict (a verdict of INVALID is still a 200)",
                          "content": {"text/html": {"schema": {"type": "string"}},
                                      "application/json": {"schema": VERDICT_SCHEMA},
                                      "application/linkset+json": {"schema": {
                                          "type": "object", "required": ["linkset"],
                                          "properties": {"linkset": {"type": "array"}},
                                          "description": "RFC 9264"}}}},
                  "307": {"description": "the link of the `linkType` asked for"},
                  "400": {"description": ("not a gi-trace Digital Link: a problem page for a browser, "
                                          "the problem as JSON for `Accept: application/json`"),
                          "content": {"text/html": {"schema": {"type": "string"}},
                                      "application/problem+json": {
                                          "schema": {"$ref": "#/components/schemas/Problem"}}}}},
}
_PLACE_DOC = {
    "summary": "Add the coarse place (rounded to 0.1°) a phone granted to a scan, once",
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["lat", "lon"],
        "properties": {"lat": {"type": "number", "minimum": -90, "maximum": 90},
                       "lon": {"type": "number", "minimum": -180, "maximum": 180}}}}}},
    "responses": {"204": {"description": "stored"},
                  "404": {"$ref": "#/components/responses/NOT_FOUND"},
                  "422": {"$ref": "#/components/responses/UNPROCESSABLE_ENTITY"}},
}
SCANNER = "gi_trace.scanner"
LIMITER = "gi_trace.scan_limiter"


def scanner() -> Scanner:
    found: Scanner = current_app.extensions[SCANNER]
    return found


@bp.route("/01/<gtin>/10/<lot>/21/<serial>", methods=["GET"])
@bp.doc(**_VERDICT_DOC)
def verdict(gtin: str, lot: str, serial: str) -> Response:
    try:
        link = request_link()
    except DigitalLinkError as e:
        return bad_link(e)
    answered = _linked(link)
    if answered is not None:
        return answered
    limiter: ScanLimiter = current_app.extensions[LIMITER]
    found = scanner().scan(link, record=limiter.allow(request.remote_addr or "", time.time()))
    request.environ["gi_trace.verdict"] = found.verdict  # counted by metrics.py
    found.link["uri"] = link.uri(current_service().settings.base_url)
    if wants_json():
        response = current_app.response_class(found.json(current_app.json.dumps),
                                              mimetype="application/json")
    else:
        result = found.to_dict()
        response = render_page("scan/verdict.html", v=result,
                               json_text=json.dumps(result, ensure_ascii=False).replace("</", "<\\/"))
    response.headers["Cache-Control"] = "no-store"  # every scan counts, and the verdict can change
    response.headers["Link"] = linkset_header(link)
    return response


def _linked(link: DigitalLink) -> Response | None:
    """A linkset or `linkType` redirect for the label: no scan, so nothing is recorded."""
    if link.link_type is None and not wants_linkset(link):
        return None
    with current_service().engine.connect() as conn:
        facts = label_facts(conn, link.serial or "")
    return linked(link, product=facts.batch.product if facts else None,
                  batch=facts.batch.batch if facts else None)


@bp.route("/v1/scans/<token>/place", methods=["POST"])
@bp.doc(**_PLACE_DOC)
def place(token: str) -> Response:
    body = request_json()
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


def init_app(app: Flask, api: Api) -> None:
    service = app.extensions["gi_trace"]

    def witnesses(min_size: int) -> int:
        """How many listed witnesses cosigned a tree holding the first `min_size` records."""
        return len(service.cosignatures.witnessed(min_size))

    settings = service.settings
    folder = Folder(service.engine, settings.scan_retention_days, clock=time.time)
    app.extensions[SCANNER] = Scanner(service.engine, service.log,
                                      scans.ScanPolicy.from_settings(settings), witnesses=witnesses,
                                      buffer=ScanBuffer(service.engine, folder=folder))
    app.extensions[LIMITER] = ScanLimiter(settings.scan_limit_per_minute, settings.scan_limit_per_day)
    api.register_blueprint(bp)
