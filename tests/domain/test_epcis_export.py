"""EPCIS export of a season that holds every statement type: each event as the CBV says, every
document valid against GS1's schema, identifiers and quantities read back exactly."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from gi_trace.domain import tables
from gi_trace.domain.epcis.events import TYPES
from gi_trace.domain.epcis.export import Exporter
from gi_trace.domain.epcis.identifiers import parse_lgtin, parse_sgtin
from gi_trace.service import Service
from gi_trace.settings import Settings
from tests.domain.world import GTINS, PADDY, Template, World, harvest_to_shelf, serials
from tests.epcis_schema import schema_errors
from tests.support import Actor

NOW = datetime(2030, 1, 1, tzinfo=UTC)
EVER = datetime(2000, 1, 1, tzinfo=UTC)
EXPORTER = Exporter("https://gi.example", 7)


@pytest.fixture(scope="module")
def season(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with template.copy(tmp_path_factory.mktemp("epcis")) as service:
        for envelope in harvest_to_shelf(template.world):
            service.log.append([envelope])
        yield service


def everything(service: Service, visible_to: str | None = None) -> list[dict[str, Any]]:
    with service.engine.connect() as conn:
        document, more = EXPORTER.period(conn, EVER, None, visible_to=visible_to, created=NOW,
                                         limit=500)
    assert more is None
    assert schema_errors(document) == []
    events: list[dict[str, Any]] = document["epcisBody"]["eventList"]
    return events


def by_statement(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        found.setdefault(event["gitrace:statement"], []).append(event)
    return found


def test_the_whole_season_validates_with_one_event_per_batch_statement(season: Service) -> None:
    events = everything(season)
    with season.engine.connect() as conn:
        seqs = sorted(set(conn.scalars(select(tables.batch_events.c.seq))))
    assert [e["gitrace:seq"] for e in events] == seqs
    assert set(by_statement(events)) == TYPES  # the season exercises every mapping


@pytest.mark.parametrize(("statement", "kind", "action", "step", "disposition"), [
    ("batch.register", "ObjectEvent", "ADD", "commissioning", "active"),
    ("label.issue", "ObjectEvent", "ADD", "commissioning", "active"),
    ("label.void", "ObjectEvent", "DELETE", "decommissioning", "inactive"),
    ("label.sell", "ObjectEvent", "OBSERVE", "retail_selling", "retail_sold"),
    ("batch.split", "TransformationEvent", None, None, None),
    ("batch.merge", "TransformationEvent", None, "creating_class_instance", None),
    ("batch.process", "TransformationEvent", None, "creating_class_instance", None),
    ("shipment.send", "ObjectEvent", "OBSERVE", "shipping", "in_transit"),
    ("shipment.receive", "ObjectEvent", "OBSERVE", "receiving", "in_progress"),
    ("shipment.reject", "ObjectEvent", "OBSERVE", "receiving", "returned"),
    ("batch.recall", "ObjectEvent", "OBSERVE", "holding", "recalled"),
])
def test_cbv_vocabulary_of_each_statement(season: Service, statement: str, kind: str,
                                          action: str | None, step: str | None,
                                          disposition: str | None) -> None:
    for event in by_statement(everything(season))[statement]:
        assert (event["type"], event.get("action"), event.get("bizStep"), event.get("disposition")) \
            == (kind, action, step, disposition)
        assert event["eventTimeZoneOffset"] == "+00:00"


def test_event_ids_are_stable_and_the_extension_names_the_record(season: Service) -> None:
    first, again = everything(season), everything(season)
    assert [e["eventID"] for e in first] == [e["eventID"] for e in again]
    assert len({e["eventID"] for e in first}) == len(first)
    for event in first:
        seq = event["gitrace:seq"]
        [record] = season.log.entries(seq, seq + 1)
        assert event["gitrace:leafHash"] == record.leaf_hash.hex()
        assert event["eventTime"] == record.to_json()["statement"]["ts"]
        assert event["gitrace:record"] == f"https://gi.example/v1/log/entries?start={seq}&end={seq + 1}"


def test_harvest_is_a_lot_class_with_its_quantity_unit_and_place(season: Service) -> None:
    [event] = [e for e in by_statement(everything(season))["batch.register"]
               if e["gitrace:batches"] == ["A-2"]]
    [element] = event["quantityList"]
    assert parse_lgtin(element["epcClass"]) == (GTINS[PADDY][0], "LA-2")
    assert (element["quantity"], element["uom"]) == (400.125, "KGM")
    assert event["readPoint"] == {"id": "geo:44.9,127.1"}
    assert event["ilmd"]["gitrace:plot"] == "north field"


def test_split_merge_and_process_balance_inputs_and_outputs(season: Service) -> None:
    found = by_statement(everything(season))

    def amounts(quantities: list[dict[str, Any]]) -> list[tuple[str, Any]]:
        return [(parse_lgtin(q["epcClass"])[1], q["quantity"]) for q in quantities]

    split = next(e for e in found["batch.split"] if e["gitrace:batches"][0] == "A-2")
    assert amounts(split["inputQuantityList"]) == [("LA-2", 400.125)]
    assert amounts(split["outputQuantityList"]) == [("LA-2", 200), ("LA-2", 200.125)]
    [merge] = found["batch.merge"]
    assert amounts(merge["inputQuantityList"]) == [("LB-1", 200), ("LB-2", 300.5)]
    assert amounts(merge["outputQuantityList"]) == [("B2026", 500.5)]
    [process] = found["batch.process"]
    assert sorted(amounts(process["inputQuantityList"])) == [("LA-1", 100), ("LA-2", 200)]
    assert process["gitrace:process"] == "milling"


def test_labels_are_sgtins_of_the_issued_gtin(season: Service) -> None:
    found = by_statement(everything(season))
    [issued], [voided], [sold] = found["label.issue"], found["label.void"], found["label.sell"]
    assert [parse_sgtin(uri) for uri in issued["epcList"]] \
        == [(GTINS[PADDY][0], s) for s in serials("A-1", 5)]
    assert [parse_sgtin(uri)[1] for uri in voided["epcList"]] == serials("A-1", 1)
    assert [parse_sgtin(uri)[1] for uri in sold["epcList"]] == serials("A-1", 2, start=1)
    assert voided["gitrace:reason"] == "misprinted"


def test_shipments_name_both_parties_and_the_despatch_record(season: Service) -> None:
    found = by_statement(everything(season))
    send = next(e for e in found["shipment.send"] if e["gitrace:shipment"] == "S-4")
    [reject] = found["shipment.reject"]
    assert reject["gitrace:reason"] == "torn bags"
    for event in (send, reject):
        assert {s["source"] for s in event["sourceList"]} == {"https://gi.example/v1/orgs/dist"}
        assert {d["destination"] for d in event["destinationList"]} == {"https://gi.example/v1/orgs/shop-2"}
        assert event["bizTransactionList"] == [{"type": "desadv", "bizTransaction": send["gitrace:record"]}]


def test_recall_names_every_gtin_of_every_lot_it_reached(season: Service) -> None:
    [recall] = by_statement(everything(season))["batch.recall"]
    classes = {parse_lgtin(q["epcClass"]) for q in recall["quantityList"]}
    b = tables.batches.c
    with season.engine.connect() as conn:
        recalled = dict(conn.execute(select(b.batch, b.lot).where(b.recalled)).all())
    assert set(recall["gitrace:batches"]) == set(recalled) >= {"A-2", "A-2a", "A-2b", "R-1"}
    assert {lot for _, lot in classes} == set(recalled.values())
    assert {gtin for gtin, lot in classes if lot == "LA-2"} == set(GTINS[PADDY])
    assert recall["persistentDisposition"] == {"set": ["recalled"]}


def test_every_batch_journey_validates_and_holds_its_lineage(season: Service) -> None:
    with season.engine.connect() as conn:
        names = list(conn.scalars(select(tables.batches.c.batch)))
        for name in names:
            document = EXPORTER.journey(conn, name, visible_to=None, created=NOW)
            assert document is not None
            assert schema_errors(document) == [], name
            touched = {b for e in document["epcisBody"]["eventList"] for b in e["gitrace:batches"]}
            assert name in touched
        rice = EXPORTER.journey(conn, "R-1-5kg", visible_to=None, created=NOW)
        assert EXPORTER.journey(conn, "no-such-batch", visible_to=None, created=NOW) is None
    assert rice is not None
    statements = {e["gitrace:statement"] for e in rice["epcisBody"]["eventList"]}
    assert {"batch.register", "batch.process", "shipment.receive"} <= statements  # ancestors too


def test_an_organisation_sees_only_statements_touching_its_batches(season: Service) -> None:
    for event in everything(season, visible_to="coop-b"):
        assert set(event["gitrace:batches"]) & {"B-1", "B-2", "B-M"}, event["gitrace:statement"]
    assert len(everything(season, visible_to="coop-b")) < len(everything(season))
    assert everything(season, visible_to="coop-c") == []


def test_pages_and_periods(season: Service) -> None:
    events = everything(season)
    pages: list[dict[str, Any]] = []
    after = None
    with season.engine.connect() as conn:
        while True:
            document, after = EXPORTER.period(conn, EVER, None, visible_to=None, created=NOW,
                                              limit=4, after=after)
            assert schema_errors(document) == []
            pages.extend(document["epcisBody"]["eventList"])
            if after is None:
                break
        first = datetime.fromisoformat(events[0]["eventTime"])
        before, _ = EXPORTER.period(conn, EVER, first - timedelta(seconds=1), visible_to=None,
                                    created=NOW, limit=500)
        later, _ = EXPORTER.period(conn, first + timedelta(days=1), None, visible_to=None,
                                   created=NOW, limit=500)
    assert [e["eventID"] for e in pages] == [e["eventID"] for e in events]
    assert before["epcisBody"]["eventList"] == later["epcisBody"]["eventList"] == []


def test_the_validator_bites(season: Service) -> None:
    """Sanity of the schema check itself: a document broken in the ways a bug would break it fails."""
    document = {"@context": [], "type": "EPCISDocument", "schemaVersion": "2.0",
                "creationDate": "2030-01-01T00:00:00Z",
                "epcisBody": {"eventList": everything(season)[:3]}}
    assert schema_errors(document) == []
    for path, value in ((("eventTime",), None), (("type",), "Foo"), (("action",), "MOVE"),
                        (("quantityList", 0, "uom"), "kilogram"), (("eventID",), "not a uri")):
        broken = copy.deepcopy(document)
        target = broken["epcisBody"]["eventList"][0]
        for key in path[:-1]:
            target = target[key]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        assert schema_errors(broken), path


def test_a_bad_prefix_length_is_refused() -> None:
    with pytest.raises(ValueError, match="6 to 12"):
        Exporter("https://gi.example", Settings().gs1_company_prefix_length + 6)


def test_the_same_export_on_sqlite_and_postgresql(any_service: Service, regulator: Actor) -> None:
    world = World(regulator=regulator)
    any_service.log.append(world.setup())
    any_service.log.append(harvest_to_shelf(world))
    events = everything(any_service)
    assert set(by_statement(events)) == TYPES
    with any_service.engine.connect() as conn:
        journey = EXPORTER.journey(conn, "R-1-5kg", visible_to="shop-1", created=NOW)
        first = datetime.fromisoformat(events[0]["eventTime"])
        before, _ = EXPORTER.period(conn, EVER, first - timedelta(seconds=1), visible_to=None,
                                    created=NOW, limit=500)
    assert journey is not None and schema_errors(journey) == []
    seen = {e["gitrace:statement"] for e in journey["epcisBody"]["eventList"]}
    assert {"batch.split", "shipment.receive"} <= seen
    assert "batch.process" not in seen  # it touched R-1 and the paddy, none of them shop-1's
    assert before["epcisBody"]["eventList"] == []
