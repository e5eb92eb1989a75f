"""Counterfeit reports from the public: checked, limited per client, then queued for regulators.

No account is needed, so a sender is only a *client*: a keyed hash (HMAC) of its
address. The table never holds an address, and the hourly limit is counted in the
database, so it holds across workers and hosts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text

from gi_trace.domain import tables as domain_tables
from gi_trace.ledger.database import write_transaction
from gi_trace.ledger.errors import MalformedError, RefusedError

from . import public
from .digital_link import DigitalLink, DigitalLinkError, ai_value, gtin14, parse
from .photo import MAX_PIXELS, check_photo
from .tables import reports

STATUSES = ("new", "investigating", "closed")
# Characters. The code's parts are checked for their own rules after this first cut.
MAX_LENGTHS = {"where_bought": 500, "details": 2000, "contact": 200, "uri": 1000, "note": 2000,
               "gtin": 64, "lot": 64, "serial": 64, "payout_ref": 200}
FIELDS = ("uri", "gtin", "lot", "serial", "where_bought", "details", "contact")
WINDOW_SECONDS = 3600
CLIENT_KEY_INFO = b"gi-trace/v1/report-client"  # HKDF info of the client-hash key
_LOCK_CLASS = 0x6769_7265  # PostgreSQL advisory lock class of report senders ("gire")


class RateLimited(RefusedError):
    code = "rate-limited"

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"at most {limit} reports an hour from one sender; retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class NewReport:
    where_bought: str
    details: str | None = None
    contact: str | None = None
    uri: str | None = None
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    photo: bytes | None = None
    photo_type: str | None = None


def clean_text(value: Any, name: str, *, required: bool = False) -> str | None:
    """A free-text field, stripped, within its length; blank is absent. Text PostgreSQL cannot
    store (NUL, lone surrogates) is refused here rather than failing the insert."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise MalformedError(f"{name} is required", code="missing-field", field=name)
        return None
    if not isinstance(value, str):
        raise MalformedError(f"{name} must be text", code="bad-field", field=name)
    cleaned: str = value.strip()
    if len(cleaned) > MAX_LENGTHS[name]:
        raise MalformedError(f"{name} is longer than {MAX_LENGTHS[name]} characters",
                             code="too-long", field=name)
    try:
        cleaned.encode("utf-8")
    except UnicodeEncodeError as e:
        raise MalformedError(f"{name} is not valid Unicode text", code="bad-text", field=name) from e
    if "\x00" in cleaned:
        raise MalformedError(f"{name} contains a NUL character", code="bad-text", field=name)
    return cleaned


def _identifier(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return gtin14(value) if name == "gtin" else ai_value(value, name)
    except DigitalLinkError as e:
        raise MalformedError(str(e), code=f"bad-{name}", field=name) from e


def _link(uri: str | None) -> DigitalLink | None:
    if uri is None:
        return None
    try:
        link = parse(uri)
    except DigitalLinkError as e:
        raise MalformedError(f"not a Digital Link: {e}", code="bad-uri", field="uri") from e
    if link.gtin is None:
        raise MalformedError("not the Digital Link of a product", code="bad-uri", field="uri")
    return link


def new_report(fields: Mapping[str, Any], photo: bytes | None, *, max_photo_bytes: int,
               max_photo_pixels: int = MAX_PIXELS) -> NewReport:
    """A report from a form or JSON (`fields`, photo apart), or MalformedError naming the field.

    The code's parts may come as the scanned `uri`, as `gtin`/`lot`/`serial`, or both; given
    twice they must agree.
    """
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise MalformedError(f"unknown field {unknown[0]}; a report has {', '.join(FIELDS)} and photo",
                             code="unknown-field", field=unknown[0])
    text = {name: clean_text(fields.get(name), name, required=name == "where_bought")
            for name in FIELDS}
    link = _link(text["uri"])
    code = {name: _identifier(text[name], name) for name in ("gtin", "lot", "serial")}
    for name, value in code.items():
        from_link = getattr(link, name, None)
        if value is not None and from_link is not None and value != from_link:
            raise MalformedError(f"{name} {value} is not the {name} of the uri ({from_link})",
                                 code="uri-mismatch", field=name)
        code[name] = value if value is not None else from_link
    photo_type = None if photo is None else check_photo(photo, max_photo_bytes, max_photo_pixels)
    return NewReport(where_bought=str(text["where_bought"]), details=text["details"],
                     contact=text["contact"], uri=text["uri"], photo=photo, photo_type=photo_type,
                     **code)


def client_id(secret: bytes, address: str) -> str:
    """The sender as stored: HMAC-SHA256 of its address, hex. Without the secret (derived from
    the operator key) the addresses cannot be recovered by hashing every IPv4 address."""
    return hmac.new(secret, address.encode("utf-8"), hashlib.sha256).hexdigest()


@contextmanager
def _sender_transaction(engine: Engine, client: str) -> Iterator[Connection]:
    """One transaction per sender at a time, so two workers cannot both pass the count."""
    if engine.dialect.name == "sqlite":
        with write_transaction(engine) as conn:  # BEGIN IMMEDIATE: SQLite has one writer anyway
            yield conn
        return
    with engine.connect() as conn, conn.begin():
        key = int.from_bytes(bytes.fromhex(client[:8]), "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:cls, :key)"), {"cls": _LOCK_CLASS, "key": key})
        yield conn


def _batch_of(conn: Connection, report: NewReport) -> str | None:
    """The batch a report is about: the label's when the serial is known, else the lot's."""
    if report.serial is not None:
        label = domain_tables.labels.c
        batch = conn.scalar(select(label.batch).where(label.serial == report.serial))
        if batch is not None:
            return str(batch)
    if report.gtin is not None and report.lot is not None:
        return public.lot_root(conn, report.gtin, report.lot)
    return None


def _within_limit(conn: Connection, client: str, *, limit: int, now: int) -> None:
    """RateLimited when `client` has sent `limit` reports in the past hour (`now`: unix seconds)."""
    r = reports.c
    recent = list(conn.scalars(select(r.created).where(r.client == client,
                                                       r.created > now - WINDOW_SECONDS)
                               .order_by(r.created)))
    if len(recent) >= limit:
        frees_at = recent[len(recent) - limit] + WINDOW_SECONDS
        raise RateLimited(limit, max(1, frees_at - now))


def check_limit(engine: Engine, client: str, *, limit: int, now: int) -> None:
    """RateLimited before anything of the submission is read or decoded: a sender past its limit
    costs one indexed count, never a photo's decode. (submit counts again, under the sender's
    lock, so two workers cannot both pass.)"""
    with engine.connect() as conn:
        _within_limit(conn, client, limit=limit, now=now)


def submit(engine: Engine, report: NewReport, client: str, *, limit: int, now: int,
           receipt_hash: str | None = None) -> str:
    """Queue `report` as status `new` and return its id, or RateLimited when `client` has sent
    `limit` reports in the past hour (`now` is unix seconds). `receipt_hash` is the hash of the
    receipt code handed to the reporter (gi_trace.labels.receipts), never the code."""
    with _sender_transaction(engine, client) as conn:
        _within_limit(conn, client, limit=limit, now=now)
        report_id = secrets.token_urlsafe(16)
        conn.execute(insert(reports).values(
            id=report_id, created=now, updated=now, status="new", uri=report.uri, gtin=report.gtin,
            lot=report.lot, serial=report.serial, batch=_batch_of(conn, report),
            where_bought=report.where_bought, details=report.details, contact=report.contact,
            photo=report.photo, photo_type=report.photo_type, client=client,
            receipt_hash=receipt_hash))
    return report_id
