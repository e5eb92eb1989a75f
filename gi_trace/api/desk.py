"""GET /desk: the receiving desk of processors, distributors and retailers, on a phone.

Signs in with a device key enrolled for the org (`key.add` with a label such as
"receiving-desk handheld"), reads a delivery's QR (`{base}/00/{sscc}`) with the camera
or from a typed code, shows what the sender declared and signs shipment.receive or
shipment.reject in the browser. `GET /00/{sscc}`, what a phone's own camera app opens
from that QR, lands on the desk with the SSCC filled in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, redirect, url_for
from werkzeug.wrappers import Response as BaseResponse

from gi_trace.labels.digital_link import DigitalLinkError, parse

from .console import render_console
from .links import bad_link

bp = Blueprint("desk", __name__)
ROLES = ("processor", "distributor", "retailer", "producer")


@bp.get("/desk", strict_slashes=False)
def desk() -> Response:
    return render_console("console/desk.html", roles=ROLES)


@bp.get("/00/<sscc>")
def logistic_unit(sscc: str) -> BaseResponse:
    """A delivery's Digital Link: checked, then handed to the desk."""
    try:
        link = parse(f"/00/{sscc}")
    except DigitalLinkError as e:
        return bad_link(e)
    return redirect(f"{url_for('desk.desk')}?{urlencode({'sscc': link.sscc})}", code=303)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
