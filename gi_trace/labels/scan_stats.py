"""Scans as a regulator sees them: how many a day, where, and which codes look copied.

Places are the scans' own coarse places (0.1°, only when the phone shared one), grouped
further into whole-degree cells (about 100 km): enough to tell Harbin from Beijing, never
a shop. Copy detection is scans.py's: this only finds the codes worth asking it about.
Folded scans (scan_fold.py) count by their day; of their places only each label's latest
ones are kept, so a folded scan whose place was not kept counts as one without a place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select, union_all

from gi_trace.domain import tables
from gi_trace.ledger.statement import parse_ts

from .scans import ScanHistory, ScanPolicy, history
from .tables import scan_days, scan_places, scans

DAY = 86400
COPY_CANDIDATES = 500  # the most recently scanned codes with repeat scans that are checked
_s, _d, _p = scans.c, scan_days.c, scan_places.c


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
    for d, n in conn.execute(select(_d.day, func.sum(_d.scans)).where((_d.day >= start) & (_d.day < end))
                             .group_by(_d.day)):
        counts[int(d)] = counts.get(int(d), 0) + int(n)
    return [DayCount(datetime.fromtimestamp(d * DAY, UTC).strftime("%Y-%m-%d"), counts.get(d, 0))
            for d in range(start, end)]


def by_place(conn: Connection, since: datetime) -> list[PlaceCount]:
    """Scans since `since` per whole-degree cell, busiest first; unplaced scans as one row."""
    found: dict[tuple[int | None, int | None], int] = {}
    at = int(since.timestamp())
    rows = [*conn.execute(select(_s.lat, _s.lon, func.count()).where(_s.at >= at)
                          .group_by(_s.lat, _s.lon)),
            *conn.execute(select(_p.lat, _p.lon, func.count()).where(_p.at >= at)
                          .group_by(_p.lat, _p.lon))]
    folded = int(conn.scalar(select(func.sum(_d.scans)).where(_d.first_at >= at)) or 0)
    kept = int(conn.scalar(select(func.count()).select_from(scan_places).where(_p.at >= at)) or 0)
    if folded > kept:  # the folded scans whose place was not kept, or that had none
        rows.append((None, None, folded - kept))
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
    both = union_all(select(_s.serial, func.count().label("n"), func.max(_s.at).label("last"))
                     .group_by(_s.serial),
                     select(_d.serial, func.sum(_d.scans), func.max(_d.last_at)).group_by(_d.serial)) \
        .subquery()
    repeat = (select(both.c.serial).group_by(both.c.serial).having(func.sum(both.c.n) > 1)
              .order_by(func.max(both.c.last).desc()).limit(COPY_CANDIDATES).subquery())
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
