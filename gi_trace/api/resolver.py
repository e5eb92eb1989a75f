"""The GS1 Digital Link resolver: `/.well-known/gs1resolver`, and the GTIN and GTIN + lot forms.

`/01/{gtin}` answers the product page and `/01/{gtin}/10/{lot}` the lot page: HTML
for a browser, JSON for `Accept: application/json`, the RFC 9264 linkset for
`?linkType=all` (or `linkset`, or `Accept: application/linkset+json`), and a 307
to the target of any other GS1 link type this resolver has (else the page).
GTIN-8/12/13 and the `/gtin/` alias name the same product as the GTIN-14. A label
(`/21/{serial}`) is the verdict route's (scan.py); one reaching here, e.g. through
`/gtin/` or with an escaped '/' in its lot, is sent on to it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.wrappers import Response

from gi_trace.api.links import bad_link, base_url, cors, linked, linkset_header, request_link
from gi_trace.api.pages import render_page
from gi_trace.api.problems import Problem
from gi_trace.api.reads.connection import connection
from gi_trace.labels import public, resolver
from gi_trace.labels.digital_link import DigitalLink, DigitalLinkError

bp = Blueprint("resolver", __name__)
bp.after_request(cors)
VERDICT_ENDPOINT = "scan.verdict"
_OFFERED = ["text/html", "application/json", resolver.LINKSET_TYPE]


def _not_found(detail: str) -> Response:
    """problem+json, or its page for a browser: the one negotiation every error follows."""
    return Problem(404, "not-found", "Not found", detail).response(words="resolver.not_found")


def _label(link: DigitalLink) -> Response:
    """A label's Digital Link that the verdict route's pattern did not catch: the verdict view
    reads the raw path itself, so it resolves the alias and an escaped '/' alike."""
    verdict = current_app.view_functions.get(VERDICT_ENDPOINT)
    if verdict is None or link.lot is None:
        return _not_found("gi-trace labels are /01/{gtin}/10/{lot}/21/{serial}")
    answer: Any = verdict(gtin=link.gtin, lot=link.lot, serial=link.serial)
    return current_app.make_response(answer)


def _media() -> str:
    return request.accept_mimetypes.best_match(_OFFERED, default="text/html")


def _product_json(facts: public.ProductFacts) -> dict[str, Any]:
    return dataclasses.asdict(facts)


def _lot_json(facts: public.LotFacts) -> dict[str, Any]:
    return {**dataclasses.asdict(facts), "recalled": facts.recalled}


@bp.get("/.well-known/gs1resolver")
def description() -> Response:
    return jsonify(resolver.description(base_url()))


@bp.get("/01/<path:_rest>")
@bp.get("/gtin/<path:_rest>")
def resolve(_rest: str) -> Response:
    try:
        link = request_link()
    except DigitalLinkError as e:
        return bad_link(e)
    if link.serial is not None:
        return _label(link)
    assert link.gtin is not None  # the route's primary key is a GTIN
    media = _media()
    conn = connection()
    facts: public.ProductFacts | public.LotFacts | None
    if link.lot is None:
        facts = public.product_facts(conn, link.gtin)
        missing = f"no GI product has GTIN {link.gtin}"
    else:
        facts = public.lot_facts(conn, link.gtin, link.lot)
        missing = f"no lot {link.lot!r} of GTIN {link.gtin}"
    if facts is None:
        return _not_found(missing)
    known = {"product": facts.product.product,
             "batch": facts.batch if isinstance(facts, public.LotFacts) else None}
    response = _answer(link, facts, media, known)
    response.headers["Link"] = linkset_header(link)
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    return response


def _answer(link: DigitalLink, facts: public.ProductFacts | public.LotFacts, media: str,
            known: dict[str, str | None]) -> Response:
    answered = linked(link, **known)
    if answered is not None:
        return answered
    if media == "text/html":
        template = "resolver/product.html" if link.lot is None else "resolver/lot.html"
        return render_page(template, f=facts, link=link)
    if isinstance(facts, public.ProductFacts):
        return jsonify(_product_json(facts))
    return jsonify(_lot_json(facts))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
