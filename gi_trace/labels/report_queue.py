"""The regulators' queue of counterfeit reports: newest first, by status; taken up and closed.

Reads never carry the photo's bytes (a page of 50 reports could be 250 MB); the
photo is fetched alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select, update

from gi_trace.domain.queries.paging import Page, cut
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.statement import format_ts

from .reports import clean_text
from .tables import reports

HANDLED = ("investigating", "closed")  # the statuses a regulator may set
_r = reports.c
_CURSOR = re.compile(r"([0-9]{1,15})\.([A-Za-z0-9_-]{1,22})")
_COLUMNS = [c for c in reports.c if c.name not in ("photo", "client", "receipt_hash")]


@dataclass(frozen=True)
class Report:
    id: str
    created: str
    updated: str
    status: str
    uri: str | None
    gtin: str | None
    lot: str | None
    serial: str | None
    batch: str | None
    where_bought: str
    details: str | None
    contact: str | None
    has_photo: bool
    photo_type: str | None
    handled_by: str | None
    note: str | None


def _ts(seconds: int) -> str:
    return format_ts(datetime.fromtimestamp(seconds, UTC))


def _report(row: Any) -> Report:
    return Report(id=row.id, created=_ts(row.created), updated=_ts(row.updated), status=row.status,
                  uri=row.uri, gtin=row.gtin, lot=row.lot, serial=row.serial, batch=row.batch,
                  where_bought=row.where_bought, details=row.details, contact=row.contact,
                  has_photo=row.photo_type is not None, photo_type=row.photo_type,
                  handled_by=row.handled_by, note=row.note)


def _parse_cursor(cursor: str) -> tuple[int, str]:
    match = _CURSOR.fullmatch(cursor)
    if match is None:
        raise MalformedError("not a cursor of this list: pass the `next` of the previous page",
                             field="after", code="bad-cursor")
    return int(match.group(1)), match.group(2)


def list_reports(conn: Connection, *, limit: int, after: str | None = None,
                 status: str | None = None) -> Page[Report]:
    """Reports newest first (ties by id), optionally of one status."""
    query = select(*_COLUMNS).order_by(_r.created.desc(), _r.id.desc()).limit(limit + 1)
    if status is not None:
        query = query.where(_r.status == status)
    if after is not None:
        created, report_id = _parse_cursor(after)
        query = query.where(or_(_r.created < created, and_(_r.created == created, _r.id < report_id)))
    rows, next_ = cut(conn.execute(query).all(), limit, lambda row: f"{row.created}.{row.id}")
    return Page([_report(row) for row in rows], next_)


def get_report(conn: Connection, report_id: str) -> Report | None:
    row = conn.execute(select(*_COLUMNS).where(_r.id == report_id)).first()
    return None if row is None else _report(row)


def get_photo(conn: Connection, report_id: str) -> tuple[bytes, str] | None:
    """The photo's bytes and media type, None when the report or its photo does not exist."""
    row = conn.execute(select(_r.photo, _r.photo_type).where(_r.id == report_id)).first()
    if row is None or row.photo is None:
        return None
    return bytes(row.photo), str(row.photo_type)


def set_status(engine: Engine, report_id: str, status: str, *, handled_by: str, now: int,
               note: str | None = None) -> Report | None:
    """Record that `handled_by` took the report up or closed it; None for an unknown id.
    A note replaces the previous one; without one the previous note stays."""
    if status not in HANDLED:
        raise MalformedError(f"status must be one of {', '.join(HANDLED)}", field="status",
                             code="bad-status")
    values: dict[str, Any] = {"status": status, "handled_by": handled_by, "updated": now}
    note = clean_text(note, "note")
    if note is not None:
        values["note"] = note
    with engine.begin() as conn:
        if conn.execute(update(reports).where(_r.id == report_id).values(**values)).rowcount == 0:
            return None
        return get_report(conn, report_id)
