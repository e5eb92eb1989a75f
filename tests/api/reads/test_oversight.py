"""GET /v1/oversight/…: the regulators' aggregates, and that nobody else may read them.

The module's world gets, on top of the shared chain: a producer near its quota whose batch
is labelled near its quantity, the mill's labels on the last 100 kg of its rice (milled from
3000 kg of paddy-1 into 2000 kg, so they certify 150 kg of the harvest), scans of one label in
Harbin and Beijing ten minutes apart (a copied code), and a revoked handheld key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select, update

from gi_trace.api.context import EXTENSION
from gi_trace.domain import tables
from gi_trace.domain.queries import oversight
from gi_trace.domain.queries.oversight import _text, ratio
from gi_trace.labels.issuing import new_labels
from gi_trace.labels.tables import scans
from tests.api.reads.world import HARVESTED, LABEL_YEAR, PADDY, RICE, YEAR, World, issue, open_world
from tests.scratch_schema import reset_schema

ENDPOINTS = ("/v1/oversight/quota", "/v1/oversight/labels", "/v1/oversight/harvests",
             "/v1/oversight/producers", "/v1/oversight/scans", "/v1/oversight/anomalies")
PADDY_GTIN = PADDY["gtins"][0]
RICE_GTIN = RICE["gtins"][0]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The module's world, on SQLite and on PostgreSQL: the aggregates are SQL of their own."""
    url = reset_schema(request.getfixturevalue("postgres_server")) if request.param == "postgres" else None
    with open_world(tmp_path_factory.mktemp("oversight"), url) as world:
        yield world


@dataclass(frozen=True)
class Busy:
    world: World
    near: str  # a producer at 95 % of its quota, its batch near-1 labelled to 90 of 95 kg
    copied: str  # a serial of near-1 scanned in Harbin and in Beijing ten minutes later
    revoked: str  # the key id of a revoked handheld


@pytest.fixture(scope="module")
def busy(world: World) -> Busy:
    near, = world.new_org(["producer"])
    reg = world.regulator
    world.append(*(reg.sign("producer.approve", {"product": "wuchang-paddy", "producer": near.org,
                                                 "year": year, "quota": "100"})
                   for year in {YEAR, LABEL_YEAR}))
    world.append(near.sign("batch.register", {"batch": "near-1", "product": "wuchang-paddy",
                                              "lot": "N1", "quantity": "95", "harvested": HARVESTED}))
    labels = new_labels(near.key, PADDY_GTIN, "N1", 90)
    world.append(issue(near, "near-1", PADDY_GTIN, "N1", "1", [lab.serial for lab in labels]),
                 issue(world.mill, "rice-1", RICE_GTIN, "R2025A", "5",
                       [lab.serial for lab in new_labels(world.mill.key, RICE_GTIN, "R2025A", 20)]))
    now = int(datetime.now(UTC).timestamp())
    with world.app.extensions[EXTENSION].engine.begin() as conn:
        conn.execute(scans.insert(), [
            {"token": "harbin", "serial": labels[0].serial, "at": now - 600, "lat": 45.8, "lon": 126.5},
            {"token": "beijing", "serial": labels[0].serial, "at": now, "lat": 39.9, "lon": 116.4},
            {"token": "noplace", "serial": labels[1].serial, "at": now, "lat": None, "lon": None}])
    handheld = world.new_org(["retailer"], keys=2)[1]
    world.revoke(handheld)
    return Busy(world, near.org, labels[0].serial, handheld.key_id)


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize(("caller", "status"), [(None, 401), ("producer", 403), ("retailer", 403),
                                                 ("unrelated", 403), ("regulator", 200)],
                         ids=["anonymous", "producer", "retailer", "other-producer", "regulator"])
def test_only_regulators_read_oversight(world: World, url: str, caller: str | None, status: int) -> None:
    resp = world.get(url, None if caller is None else getattr(world, caller))
    assert resp.status_code == status, resp.get_data(as_text=True)
    if status == 403:
        assert resp.get_json()["code"] == "not-a-regulator"


def test_quota_use_per_product_year_and_producer(busy: Busy) -> None:
    world = busy.world
    items = world.get("/v1/oversight/quota", world.regulator).get_json()["items"]
    rows = {(q["product"], q["year"], q["producer"]): (q["used"], q["quota"], q["suspended"]) for q in items}
    assert rows["wuchang-paddy", YEAR, "wuchang-coop"] == ("5000", "10000", False)
    assert rows["wuchang-paddy", YEAR + 1, "wuchang-coop"] == ("0", "12000.5", False)
    assert rows["wuchang-paddy", YEAR, "lazy-coop"] == ("0", "500", True)
    assert rows["wuchang-paddy", YEAR, busy.near] == ("95", "100", False)


def test_labels_against_units(busy: Busy) -> None:
    items = busy.world.get("/v1/oversight/labels", busy.world.regulator).get_json()["items"]
    near = next(u for u in items if u["batch"] == "near-1")
    assert (near["issued"], near["sold"], near["void"], near["labelled"], near["quantity"]) == (
        90, 0, 0, "90", "95")
    rice = next(u for u in items if u["batch"] == "rice-1")
    assert (rice["issued"], rice["labelled"], rice["quantity"]) == (20, "100", "2000")


def test_labelled_against_possible_per_harvest(busy: Busy) -> None:
    items = busy.world.get("/v1/oversight/harvests", busy.world.regulator).get_json()["items"]
    rows = {h["batch"]: (h["producer"], h["unit"], h["quantity"], h["labelled"], h["ratio"])
            for h in items}
    assert rows["paddy-1"] == ("wuchang-coop", "kg", "5000", "150", 0.03)
    assert rows["near-1"] == (busy.near, "kg", "95", "90", 0.9474)
    assert rows["other-1"][2:] == ("1000", "0", 0.0)
    assert "paddy-1a" not in rows and "rice-1" not in rows  # harvests only
    assert next(h for h in items if h["batch"] == "paddy-1")["harvested"] == HARVESTED


def test_labelled_against_possible_per_producer(busy: Busy) -> None:
    items = busy.world.get("/v1/oversight/producers", busy.world.regulator).get_json()["items"]
    rows = {(p["product"], p["producer"]): (p["harvests"], p["quantity"], p["labelled"], p["ratio"])
            for p in items}
    assert rows["wuchang-paddy", "wuchang-coop"] == (1, "5000", "150", 0.03)
    assert rows["wuchang-paddy", busy.near] == (1, "95", "90", 0.9474)


def test_a_third_of_a_harvest_shows_to_six_places() -> None:
    """Charges are exact fractions; a read shows one that is no decimal to 6 places."""
    assert (_text(Fraction(1, 3)), _text(Fraction(5, 2))) == ("0.333333", "2.5")
    third = ratio(Fraction(1), Fraction(3))
    assert third is not None and third.quantize(Decimal("0.0001")) == Decimal("0.3333")


@pytest.mark.parametrize(("used", "limit", "expected"), [
    (Fraction(0), Fraction(0), Decimal(1)),
    (Fraction(5), Fraction(0), None),
    (Decimal("1.5"), Decimal("3"), Decimal("0.5")),
], ids=["nothing-of-nothing-is-full", "something-of-nothing-is-unbounded", "decimals"])
def test_ratios(used: Fraction | Decimal, limit: Fraction | Decimal, expected: Decimal | None) -> None:
    assert ratio(used, limit) == expected


def test_something_of_a_harvest_that_yielded_nothing_is_null(world: World) -> None:
    """A harvest of 0 with labels charged to it (an old log, or projections at odds with the
    log): its ratio is JSON null, over any limit and listed first, never the string "Infinity"
    (which is no JSON number)."""
    b = tables.batches.c
    engine = world.app.extensions[EXTENSION].engine
    with engine.begin() as conn:
        kept = conn.execute(select(b.quantity, b.charged).where(b.batch == "other-1")).one()
        conn.execute(update(tables.batches).where(b.batch == "other-1").values(quantity="0", charged="5"))
    try:
        harvests = world.get("/v1/oversight/harvests", world.regulator).get_json()["items"]
        anomalies = world.get("/v1/oversight/anomalies", world.regulator).get_json()["mass_balance"]
    finally:
        with engine.begin() as conn:
            conn.execute(update(tables.batches).where(b.batch == "other-1")
                         .values(quantity=kept.quantity, charged=kept.charged))
    assert next(h for h in harvests if h["batch"] == "other-1")["ratio"] is None
    assert anomalies[0] == {"kind": "harvest", "subject": "other-1", "org": "other-coop",
                            "used": "5", "limit": "0", "ratio": None, "over": True}


def test_scans_per_day_and_place(busy: Busy) -> None:
    stats = busy.world.get("/v1/oversight/scans?days=7", busy.world.regulator).get_json()
    assert len(stats["by_day"]) == 7
    assert stats["by_day"][-1]["day"] == datetime.now(UTC).strftime("%Y-%m-%d")
    assert sum(d["scans"] for d in stats["by_day"]) == 3
    assert {(p["lat"], p["lon"], p["scans"]) for p in stats["by_place"]} == {
        (45, 126, 1), (39, 116, 1), (None, None, 1)}


def test_scan_days_are_bounded(world: World) -> None:
    resp = world.get("/v1/oversight/scans?days=0", world.regulator)
    assert resp.status_code == 422 and resp.get_json()["field"] == "days"


def test_anomalies(busy: Busy) -> None:
    found = busy.world.get("/v1/oversight/anomalies", busy.world.regulator).get_json()
    (copy,) = found["copies"]
    assert (copy["serial"], copy["batch"], copy["scans"], copy["reasons"]) == (
        busy.copied, "near-1", 2, ["far-apart"])
    balance = {(m["kind"], m["subject"]): (m["used"], m["limit"], m["ratio"], m["over"])
               for m in found["mass_balance"]}
    assert balance == {("quota", f"wuchang-paddy/{busy.near}/{YEAR}"): ("95", "100", 0.95, False),
                       ("labels", "near-1"): ("90", "95", 0.9474, False),
                       ("harvest", "near-1"): ("90", "95", 0.9474, False)}
    revoked = next(k for k in found["revoked_keys"] if k["key_id"] == busy.revoked)
    assert revoked["reason"] == "lost handheld"
    assert found["stale_shipments"] == []  # everything was sent moments ago
    assert found["revocation_attempts_recorded"] is False


def test_shipments_pending_over_a_week(world: World) -> None:
    with world.app.extensions[EXTENSION].engine.connect() as conn:
        week_on = oversight.stale_shipments(conn, datetime.now(UTC) + timedelta(days=7, minutes=1))
        six_days_on = oversight.stale_shipments(conn, datetime.now(UTC) + timedelta(days=6))
    assert [(s.shipment, s.sender, s.receiver) for s in week_on] == [
        ("ship-3", "wuchang-mill", "hlj-distribution")]
    assert six_days_on == []


def test_shipping_more_than_held_is_over_the_limit(world: World) -> None:
    """Shipping all one had is no anomaly; more is, and only a projection at odds with the log
    (the rules refuse it at append) can show it."""
    with world.app.extensions[EXTENSION].engine.connect() as conn:
        assert not [m for m in oversight.mass_balance(conn) if m.kind == "shipped"]
        conn.execute(tables.shipment_items.update().where(tables.shipment_items.c.shipment == "ship-3")
                     .values(quantity="2000"))
        over = [m for m in oversight.mass_balance(conn) if m.kind == "shipped"]
        conn.rollback()
    assert [(m.subject, m.org, m.used, m.limit, m.over) for m in over] == [
        ("rice-1", "wuchang-mill", "3500", "2000", True)]
