"""EPCIS export of a season that holds every statement type: each event as the CBV says, every
document valid against GS1's schema, identifiers and quantities read back exactly; and what each
viewer gets (DESIGN.md, "Confidential by default"): OPERATOR every event whole, an organisation
the events of its batches with the confidential values of the statements it may read only, the
public the public events without a quantity, a place or a serial."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from gi_trace.domain import tables
from gi_trace.domain.epcis.events import TYPES
from gi_trace.domain.epcis.export import Exporter
from gi_trace.domain.epcis.identifiers import parse_lgtin, parse_sgtin
from gi_trace.domain.queries.batches import parties
from gi_trace.domain.queries.visibility import OPERATOR, PUBLIC, Viewer
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


def everything(service: Service, viewer: Viewer = OPERATOR) -> list[dict[str, Any]]:
    with service.engine.connect() as conn:
        document, more = EXPORTER.period(conn, EVER, None, viewer=viewer, created=NOW,
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


def name(event: dict[str, Any]) -> str:
    """An event of the season by its statement and its shipment, or the first batch it names."""
    what = event.get("gitrace:shipment") or event["gitrace:batches"][0]
    return f"{event['gitrace:statement']} {what}"


QUANTITY_LISTS = ("quantityList", "inputQuantityList", "outputQuantityList")


def public_form(event: dict[str, Any]) -> dict[str, Any]:
    """The operator's event as a viewer who may not read its statement gets it: each class
    without its quantity (but for a label.issue's count, which is public), no place, no plot."""
    shown = copy.deepcopy(event)
    if event["gitrace:statement"] != "label.issue":
        for key in QUANTITY_LISTS:
            if key in shown:
                shown[key] = [{"epcClass": q["epcClass"]} for q in shown[key]]
    shown.pop("readPoint", None)
    shown.get("ilmd", {}).pop("gitrace:plot", None)
    return shown


def amounts_of(event: dict[str, Any]) -> list[Any]:
    return [q.get("quantity") for key in QUANTITY_LISTS for q in event.get(key, [])]


# What each organisation's export holds, by `name`, and of those the statements it may read
# (signed them, or a rule named it: receiver, sender of a receipt, issuer of a sold label).
# A recall by coop-a touched every batch down to R-1-5kg, which makes coop-a party to them.
SEES: dict[str, set[str]] = {
    "coop-a": {"batch.register A-1", "batch.register T-1", "batch.register A-2", "label.issue A-1",
               "label.void A-1", "batch.split A-2", "shipment.send S-1", "shipment.receive S-1",
               "label.sell A-1", "batch.process A-1", "batch.split R-1", "batch.recall A-2"},
    "coop-b": {"batch.register B-1", "batch.register B-2", "batch.merge B-1", "shipment.send S-5"},
    "coop-c": set(),
    "mill": {"batch.register A-1", "label.issue A-1", "batch.split A-2", "shipment.send S-1",
             "shipment.receive S-1", "label.sell A-1", "batch.process A-1", "batch.split R-1",
             "shipment.send S-2", "shipment.receive S-2", "batch.merge B-1", "shipment.send S-5",
             "batch.recall A-2"},
    "dist": {"batch.split R-1", "shipment.send S-2", "shipment.receive S-2", "shipment.send S-3",
             "shipment.receive S-3", "shipment.send S-4", "shipment.reject S-4", "batch.recall A-2"},
    "shop-1": {"batch.split R-1", "shipment.send S-3", "shipment.receive S-3", "batch.recall A-2"},
    "shop-2": {"batch.split R-1", "shipment.send S-4", "shipment.reject S-4", "batch.recall A-2"},
}
READS: dict[str, set[str]] = {
    "coop-a": {"batch.register A-1", "batch.register T-1", "batch.register A-2", "label.issue A-1",
               "label.void A-1", "batch.split A-2", "shipment.send S-1", "shipment.receive S-1",
               "label.sell A-1", "batch.recall A-2"},
    "coop-b": SEES["coop-b"],
    "coop-c": set(),
    "mill": {"shipment.send S-1", "shipment.receive S-1", "label.sell A-1", "batch.process A-1",
             "batch.split R-1", "shipment.send S-2", "shipment.receive S-2", "shipment.send S-5"},
    "dist": SEES["dist"] - {"batch.split R-1", "batch.recall A-2"},
    "shop-1": {"shipment.send S-3", "shipment.receive S-3"},
    "shop-2": {"shipment.send S-4", "shipment.reject S-4"},
}
# The statements whose link to a batch is itself confidential: exported to their readers only.
CONFIDENTIAL_TYPES = {"shipment.send", "shipment.receive", "shipment.reject", "label.void", "label.sell"}


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


def test_a_label_issue_is_counted_and_only_voids_and_sales_list_serials(season: Service) -> None:
    found = by_statement(everything(season))
    [issued], [voided], [sold] = found["label.issue"], found["label.void"], found["label.sell"]
    assert "epcList" not in issued
    [counted] = issued["quantityList"]
    assert (parse_lgtin(counted["epcClass"]), counted["quantity"]) == ((GTINS[PADDY][0], "LA-1"), 5)
    assert issued["ilmd"] == {"gitrace:lot": "LA-1", "gitrace:pack": "1"}
    assert [parse_sgtin(uri) for uri in voided["epcList"]] \
        == [(GTINS[PADDY][0], s) for s in serials("A-1", 1)]
    assert [parse_sgtin(uri) for uri in sold["epcList"]] \
        == [(GTINS[PADDY][0], s) for s in serials("A-1", 2, start=1)]
    assert voided["gitrace:reason"] == "misprinted"
    assert "quantityList" not in voided and "quantityList" not in sold


@pytest.mark.parametrize("viewer", [OPERATOR, PUBLIC, *(Viewer(org) for org in SEES)], ids=repr)
def test_no_viewer_gets_a_serial_but_of_a_void_or_a_sale_it_may_read(season: Service,
                                                                    viewer: Viewer) -> None:
    """Labels 3 and 4 were issued and never voided nor sold: their serials are in no export, not
    even the operator's; 0 (voided by coop-a) and 1, 2 (sold by the mill, issued by coop-a) only
    to those who may read the void or the sale."""
    events = everything(season, viewer)
    for event in events:
        if event["gitrace:statement"] not in ("label.void", "label.sell"):
            assert "epcList" not in event, name(event)
    readers = {"label.void": {"coop-a"}, "label.sell": {"coop-a", "mill"}}
    expected = set()
    for statement, numbers in (("label.void", serials("A-1", 1)), ("label.sell", serials("A-1", 2, 1))):
        if viewer is OPERATOR or viewer.org in readers[statement]:
            expected.update(numbers)
    text = json.dumps(events)
    assert {n for n in serials("A-1", 5) if n in text} == expected
    assert {parse_sgtin(uri)[1] for e in events for uri in e.get("epcList", [])} == expected


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
            document = EXPORTER.journey(conn, name, viewer=OPERATOR, created=NOW)
            assert document is not None
            assert schema_errors(document) == [], name
            touched = {b for e in document["epcisBody"]["eventList"] for b in e["gitrace:batches"]}
            assert name in touched
        rice = EXPORTER.journey(conn, "R-1-5kg", viewer=OPERATOR, created=NOW)
        assert EXPORTER.journey(conn, "no-such-batch", viewer=OPERATOR, created=NOW) is None
    assert rice is not None
    statements = {e["gitrace:statement"] for e in rice["epcisBody"]["eventList"]}
    assert {"batch.register", "batch.process", "shipment.receive"} <= statements  # ancestors too


def assert_org_view(service: Service, org: str) -> None:
    """Each event `org` gets is the operator's whole where it may read the statement, and its
    public form (no quantity, place or plot) where it may not; the others are not exported."""
    operator = {e["eventID"]: e for e in everything(service)}
    events = everything(service, Viewer(org))
    assert sorted(name(e) for e in events) == sorted(SEES[org])
    for event in events:
        whole = operator[event["eventID"]]
        if name(event) in READS[org]:
            assert event == whole, name(event)
        else:
            assert event["gitrace:statement"] not in CONFIDENTIAL_TYPES, name(event)
            assert event == public_form(whole), name(event)


@pytest.mark.parametrize("org", sorted(SEES))
def test_an_organisation_gets_its_batches_events_and_reads_only_its_statements(season: Service,
                                                                               org: str) -> None:
    assert_org_view(season, org)


@pytest.mark.parametrize("org", sorted(SEES))
def test_an_organisation_gets_no_other_organisations_shipment(season: Service, org: str) -> None:
    me = f"https://gi.example/v1/orgs/{org}"
    for event in everything(season, Viewer(org)):
        if event["gitrace:statement"].startswith("shipment."):
            parties = {s["source"] for s in event["sourceList"]} \
                | {d["destination"] for d in event["destinationList"]}
            assert me in parties, name(event)
    shipped = {"coop-a": {"S-1"}, "coop-b": {"S-5"}, "coop-c": set(), "mill": {"S-1", "S-2", "S-5"},
               "dist": {"S-2", "S-3", "S-4"}, "shop-1": {"S-3"}, "shop-2": {"S-4"}}
    assert {e["gitrace:shipment"] for e in everything(season, Viewer(org))
            if "gitrace:shipment" in e} == shipped[org]


def test_an_organisation_reads_no_other_organisations_quantities_places_or_reasons(
        season: Service) -> None:
    """A few of the values the matrix above covers, spelled out."""
    def text(org: str) -> str:
        return json.dumps(everything(season, Viewer(org)), ensure_ascii=False)

    for org in ("mill", "dist", "shop-1", "shop-2", "coop-b"):
        for secret in ("400.125", "200.125", "north field", "geo:44.9", "misprinted"):
            assert secret not in text(org), (org, secret)
    for org in ("coop-a", "coop-b", "mill", "shop-1"):
        assert "torn bags" not in text(org), org
    found = {name(e): e for e in everything(season, Viewer("shop-1"))}
    assert amounts_of(found["shipment.send S-3"]) == [60.5]  # its own purchase
    assert amounts_of(found["batch.split R-1"]) == [None, None, None]  # the mill's split
    found = {name(e): e for e in everything(season, Viewer("coop-a"))}
    assert amounts_of(found["batch.split A-2"]) == [400.125, 200, 200.125]
    assert amounts_of(found["batch.process A-1"]) == [None, None, None]  # the mill's milling
    found = {name(e): e for e in everything(season, Viewer("mill"))}
    assert amounts_of(found["batch.process A-1"]) == [100, 200, 210]
    assert amounts_of(found["batch.split A-2"]) == [None, None, None]  # coop-a's split
    assert amounts_of(found["batch.register A-1"]) == [None]  # it bought 100 of A-1's 300
    assert amounts_of(found["batch.merge B-1"]) == [None, None, None]  # coop-b's merge …
    assert amounts_of(found["shipment.send S-5"]) == [500.5]  # … but not what it is sent of it


def test_the_public_gets_the_public_events_without_a_confidential_value(season: Service) -> None:
    operator = everything(season)
    public = everything(season, PUBLIC)
    assert [e["eventID"] for e in public] \
        == [e["eventID"] for e in operator if e["gitrace:statement"] not in CONFIDENTIAL_TYPES]
    assert public == [public_form(e) for e in operator
                      if e["gitrace:statement"] not in CONFIDENTIAL_TYPES]
    amounts = [a for e in public if e["gitrace:statement"] != "label.issue" for a in amounts_of(e)]
    assert amounts and set(amounts) == {None}
    [harvest] = [e for e in public if name(e) == "batch.register A-2"]
    assert "readPoint" not in harvest and "gitrace:plot" not in harvest["ilmd"]


def test_operator_and_organisations_journeys_are_their_period_exports_of_the_family(
        season: Service) -> None:
    """A journey (of a batch the viewer is party to: the API answers no other) is the viewer's
    export restricted to the statements that touched the batch's family (as the operator's
    journey names them), event for event."""
    with season.engine.connect() as conn:
        names = list(conn.scalars(select(tables.batches.c.batch)))
        for org in (*SEES, None):
            viewer = OPERATOR if org is None else Viewer(org)
            mine = everything(season, viewer)
            for batch in names:
                if org is not None and org not in parties(conn, batch):
                    continue
                family = EXPORTER.journey(conn, batch, viewer=OPERATOR, created=NOW)
                journey = EXPORTER.journey(conn, batch, viewer=viewer, created=NOW)
                assert family is not None and journey is not None
                assert schema_errors(journey) == [], (org, batch)
                ids = {e["eventID"] for e in family["epcisBody"]["eventList"]}
                assert journey["epcisBody"]["eventList"] == [e for e in mine if e["eventID"] in ids], \
                    (org, batch)


@pytest.mark.parametrize("viewer", [OPERATOR, PUBLIC, Viewer("mill")], ids=repr)
def test_pages_and_periods(season: Service, viewer: Viewer) -> None:
    events = everything(season, viewer)
    pages: list[dict[str, Any]] = []
    after = None
    with season.engine.connect() as conn:
        while True:
            document, after = EXPORTER.period(conn, EVER, None, viewer=viewer, created=NOW,
                                              limit=4, after=after)
            assert schema_errors(document) == []
            assert len(document["epcisBody"]["eventList"]) == 4 or after is None
            pages.extend(document["epcisBody"]["eventList"])
            if after is None:
                break
        first = datetime.fromisoformat(events[0]["eventTime"])
        before, _ = EXPORTER.period(conn, EVER, first - timedelta(seconds=1), viewer=viewer,
                                    created=NOW, limit=500)
        later, _ = EXPORTER.period(conn, first + timedelta(days=1), None, viewer=viewer,
                                   created=NOW, limit=500)
    assert len(events) > 4
    assert pages == events
    assert before["epcisBody"]["eventList"] == later["epcisBody"]["eventList"] == []


def test_the_validator_bites(season: Service) -> None:
    """Sanity of the schema check itself: a document broken in the ways a bug would break it fails."""
    document: dict[str, Any] = {"@context": [], "type": "EPCISDocument", "schemaVersion": "2.0",
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
    for org in SEES:
        assert_org_view(any_service, org)
    with any_service.engine.connect() as conn:
        journey = EXPORTER.journey(conn, "R-1-5kg", viewer=Viewer("shop-1"), created=NOW)
        first = datetime.fromisoformat(events[0]["eventTime"])
        before, _ = EXPORTER.period(conn, EVER, first - timedelta(seconds=1), viewer=OPERATOR,
                                    created=NOW, limit=500)
    assert journey is not None and schema_errors(journey) == []
    found = {name(e): e for e in journey["epcisBody"]["eventList"]}
    # not the milling (it touched R-1 and the paddy, none of them shop-1's), nor the mill's
    # sale to the distributor
    assert set(found) == {"batch.split R-1", "shipment.send S-3", "shipment.receive S-3",
                          "batch.recall A-2"}
    assert amounts_of(found["shipment.receive S-3"]) == [60.5]
    assert amounts_of(found["batch.split R-1"]) == [None, None, None]
    assert before["epcisBody"]["eventList"] == []
