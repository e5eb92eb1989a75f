"""One client's scans past its limit still get their verdict, but are not recorded and do not
count towards copy detection; other clients are counted; behind a proxy the client is the
forwarded address; and the service folds old scans in the background after a write."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select

from gi_trace.api.scan import SCANNER
from gi_trace.labels.scan_fold import DAY
from gi_trace.labels.tables import scan_days, scans
from tests.api.test_scan import link, scanning, template, verdict

__all__ = ["scanning", "template"]


def rows(service: Any, table: Any = scans) -> int:
    with service.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def flush(client: Any) -> None:
    client.application.extensions[SCANNER].buffer.flush()


@pytest.mark.settings(scan_limit_per_minute=3, scan_max_count=3)
def test_past_its_limit_a_client_gets_the_verdict_but_its_scan_is_not_recorded(scanning: Any) -> None:
    world, service, client = scanning
    answers = [verdict(client, link(signer=world.coop_a)) for _ in range(10)]
    assert [a["verdict"] for a in answers] == ["GENUINE"] * 10  # a flood does not make it WARNING
    assert [a["scans"]["count"] for a in answers] == [1, 2, 3] + [3] * 7
    assert all(a["scans"]["token"] for a in answers[:3]) and not any(a["scans"]["token"]
                                                                     for a in answers[3:])
    flush(client)
    assert rows(service) == 3
    client.environ_base["REMOTE_ADDR"] = "198.51.100.9"  # another client is counted
    assert verdict(client, link(signer=world.coop_a))["verdict"] == "WARNING"
    flush(client)
    assert rows(service) == 4


@pytest.mark.settings(scan_limit_per_minute=1, proxy_hops=1)
def test_behind_a_proxy_the_limit_keys_on_the_forwarded_client(scanning: Any) -> None:
    world, service, client = scanning
    for address in ("203.0.113.1", "203.0.113.1", "203.0.113.2"):
        resp = client.get(link(signer=world.coop_a), headers={"Accept": "application/json",
                                                               "X-Forwarded-For": address})
        assert resp.status_code == 200
    flush(client)
    assert rows(service) == 2


def test_the_service_folds_old_scans_after_a_write(scanning: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    world, service, client = scanning
    scanner = client.application.extensions[SCANNER]
    now = [time.time()]
    for clocked in (scanner, scanner.buffer.folder):  # the scans' time and the fold's
        monkeypatch.setattr(clocked, "_clock", lambda: now[0])
    verdict(client, link(signer=world.coop_a))
    flush(client)  # a fold ran (nothing old yet) and the next is an hour away
    assert rows(service) == 1 and rows(service, scan_days) == 0
    now[0] += 31 * DAY
    verdict(client, link(signer=world.coop_a))
    flush(client)
    assert rows(service) == 1 and rows(service, scan_days) == 1  # the first scan, folded
    assert verdict(client, link(signer=world.coop_a))["scans"]["count"] == 3
