"""Every EPCIS document of the demo (`gi-trace demo`) validates against GS1's schema: each
batch's journey, and the whole season; and GS1's own examples pass the same validator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from gi_trace.cli.demo import genesis, load
from gi_trace.domain import tables
from gi_trace.domain.epcis.export import Exporter
from gi_trace.service import Service, initialize, open_service
from tests.epcis_schema import epcis_dir, schema_errors
from tests.support import instance_settings

EVER = datetime(2000, 1, 1, tzinfo=UTC)


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


def test_every_batch_journey_of_the_demo_validates(demo: Service, exporter: Exporter) -> None:
    with demo.engine.connect() as conn:
        names = list(conn.scalars(select(tables.batches.c.batch)))
        assert len(names) >= 10
        for name in names:
            document = exporter.journey(conn, name, visible_to=None, created=datetime.now(UTC))
            assert document is not None and document["epcisBody"]["eventList"], name
            assert schema_errors(document) == [], name


def test_the_whole_demo_season_validates(demo: Service, exporter: Exporter) -> None:
    with demo.engine.connect() as conn:
        document, more = exporter.period(conn, EVER, None, visible_to=None,
                                         created=datetime.now(UTC), limit=500)
        statements = len(set(conn.scalars(select(tables.batch_events.c.seq))))
    assert more is None
    assert schema_errors(document) == []
    assert len(document["epcisBody"]["eventList"]) == statements
    kinds = {e["gitrace:statement"] for e in document["epcisBody"]["eventList"]}
    assert {"label.issue", "label.void", "label.sell", "batch.process", "shipment.reject"} <= kinds


def test_each_demo_organisation_gets_a_valid_document_of_its_own(demo: Service,
                                                                 exporter: Exporter) -> None:
    with demo.engine.connect() as conn:
        orgs = list(conn.scalars(select(tables.orgs.c.org)))
        for org in orgs:
            document, _ = exporter.period(conn, EVER, None, visible_to=org,
                                          created=datetime.now(UTC), limit=500)
            assert schema_errors(document) == [], org


def test_the_rejected_and_the_recalled_deliveries_read_as_cbv_says(demo: Service,
                                                                   exporter: Exporter) -> None:
    with demo.engine.connect() as conn:
        document, _ = exporter.period(conn, EVER, None, visible_to=None, created=datetime.now(UTC),
                                      limit=500)
    events = document["epcisBody"]["eventList"]
    [reject] = [e for e in events if e["gitrace:statement"] == "shipment.reject"]
    assert (reject["bizStep"], reject["disposition"]) == ("receiving", "returned")
    assert "水分" in reject["gitrace:reason"]
    [recall] = [e for e in events if e["gitrace:statement"] == "batch.recall"]
    assert recall["disposition"] == "recalled"
    assert sorted(b.split("-")[0] for b in recall["gitrace:batches"]) == ["jinhe", "longfeng"]
