"""The reporter's status page (/reports/status): type the receipt code, see the report's
status, claim a reward. A plain form POSTed to the server, so the code never lands in a URL
(nor an access log) and the page needs no script; every answer is `no-store`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import NotFound

from gi_trace.api.context import current_service
from gi_trace.api.pages import render_page
from gi_trace.api.reads.connection import connection
from gi_trace.labels import receipt_status, receipts, reward_claims
from gi_trace.ledger.errors import ConflictError, LedgerError

from .rewards import reporters_report

bp = Blueprint("report_status", __name__)


def _page(status: int = 200, **context: Any) -> Response:
    response = render_page("receipt_status.html", status=status, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _answer(step: Callable[[str], object]) -> Response:
    """The page after `step` (on the report the typed code is the receipt of), or the page
    with why it failed: not a code, no such report, too many tries, nothing to claim."""
    code = request.form.get("code", "")
    try:
        report = reporters_report(code)
        step(report)
    except NotFound:
        return _page(404, code=code, error="receipt.not_found")
    except receipts.TooManyMisses as e:
        return _page(429, code=code, error="receipt.too_many", detail=e.message)
    except LedgerError as e:  # a malformed code or payout reference, or nothing to claim
        return _page(409 if isinstance(e, ConflictError) else 422, code=code, detail=e.message)
    return _page(code=code, found=receipt_status.receipt_status(connection(), report))


@bp.get("/reports/status")
def form() -> Response:
    return _page()


@bp.post("/reports/status")
def show() -> Response:
    return _answer(lambda report: None)


@bp.post("/reports/status/claim")
def claim() -> Response:
    return _answer(lambda report: reward_claims.claim(
        current_service().engine, report, request.form.get("payout_ref"), now=int(time.time())))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
