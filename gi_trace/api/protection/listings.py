# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/listings and /v1/listings/{check}: listing checks with their verdicts, judged as read.

A platform submits listing.check statements through POST /v1/statements (up to 1,000 in one
request: its daily sweep) and reads the verdicts here. A platform reads its own listings;
regulators and associations read every platform's. The label codes a listing shows go only
to the statement's readers (its signer, the platform, regulators).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate

from gi_trace.api.auth.authenticator import Caller
from gi_trace.api.auth.caller import protected, require_caller
from gi_trace.api.auth.errors import Forbidden
from gi_trace.api.context import current_service
from gi_trace.api.reads.access import not_found, viewer_of
from gi_trace.api.reads.connection import connection
from gi_trace.api.reads.schemas import PageArgs, Sparse
from gi_trace.domain.full_match import FullMatch
from gi_trace.domain.queries import listings
from gi_trace.domain.queries.listings import Listing
from gi_trace.labels import listing_verdict
from gi_trace.labels.scans import ScanPolicy
from gi_trace.ledger.statement import ID_PATTERN, TS_PATTERN

READ_ALL = frozenset({"regulator", "association"})  # roles that read every platform's listings

blp = Blueprint("listings", __name__, url_prefix="/v1/listings", description=(
    "Listing checks and their verdicts (ok, or infringing with reasons), judged when read. Submit "
    "listing.check statements to POST /v1/statements, up to 1,000 at a time."))


class ListingArgs(PageArgs):
    after = fields.String(validate=FullMatch(r"^[0-9]{1,18}$"), metadata={
        "description": "the `next` of the previous page"})
    platform = fields.String(validate=FullMatch(ID_PATTERN.pattern), metadata={
        "description": "one platform's listings (a platform: its own, the default)"})
    since = fields.String(validate=FullMatch(TS_PATTERN.pattern), metadata={
        "description": "checked at this time or later, e.g. 2026-11-24T00:00:00Z"})


class ReasonSchema(Schema):
    code = fields.String(required=True, validate=validate.OneOf(listing_verdict.REASONS),
                         metadata={"enum": list(listing_verdict.REASONS)})
    detail = fields.String(required=True)


class ListingSchema(Sparse):
    SPARSE = ("codes",)

    check = fields.String(required=True)
    platform = fields.String(required=True)
    url = fields.String(required=True)
    shop = fields.String(allow_none=True, required=True)
    seller_uscc = fields.String(allow_none=True, required=True)
    product = fields.String(required=True)
    codes = fields.List(fields.String(), metadata={
        "description": "label URIs its photos show; only to the check's signer, the platform and "
        "regulators (confidential)"})
    actor = fields.String(required=True, metadata={"description": "who signed the check"})
    ts = fields.String(required=True)
    seq = fields.Integer(required=True)
    verdict = fields.String(required=True, validate=validate.OneOf(
        (listing_verdict.OK, listing_verdict.INFRINGING)),
        metadata={"enum": [listing_verdict.OK, listing_verdict.INFRINGING]})
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


ListingPageSchema = Schema.from_dict({
    "items": fields.List(fields.Nested(ListingSchema), required=True),
    "next": fields.String(allow_none=True, required=True, metadata={
        "description": "pass as `after` for the next page; null on the last page"}),
}, name="ListingPage")


def _reads_all(caller: Caller) -> bool:
    return bool(READ_ALL & caller.roles)


def _judged(shown: list[Listing], stored: list[Listing]) -> list[dict[str, Any]]:
    """Each listing as `shown` to the caller, with the verdict judged on its `stored` codes."""
    policy = ScanPolicy.from_settings(current_service().settings)
    conn = connection()
    return [{**vars(view), **listing_verdict.as_json(listing_verdict.judge(conn, listing, policy))}
            for view, listing in zip(shown, stored, strict=True)]


@blp.route("")
class Listings(MethodView):
    @blp.arguments(ListingArgs, location="query", as_kwargs=True)
    @blp.response(200, ListingPageSchema)
    @protected(blp)
    def get(self, platform: str | None = None, **args: Any) -> dict[str, Any]:
        """Listing checks in the order they were made, with their verdicts: a platform's own
        (the default for a platform), or any platform's for a regulator or an association."""
        caller = require_caller()
        if not _reads_all(caller):
            if "platform" not in caller.roles or platform not in (None, caller.org):
                raise Forbidden(f"{caller.org} may read only its own listings",
                                code="not-your-listings")
            platform = caller.org
        conn = connection()
        page = listings.list_listings(conn, platform=platform, **args)
        shown = listings.hide_codes(conn, viewer_of(caller), page.items)
        return {"items": _judged(shown, page.items), "next": page.next}


@blp.route("/<check>")
class ListingCheck(MethodView):
    @blp.response(200, ListingSchema)
    @protected(blp)
    def get(self, check: str) -> dict[str, Any]:
        """One listing check and its verdict now: for its platform, its signer, regulators and
        associations."""
        caller = require_caller()
        conn = connection()
        listing = listings.get_listing(conn, check)
        if listing is None:
            not_found("listing check", check)
        if not _reads_all(caller) and caller.org not in (listing.platform, listing.actor):
            raise Forbidden(f"{caller.org} may read only its own listings", code="not-your-listings")
        shown = listings.hide_codes(conn, viewer_of(caller), [listing])
        return _judged(shown, [listing])[0]


def init_app(app: Flask, api: Api) -> None:
    api.register_blueprint(blp)
