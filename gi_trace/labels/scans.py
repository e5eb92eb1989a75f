"""Where and when a printed code was scanned, and the patterns that betray a copied code.

A genuine label is scanned a handful of times (in the shop, at home). A code that
was photographed and reprinted shows up too often, after its sale, or in two
places too far apart to travel between in the time between the scans. Scans are
not ledger statements: they are observations, kept beside the log, with a place
only when the phone granted one, and then only to 0.1° (about 10 km). After the
retention a label's scans are folded (scan_fold.py) into daily counts and its latest
placed scans; the history below reads both, so folding changes no verdict.
"""

from __future__ import annotations

import itertools
import math
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, select, union_all, update

from gi_trace.labels.tables import scan_days, scan_places, scans
from gi_trace.settings import Settings

EARTH_RADIUS_KM = 6371.0
PLACED_SCANS_CHECKED = 200  # the latest scans with a place that the speed check looks at
_s, _d, _p = scans.c, scan_days.c, scan_places.c


@dataclass(frozen=True)
class ScanPolicy:
    max_count: int
    max_after_sale: int
    max_speed_kmh: float
    min_distance_km: float

    @classmethod
    def from_settings(cls, settings: Settings) -> ScanPolicy:
        return cls(settings.scan_max_count, settings.scan_max_after_sale,
                   settings.scan_max_speed_kmh, settings.scan_min_distance_km)


@dataclass(frozen=True)
class FarApart:
    km: float
    hours: float


@dataclass(frozen=True)
class ScanHistory:
    count: int
    first_at: int | None
    after_sale: int  # scans since the label was sold (0 if it was not)
    far_apart: FarApart | None  # the first pair of scans too far apart for the time between

    def suspicions(self, policy: ScanPolicy) -> list[str]:
        """Reason codes for a code that may have been copied, in a stable order."""
        found = []
        if self.after_sale > policy.max_after_sale:
            found.append("scanned-after-sale")
        if self.count > policy.max_count:
            found.append("scanned-too-often")
        if self.far_apart is not None:
            found.append("far-apart")
        return found


@dataclass(frozen=True)
class Scan:
    """One scan; the token lets the page add a coarse place if the phone grants one."""

    token: str
    serial: str
    at: int


def new_scan(serial: str, at: int) -> Scan:
    return Scan(secrets.token_urlsafe(16), serial, at)


def write_scans(conn: Connection, written: Sequence[Scan]) -> None:
    conn.execute(scans.insert(), [{"token": s.token, "serial": s.serial, "at": s.at, "lat": None,
                                   "lon": None} for s in written])


def coarse(value: float) -> float:
    return round(value, 1)


def add_place(conn: Connection, token: str, lat: float, lon: float) -> bool:
    """Attach a place, rounded to 0.1°, to a scan that has none yet; False if there is no such scan."""
    result = conn.execute(update(scans).where((_s.token == token) & _s.lat.is_(None))
                          .values(lat=coarse(lat), lon=coarse(lon)))
    return bool(result.rowcount)


# Built once: a scan runs them on every request. `sold` NULL counts no scan after a sale; the
# placed scans are read only when there are two to compare (most labels have none). Folded days
# count their `after_sale` as folded: a sale is final, and none can come after a folded scan
# (a statement's ts is within minutes of the server's clock, the retention is days).
_RAW = select(func.count().label("n"), func.min(_s.at).label("first"),
              func.count(case((_s.at >= bindparam("sold"), 1))).label("after"),
              func.count(_s.lat).label("placed")).where(_s.serial == bindparam("serial"))
_FOLDED = select(func.sum(_d.scans), func.min(_d.first_at), func.sum(_d.after_sale),
                 select(func.count()).where(_p.serial == bindparam("serial")).scalar_subquery()) \
    .where(_d.serial == bindparam("serial"))


def _counts(raw: Any) -> Any:
    both = union_all(raw, _FOLDED).subquery()
    return select(func.coalesce(func.sum(both.c.n), 0), func.min(both.c.first),
                  func.coalesce(func.sum(both.c.after), 0), func.coalesce(func.sum(both.c.placed), 0))


_COUNTS = _counts(_RAW)
_COUNTS_EXCEPT = _counts(_RAW.where(_s.token.not_in(bindparam("tokens", expanding=True))))
_PLACED_BOTH = union_all(
    select(_s.id, _s.at, _s.lat, _s.lon).where((_s.serial == bindparam("serial")) & _s.lat.is_not(None)),
    select(_p.id, _p.at, _p.lat, _p.lon).where(_p.serial == bindparam("serial"))).subquery()
_PLACED = select(_PLACED_BOTH.c.at, _PLACED_BOTH.c.lat, _PLACED_BOTH.c.lon) \
    .order_by(_PLACED_BOTH.c.at.desc(), _PLACED_BOTH.c.id.desc()).limit(PLACED_SCANS_CHECKED)


def history(conn: Connection, serial: str, policy: ScanPolicy, *, sold_at: int | None,
            unwritten: Sequence[Scan] = (), maybe_written: Collection[str] = ()) -> ScanHistory:
    """The label's scans so far: those in gi_scans and `unwritten` ones (this process's, not yet
    written); `maybe_written` are the tokens among them that a write may be committing right now,
    left out of the table's counts so that no scan counts twice."""
    if maybe_written:
        counts = conn.execute(_COUNTS_EXCEPT, {"serial": serial, "sold": sold_at,
                                               "tokens": list(maybe_written)}).one()
    else:
        counts = conn.execute(_COUNTS, {"serial": serial, "sold": sold_at}).one()
    count, after_sale, placed = int(counts[0]), int(counts[2]), int(counts[3])  # sums: PG's numeric
    first_at = None if counts[1] is None else int(counts[1])
    # (a scan being written may have got its place already: left out of `placed`, so look anyway)
    far_apart = None
    if placed >= 2 or maybe_written:
        rows = conn.execute(_PLACED, {"serial": serial}).all()
        far_apart = too_far(list(reversed(rows)), policy)
    if unwritten:
        count += len(unwritten)
        first_at = min(s.at for s in unwritten) if first_at is None else \
            min(first_at, *(s.at for s in unwritten))
        if sold_at is not None:
            after_sale += sum(s.at >= sold_at for s in unwritten)
    return ScanHistory(count, first_at, after_sale, far_apart)


def too_far(placed: list[Any], policy: ScanPolicy) -> FarApart | None:
    """The first consecutive pair of placed scans (oldest first) that no lorry could link."""
    for before, after in itertools.pairwise(placed):
        km = distance_km(before.lat, before.lon, after.lat, after.lon)
        hours = max(after.at - before.at, 60) / 3600  # a minute at least: clocks and rounding
        if km > policy.min_distance_km and km / hours > policy.max_speed_kmh:
            return FarApart(round(km), round(hours, 1))
    return None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
