"""Folding old scans (scan_fold.py) changes no verdict: each label's count, first scan, scans after
its sale and far-apart places, the copied codes flagged and the scans per day are the same before
and after, on SQLite and PostgreSQL; the rows folded are gone, and a late scan of a folded day is
added to it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from gi_trace.domain import tables as domain_tables
from gi_trace.labels import scan_stats
from gi_trace.labels.scan_fold import DAY, Folder, cutoff, fold
from gi_trace.labels.scans import PLACED_SCANS_CHECKED, Scan, ScanPolicy, history, write_scans
from gi_trace.labels.tables import scan_days, scan_places, scans
from gi_trace.ledger.database import make_engine
from gi_trace.ledger.statement import format_ts
from gi_trace.migrate import upgrade

POLICY = ScanPolicy(max_count=50, max_after_sale=5, max_speed_kmh=300, min_distance_km=50)
START = 1_700_000_000 // DAY * DAY + 3600  # 01:00 UTC on some day
SOLD_AT = START + DAY + 7200
HARBIN, BEIJING = (45.7, 126.6), (39.9, 116.4)
# serial → sold at (None: not sold)
LABELS = {"COPIED-0000001": None, "SOLD-000000001": SOLD_AT, "PLACED-0000001": None,
          "ONCE-000000001": None, "FAR-0000000001": None}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(domain_tables.labels.insert(), [
            {"serial": serial, "gtin": "06931234000012", "batch": "b-1", "lot": "L1", "issuer": "coop",
             "key": "k", "sig": "s", "status": "issued" if sold is None else "sold", "issue_seq": i,
             "issue_ts": format_ts(datetime.fromtimestamp(START - DAY, UTC)), "idx": 0,
             "status_ts": None if sold is None else format_ts(datetime.fromtimestamp(sold, UTC))}
            for i, (serial, sold) in enumerate(LABELS.items())])
    yield engine
    engine.dispose()


def scan_rows() -> list[tuple[str, int, tuple[float, float] | None]]:
    """Scans over four days: a copied code, a sold one scanned across its sale, one placed
    more often than the far-apart check reads (an old far pair beyond them, ties in time), one
    scanned once, and one whose far pair is among its latest places."""
    rng = random.Random(7)
    found: list[tuple[str, int, tuple[float, float] | None]] = []
    found += [("COPIED-0000001", START + rng.randrange(4 * DAY), None) for _ in range(60)]
    found += [("SOLD-000000001", SOLD_AT + offset, None) for offset in
              (-DAY, -60, -1, 0, 1, 3600, DAY, DAY + 5, 2 * DAY - 3700)]
    found += [("PLACED-0000001", START + 100, BEIJING), ("PLACED-0000001", START + 200, HARBIN)]
    found += [("PLACED-0000001", START + DAY + 60 * (i // 2), HARBIN)  # two a minute: ties
              for i in range(2 * PLACED_SCANS_CHECKED)]
    found += [("PLACED-0000001", START + 2 * DAY + i, None) for i in range(3)]
    found += [("ONCE-000000001", START + 3 * DAY, None)]
    found += [("FAR-0000000001", START + 10, HARBIN), ("FAR-0000000001", START + 610, BEIJING),
              ("FAR-0000000001", START + 3 * DAY, None)]
    return found


def store(engine: Engine, rows: list[tuple[str, int, tuple[float, float] | None]]) -> None:
    with engine.begin() as conn:
        write_scans(conn, [Scan(f"t{i}-{at}", serial, at) for i, (serial, at, _) in enumerate(rows)])
        for i, (_, at, place) in enumerate(rows):
            if place is not None:
                conn.execute(scans.update().where(scans.c.token == f"t{i}-{at}")
                             .values(lat=place[0], lon=place[1]))


def verdicts(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        seen = {serial: history(conn, serial, POLICY, sold_at=sold) for serial, sold in LABELS.items()}
        return {"histories": seen,
                "suspicions": {serial: h.suspicions(POLICY) for serial, h in seen.items()},
                "copies": scan_stats.flagged_copies(conn, POLICY),
                "by_day": scan_stats.by_day(conn, datetime.fromtimestamp(START - DAY, UTC),
                                            datetime.fromtimestamp(START + 6 * DAY, UTC))}


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_verdicts_are_the_same_before_and_after_folding(engine: Engine) -> None:
    store(engine, scan_rows())
    before = verdicts(engine)
    assert before["suspicions"] == {"COPIED-0000001": ["scanned-too-often"],
                                    "SOLD-000000001": ["scanned-after-sale"],
                                    "PLACED-0000001": ["scanned-too-often"],
                                    "ONCE-000000001": [], "FAR-0000000001": ["far-apart"]}
    done = fold(engine, before=(START // DAY + 2) * DAY)  # two days folded, the rest still rows
    assert done.days == 2 and 0 < done.scans < len(scan_rows())
    assert verdicts(engine) == before
    fold(engine, before=START + 10 * DAY)  # everything
    assert count(engine, scans) == 0
    assert count(engine, scan_places) == PLACED_SCANS_CHECKED + 2  # PLACED's latest, FAR's two
    assert verdicts(engine) == before


def test_a_late_scan_of_a_folded_day_is_added_to_it(engine: Engine) -> None:
    store(engine, [("ONCE-000000001", START + 10, None), ("ONCE-000000001", START + 20, None)])
    fold(engine, before=START + DAY)
    store(engine, [("ONCE-000000001", START + 5, None)])  # a write retried after a fault
    assert fold(engine, before=START + DAY).scans == 1
    with engine.connect() as conn:
        row = conn.execute(select(scan_days)).one()
        seen = history(conn, "ONCE-000000001", POLICY, sold_at=None)
    assert (row.scans, row.first_at, row.last_at) == (3, START + 5, START + 20)
    assert (seen.count, seen.first_at) == (3, START + 5)


def test_nothing_within_the_retention_is_folded(engine: Engine) -> None:
    now = START + 40 * DAY
    store(engine, [("ONCE-000000001", now - 29 * DAY, None), ("ONCE-000000001", now - 31 * DAY, None)])
    assert cutoff(now, 30) <= now - 30 * DAY and cutoff(now, 30) % DAY == 0
    assert fold(engine, before=cutoff(now, 30)).scans == 1
    assert count(engine, scans) == 1


def test_the_background_fold_runs_at_most_once_an_interval(engine: Engine) -> None:
    clock = [float(START + 40 * DAY)]
    folder = Folder(engine, 30, clock=lambda: clock[0], every=3600)
    assert folder.due() and not folder.due()
    clock[0] += 3599
    assert not folder.due()
    clock[0] += 1
    assert folder.due()
    store(engine, [("ONCE-000000001", START, None)])
    assert folder.fold().scans == 1
