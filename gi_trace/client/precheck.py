"""The server's date rule, checked on every signature: a harvest dated after the statement's
own day is refused here rather than by a round trip. (A bulk import also checks each body's
shape first: gi_trace.client.intake; that needs the schemas, which this module, loaded by
every client, must not.)
"""

from __future__ import annotations

from datetime import date, datetime

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
