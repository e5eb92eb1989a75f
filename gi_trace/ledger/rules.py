"""The hook through which other layers check each statement and keep their projections.

A rule sees every statement in log order, inside the append transaction, after
the signature, the author's key and the disclosures have been checked. It raises a
LedgerError to refuse the statement (the whole transaction is then rolled back) and
otherwise writes its projection rows on `ctx.conn`. An audit and a projection rebuild
replay the log through the same rules.

A public audit has no disclosures and no attachments: `ctx.body`, `ctx.disclosed` and
`ctx.attachments` are then None, and a rule checks only what public fields allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection

from .disclosure import full_body, reveal
from .statement import Envelope, Statement


@dataclass
class AppendContext:
    conn: Connection
    seq: int
    envelope: Envelope
    # Memo for rules, valid while this writer holds the lock (cleared per transaction).
    cache: dict[str, Any] = field(default_factory=dict)
    # Organisations a rule names as entitled to this statement's disclosures (receiver,
    # sender…); its actor and regulators always are.
    readers: set[str] = field(default_factory=set)
    disclosed: dict[str, Any] | None = field(init=False)

    def __post_init__(self) -> None:
        disclosures = self.envelope.disclosures
        self.disclosed = None if disclosures is None else reveal(self.statement.body, disclosures)

    @property
    def statement(self) -> Statement:
        return self.envelope.statement

    @property
    def body(self) -> dict[str, Any] | None:
        """The body as its author wrote it (public and disclosed fields), or None when the
        disclosures are not available."""
        if self.disclosed is None:
            return None
        return full_body(self.statement.body, self.disclosed)

    @property
    def attachments(self) -> Mapping[str, Any] | None:
        return None if self.envelope.disclosures is None else self.envelope.attachments


class Rule(Protocol):
    """A layer's checks and projections for the statement types it owns (`types`)."""

    types: frozenset[str]
    # Envelope fields beside the statement that this rule reads (checked against a
    # commitment in the statement, kept beside the log, never in it).
    attachments: frozenset[str]

    def apply(self, ctx: AppendContext) -> None:
        """Check the statement against current state and record its effects, or raise."""
