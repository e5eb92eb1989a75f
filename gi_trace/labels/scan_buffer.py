"""Scans are written in batches: one transaction every tenth of a second, not one per scan.

A scan is an observation beside the log, and writing each in its own transaction
made every verdict wait for a commit (an fsync on SQLite) and for the single
writer's lock the ledger's appends also need. Instead each process keeps the
scans of the last `interval` seconds in memory and one short-lived timer thread
writes them in one transaction. Copy detection still counts every scan: the
verdict adds this process's unwritten scans of the label to what the table holds
(`unwritten`); another process's are at most `interval` late.

What a crash loses is the buffer: at most `interval` seconds of one process's
scans (their counts, and the places the phones would have added to them). A
clean stop (gunicorn's SIGTERM, the interpreter's exit) writes it first.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from .scans import Scan, add_place, new_scan, write_scans

FLUSH_INTERVAL = 0.1        # seconds a scan may wait in memory
MAX_UNWRITTEN = 100_000     # scans kept for a retry while the database refuses writes

log = logging.getLogger(__name__)


class ScanBuffer:
    def __init__(self, engine: Engine, *, interval: float = FLUSH_INTERVAL,
                 timer: Callable[[float, Callable[[], None]], threading.Timer] = threading.Timer) -> None:
        self.engine, self.interval = engine, interval
        self._timer = timer
        self._lock = threading.Lock()           # guards the two dicts below and `_scheduled`
        self._flushing = threading.Lock()       # one write at a time
        self._pending: dict[str, list[Scan]] = {}   # by serial, not yet taken by a write
        self._writing: dict[str, list[Scan]] = {}   # taken by the write under way
        self._scheduled = False
        self._at_exit = False

    def record(self, serial: str, at: int) -> Scan:
        """Note a scan; it is written within `interval` seconds."""
        scan = new_scan(serial, at)
        with self._lock:
            self._pending.setdefault(serial, []).append(scan)
            schedule, self._scheduled = not self._scheduled, True
        if schedule:
            self._schedule()
        return scan

    def unwritten(self, serial: str) -> tuple[list[Scan], list[str]]:
        """This process's scans of `serial` that may not be in the table yet, and the tokens of
        those a write under way may have committed already (see scans.history)."""
        with self._lock:
            writing = self._writing.get(serial, [])
            return [*writing, *self._pending.get(serial, [])], [s.token for s in writing]

    def backlog(self) -> int:
        """How many scans are not written yet (pending or being written): the metrics' gauge."""
        with self._lock:
            return sum(len(scans) for by_serial in (self._pending, self._writing)
                       for scans in by_serial.values())

    def flush(self) -> None:
        """Write every pending scan now, in one transaction."""
        with self._flushing:
            with self._lock:
                self._writing, self._pending = self._pending, {}
                self._scheduled = False
            batch = [scan for scans in self._writing.values() for scan in scans]
            failed = False
            if batch:
                try:
                    with self.engine.begin() as conn:
                        write_scans(conn, batch)
                except Exception:  # the database refused (locked, gone): retry with the next write
                    log.exception("could not write %d scans", len(batch))
                    failed = True
            with self._lock:
                if failed:
                    self._requeue(batch)
                self._writing = {}
                schedule = bool(self._pending) and not self._scheduled
                self._scheduled = self._scheduled or schedule
            if schedule:
                self._schedule()

    def add_place(self, token: str, lat: float, lon: float) -> bool:
        """Attach a coarse place to a scan; one still in this buffer is written first. (A scan
        another process has not written yet is not found: the page asks for a place only when
        the person presses its button, long after the scan was written.)"""
        with self._lock:
            buffered = any(s.token == token for by_serial in (self._pending, self._writing)
                           for scans in by_serial.values() for s in scans)
        if buffered:
            self.flush()
        with self.engine.begin() as conn:
            return add_place(conn, token, lat, lon)

    def _requeue(self, batch: list[Scan]) -> None:
        """Put a failed batch back in front of the pending scans (the lock is held)."""
        kept = sum(len(scans) for scans in self._pending.values())
        if kept + len(batch) > MAX_UNWRITTEN:
            log.error("%d scans dropped: %d more are still waiting to be written", len(batch), kept)
            return
        for serial, scans in self._writing.items():
            self._pending[serial] = scans + self._pending.get(serial, [])

    def _schedule(self) -> None:
        if not self._at_exit:  # at the first scan: a clean exit writes what is left
            self._at_exit = True
            atexit.register(self.flush)
        timer = self._timer(self.interval, self.flush)
        timer.daemon = True
        timer.start()
