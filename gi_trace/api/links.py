"""What every route that answers a GS1 Digital Link shares: reading the link as sent, the 400
page for a malformed one, the linkset and `linkType` redirects, and the CORS GS1 asks for.

Used by the verdict route (scan.py), the product and lot pages (resolver.py) and the
logistic unit's link (desk.py).
"""

from __future__ import annotations

from flask import jsonify, redirect, request
from werkzeug.wrappers import Response

from gi_trace.api.context import current_service
from gi_trace.api.problems import Problem
from gi_trace.labels import resolver
from gi_trace.labels.digital_link import DigitalLink, DigitalLinkError, parse


def raw_path() -> str:
    """The path as sent, before percent-decoding: a lot or serial may hold an escaped '/'."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    return raw.split("?", 1)[0] if raw else request.path


def request_link() -> DigitalLink:
    """The request's Digital Link, path and query; DigitalLinkError names the part at fault."""
    query = request.query_string.decode("ascii", "replace")
    return parse(raw_path() + ("?" + query if query else ""))


def bad_link(error: DigitalLinkError) -> Response:
    problem = Problem(400, "bad-digital-link", "Not a gi-trace Digital Link", str(error), error.field)
    return problem.response(words="scan.error")


def base_url() -> str:
    return current_service().settings.base_url.rstrip("/")


def linkset_header(link: DigitalLink) -> str:
    target = f"{resolver.anchor(link, base_url())}?linkType=linkset"
    return f'<{target}>; rel="linkset"; type="{resolver.LINKSET_TYPE}"'


def wants_linkset(link: DigitalLink) -> bool:
    if link.link_type is not None:
        return link.link_type in resolver.ALL
    offered = ["text/html", "application/json", resolver.LINKSET_TYPE]
    return request.accept_mimetypes.best_match(offered, default="text/html") == resolver.LINKSET_TYPE


def linked(link: DigitalLink, *, product: str | None, batch: str | None) -> Response | None:
    """The answer to `?linkType=` (or to an Accept of application/linkset+json): the RFC 9264
    linkset, or a 307 to the link asked for. None: answer with the page itself."""
    if wants_linkset(link):
        response = jsonify(resolver.linkset(link, base_url(), product=product, batch=batch))
        response.mimetype = resolver.LINKSET_TYPE
        return response
    if link.link_type is None:
        return None
    target = resolver.redirect_for(link, link.link_type, base_url(), product=product, batch=batch)
    return None if target is None else redirect(target, 307)


def cors(response: Response) -> Response:
    """GS1-Conformant resolvers answer any origin: apps and retail systems read them from pages."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Link"
    return response
