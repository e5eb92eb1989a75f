"""The log's cosignatures: kept only from listed witnesses over checkpoints it issued."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from gi_trace.ledger import keys
from gi_trace.ledger.checkpoint import Checkpoint, open_checkpoint
from gi_trace.ledger.cosignature import Cosigner, open_cosignatures
from gi_trace.ledger.cosigned import Cosignatures, Witnessed
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.note import NoteSigner, add_signatures
from gi_trace.service import Service
from tests.support import Actor

NOW = 1_800_000_000

W1 = Cosigner("witness.hlj.example/w1", keys.generate())
W2 = Cosigner("witness.jl.example/w1", keys.generate())
STRANGER = Cosigner("witness.elsewhere.example/w1", keys.generate())


@dataclass
class Issued:
    """A store over a log with checkpoints of 1, 2 and 4 records, and those notes."""

    store: Cosignatures
    notes: dict[int, str]
    operator: NoteSigner

    def cosign(self, size: int, *witnesses: Cosigner, at: int = NOW) -> str:
        note = self.notes[size]
        checkpoint = open_checkpoint(note, self.operator.verifier())
        return add_signatures(note, [w.cosign(checkpoint, at).line() for w in witnesses])


@pytest.fixture
def issued(any_service: Service, regulator: Actor) -> Issued:
    log = any_service.log
    notes = {1: log.checkpoint()}
    producer = Actor("wuchang-coop")
    log.append([regulator.register(producer, ["producer"])])
    notes[2] = log.checkpoint()
    log.append([producer.note(0), producer.note(1)])
    notes[4] = log.checkpoint()
    store = Cosignatures(any_service.engine, [W1.verifier, W2.verifier], clock=lambda: NOW)
    return Issued(store, {k: v for k, v in notes.items() if v}, log.signer)


def test_kept_cosignatures_are_served_on_the_latest_cosigned_checkpoint(issued: Issued) -> None:
    store = issued.store
    assert store.cosigned_note() is None
    checkpoint, kept = store.add(issued.cosign(2, W1))
    assert (checkpoint.size, [c.name for c in kept]) == (2, [W1.name])
    store.add(issued.cosign(2, W2))
    note = store.cosigned_note()
    assert note is not None
    assert open_checkpoint(note, issued.operator.verifier()).size == 2
    _, found = open_cosignatures(note, [W1.verifier, W2.verifier])
    assert sorted(c.name for c in found) == sorted([W1.name, W2.name])
    store.add(issued.cosign(4, W2, at=NOW + 60))
    note = store.cosigned_note()
    assert note is not None and "\n4\n" in note
    assert [c.name for c in open_cosignatures(note, [W1.verifier, W2.verifier])[1]] == [W2.name]


def test_witnessed_counts_witnesses_of_any_tree_at_or_above_a_size(issued: Issued) -> None:
    store = issued.store
    store.add(issued.cosign(1, W1, at=NOW - 100))
    store.add(issued.cosign(2, W1, W2))
    store.add(issued.cosign(4, W2, at=NOW + 5))
    assert store.witnessed(1) == [Witnessed(W1.name, 2, NOW), Witnessed(W2.name, 4, NOW + 5)]
    assert store.witnessed(3) == [Witnessed(W2.name, 4, NOW + 5)]
    assert store.witnessed(5) == []


def test_a_later_cosignature_of_the_same_tree_replaces_an_earlier_one(issued: Issued) -> None:
    store = issued.store
    store.add(issued.cosign(2, W1, at=NOW - 10))
    store.add(issued.cosign(2, W1, at=NOW))
    store.add(issued.cosign(2, W1, at=NOW - 20))  # an older one arriving late changes nothing
    assert store.witnessed(2) == [Witnessed(W1.name, 2, NOW)]
    note = store.cosigned_note()
    assert note is not None
    assert [c.timestamp for c in open_cosignatures(note, [W1.verifier])[1]] == [NOW]


def test_a_witness_taken_off_the_list_no_longer_counts(issued: Issued) -> None:
    issued.store.add(issued.cosign(4, W1, W2))
    fewer = Cosignatures(issued.store.engine, [W2.verifier])
    assert [w.witness for w in fewer.witnessed(1)] == [W2.name]
    note = fewer.cosigned_note()
    assert note is not None and W1.name not in note
    assert Cosignatures(issued.store.engine, []).cosigned_note() is None


def forged(issued: Issued) -> str:
    """A checkpoint of an existing size, signed by the operator's key, that the log never issued."""
    checkpoint = Checkpoint(issued.operator.name, 2, hashlib.sha256(b"other").digest())
    note = checkpoint.sign(issued.operator)
    return add_signatures(note, [W1.cosign(checkpoint, NOW).line()])


def beyond(issued: Issued) -> str:
    checkpoint = Checkpoint(issued.operator.name, 99, hashlib.sha256(b"later").digest())
    return add_signatures(checkpoint.sign(issued.operator), [W1.cosign(checkpoint, NOW).line()])


@pytest.mark.parametrize(("make", "code"), [
    (lambda i: i.cosign(2, STRANGER), "unknown-witness"),
    (lambda i: i.notes[2], "unknown-witness"),
    (forged, "unknown-checkpoint"),
    (beyond, "unknown-checkpoint"),
    (lambda i: i.cosign(2, W1, at=NOW + 301), "cosigned-in-future"),
    (lambda i: i.cosign(2, W1).replace("\n2\n", "\n3\n"), "bad-signature"),
    (lambda i: "not a note", "no-final-newline"),
], ids=["unknown witness", "no cosignature", "never issued", "beyond the log",
        "from the future", "tampered", "garbage"])
def test_refused_cosignatures_are_not_kept(issued: Issued, make: object, code: str) -> None:
    assert callable(make)
    with pytest.raises(LedgerError) as raised:
        issued.store.add(make(issued))
    assert raised.value.code == code
    assert issued.store.witnessed(0) == []
