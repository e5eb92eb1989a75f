"""The hook through which other layers check each statement and keep their projections.

A rule sees every statement in log order, inside the append transaction, after
the signature and the author's key have been checked. It raises a LedgerError to
refuse the statement (the whole transaction is then rolled back) and otherwise
writes its projection rows on `ctx.conn`. An audit and a projection rebuild
replay the log through the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection

from .statement import Envelope, Statement


@dataclass
class AppendContext:
    conn: Connection
    seq: int
    envelope: Envelope
    # Memo for rules, valid while this writer holds the lock (cleared per transaction).
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def statement(self) -> Statement:
        return self.envelope.statement


class Rule(Protocol):
    """A layer's checks and projections for the statement types it owns (`types`)."""

    types: frozenset[str]

    def apply(self, ctx: AppendContext) -> None:
        """Check the statement against current state and record its effects, or raise."""
