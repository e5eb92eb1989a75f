"""Is the enterprise with this credit code approved to use the special sign for this product now?

The answer is evidence a platform keeps, not the server's word: beside the verdict it
carries the log entries that establish it (the org.register that gave the credit code,
the producer.approve that set the quota, the producer.suspend in force), each as stored
(statement bytes and signature) with its RFC 9162 inclusion path to one signed checkpoint,
the latest, also in the answer. Anyone holding the operator's key checks it offline; an
older answer stays checkable against any later checkpoint by a consistency proof.

Verdicts: `approved`, `suspended` (approved for the year, suspended for the product),
`not-approved` (no approval for the product in that year) and `unknown-enterprise` (no
organisation on the log has that credit code). A reinstatement shows as the absence of a
suspension: what is not on the log cannot be proven by inclusion, only by an audit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from gi_trace.domain.queries import qualifications
from gi_trace.domain.queries.orgs import Org
from gi_trace.domain.queries.qualifications import Standing
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.log import Log

APPROVED, SUSPENDED, NOT_APPROVED, UNKNOWN = ("approved", "suspended", "not-approved",
                                              "unknown-enterprise")
VERDICTS = (APPROVED, SUSPENDED, NOT_APPROVED, UNKNOWN)


@dataclass(frozen=True)
class Entry:
    """One log entry as stored, and its audit path to the answer's checkpoint."""

    seq: int
    type: str
    statement: bytes  # exactly as signed (JCS): the leaf is signature || statement
    signature: bytes
    leaf_hash: bytes
    hashes: list[bytes]  # RFC 9162 order


@dataclass(frozen=True)
class Evidence:
    checkpoint: str | None  # the signed note (C2SP tlog-checkpoint); None for an empty log
    tree_size: int
    root: bytes | None
    operator_key: str  # the note verifier key (vkey) that signs checkpoints
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Qualification:
    uscc: str
    product: str
    year: int
    verdict: str
    org: Org | None
    standing: Standing | None
    evidence: Evidence

    @property
    def approval(self) -> qualifications.Approval | None:
        return None if self.standing is None else self.standing.approval

    @property
    def suspension(self) -> qualifications.Suspension | None:
        return None if self.standing is None else self.standing.suspension

    @property
    def labels(self) -> dict[str, Any] | None:
        """The labels issued for the product in the year, and what they cover (public)."""
        if self.standing is None:
            return None
        return {"issued": self.standing.labels_issued, "cover": self.standing.labels_cover}

    @property
    def recalls(self) -> dict[str, Any] | None:
        if self.standing is None:
            return None
        return {"count": self.standing.recalled, "latest": self.standing.recalls}


def verdict_of(standing: Standing | None) -> str:
    if standing is None:
        return UNKNOWN
    if standing.approval is None:
        return NOT_APPROVED
    return SUSPENDED if standing.suspension is not None else APPROVED


def _seqs(standing: Standing) -> list[int]:
    """The entries establishing the standing: the org's registration, its approval, a suspension."""
    found = [standing.org.seq]
    if standing.approval is not None:
        found.append(standing.approval.seq)
    if standing.suspension is not None:
        found.append(standing.suspension.seq)
    return sorted(set(found))


def evidence(log: Log, seqs: list[int]) -> Evidence:
    """The entries `seqs`, each with its inclusion in the latest checkpoint. Read after the
    projections: a record and its checkpoint commit together, so every seq read is inside it."""
    note = log.checkpoint()
    operator_key = log.signer.vkey()
    if note is None:
        return Evidence(None, 0, None, operator_key)
    head = Checkpoint.from_text(note.split("\n\n", 1)[0] + "\n")
    entries = []
    for seq in seqs:
        record = log.entries(seq, seq + 1)[0]
        leaf, path, _root = log.inclusion_proof(seq, head.size)
        entries.append(Entry(seq, json.loads(record.statement)["type"], record.statement,
                             record.signature, leaf, path))
    return Evidence(note, head.size, head.root_hash, operator_key, entries)


def qualification(conn: Connection, log: Log, uscc: str, product: str, year: int) -> Qualification:
    org = qualifications.enterprise(conn, uscc)
    standing = None if org is None else qualifications.standing(conn, org, product, year)
    found = evidence(log, [] if standing is None else _seqs(standing))
    return Qualification(uscc, product, year, verdict_of(standing), org, standing, found)
