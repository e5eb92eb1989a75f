"""The server's rules that a statement can be checked against here, before it is signed and
sent: its body's shape (gi_trace.domain.bodies, the schemas the server loads) and a harvest
dated after the statement's own day.

`check` runs both, for a bulk import that must report every bad row before anything is
sent; `check_dates` alone runs on every signature, so a single mistyped date is refused
here rather than by a round trip.
"""

from __future__ import annotations

from datetime import date, datetime

from gi_trace.domain.bodies import load_body
from gi_trace.ledger.errors import MalformedError

from .drafts import Draft
from .errors import StatementError


def check_dates(draft: Draft, ts: datetime) -> None:
    """The rule of gi_trace.domain.batches: no harvest after the statement's (UTC) date."""
    harvested = draft.body.get("harvested") if draft.type == "batch.register" else None
    if not isinstance(harvested, str):
        return
    try:
        day = date.fromisoformat(harvested)
    except ValueError:
        return  # not a date at all: the shape check (here or on the server) names it
    if day > ts.date():
        raise StatementError(f"harvested {harvested}, after today's date {ts.date()} (UTC); a "
                             "harvest is registered on or after the day it happened",
                             code="date-in-future", field="body.harvested")


def check(draft: Draft, ts: datetime) -> None:
    """Raise StatementError naming the first field the server would refuse for its shape or
    date; rules that need the log (quotas, holdings) stay the server's."""
    try:
        load_body(draft.type, draft.body)
    except KeyError as e:
        raise StatementError(f"unknown statement type {draft.type!r}", code="unknown-type",
                             field="statement.type") from e
    except MalformedError as e:
        raise StatementError(e.message, code=e.code, field=e.field) from e
    check_dates(draft, ts)
