"""Log reads: what the API serves verifies with the ledger's own verifiers."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from gi_trace.ledger import merkle
from gi_trace.ledger.checkpoint import Checkpoint, open_checkpoint
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.log import Log
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.record import GENESIS_PREV, Record, chain_hash
from gi_trace.settings import Settings
from tests.api.helpers import assert_problem
from tests.support import Actor


def hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def checkpoint(client: FlaskClient, settings: Settings) -> Checkpoint:
    key = client.get("/v1/log/key").get_data(as_text=True)
    note = client.get("/v1/log/checkpoint").get_data(as_text=True)
    return open_checkpoint(note, NoteVerifier.from_vkey(key), origin=settings.origin)


@pytest.fixture
def grown(log: Log, producer: Actor) -> Log:
    """A log of 9 records: genesis, the producer's registration and 7 notes."""
    log.append([producer.note(i) for i in range(7)])
    return log


def test_checkpoint_is_a_signed_note_of_the_latest_tree(client: FlaskClient, grown: Log,
                                                        settings: Settings) -> None:
    resp = client.get("/v1/log/checkpoint")
    assert resp.status_code == 200
    assert resp.content_type == "text/plain; charset=utf-8"
    assert resp.headers["Cache-Control"] == "no-cache"
    head = checkpoint(client, settings)
    assert head.size == grown.size() == 9
    assert head.root_hash == grown.inclusion_proof(0, 9)[2]


def test_checkpoint_of_an_empty_log_is_404(empty_client: FlaskClient) -> None:
    assert_problem(empty_client.get("/v1/log/checkpoint"), 404, "not-found")


def test_key_is_the_operator_verifier_key(client: FlaskClient, log: Log) -> None:
    resp = client.get("/v1/log/key")
    assert resp.status_code == 200
    assert resp.mimetype == "text/plain"
    assert NoteVerifier.from_vkey(resp.get_data(as_text=True)).vkey() == log.signer.vkey()


def test_entries_are_the_chained_records(client: FlaskClient, grown: Log, producer: Actor) -> None:
    body = client.get("/v1/log/entries").get_json()
    assert body["next"] is None
    entries = body["entries"]
    assert [e["seq"] for e in entries] == list(range(9))
    prev = GENESIS_PREV
    for entry, record in zip(entries, grown.entries(0, 9), strict=True):
        assert entry["statement"] == json.loads(record.statement)
        assert entry["signature"] == b64url_encode(record.signature)
        assert bytes.fromhex(entry["prev"]) == prev
        prev = chain_hash(prev, merkle.leaf_hash(record.leaf))
        assert bytes.fromhex(entry["record_hash"]) == prev
        assert Record.from_json(entry) == record  # what the HTTP audit source reads back
    # The notes, in the order they were sent: each a key.add of the producer's own org.
    first = entries[2]["statement"]
    assert (first["type"], first["actor"]) == ("key.add", producer.org)
    assert sorted(first["body"]) == ["org", "pub", "reason"]
    assert first["body"]["org"] == producer.org
    assert [e["statement"]["body"]["reason"] for e in entries[2:]] == [f"note {i}" for i in range(7)]


@pytest.mark.parametrize(("query", "seqs", "next_"), [
    ("start=2&end=5", [2, 3, 4], 5),
    ("start=7", [7, 8], None),
    ("start=5&end=100", [5, 6, 7, 8], None),
    ("start=9", [], None),
    ("start=50&end=60", [], None),
], ids=["middle", "to-the-end", "end-past-the-log", "at-the-end", "past-the-end"])
def test_entries_pages(shared_client: FlaskClient, query: str, seqs: list[int],
                       next_: int | None) -> None:
    body = shared_client.get(f"/v1/log/entries?{query}").get_json()
    assert [e["seq"] for e in body["entries"]] == seqs
    assert body["next"] == next_


def test_entries_pages_hold_at_most_1000(client: FlaskClient, log: Log, producer: Actor) -> None:
    log.append([producer.note(i) for i in range(1000)])
    body = client.get("/v1/log/entries?start=0&end=5000").get_json()
    assert len(body["entries"]) == 1000
    assert body["next"] == 1000
    rest = client.get(f"/v1/log/entries?start={body['next']}").get_json()
    assert [e["seq"] for e in rest["entries"]] == [1000, 1001]
    assert rest["next"] is None


def test_inclusion_proofs_verify(client: FlaskClient, grown: Log) -> None:
    for tree_size in (1, 5, 9):
        for seq in range(tree_size):
            resp = client.get(f"/v1/log/proof/inclusion?seq={seq}&tree_size={tree_size}")
            assert resp.status_code == 200
            proof = resp.get_json()
            assert (proof["seq"], proof["tree_size"]) == (seq, tree_size)
            merkle.verify_inclusion(seq, tree_size, bytes.fromhex(proof["leaf_hash"]),
                                    hexes(proof["hashes"]), bytes.fromhex(proof["root"]))


def test_inclusion_proof_leaf_is_the_entry(client: FlaskClient, grown: Log) -> None:
    [record] = grown.entries(4, 5)
    proof = client.get("/v1/log/proof/inclusion?seq=4&tree_size=9").get_json()
    assert bytes.fromhex(proof["leaf_hash"]) == record.leaf_hash


def test_consistency_proof_links_two_checkpoints(client: FlaskClient, log: Log, producer: Actor,
                                                 settings: Settings) -> None:
    old = checkpoint(client, settings)
    log.append([producer.note(i) for i in range(6)])
    new = checkpoint(client, settings)
    resp = client.get(f"/v1/log/proof/consistency?from={old.size}&to={new.size}")
    assert resp.status_code == 200
    proof = resp.get_json()
    assert (proof["from"], proof["to"]) == (old.size, new.size)
    merkle.verify_consistency(old.size, new.size, hexes(proof["hashes"]), old.root_hash,
                              new.root_hash)


def test_consistency_proofs_verify_for_every_pair(client: FlaskClient, grown: Log) -> None:
    roots = {n: bytes.fromhex(client.get(f"/v1/log/proof/inclusion?seq=0&tree_size={n}")
                              .get_json()["root"]) for n in range(1, 10)}
    for first in range(1, 10):
        for second in range(first, 10):
            proof = client.get(f"/v1/log/proof/consistency?from={first}&to={second}").get_json()
            merkle.verify_consistency(first, second, hexes(proof["hashes"]), roots[first],
                                      roots[second])


BAD_QUERIES = {
    "inclusion-tree-size-beyond-log": ("/v1/log/proof/inclusion?seq=0&tree_size=10",
                                       "bad-tree-size", "tree_size"),
    "inclusion-seq-not-below-tree-size": ("/v1/log/proof/inclusion?seq=5&tree_size=5",
                                          "bad-index", "seq"),
    "inclusion-seq-not-integer": ("/v1/log/proof/inclusion?seq=one&tree_size=5",
                                  "bad-argument", "seq"),
    "inclusion-seq-negative": ("/v1/log/proof/inclusion?seq=-1&tree_size=5", "bad-argument", "seq"),
    "inclusion-seq-huge": (f"/v1/log/proof/inclusion?seq={10**30}&tree_size=5", "bad-argument",
                           "seq"),
    "inclusion-tree-size-zero": ("/v1/log/proof/inclusion?seq=0&tree_size=0", "bad-argument",
                                 "tree_size"),
    "inclusion-tree-size-missing": ("/v1/log/proof/inclusion?seq=0", "bad-argument", "tree_size"),
    "inclusion-tree-size-float": ("/v1/log/proof/inclusion?seq=0&tree_size=2.5", "bad-argument",
                                  "tree_size"),
    "consistency-to-beyond-log": ("/v1/log/proof/consistency?from=1&to=10", "bad-tree-size", "to"),
    "consistency-from-after-to": ("/v1/log/proof/consistency?from=5&to=3", "bad-tree-size",
                                  "from"),
    "consistency-from-zero": ("/v1/log/proof/consistency?from=0&to=3", "bad-argument", "from"),
    "consistency-to-not-integer": ("/v1/log/proof/consistency?from=1&to=x", "bad-argument", "to"),
    "consistency-from-missing": ("/v1/log/proof/consistency?to=3", "bad-argument", "from"),
    "entries-start-negative": ("/v1/log/entries?start=-1", "bad-argument", "start"),
    "entries-start-not-integer": ("/v1/log/entries?start=abc", "bad-argument", "start"),
    "entries-start-huge": (f"/v1/log/entries?start={2**63}", "bad-argument", "start"),
    "entries-end-not-after-start": ("/v1/log/entries?start=5&end=5", "bad-argument", "end"),
    "entries-end-before-start": ("/v1/log/entries?start=5&end=2", "bad-argument", "end"),
}


@pytest.mark.parametrize(("url", "code", "field"), BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_bad_query_arguments_are_problems(shared_client: FlaskClient, url: str, code: str,
                                          field: str) -> None:
    assert_problem(shared_client.get(url), 422, code, field=field)
