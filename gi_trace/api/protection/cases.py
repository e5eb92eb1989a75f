# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""Cases across regions (GET /v1/cases, /v1/cases/{case}: regulators) and typical cases
(GET /v1/typical-cases and the page /cases/: everyone).

Any regulator reads any case, its working summary and its transfers' reasons included
(a regulator reads every disclosure); its list holds the cases its region touches. The
public reads closed cases published as typical, with nothing confidential
(`gi_trace.domain.queries.cases`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint as PageBlueprint
from flask import Flask, Response
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate

from gi_trace.api.auth.caller import protected
from gi_trace.api.pages import render_page
from gi_trace.api.reads.access import not_found, regulator_reader
from gi_trace.api.reads.connection import connection
from gi_trace.api.reads.schemas import PageArgs, page_of
from gi_trace.domain.bodies_protection import CASE_OUTCOMES
from gi_trace.domain.queries import cases, orgs, products
from gi_trace.domain.queries.paging import MAX_LIMIT, Page

blp = Blueprint("cases", __name__, url_prefix="/v1/cases", description=(
    "Cases across regions: opened by a regulator, transferred to another region's regulator, "
    "accepted or returned, closed with an outcome. Regulators only."))
typical_blp = Blueprint("typical_cases", __name__, url_prefix="/v1/typical-cases", description=(
    "Closed cases their regulator published as typical cases. Public."))
page_bp = PageBlueprint("typical_cases_page", __name__)

REGULATORS_ONLY = "case reads"


class CaseArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(cases.STATUSES))


class SourcesSchema(Schema):
    reports = fields.List(fields.String())
    listings = fields.List(fields.String())
    notices = fields.List(fields.String())


class StepSchema(Schema):
    seq = fields.Integer(required=True, metadata={"description": "the log record of the step"})
    type = fields.String(required=True, metadata={"description": "case.open, case.transfer…"})
    actor = fields.String(required=True)
    to = fields.String(allow_none=True, required=True, metadata={
        "description": "the regulator a transfer is addressed to (a return's: the holder)"})
    ts = fields.String(required=True)
    reason = fields.String(allow_none=True, required=True, metadata={
        "description": "a transfer's or a return's reason (confidential; null if not disclosed)"})


class TransferSchema(Schema):
    seq = fields.Integer(required=True)
    from_ = fields.String(data_key="from", required=True)
    to = fields.String(required=True)
    ts = fields.String(required=True)
    answer = fields.String(required=True, validate=validate.OneOf(
        ("pending", "accepted", "returned")))
    answered_ts = fields.String(allow_none=True, required=True)


class CaseSchema(Schema):
    case = fields.String(required=True)
    product = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(cases.STATUSES)})
    opened_by = fields.String(required=True)
    holder = fields.String(required=True, metadata={"description": "the regulator handling it"})
    pending_to = fields.String(allow_none=True, required=True, metadata={
        "description": "the regulator it is being transferred to"})
    outcome = fields.String(allow_none=True, required=True, metadata={"enum": list(CASE_OUTCOMES)})
    published = fields.Boolean(required=True)
    public_summary = fields.String(allow_none=True, required=True)
    opened_ts = fields.String(required=True)
    closed_ts = fields.String(allow_none=True, required=True)
    seq = fields.Integer(required=True, metadata={"description": "the case.open record"})
    sources = fields.Nested(SourcesSchema, required=True)
    summary = fields.String(allow_none=True, required=True, metadata={
        "description": "the working summary (confidential: regulators read it)"})
    direction = fields.String(allow_none=True, metadata={
        "description": "in a list: in, a transfer to the reader's region; out, from it"})
    history = fields.List(fields.Nested(StepSchema), allow_none=True,
                          metadata={"description": "one case only (null in a list)"})
    transfers = fields.List(fields.Nested(TransferSchema), allow_none=True,
                            metadata={"description": "one case only (null in a list)"})


class TypicalCaseSchema(Schema):
    case = fields.String(required=True)
    product = fields.String(required=True)
    outcome = fields.String(required=True, metadata={"enum": list(CASE_OUTCOMES)})
    summary = fields.String(required=True, metadata={"description": "the public summary"})
    opened_ts = fields.String(required=True)
    closed_ts = fields.String(required=True)
    regions = fields.List(fields.String(), required=True, metadata={
        "description": "GB/T 2260 codes of the regulators that handled it"})
    regulators = fields.List(fields.String(), required=True)


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseArgs, location="query", as_kwargs=True)
    @blp.response(200, page_of(CaseSchema, "CasePage"))
    @protected(blp)
    def get(self, **args: Any) -> Page[cases.Case]:
        """The cases the caller's region opened, holds, or transferred or is transferred."""
        caller = regulator_reader(REGULATORS_ONLY)
        return cases.list_cases(connection(), caller.org, **args)


@blp.route("/<case>")
class OneCase(MethodView):
    @blp.response(200, CaseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, case: str) -> cases.Case:
        """One case: sources, summary, every step with its reason, transfers in and out."""
        regulator_reader(REGULATORS_ONLY)
        return cases.get_case(connection(), case) or not_found("case", case)


@typical_blp.route("")
class TypicalCases(MethodView):
    @typical_blp.arguments(PageArgs, location="query", as_kwargs=True)
    @typical_blp.response(200, page_of(TypicalCaseSchema, "TypicalCasePage"))
    def get(self, **args: Any) -> Page[cases.TypicalCase]:
        """Closed, published cases: product, outcome, public summary, dates, regions."""
        return cases.typical_cases(connection(), **args)


@page_bp.get("/cases/")
def typical_cases_page() -> Response:
    """The typical cases for the public, newest closed first, with names for ids."""
    conn = connection()
    found = sorted(cases.typical_cases(conn, limit=MAX_LIMIT).items,
                   key=lambda c: (c.closed_ts, c.case), reverse=True)
    names = {p: products.get_product(conn, p) for p in {c.product for c in found}}
    regulators = {o: orgs.get_org(conn, o) for c in found for o in c.regulators}
    return render_page("typical_cases.html", cases=found, products=names, orgs=regulators)


def init_app(app: Flask, api: Api) -> None:
    api.register_blueprint(blp)
    api.register_blueprint(typical_blp)
    app.register_blueprint(page_bp)
