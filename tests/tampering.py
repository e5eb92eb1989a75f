"""Every kind of tampering an audit must catch, as edits of a stored log, whatever stores it.

A test reads a log from its store (database rows, bundle files) into `Stored`,
applies a `Tampering`, writes it back, and expects the audit to fail at `seq`
with `code`. The log is `fill`'s: the genesis, one registration, ten notes, one
append each, so there is a signed checkpoint at every size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from gi_trace.ledger import keys
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.merkle import root_of
from gi_trace.ledger.note import NoteSigner, parse_note
from gi_trace.ledger.record import GENESIS_PREV, Record
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from tests.support import Actor

SIZE = 12
AT = 5  # the record every edit touches: the note of n=3 (genesis, registration, notes 0-2)
KEEP = 8  # where truncations cut


def fill(service: Service, regulator: Actor) -> Service:
    producer = Actor("minle-coop")
    service.log.append([regulator.register(producer, ["producer"])])
    for n in range(SIZE - 2):
        service.log.append([producer.note(n)])
    return service


@dataclass(frozen=True)
class Stored:
    """A log as its store holds it: the records in order of seq, and the signed checkpoints."""

    records: list[Record]
    checkpoints: list[tuple[int, str]]


Records = list[Record]
Edit = Callable[[Stored, Actor], Stored]  # the actor is a forger with a real registered key


@dataclass(frozen=True)
class Tampering:
    name: str
    edit: Edit
    code: str
    seq: int | None  # None: the failure is the log's, not a record's
    says: str = ""

    def expected(self, output: str) -> bool:
        where = f"FAILED at seq {self.seq}" if self.seq is not None else "FAILED at the log"
        return where in output and f"({self.code})" in output and self.says in output


def rechain(records: Records) -> Records:
    """What a careful forger does after an edit: renumber and recompute every link."""
    out, prev = [], GENESIS_PREV
    for seq, record in enumerate(records):
        out.append(Record.build(seq, record.statement, record.signature, prev))
        prev = out[-1].record_hash
    return out


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def at(records: Records, record: Record) -> Records:
    return [*records[:AT], record, *records[AT + 1:]]


def change_statement(records: Records) -> Records:
    statement = records[AT].statement.replace(b'"reason":"note 3"', b'"reason":"note 4"')
    assert statement != records[AT].statement
    return at(records, replace(records[AT], statement=statement))


def change_signature(records: Records) -> Records:
    return at(records, replace(records[AT], signature=flip(records[AT].signature, 10)))


def change_prev(records: Records) -> Records:
    return at(records, replace(records[AT], prev=flip(records[AT].prev, 0)))


def delete_record(records: Records) -> Records:
    return records[:AT] + records[AT + 1:]


def swap_seqs(records: Records) -> Records:
    return [*records[:AT], replace(records[AT + 1], seq=AT), replace(records[AT], seq=AT + 1),
            *records[AT + 2:]]


def swap_records(records: Records) -> Records:
    return [*records[:AT], records[AT + 1], records[AT], *records[AT + 2:]]


def naive(edit: Callable[[Records], Records]) -> Edit:
    return lambda stored, _: replace(stored, records=edit(stored.records))


def careful(edit: Callable[[Records], Records]) -> Edit:
    return lambda stored, _: replace(stored, records=rechain(edit(stored.records)))


def insert_signed(sign: Callable[[Actor], Envelope]) -> Edit:
    """A forger with a real key slips a well-signed statement in and recomputes the chain."""
    def edit(stored: Stored, forger: Actor) -> Stored:
        envelope = sign(forger)
        forged = Record.build(AT, envelope.statement.canonical, envelope.signature, GENESIS_PREV)
        return replace(stored, records=rechain([*stored.records[:AT], forged, *stored.records[AT:]]))
    return edit


def truncate_and_resign(stored: Stored, _: Actor) -> Stored:
    """Cut the tail and sign a checkpoint for the shorter log with a key of the forger's own."""
    records = stored.records[:KEEP]
    origin = Checkpoint.from_text(parse_note(stored.checkpoints[-1][1]).text).origin
    root = root_of([record.leaf_hash for record in records])
    note = Checkpoint(origin, KEEP, root).sign(NoteSigner(origin, keys.generate()))
    return Stored(records, [*(c for c in stored.checkpoints if c[0] < KEEP), (KEEP, note)])


TAMPERINGS = [
    Tampering("changed-statement-byte", naive(change_statement), "bad-record-hash", AT),
    Tampering("changed-signature-byte", naive(change_signature), "bad-record-hash", AT),
    Tampering("changed-prev", naive(change_prev), "broken-chain", AT),
    Tampering("deleted-record", naive(delete_record), "seq-gap", AT),
    Tampering("swapped-seqs", naive(swap_seqs), "broken-chain", AT),
    Tampering("rechained-changed-statement-byte", careful(change_statement), "bad-signature", AT),
    Tampering("rechained-changed-signature-byte", careful(change_signature), "bad-signature", AT),
    Tampering("rechained-deleted-record", careful(delete_record), "root-mismatch", AT),
    Tampering("rechained-swapped-records", careful(swap_records), "root-mismatch", AT),
    Tampering("rechained-inserted-signed-statement", insert_signed(lambda forger: forger.note(99)),
              "root-mismatch", AT),
    # A type no rule owns: the replay refuses it, as the append would have, before any root.
    Tampering("rechained-inserted-unknown-type",
              insert_signed(lambda forger: forger.sign("test.note", {"n": 99})),
              "unknown-type", AT, says="test.note"),
    Tampering("truncated-tail-old-checkpoint", naive(lambda records: records[:KEEP]),
              "truncated", KEEP),
    Tampering("truncated-tail-resigned-by-another-key", truncate_and_resign, "bad-checkpoint", None),
]
