"""An hour-long scan flood from one client, fast-forwarded: does storage stay flat?

One client replays one genuine code at `rate` requests a second for an hour of simulated
time (the clock is fast-forwarded; nothing sleeps). Every request goes through what the
scan route does for storage: the per-client limit (labels/scan_limit.py, the service's
default settings) decides whether the scan is recorded, recorded scans go through the scan
buffer (labels/scan_buffer.py), written once a simulated second, with the background fold
due once an hour. Rows and database bytes are sampled every ten simulated minutes, and the
same first simulated minute is run without the limit, for comparison.

    python -m bench.scan_flood [--rate 1000] [--minutes 60] [--db sqlite|URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from gi_trace.labels.scan_buffer import ScanBuffer
from gi_trace.labels.scan_fold import Folder
from gi_trace.labels.scan_limit import ScanLimiter
from gi_trace.labels.tables import scan_days, scans
from gi_trace.ledger.database import make_engine
from gi_trace.migrate import upgrade
from gi_trace.settings import Settings

from .machine import load_average

SERIAL = "FLOOD00000000001"
CLIENT = "203.0.113.66"
START = 1_900_000_000.0
SAMPLE_EVERY = 600  # simulated seconds


@dataclass(frozen=True)
class Sample:
    minute: int
    requests: int
    rows: int
    db_bytes: int


@dataclass(frozen=True)
class FloodRun:
    database: str
    rate: int
    limited: list[Sample]
    unlimited: Sample  # the first simulated minute without the limit
    seconds: float  # wall-clock time of the whole run

    def markdown(self) -> list[str]:
        first = self.limited[1] if len(self.limited) > 1 else self.limited[0]
        lines = [f"One client at {self.rate:,} scans/s of one genuine code, {self.database}, default "
                 f"limits ({Settings.scan_limit_per_minute}/minute, {Settings.scan_limit_per_day:,}/day "
                 f"a process): {self.seconds:.0f} s of wall time for "
                 f"{self.limited[-1].minute} simulated minutes.", "",
                 "| simulated minute | requests | scan rows | database bytes |", "|---:|---:|---:|---:|"]
        lines += [f"| {s.minute} | {s.requests:,} | {s.rows:,} | {s.db_bytes:,} |" for s in self.limited]
        u = self.unlimited
        lines += ["", f"Without the limit, the first minute alone wrote {u.rows:,} rows "
                      f"({u.db_bytes:,} bytes), against {first.rows:,} rows after "
                      f"{first.minute} minutes with it."]
        return lines


class _Manual:
    """A timer that runs only when the simulation flushes (no thread, no sleeping)."""

    def __init__(self, interval: float, function: Callable[[], None]) -> None:
        self.daemon = True

    def start(self) -> None:
        pass


def _db_bytes(engine: Engine) -> int:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar() or 0
            size = conn.exec_driver_sql("PRAGMA page_size").scalar() or 0
            return int(pages) * int(size)
        return int(conn.scalar(text("SELECT pg_total_relation_size('gi_scans') + "
                                    "pg_total_relation_size('gi_scan_days')")) or 0)


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return sum(int(conn.scalar(select(func.count()).select_from(t)) or 0) for t in (scans, scan_days))


def _flood(engine: Engine, rate: int, minutes: int, limiter: ScanLimiter) -> list[Sample]:
    settings = Settings()
    clock = [START]
    buffer = ScanBuffer(engine, timer=_Manual,  # type: ignore[arg-type]
                        folder=Folder(engine, settings.scan_retention_days, clock=lambda: clock[0]))
    samples, requests = [Sample(0, 0, _rows(engine), _db_bytes(engine))], 0
    for second in range(minutes * 60):
        for i in range(rate):
            now = START + second + i / rate
            if limiter.allow(CLIENT, now):
                buffer.record(SERIAL, int(now))
        requests += rate
        clock[0] = START + second + 1
        buffer.flush()
        if (second + 1) % SAMPLE_EVERY == 0 or second + 1 == minutes * 60:
            samples.append(Sample((second + 1) // 60, requests, _rows(engine), _db_bytes(engine)))
    return samples


def _fresh(database: str, scratch: Path, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{scratch}/{name}.db" if database == "sqlite" else database)
    upgrade(engine)
    if database != "sqlite":
        with engine.begin() as conn:
            conn.execute(scans.delete())
            conn.execute(scan_days.delete())
    return engine


def measure(database: str = "sqlite", *, rate: int = 1000, minutes: int = 60,
            scratch: Path | None = None) -> FloodRun:
    """`database`: "sqlite" (a scratch file) or a PostgreSQL URL whose scan tables are emptied."""
    started = time.monotonic()
    scratch = scratch or Path(tempfile.mkdtemp(prefix="gi-trace-flood-"))
    settings = Settings()
    limited = _fresh(database, scratch, "limited")
    try:
        samples = _flood(limited, rate, minutes,
                         ScanLimiter(settings.scan_limit_per_minute, settings.scan_limit_per_day))
    finally:
        limited.dispose()
    unlimited_engine = _fresh(database, scratch, "unlimited")
    try:
        unlimited = _flood(unlimited_engine, rate, 1, ScanLimiter(0, 0))[-1]
    finally:
        unlimited_engine.dispose()
    name = "SQLite" if database == "sqlite" else "PostgreSQL"
    return FloodRun(name, rate, samples, unlimited, time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scan_flood", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--db", default="sqlite",
                        help="sqlite, or a PostgreSQL URL (its scan tables emptied)")
    args = parser.parse_args()
    before = load_average()
    run = measure(args.db, rate=args.rate, minutes=args.minutes)
    print("\n".join(run.markdown()))
    print(f"\nload average before {before}, after {load_average()}")


if __name__ == "__main__":
    main()
