"""The scan on PostgreSQL: the label's lineage and proof read the same from it as from SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gi_trace.api.scan import SCANNER
from gi_trace.service import initialize, open_service
from tests.api.helpers import serving
from tests.api.test_scan import verdict
from tests.api.test_scan_journey import chain, rice_link, shipments
from tests.api.test_scan_proof import verify_scan_proof
from tests.domain.world import World, recall, serials
from tests.support import instance_settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_scanning(postgres_url: str, tmp_path: Path) -> Iterator[tuple[World, Any, Any]]:
    world = World()
    settings = replace(instance_settings(tmp_path, world.regulator.register_self()),
                       database_url=postgres_url)
    initialize(settings)
    service = open_service(settings)
    try:
        service.log.append([*world.setup(), *chain(world)])
        with serving(settings) as app:
            yield world, service, app.test_client()
            app.extensions[SCANNER].buffer.flush()  # before the scratch database goes
    finally:
        service.engine.dispose()


def test_a_sold_labels_verdict_journey_and_proof_on_postgres(pg_scanning: Any) -> None:
    world, service, client = pg_scanning
    sold = verdict(client, rice_link(world, serials("R-1", 1)[0]))
    assert [r["code"] for r in sold["reasons"]] == ["sold"]
    assert shipments(sold) == [("coop-a", "mill"), ("mill", "shop-1")]
    assert sold["batch"]["harvested"] == "2026-09-20"
    verify_scan_proof(sold)
    service.log.append([recall(world.regulator, "A-3", "mould")])
    recalled = verdict(client, rice_link(world, serials("R-1", 2)[1]))
    assert (recalled["verdict"], recalled["reasons"][0]["code"]) == ("RECALLED", "recalled")
    verify_scan_proof(recalled)
    forged = verdict(client, rice_link(world, serials("R-1", 2)[1]).replace("?s=", "?s=AA"))
    assert (forged["verdict"], forged["proof"], forged["scans"]) == ("INVALID", None, None)
