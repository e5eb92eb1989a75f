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

A database fault (gone, read-only, locked) makes every write fail ten times a
second until it ends: the buffer logs one line when such an episode starts and
one when writes succeed again (how long, how many writes failed, scans dropped),
never a traceback per attempt. After a write, it also runs the fold of old scans
(scan_fold.py) when one is due: at most once an hour a process.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from .scan_fold import Folder
from .scans import Scan, add_place, new_scan, write_scans

FLUSH_INTERVAL = 0.1        # seconds a scan may wait in memory
MAX_UNWRITTEN = 100_000     # scans kept for a retry while the database refuses writes

log = logging.getLogger(__name__)


@dataclass
class Fault:
    """A database fault under way: since when (monotonic), writes failed, scans dropped."""

    since: float
    failed_writes: int = 0
    dropped: int = 0


class ScanBuffer:
    def __init__(self, engine: Engine, *, interval: float = FLUSH_INTERVAL,
                 timer: Callable[[float, Callable[[], None]], threading.Timer] = threading.Timer,
                 folder: Folder | None = None) -> None:
        self.engine, self.interval, self.folder = engine, interval, folder
        self._timer = timer
        self.fault: Fault | None = None         # set by the flush that found the database failing
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
            failed: Exception | None = None
            if batch:
                try:
                    with self.engine.begin() as conn:
                        write_scans(conn, batch)
                except Exception as e:  # the database refused (locked, gone): retry with the next write
                    failed = e
            with self._lock:
                dropped = self._requeue(batch) if failed else 0
                self._writing = {}
                schedule = bool(self._pending) and not self._scheduled
                self._scheduled = self._scheduled or schedule
            if batch:
                self._episode(len(batch), failed, dropped)
            if schedule:
                self._schedule()
        if batch and not failed and self.folder is not None and self.folder.due():
            self._fold()

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

    def _requeue(self, batch: list[Scan]) -> int:
        """Put a failed batch back in front of the pending scans (the lock is held); how many
        scans were dropped instead, when MAX_UNWRITTEN would be passed."""
        kept = sum(len(scans) for scans in self._pending.values())
        if kept + len(batch) > MAX_UNWRITTEN:
            return len(batch)
        for serial, scans in self._writing.items():
            self._pending[serial] = scans + self._pending.get(serial, [])
        return 0

    def _episode(self, written: int, failed: Exception | None, dropped: int) -> None:
        """One line when a fault starts, one at its first drop, one when writes succeed again
        (only the flushing thread, under `_flushing`, calls this)."""
        if failed is None:
            if self.fault is not None:
                log.warning("scans are written again after %.1f s: %d writes failed, %d scans dropped",
                            time.monotonic() - self.fault.since, self.fault.failed_writes,
                            self.fault.dropped)
                self.fault = None
            return
        if self.fault is None:
            self.fault = Fault(time.monotonic())
            log.error("could not write %d scans, retrying every %.1f s until the database takes them: "
                      "%s", written, self.interval, _one_line(failed))
        if dropped and not self.fault.dropped:
            log.error("%d scans dropped: more than %d are waiting to be written", dropped, MAX_UNWRITTEN)
        self.fault.failed_writes += 1
        self.fault.dropped += dropped

    def _fold(self) -> None:
        assert self.folder is not None
        try:
            done = self.folder.fold()
        except Exception as e:  # the next due fold tries again; scans are not lost meanwhile
            log.error("could not fold old scans: %s", _one_line(e))
            return
        if done.scans:
            log.info("folded %d scans of %d days into daily counts", done.scans, done.days)

    def _schedule(self) -> None:
        if not self._at_exit:  # at the first scan: a clean exit writes what is left
            self._at_exit = True
            atexit.register(self.flush)
        timer = self._timer(self.interval, self.flush)
        timer.daemon = True
        timer.start()


def _one_line(error: Exception) -> str:
    """The error's class and first line (a driver's message can run to several)."""
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
