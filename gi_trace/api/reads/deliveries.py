# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/shipments/…: one delivery, by id or by the SSCC its label carries, and that label.

What a receiving desk scans is `{base}/00/{sscc}`; it resolves it here to what the sender
declared. Only the sender, the receiver and regulators may see a shipment; its id and
SSCC are confidential too, so anyone else gets the 404 of an unknown shipment, whether
it exists or not.
"""

from __future__ import annotations

from html import escape

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Connection

from gi_trace.api.auth.caller import protected, require_caller
from gi_trace.api.context import current_service
from gi_trace.api.schemas import BINARY
from gi_trace.domain.gs1 import valid_check_digit
from gi_trace.domain.queries import shipments
from gi_trace.labels import qr
from gi_trace.labels.digital_link import DigitalLink
from gi_trace.ledger.errors import MalformedError

from .access import not_found
from .connection import connection
from .schemas import ShipmentSchema

blp = Blueprint("deliveries", __name__, url_prefix="/v1/shipments", description=(
    "One shipment, by id or by the SSCC on its label, and a printable label. For its sender, "
    "its receiver and regulators; to anyone else a shipment is 404, as if unknown."))

SVG = "image/svg+xml"
LABEL_WIDTH, QR_SIZE = 100, 70  # millimetres: a label that fits an A6 sheet


def _readable(found: shipments.Shipment | None, what: str, ident: str) -> shipments.Shipment:
    """The shipment, if the caller is its sender, its receiver or a regulator; else 404."""
    caller = require_caller()
    if found is None or not (caller.is_regulator or caller.org in (found.sender, found.receiver)):
        not_found(what, ident)
    return found


def _by_id(conn: Connection, shipment: str) -> shipments.Shipment:
    return _readable(shipments.get_shipment(conn, shipment), "shipment", shipment)


@blp.route("/<shipment>")
class Shipment(MethodView):
    @blp.response(200, ShipmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, shipment: str) -> shipments.Shipment:
        """One shipment with its items as the sender declared them."""
        require_caller()
        return _by_id(connection(), shipment)


@blp.route("/sscc/<sscc>")
class BySscc(MethodView):
    @blp.response(200, ShipmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @protected(blp)
    def get(self, sscc: str) -> shipments.Shipment:
        """The shipment whose label carries this SSCC (18 digits, GS1 check digit)."""
        require_caller()
        if len(sscc) != 18 or not valid_check_digit(sscc):
            raise MalformedError("an SSCC is 18 digits with a valid GS1 check digit", field="sscc",
                                 code="bad-sscc")
        return _readable(shipments.get_shipment(connection(), sscc=sscc), "shipment with SSCC", sscc)


def label_svg(shipment: shipments.Shipment, uri: str) -> str:
    """A delivery label: the QR of its Digital Link, the SSCC as GS1 prints it, who to whom."""
    assert shipment.sscc is not None
    symbol = qr.svg(uri).replace("<svg ", f'<svg x="{(LABEL_WIDTH - QR_SIZE) / 2}" y="4" '
                                 f'width="{QR_SIZE}" height="{QR_SIZE}" ', 1)
    lines = [f"(00) {shipment.sscc}", f"{shipment.shipment}",
             f"{shipment.sender} → {shipment.receiver}"]
    text = "".join(f'<text x="{LABEL_WIDTH / 2}" y="{82 + 7 * i}" text-anchor="middle" '
                   f'font-family="monospace" font-size="{5 if i == 0 else 4}">{escape(line)}</text>'
                   for i, line in enumerate(lines))
    height = 82 + 7 * len(lines)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{LABEL_WIDTH}mm" height="{height}mm" '
            f'viewBox="0 0 {LABEL_WIDTH} {height}"><rect width="100%" height="100%" fill="#fff"/>'
            f'{symbol}{text}</svg>')


@blp.route("/<shipment>/label.svg")
class Label(MethodView):
    @blp.response(200, BINARY, content_type=SVG)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @protected(blp)
    def get(self, shipment: str) -> Response:
        """A printable label for the delivery: QR of `{base}/00/{sscc}` and the SSCC in text."""
        require_caller()
        found = _by_id(connection(), shipment)
        if found.sscc is None:
            raise MalformedError(f"shipment {shipment} was sent without an SSCC: give one in "
                                 "shipment.send to print a label", field="shipment", code="no-sscc")
        uri = DigitalLink(sscc=found.sscc).uri(current_service().settings.base_url)
        return current_app.response_class(label_svg(found, uri), mimetype=SVG)
