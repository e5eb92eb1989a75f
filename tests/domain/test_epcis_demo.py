"""Every EPCIS document of the demo (`gi-trace demo`) validates against GS1's schema: each
batch's journey, and the whole season, as the operator and as each organisation gets them; and
GS1's own examples pass the same validator. What each organisation gets of the demo is checked
against the operator's export: its batches' events, the confidential values of its own only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, select

from gi_trace.cli.demo import genesis, load
from gi_trace.domain import tables
from gi_trace.domain.epcis.export import Exporter
from gi_trace.domain.epcis.identifiers import parse_sgtin
from gi_trace.domain.queries.batches import parties
from gi_trace.domain.queries.visibility import OPERATOR, Viewer
from gi_trace.service import Service, initialize, open_service
from tests.domain.test_epcis_export import public_form
from tests.epcis_schema import epcis_dir, schema_errors
from tests.support import instance_settings

EVER = datetime(2000, 1, 1, tzinfo=UTC)

# Statements whose very link to a batch is confidential: exported to their readers only, whole.
CONFIDENTIAL_TYPES = {"shipment.send", "shipment.receive", "shipment.reject", "label.void", "label.sell"}
QUANTITY_LISTS = ("quantityList", "inputQuantityList", "outputQuantityList")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("demo")
    settings = instance_settings(root, genesis(root / "keys"))
    initialize(settings)
    service = open_service(settings)
    try:
        load(service, root / "keys")
        yield service
    finally:
        service.engine.dispose()


@pytest.fixture(scope="module")
def exporter(demo: Service) -> Exporter:
    return Exporter(demo.settings.base_url, demo.settings.gs1_company_prefix_length)


@pytest.mark.parametrize("example", sorted(p.name for p in (epcis_dir() / "examples").glob("*.jsonld")))
def test_gs1_examples_validate(example: str) -> None:
    document = json.loads((epcis_dir() / "examples" / example).read_text(encoding="utf-8"))
    assert schema_errors(document) == []


def everything(conn: Connection, exporter: Exporter, viewer: Viewer) -> list[dict[str, Any]]:
    document, more = exporter.period(conn, EVER, None, viewer=viewer, created=datetime.now(UTC),
                                     limit=500)
    assert more is None
    assert schema_errors(document) == [], viewer
    events: list[dict[str, Any]] = document["epcisBody"]["eventList"]
    return events


def org_uri(exporter: Exporter, org: str) -> str:
    return f"{exporter.base_url}/v1/orgs/{org}"


def test_every_batch_journey_of_the_demo_validates(demo: Service, exporter: Exporter) -> None:
    """As the operator gets it and as each party to the batch does: a party's journey holds
    no event the operator's does not, each the operator's whole or its public form."""
    with demo.engine.connect() as conn:
        names = list(conn.scalars(select(tables.batches.c.batch)))
        assert len(names) >= 10
        for name in names:
            document = exporter.journey(conn, name, viewer=OPERATOR, created=datetime.now(UTC))
            assert document is not None and document["epcisBody"]["eventList"], name
            assert schema_errors(document) == [], name
            whole = {e["eventID"]: e for e in document["epcisBody"]["eventList"]}
            for org in parties(conn, name):
                mine = exporter.journey(conn, name, viewer=Viewer(org), created=datetime.now(UTC))
                assert mine is not None and mine["epcisBody"]["eventList"], (name, org)
                assert schema_errors(mine) == [], (name, org)
                for event in mine["epcisBody"]["eventList"]:
                    assert event in (whole[event["eventID"]], public_form(whole[event["eventID"]]))


def test_the_whole_demo_season_validates(demo: Service, exporter: Exporter) -> None:
    with demo.engine.connect() as conn:
        events = everything(conn, exporter, OPERATOR)
        statements = len(set(conn.scalars(select(tables.batch_events.c.seq))))
    assert len(events) == statements
    kinds = {e["gitrace:statement"] for e in events}
    assert {"label.issue", "label.void", "label.sell", "batch.process", "shipment.reject"} <= kinds


def test_the_demo_labels_are_counted_when_issued_and_listed_only_when_voided_or_sold(
        demo: Service, exporter: Exporter) -> None:
    """Even the operator's export lists no label that was only issued: a label.issue is its
    count of the lot's trade items; a void or a sale lists exactly its serials."""
    lab, iss = tables.labels.c, tables.label_issues.c
    with demo.engine.connect() as conn:
        events = everything(conn, exporter, OPERATOR)
        labels = conn.execute(select(lab.serial, lab.gtin, lab.status, lab.status_seq)).all()
        counts = dict(conn.execute(select(iss.seq, iss.count)).all())
    text = json.dumps(events)
    assert [lab.serial for lab in labels if lab.status == "issued" and lab.serial in text] == []
    issued = [e for e in events if e["gitrace:statement"] == "label.issue"]
    assert len(issued) == len(counts) >= 2
    for event in issued:
        assert "epcList" not in event
        assert [q["quantity"] for q in event["quantityList"]] == [counts[event["gitrace:seq"]]]
    for event in events:
        if event["gitrace:statement"] in ("label.void", "label.sell"):
            assert sorted(parse_sgtin(uri) for uri in event["epcList"]) == sorted(
                (lab.gtin, lab.serial) for lab in labels if lab.status_seq == event["gitrace:seq"])
    assert {lab.status for lab in labels} == {"issued", "void", "sold"}


def test_each_demo_organisation_gets_its_batches_events_and_its_own_values(
        demo: Service, exporter: Exporter) -> None:
    """Each org gets the public events of the batches it is party to, in their public form but
    for the statements it signed; every shipment naming it, whole, and no other; label voids
    and sales it signed or whose labels it issued, and no other."""
    with demo.engine.connect() as conn:
        operator = everything(conn, exporter, OPERATOR)
        orgs = list(conn.scalars(select(tables.orgs.c.org)))
        party = {org: {b for b in conn.scalars(select(tables.batches.c.batch))
                       if org in parties(conn, b)} for org in orgs}
        mine = {org: everything(conn, exporter, Viewer(org)) for org in orgs}
    issuers = {b: e["gitrace:actor"] for e in operator if e["gitrace:statement"] == "label.issue"
               for b in e["gitrace:batches"]}
    for org in orgs:
        me = org_uri(exporter, org)

        def gets(event: dict[str, Any], org: str = org, me: str = me) -> bool:
            statement = event["gitrace:statement"]
            if statement.startswith("shipment."):
                return me in {s["source"] for s in event["sourceList"]} \
                    | {d["destination"] for d in event["destinationList"]}
            if statement in ("label.void", "label.sell"):
                return me == event["gitrace:actor"] or me in {issuers[b] for b in event["gitrace:batches"]}
            return bool(party[org] & set(event["gitrace:batches"]))

        expected = [e if e["gitrace:statement"] in CONFIDENTIAL_TYPES or e["gitrace:actor"] == me
                    else public_form(e) for e in operator if gets(e)]
        assert mine[org] == expected, org
    assert sum(len(events) for events in mine.values()) > 0
    assert all(len(events) < len(operator) for events in mine.values())
    shipped = [org for org, events in mine.items()
               if any(e["gitrace:statement"] == "shipment.send" for e in events)]
    assert len(shipped) >= 4


def test_the_rejected_and_the_recalled_deliveries_read_as_cbv_says(demo: Service,
                                                                   exporter: Exporter) -> None:
    with demo.engine.connect() as conn:
        events = everything(conn, exporter, OPERATOR)
    [reject] = [e for e in events if e["gitrace:statement"] == "shipment.reject"]
    assert (reject["bizStep"], reject["disposition"]) == ("receiving", "returned")
    assert "水分" in reject["gitrace:reason"]
    [recall] = [e for e in events if e["gitrace:statement"] == "batch.recall"]
    assert recall["disposition"] == "recalled"
    assert sorted(b.split("-")[0] for b in recall["gitrace:batches"]) == ["jinhe", "longfeng"]
