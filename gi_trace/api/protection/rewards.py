# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""Reporter receipts and rewards: the reporter reads its report's status and claims a reward
with the receipt code (no account); regulators list rewards and their claims.

The code travels in a header (GET) or a POST body, never in the URL, so no access log keeps
it. Every answer to a code is `no-store`. Wrong codes are limited per client
(`gi_trace.labels.receipts`): past the limit, 429 with Retry-After.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate
from werkzeug.exceptions import NotFound

from gi_trace.api.auth.caller import protected
from gi_trace.api.context import current_service
from gi_trace.api.problems import Problem
from gi_trace.api.reads.access import regulator_reader
from gi_trace.api.reads.connection import connection
from gi_trace.api.reads.schemas import PageArgs, page_of
from gi_trace.api.reports import current_client
from gi_trace.domain.queries.paging import Page
from gi_trace.labels import receipt_status, receipts, reward_claims
from gi_trace.labels.reports import MAX_LENGTHS

HEADER = "Receipt-Code"
NO_STORE = {"Cache-Control": "no-store"}

blp = Blueprint("rewards", __name__, url_prefix="/v1", description=(
    "Reporter receipts and rewards: with the receipt code a report returned, its reporter "
    "reads the report's status and claims a reward; regulators list rewards and claims."))


# -- schemas ---------------------------------------------------------------------------------
_CODE_META = {"description": "the receipt code (dashes and spaces ignored)",
              "example": "MFRG-GZDF-MZTW-Q2LK-NNSX-I3DP-OJUX-E5LT"}


class ReceiptHeaders(Schema):
    class Meta:
        unknown = EXCLUDE  # every other header of the request

    code = fields.String(data_key=HEADER, required=True, validate=validate.Length(1, 100),
                         metadata=_CODE_META)


class ClaimSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 100), metadata=_CODE_META)
    payout_ref = fields.String(required=True, validate=validate.Length(
        1, MAX_LENGTHS[reward_claims.PAYOUT_FIELD]), metadata={
        "description": "where to pay the reward, e.g. an Alipay account; read only by "
                       "regulators, never on the log"})


class CaseLineSchema(Schema):
    case = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["open", "transferring", "closed"]})
    outcome = fields.String(allow_none=True, required=True)
    holder = fields.String(required=True, metadata={"description": "the regulator handling it"})
    opened_ts = fields.String(required=True)
    closed_ts = fields.String(allow_none=True, required=True)


class RewardLineSchema(Schema):
    reward = fields.String(required=True)
    case = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "yuan, exact decimal"})
    ts = fields.String(required=True, metadata={"description": "when it was granted"})
    claimed_at = fields.String(allow_none=True, required=True)


class ReceiptStatusSchema(Schema):
    report = fields.String(required=True)
    received = fields.String(required=True, metadata={"description": "RFC 3339, UTC"})
    state = fields.String(required=True, metadata={"enum": list(receipt_status.STATES)})
    cases = fields.List(fields.Nested(CaseLineSchema), required=True, metadata={
        "description": "the cases built on the report, as the log publishes them"})
    reward = fields.Nested(RewardLineSchema, allow_none=True, required=True)


class RewardArgs(PageArgs):
    claimed = fields.Boolean(metadata={"description": "only claimed (true) or unclaimed (false)"})


class RewardSchema(Schema):
    reward = fields.String(required=True)
    report = fields.String(required=True)
    case = fields.String(required=True)
    amount = fields.String(required=True)
    regulator = fields.String(required=True, metadata={"description": "who granted it"})
    ts = fields.String(required=True)
    claimed_at = fields.String(allow_none=True, required=True)
    payout_ref = fields.String(allow_none=True, required=True, metadata={
        "description": "what the reporter typed to be paid (personal data: regulators only)"})


# -- views -----------------------------------------------------------------------------------
def reporters_report(code: str) -> str:
    """The id of the report `code` is the receipt of; 404 (counted) when none is, 429 past the
    client's wrong codes, 422 when it is not a code at all."""
    service = current_service()
    found = receipts.find_report(service.engine, code, current_client(),
                                 limit=service.settings.receipt_max_misses_per_hour,
                                 now=int(time.time()))
    if found is None:
        raise NotFound("no report has this receipt code")
    return found


_CODE_ERRORS = ((404, "NOT_FOUND"), (422, "UNPROCESSABLE_ENTITY"), (429, "TOO_MANY_REQUESTS"))


def _code_errors(view: Any) -> Any:
    """The answers of a view reading a receipt code besides its own."""
    for status, response in _CODE_ERRORS:
        view = blp.alt_response(status, response=response)(view)
    return view


@blp.route("/reports/receipt")
class Receipt(MethodView):
    @blp.arguments(ReceiptHeaders, location="headers", as_kwargs=True)
    @blp.response(200, ReceiptStatusSchema, headers={"Cache-Control": {
        "description": "no-store", "schema": {"type": "string"}}})
    @_code_errors
    @blp.doc(security=[])
    def get(self, code: str) -> tuple[receipt_status.ReceiptStatus, dict[str, str]]:
        """The status of the report whose receipt code is in the `Receipt-Code` header: received,
        in a case (the case's public fields), rewarded (amount, case) or claimed."""
        report = reporters_report(code)
        return receipt_status.receipt_status(connection(), report), NO_STORE


@blp.route("/reports/receipt/claim")
class Claim(MethodView):
    @blp.arguments(ClaimSchema)
    @blp.response(201, RewardLineSchema)
    @blp.alt_response(409, response="CONFLICT")
    @_code_errors
    @blp.doc(security=[])
    def post(self, args: dict[str, Any]) -> tuple[receipt_status.RewardLine, dict[str, str]]:
        """Claim the reward granted on the report: once (a second claim is 409
        `already-claimed`; a report not rewarded yet is 409 `not-rewarded`)."""
        report = reporters_report(args["code"])
        return reward_claims.claim(current_service().engine, report, args["payout_ref"],
                                   now=int(time.time())), NO_STORE


@blp.route("/rewards")
class Rewards(MethodView):
    @blp.arguments(RewardArgs, location="query", as_kwargs=True)
    @blp.response(200, page_of(RewardSchema, "RewardPage"))
    @protected(blp)
    def get(self, **args: Any) -> Page[reward_claims.Reward]:
        """Rewards granted, by id, with their claims and payout references."""
        regulator_reader("rewards and their claims")
        return reward_claims.rewards(connection(), **args)


# -- errors and wiring -----------------------------------------------------------------------
def _too_many(error: receipts.TooManyMisses) -> Response:
    return Problem(429, error.code, "Too many wrong receipt codes", error.message, error.field,
                   headers={"Retry-After": str(error.retry_after)}).response()


def init_app(app: Flask, api: Api) -> None:
    app.register_error_handler(receipts.TooManyMisses, _too_many)
    api.register_blueprint(blp)
