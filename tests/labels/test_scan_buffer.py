"""Scans written in batches (scan_buffer.py): counted before they are written, never twice while
a write commits, kept when a write fails, placed once written, and written at the interval."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from gi_trace.labels import scan_buffer, scan_fold
from gi_trace.labels.scan_buffer import ScanBuffer
from gi_trace.labels.scans import ScanHistory, ScanPolicy, history, write_scans
from gi_trace.labels.tables import metadata, scans
from gi_trace.ledger.database import make_engine

POLICY = ScanPolicy(max_count=2, max_after_sale=5, max_speed_kmh=300, min_distance_km=50)
SERIAL, OTHER = "SNA-1000000001", "SNA-1000000002"


class Timers:
    """Stands in for threading.Timer: remembers what was scheduled, runs it only when told."""

    def __init__(self) -> None:
        self.scheduled: list[Callable[[], None]] = []

    def __call__(self, interval: float, function: Callable[[], None]) -> Any:
        timers = self

        class Timer:
            daemon = False

            def start(self) -> None:
                timers.scheduled.append(function)
        return Timer()

    def fire(self) -> None:
        due, self.scheduled = self.scheduled, []
        for function in due:
            function()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path}/scans.db")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def timers() -> Timers:
    return Timers()


@pytest.fixture
def buffer(engine: Engine, timers: Timers) -> Iterator[ScanBuffer]:
    found = ScanBuffer(engine, timer=timers)
    yield found
    found.flush()


def seen(engine: Engine, buffer: ScanBuffer, serial: str = SERIAL,
         sold_at: int | None = None) -> ScanHistory:
    unwritten, maybe_written = buffer.unwritten(serial)
    with engine.connect() as conn:
        return history(conn, serial, POLICY, sold_at=sold_at, unwritten=unwritten,
                       maybe_written=maybe_written)


def rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(scans)) or 0)


def test_scans_not_yet_written_count_towards_copy_detection(engine: Engine, buffer: ScanBuffer) -> None:
    for at in (300, 100, 200):
        buffer.record(SERIAL, at)
    buffer.record(OTHER, 50)
    assert rows(engine) == 0
    found = seen(engine, buffer, sold_at=150)
    assert (found.count, found.first_at, found.after_sale) == (3, 100, 2)
    assert found.suspicions(POLICY) == ["scanned-too-often"]
    buffer.flush()
    assert rows(engine) == 4 and buffer.unwritten(SERIAL) == ([], [])
    assert (seen(engine, buffer, sold_at=150).count, seen(engine, buffer).first_at) == (3, 100)


def test_a_scan_is_counted_once_while_its_write_commits(engine: Engine, buffer: ScanBuffer) -> None:
    taken = [buffer.record(SERIAL, 100), buffer.record(SERIAL, 101)]
    # The moment after the write committed and before the buffer let go of the scans it wrote:
    with buffer._lock:
        buffer._writing, buffer._pending = buffer._pending, {}
    with engine.begin() as conn:
        write_scans(conn, taken)
    buffer.record(SERIAL, 102)
    assert rows(engine) == 2 and seen(engine, buffer).count == 3
    with buffer._lock:
        buffer._writing = {}
    assert seen(engine, buffer).count == 3


def test_a_failed_write_keeps_its_scans_for_the_next(engine: Engine, buffer: ScanBuffer, timers: Timers,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    def locked(conn: Any, written: Any) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))
    buffer.record(SERIAL, 100)
    buffer.record(SERIAL, 101)
    monkeypatch.setattr(scan_buffer, "write_scans", locked)
    with caplog.at_level(logging.ERROR, logger=scan_buffer.__name__):
        timers.fire()
    assert "could not write 2 scans" in caplog.text
    assert rows(engine) == 0 and seen(engine, buffer).count == 2
    assert timers.scheduled  # a retry is scheduled
    monkeypatch.setattr(scan_buffer, "write_scans", write_scans)
    timers.fire()
    assert rows(engine) == 2 and seen(engine, buffer).count == 2


def test_a_failed_write_over_the_bound_is_dropped_and_said(engine: Engine, buffer: ScanBuffer,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    def locked(conn: Any, written: Any) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))
    monkeypatch.setattr(scan_buffer, "MAX_UNWRITTEN", 1)
    monkeypatch.setattr(scan_buffer, "write_scans", locked)
    buffer.record(SERIAL, 100)
    buffer.record(SERIAL, 101)
    with caplog.at_level(logging.ERROR, logger=scan_buffer.__name__):
        buffer.flush()
    assert "2 scans dropped" in caplog.text
    assert buffer.unwritten(SERIAL) == ([], [])


def test_one_write_is_scheduled_per_batch(buffer: ScanBuffer, timers: Timers, engine: Engine) -> None:
    for at in range(5):
        buffer.record(SERIAL, at)
    assert len(timers.scheduled) == 1
    timers.fire()
    assert rows(engine) == 5 and not timers.scheduled
    buffer.record(SERIAL, 9)
    assert len(timers.scheduled) == 1


def test_a_place_for_a_buffered_scan_writes_it_first(engine: Engine, buffer: ScanBuffer) -> None:
    token = buffer.record(SERIAL, 100).token
    assert buffer.add_place(token, 45.7512, 126.6345)
    assert not buffer.add_place(token, 39.9, 116.4)  # one place per scan
    assert not buffer.add_place("no-such-token", 1, 1)
    with engine.connect() as conn:
        assert conn.execute(select(scans.c.lat, scans.c.lon)).one() == (45.8, 126.6)


def test_the_real_timer_writes_within_the_interval(engine: Engine) -> None:
    buffer = ScanBuffer(engine, interval=0.01)
    buffer.record(SERIAL, 100)
    for _ in range(200):
        if rows(engine) == 1:
            break
        time.sleep(0.01)
    assert rows(engine) == 1


def test_a_database_fault_is_logged_once_and_once_more_when_it_ends(
        engine: Engine, buffer: ScanBuffer, timers: Timers, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def gone(conn: Any, written: Any) -> None:
        raise OperationalError("INSERT", {}, Exception("server closed the connection\nunexpectedly"))
    monkeypatch.setattr(scan_buffer, "write_scans", gone)
    with caplog.at_level(logging.INFO, logger=scan_buffer.__name__):
        for at in range(50):  # five seconds of a fault: a write every tenth of a second
            buffer.record(SERIAL, at)
            timers.fire()
        assert [r.levelname for r in caplog.records] == ["ERROR"]
        assert "could not write 1 scans" in caplog.text and not caplog.records[0].exc_info
        monkeypatch.setattr(scan_buffer, "write_scans", write_scans)
        timers.fire()
        buffer.record(SERIAL, 99)
        timers.fire()
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]
    assert "50 writes failed, 0 scans dropped" in caplog.records[1].getMessage()
    assert rows(engine) == 51


def test_a_write_runs_the_fold_when_one_is_due(engine: Engine, timers: Timers) -> None:
    class Due:
        def __init__(self) -> None:
            self.folds = 0

        def due(self) -> bool:
            return True

        def fold(self) -> Any:
            self.folds += 1
            return scan_fold.Folded(0, 0)
    folder = Due()
    buffer = ScanBuffer(engine, timer=timers, folder=folder)  # type: ignore[arg-type]
    buffer.flush()
    assert folder.folds == 0  # nothing written, nothing to fold
    buffer.record(SERIAL, 1)
    timers.fire()
    assert folder.folds == 1
