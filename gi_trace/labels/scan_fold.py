"""Old scans folded into per-label daily counts, so that scans do not grow storage forever.

A scan row is kept for the retention (GI_TRACE_SCAN_RETENTION_DAYS, 30): long enough for
its place to be added and for a regulator to look at recent scans one by one. After that,
copy detection needs only a label's count, first scan and scans after its sale, and its
latest placed scans (the far-apart check reads no more than scans.PLACED_SCANS_CHECKED):
one `gi_scan_days` row per label and UTC day, and the latest placed scans of each label
in `gi_scan_places`. So every verdict is the same before and after folding, and a label's
folded history is at most one row a day plus a bounded number of places.

Each UTC day is folded in one transaction (the day's counts added, its rows deleted), so a
fold stopped half-way leaves nothing counted twice, and a late scan of a folded day (a
write retried after a database fault) is added at the next fold. One fold at a time: SQLite
has one writer, PostgreSQL takes an advisory lock of its own (never the log's append lock)
and a process that finds it taken lets the other fold.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    case,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from gi_trace.domain import tables as domain_tables
from gi_trace.ledger.statement import parse_ts

from .scans import PLACED_SCANS_CHECKED
from .tables import scan_days, scan_places, scans

DAY = 86400
FOLD_EVERY = 3600  # seconds between the background folds of one process
_LOCK_CLASS = 0x6769_7366  # PostgreSQL advisory lock class of the fold ("gisf")
_s, _d, _p = scans.c, scan_days.c, scan_places.c


@dataclass(frozen=True)
class Folded:
    days: int  # UTC days folded
    scans: int  # scan rows folded (and deleted)


def cutoff(now: int, retention_days: int) -> int:
    """Scans before this (a UTC midnight, at least `retention_days` ago) are folded."""
    return (now - retention_days * DAY) // DAY * DAY


def fold(engine: Engine, *, before: int) -> Folded:
    """Fold every scan before `before` (unix seconds), a day at a time, oldest first."""
    days = folded = 0
    while True:
        with _fold_transaction(engine) as conn:
            if conn is None:  # another process is folding
                break
            first = conn.scalar(select(func.min(_s.at)).where(_s.at < before))
            if first is None:
                break
            day = int(first) // DAY
            folded += _fold_day(conn, day, min((day + 1) * DAY, before))
            days += 1
    return Folded(days, folded)


@contextmanager
def _fold_transaction(engine: Engine) -> Iterator[Connection | None]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn
            return
        with conn.begin():
            locked = conn.scalar(text("SELECT pg_try_advisory_xact_lock(:cls, 0)"),
                                 {"cls": _LOCK_CLASS})
            yield conn if locked else None


def _fold_day(conn: Connection, day: int, end: int) -> int:
    """Add the scans of [day's midnight, end) to gi_scan_days and gi_scan_places, then delete
    them; the number of scans folded."""
    window = and_(_s.at >= day * DAY, _s.at < end)
    groups = conn.execute(select(_s.serial, func.count(), func.min(_s.at), func.max(_s.at))
                          .where(window).group_by(_s.serial)).all()
    after_sale = _after_sale(conn, window)
    existing = set(conn.scalars(select(_d.serial).where(
        (_d.day == day) & _d.serial.in_(select(_s.serial).where(window)))))
    rows = [{"serial": serial, "day": day, "scans": int(n), "first_at": int(first),
             "last_at": int(last), "after_sale": after_sale.get(serial, 0)}
            for serial, n, first, last in groups]
    new = [row for row in rows if row["serial"] not in existing]
    if new:
        conn.execute(insert(scan_days), new)
    for row in rows:
        if row["serial"] in existing:  # a late scan of a day folded before
            conn.execute(update(scan_days).where((_d.serial == row["serial"]) & (_d.day == day))
                         .values(scans=_d.scans + row["scans"], after_sale=_d.after_sale + row["after_sale"],
                                 first_at=case((_d.first_at < row["first_at"], _d.first_at),
                                               else_=row["first_at"]),
                                 last_at=case((_d.last_at > row["last_at"], _d.last_at),
                                              else_=row["last_at"])))
    _keep_places(conn, window)
    conn.execute(delete(scans).where(window))
    return sum(row["scans"] for row in rows)


def _after_sale(conn: Connection, window: ColumnElement[bool]) -> dict[str, int]:
    """Per sold label, its scans in the window at or after its sale (scans.history's count)."""
    lab = domain_tables.labels.c
    found: dict[str, int] = {}
    sold = conn.execute(select(_s.serial, _s.at, lab.status_ts)
                        .join(domain_tables.labels, lab.serial == _s.serial)
                        .where(window, lab.status == "sold", lab.status_ts.is_not(None)))
    for serial, at, status_ts in sold:
        if at >= int(parse_ts(status_ts).timestamp()):
            found[serial] = found.get(serial, 0) + 1
    return found


def _keep_places(conn: Connection, window: ColumnElement[bool]) -> None:
    """Move the window's placed scans to gi_scan_places, and keep there only each label's
    latest PLACED_SCANS_CHECKED (by time, then id: the order the far-apart check reads)."""
    placed = select(_s.id, _s.serial, _s.at, _s.lat, _s.lon).where(window, _s.lat.is_not(None),
                                                                    _s.lon.is_not(None))
    conn.execute(insert(scan_places).from_select(["id", "serial", "at", "lat", "lon"], placed))
    touched = conn.scalars(select(_p.serial).where(_p.serial.in_(placed.with_only_columns(_s.serial)))
                           .group_by(_p.serial).having(func.count() > PLACED_SCANS_CHECKED)).all()
    for serial in touched:
        kept = select(_p.id).where(_p.serial == serial).order_by(_p.at.desc(), _p.id.desc()) \
            .limit(PLACED_SCANS_CHECKED)
        conn.execute(delete(scan_places).where((_p.serial == serial) & _p.id.not_in(kept)))


class Folder:
    """Folds at most once every FOLD_EVERY seconds, when asked (by the scan buffer after a write)."""

    def __init__(self, engine: Engine, retention_days: int, *,
                 clock: Callable[[], float], every: float = FOLD_EVERY) -> None:
        self.engine, self.retention_days, self.every = engine, retention_days, every
        self._clock = clock
        self._lock = threading.Lock()
        self._next = 0.0

    def due(self) -> bool:
        """Whether a fold is due now; True once, to the caller that then runs it."""
        with self._lock:
            now = self._clock()
            if now < self._next:
                return False
            self._next = now + self.every
            return True

    def fold(self) -> Folded:
        return fold(self.engine, before=cutoff(int(self._clock()), self.retention_days))
