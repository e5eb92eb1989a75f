"""Scans as a regulator sees them: how many a day, where, and which codes look copied.

Places are the scans' own coarse places (0.1°, only when the phone shared one), grouped
further into whole-degree cells (about 100 km): enough to tell Harbin from Beijing, never
a shop. Copy detection is scans.py's: this only finds the codes worth asking it about.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from gi_trace.domain import tables
from gi_trace.ledger.statement import parse_ts

from .scans import ScanHistory, ScanPolicy, history
from .tables import scans

DAY = 86400
COPY_CANDIDATES = 500  # the most recently scanned codes with repeat scans that are checked
_s = scans.c


@dataclass(frozen=True)
class DayCount:
    day: str  # YYYY-MM-DD, UTC
    scans: int


@dataclass(frozen=True)
class PlaceCount:
    lat: int | None  # the whole-degree cell (floor); None for scans without a place
    lon: int | None
    scans: int


@dataclass(frozen=True)
class FlaggedCopy:
    serial: str
    batch: str
    issuer: str
    status: str
    scans: int
    reasons: list[str]


def by_day(conn: Connection, since: datetime, until: datetime) -> list[DayCount]:
    """Scans per UTC day in [since, until), every day listed, zeros included."""
    start, end = int(since.timestamp()) // DAY, -(-int(until.timestamp()) // DAY)
    day = (_s.at // DAY).label("day")
    counts = {int(d): int(n) for d, n in conn.execute(
        select(day, func.count()).where((_s.at >= start * DAY) & (_s.at < end * DAY)).group_by(day))}
    return [DayCount(datetime.fromtimestamp(d * DAY, UTC).strftime("%Y-%m-%d"), counts.get(d, 0))
            for d in range(start, end)]


def by_place(conn: Connection, since: datetime) -> list[PlaceCount]:
    """Scans since `since` per whole-degree cell, busiest first; unplaced scans as one row."""
    found: dict[tuple[int | None, int | None], int] = {}
    rows = conn.execute(select(_s.lat, _s.lon, func.count()).where(_s.at >= int(since.timestamp()))
                        .group_by(_s.lat, _s.lon))
    for lat, lon, count in rows:
        cell = (None, None) if lat is None or lon is None else (math.floor(lat), math.floor(lon))
        found[cell] = found.get(cell, 0) + int(count)
    return [PlaceCount(lat, lon, n) for (lat, lon), n in
            sorted(found.items(), key=lambda item: (-item[1], item[0][0] is None, item[0]))]


def flagged_copies(conn: Connection, policy: ScanPolicy) -> list[FlaggedCopy]:
    """Labels whose scans suggest a copied code, most scanned first.

    A single scan never does, so only codes scanned more than once (the latest
    COPY_CANDIDATES of them) are asked about.
    """
    repeat = (select(_s.serial, func.count().label("n"), func.max(_s.at).label("last"))
              .group_by(_s.serial).having(func.count() > 1)
              .order_by(func.max(_s.at).desc()).limit(COPY_CANDIDATES).subquery())
    lab = tables.labels.c
    rows = conn.execute(select(repeat.c.serial, lab.batch, lab.issuer, lab.status, lab.status_ts)
                        .join(tables.labels, lab.serial == repeat.c.serial))
    flagged = []
    for row in rows:
        sold_at = int(parse_ts(row.status_ts).timestamp()) if row.status == "sold" else None
        found: ScanHistory = history(conn, row.serial, policy, sold_at=sold_at)
        reasons = found.suspicions(policy)
        if reasons:
            flagged.append(FlaggedCopy(row.serial, row.batch, row.issuer, row.status, found.count,
                                       reasons))
    return sorted(flagged, key=lambda f: (-f.scans, f.serial))
