"""Receipt codes: what a counterfeit report gives back to its reporter, who has no account.

The code is 160 random bits, shown once in the answer to the report and never stored:
the report keeps its SHA-256 (a search over 2^160 codes needs no salt or slow hash). With
the code the reporter reads the report's status and claims a reward. Codes tried that
match no report are counted per client (the keyed hash of its address, as for reports),
in the database so the limit holds across workers: past it, every lookup is refused for
the rest of the hour, right codes included, so guessing costs an hour per few tries.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from sqlalchemy import Connection, Engine, delete, func, insert, select

from gi_trace.ledger.errors import MalformedError, RefusedError

from .tables import receipt_misses, reports

CODE_BYTES = 20  # 160 bits, 32 base32 characters
GROUP = 4  # characters between dashes, as the code is shown
WINDOW_SECONDS = 3600
FIELD = "code"
_CODE = re.compile(r"[A-Z2-7]{32}")
_SEPARATORS = re.compile(r"[\s-]+")
_m = receipt_misses.c


class TooManyMisses(RefusedError):
    code = "rate-limited"

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"at most {limit} wrong receipt codes an hour from one client; retry in "
                         f"{retry_after} s")
        self.retry_after = retry_after


def new_code() -> str:
    """A fresh code as shown to the reporter: 32 base32 characters in groups of 4."""
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")
    return "-".join(raw[i:i + GROUP] for i in range(0, len(raw), GROUP))


def canonical(code: object) -> str:
    """The code as typed, without spaces or dashes and in capitals, or MalformedError."""
    if not isinstance(code, str) or not code.strip():
        raise MalformedError("the receipt code is required", code="missing-field", field=FIELD)
    cleaned = _SEPARATORS.sub("", code).upper()
    if not _CODE.fullmatch(cleaned):
        raise MalformedError("not a receipt code: 32 letters A–Z and digits 2–7 (dashes and "
                             "spaces are ignored)", code="bad-receipt-code", field=FIELD)
    return cleaned


def code_hash(code: str) -> str:
    """What the report stores of its code: SHA-256 of the canonical code, hex."""
    return hashlib.sha256(canonical(code).encode("ascii")).hexdigest()


def _within_limit(conn: Connection, client: str, *, limit: int, now: int) -> None:
    recent = conn.execute(select(func.count(), func.min(_m.at))
                          .where(_m.client == client, _m.at > now - WINDOW_SECONDS)).one()
    if recent[0] >= limit:
        raise TooManyMisses(limit, max(1, recent[1] + WINDOW_SECONDS - now))


def find_report(engine: Engine, code: str, client: str, *, limit: int, now: int) -> str | None:
    """The id of the report whose receipt `code` is, or None (a miss, counted against `client`);
    TooManyMisses when `client` has missed `limit` times in the past hour. A malformed code
    is refused before anything is counted or looked up."""
    digest = code_hash(code)
    with engine.begin() as conn:
        _within_limit(conn, client, limit=limit, now=now)
        report: str | None = conn.scalar(select(reports.c.id).where(reports.c.receipt_hash == digest))
        if report is None:
            conn.execute(delete(receipt_misses).where(_m.client == client,
                                                      _m.at <= now - WINDOW_SECONDS))
            conn.execute(insert(receipt_misses).values(client=client, at=now))
        return report
