# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/oversight/…: what the regulators' dashboard shows, across every producer.

Regulators only: these aggregates hold every producer's quantities and trading
partners, which no producer may see of another.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gi_trace.api.auth.authenticator import Caller
from gi_trace.api.auth.caller import protected
from gi_trace.api.context import current_service
from gi_trace.domain.queries import oversight
from gi_trace.labels import scan_stats
from gi_trace.labels.scans import ScanPolicy

from .access import regulator_reader
from .connection import connection

blp = Blueprint("oversight", __name__, url_prefix="/v1/oversight", description=(
    "Aggregates for the regulators' dashboard: quota use, labels against goods, what labels "
    "certify of each harvest and producer against what it yielded, scans, anomalies. "
    "Regulators only."))


class RatioField(fields.Float):
    """A ratio as a JSON number to 4 places, or null: a number, as the document says, never
    a string, and never "Infinity" (which JSON has not) for something used of a limit of 0."""

    def __init__(self) -> None:
        super().__init__(required=True, allow_none=True, metadata={
            "description": "used / limit to 4 places, 1 being the limit itself; null when "
                           "something was used of a limit of 0 (over any limit)"})

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | None:
        return None if value is None else round(float(value), 4)


def require_regulator() -> Caller:
    return regulator_reader("oversight reads")


def _items(schema: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({"items": fields.List(fields.Nested(schema), required=True)}, name=name)


class QuotaUseSchema(Schema):
    product = fields.String(required=True)
    year = fields.Integer(required=True)
    producer = fields.String(required=True)
    quota = fields.String(required=True)
    used = fields.String(required=True)
    suspended = fields.Boolean(required=True)


class LabelUseSchema(Schema):
    batch = fields.String(required=True)
    product = fields.String(required=True)
    producer = fields.String(required=True)
    units = fields.Integer(required=True, metadata={
        "description": "whole units: statement v1's label limit (a label per unit)"})
    issued = fields.Integer(required=True, metadata={"description": "labels not voided"})
    sold = fields.Integer(required=True)
    void = fields.Integer(required=True)
    quantity = fields.String(required=True, metadata={"description": "the batch's quantity"})
    labelled = fields.String(required=True, metadata={
        "description": "what live labels issued on the batch cover (pack × count), in its unit"})


HARVEST_LABELLED = {"description": "what live labels anywhere down its lineage certify of it, "
                                   "charged at the actual ratios of splits, merges and processing, "
                                   "in its unit; exact, or to 6 places"}


class HarvestUseSchema(Schema):
    batch = fields.String(required=True)
    product = fields.String(required=True)
    producer = fields.String(required=True)
    harvested = fields.String(allow_none=True, required=True)
    unit = fields.String(required=True)
    quantity = fields.String(required=True, metadata={
        "description": "what it yielded: the most its labels may certify"})
    labelled = fields.String(required=True, metadata=HARVEST_LABELLED)
    ratio = RatioField()


class ProducerUseSchema(Schema):
    producer = fields.String(required=True)
    product = fields.String(required=True)
    unit = fields.String(required=True)
    harvests = fields.Integer(required=True)
    quantity = fields.String(required=True, metadata={"description": "its harvests, summed"})
    labelled = fields.String(required=True, metadata=HARVEST_LABELLED)
    ratio = RatioField()


class ScanArgs(Schema):
    days = fields.Integer(load_default=30, validate=validate.Range(1, 366),
                          metadata={"description": "how many days back, today included"})


class DayCountSchema(Schema):
    day = fields.String(required=True, metadata={"description": "YYYY-MM-DD (UTC)"})
    scans = fields.Integer(required=True)


class PlaceCountSchema(Schema):
    lat = fields.Integer(allow_none=True, required=True, metadata={
        "description": "south edge of the whole-degree cell; null: no place shared"})
    lon = fields.Integer(allow_none=True, required=True, metadata={"description": "west edge"})
    scans = fields.Integer(required=True)


class ScanStatsSchema(Schema):
    by_day = fields.List(fields.Nested(DayCountSchema), required=True)
    by_place = fields.List(fields.Nested(PlaceCountSchema), required=True)


class FlaggedCopySchema(Schema):
    serial = fields.String(required=True)
    batch = fields.String(required=True)
    issuer = fields.String(required=True)
    status = fields.String(required=True)
    scans = fields.Integer(required=True)
    reasons = fields.List(fields.String(), required=True, metadata={
        "description": "scanned-after-sale, scanned-too-often, far-apart"})


class MassBalanceSchema(Schema):
    kind = fields.String(required=True, metadata={
        "description": "labels (of a batch), harvest (labels certifying a harvest), quota or "
                       "shipped"})
    subject = fields.String(required=True, metadata={"description": "batch, or product/producer/year"})
    org = fields.String(required=True)
    used = fields.String(required=True)
    limit = fields.String(required=True)
    ratio = RatioField()
    over = fields.Boolean(required=True)


class StaleShipmentSchema(Schema):
    shipment = fields.String(required=True)
    sender = fields.String(required=True)
    receiver = fields.String(required=True)
    sent_ts = fields.String(required=True)
    sscc = fields.String(allow_none=True, required=True)


class RevokedKeySchema(Schema):
    org = fields.String(required=True)
    key_id = fields.String(required=True)
    added_seq = fields.Integer(required=True)
    revoked_ts = fields.String(required=True)
    revoked_seq = fields.Integer(required=True)
    reason = fields.String(allow_none=True, required=True)


class AnomaliesSchema(Schema):
    copies = fields.List(fields.Nested(FlaggedCopySchema), required=True,
                         metadata={"description": "labels whose scans suggest a copied code"})
    mass_balance = fields.List(fields.Nested(MassBalanceSchema), required=True, metadata={
        "description": f"labels / goods, labelled / harvest and harvest / quota at "
                       f"{oversight.NEAR_LIMIT:.0%} or more, shipped / held over 100 %; fullest first"})
    stale_shipments = fields.List(fields.Nested(StaleShipmentSchema), required=True, metadata={
        "description": f"pending more than {oversight.STALE_AFTER.days} days"})
    revoked_keys = fields.List(fields.Nested(RevokedKeySchema), required=True)
    revocation_attempts_recorded = fields.Boolean(required=True, metadata={
        "description": "always false: a statement signed with a revoked key is refused and "
                       "leaves no record, so only the revocations can be shown"})


def _now() -> datetime:
    return datetime.now(UTC)


@blp.route("/quota")
class Quota(MethodView):
    @blp.response(200, _items(QuotaUseSchema, "QuotaUseList"))
    @protected(blp)
    def get(self) -> dict[str, Any]:
        """Every approval with quota used, by product, year and producer."""
        require_regulator()
        return {"items": oversight.quota_use(connection())}


@blp.route("/labels")
class Labels(MethodView):
    @blp.response(200, _items(LabelUseSchema, "LabelUseList"))
    @protected(blp)
    def get(self) -> dict[str, Any]:
        """Labels issued, sold and voided, and the goods they cover, of every labelled batch."""
        require_regulator()
        return {"items": oversight.label_use(connection())}


@blp.route("/harvests")
class Harvests(MethodView):
    @blp.response(200, _items(HarvestUseSchema, "HarvestUseList"))
    @protected(blp)
    def get(self) -> dict[str, Any]:
        """Every harvest: what labels certify of it against what it yielded."""
        require_regulator()
        return {"items": oversight.harvest_use(connection())}


@blp.route("/producers")
class Producers(MethodView):
    @blp.response(200, _items(ProducerUseSchema, "ProducerUseList"))
    @protected(blp)
    def get(self) -> dict[str, Any]:
        """Each producer's harvests of each product: labelled against possible."""
        require_regulator()
        return {"items": oversight.producer_use(connection())}


@blp.route("/scans")
class Scans(MethodView):
    @blp.arguments(ScanArgs, location="query", as_kwargs=True)
    @blp.response(200, ScanStatsSchema)
    @protected(blp)
    def get(self, days: int) -> dict[str, Any]:
        """Scans per day and per whole-degree cell over the last `days` days."""
        require_regulator()
        now = _now()
        since = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
        conn = connection()
        return {"by_day": scan_stats.by_day(conn, since, now),
                "by_place": scan_stats.by_place(conn, since)}


@blp.route("/anomalies")
class Anomalies(MethodView):
    @blp.response(200, AnomaliesSchema)
    @protected(blp)
    def get(self) -> dict[str, Any]:
        """Copied-looking labels, limits near or over, stale deliveries and revoked keys."""
        require_regulator()
        conn = connection()
        policy = ScanPolicy.from_settings(current_service().settings)
        return {"copies": scan_stats.flagged_copies(conn, policy),
                "mass_balance": oversight.mass_balance(conn),
                "stale_shipments": oversight.stale_shipments(conn, _now()),
                "revoked_keys": oversight.revoked_keys(conn),
                "revocation_attempts_recorded": False}
