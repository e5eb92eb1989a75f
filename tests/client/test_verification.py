"""The client believes only what verifies: a server that lies about anything it answers is
caught with a VerificationError naming what failed.

The lies are told by wrapping the client's own transport, so the real server
does the real work and only its answer changes on the way back.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from gi_trace.client import Client, VerificationError
from gi_trace.ledger import keys
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.note import NoteSigner, parse_note
from tests.client.shared import Shared

Change = Callable[[Any], Any]


def lie(monkeypatch: pytest.MonkeyPatch, client: Client, method: str, path: str,
        change: Change) -> list[str]:
    """Let the server answer `path` through `change`; returns the paths the client asked for."""
    real = getattr(client.http, method)
    asked: list[str] = []

    def told(asked_path: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(asked_path)
        answer = real(asked_path, *args, **kwargs)
        return change(answer) if asked_path == path else answer
    monkeypatch.setattr(client.http, method, told)
    return asked


def flip_hex(value: str) -> str:
    return ("1" if value[0] == "0" else "0") + value[1:]


def body_of(note: str) -> Checkpoint:
    return Checkpoint.from_text(parse_note(note).text)


def resign(note: str, signer: NoteSigner, **changes: Any) -> str:
    """The checkpoint `note` with its body changed and signed again by `signer`."""
    body = body_of(note)
    fields = {"origin": body.origin, "size": body.size, "root_hash": body.root_hash, **changes}
    return Checkpoint(**fields).sign(signer)


def tamper_signature(note: str) -> str:
    """The same note with one bit of the operator's signature flipped."""
    head, _, line = note[:-1].rpartition("\n")
    prefix, _, b64 = line.rpartition(" ")
    blob = bytearray(base64.b64decode(b64))
    blob[10] ^= 1
    return f"{head}\n{prefix} {base64.b64encode(bytes(blob)).decode()}\n"


def add_key(client: Client) -> None:
    """A harmless statement any org may make as often as it likes."""
    client.add_key(keys.generate(), reason="verification test")


def stranger(shared: Shared) -> NoteSigner:
    return NoteSigner(shared.service.log.origin, keys.generate())


LIES: list[tuple[str, str, str, Callable[[Shared], Change], str]] = [
    ("inclusion-path-altered", "get_json", "/v1/log/proof/inclusion",
     lambda s: lambda a: {**a, "hashes": [flip_hex(a["hashes"][0]), *a["hashes"][1:]]},
     "root-mismatch"),
    ("inclusion-proof-of-another-leaf", "get_json", "/v1/log/proof/inclusion",
     lambda s: lambda a: {**a, "leaf_hash": flip_hex(a["leaf_hash"])}, "leaf-mismatch"),
    ("inclusion-proof-under-another-root", "get_json", "/v1/log/proof/inclusion",
     lambda s: lambda a: {**a, "root": flip_hex(a["root"])}, "root-mismatch"),
    ("inclusion-proof-cut-short", "get_json", "/v1/log/proof/inclusion",
     lambda s: lambda a: {**a, "hashes": a["hashes"][:-1]}, "bad-proof-length"),
    ("append-answer-with-another-leaf", "post_json", "/v1/statements",
     lambda s: lambda a: {**a, "leaf_hash": flip_hex(a["leaf_hash"])}, "leaf-mismatch"),
    ("checkpoint-signed-by-a-stranger", "get_text", "/v1/log/checkpoint",
     lambda s: lambda note: resign(note, stranger(s)), "no-known-signature"),
    ("checkpoint-signature-tampered", "get_text", "/v1/log/checkpoint",
     lambda s: tamper_signature, "bad-signature"),
    ("checkpoint-of-another-log", "get_text", "/v1/log/checkpoint",
     lambda s: lambda note: resign(note, s.service.log.signer, origin="other.example/log"),
     "wrong-origin"),
    ("checkpoint-over-a-forged-root", "get_text", "/v1/log/checkpoint",
     lambda s: lambda note: resign(note, s.service.log.signer, root_hash=bytes(32)),
     "root-mismatch"),
    ("checkpoint-that-misses-the-statement", "get_text", "/v1/log/checkpoint",
     lambda s: lambda note: resign(note, s.service.log.signer, size=body_of(note).size - 1,
                                   root_hash=s.service.log.inclusion_proof(0, body_of(note).size - 1)[2]),
     "not-covered"),
]


@pytest.mark.parametrize(("method", "path", "make", "code"), [case[1:] for case in LIES],
                         ids=[case[0] for case in LIES])
def test_a_lying_server_is_caught_on_submit(shared: Shared, monkeypatch: pytest.MonkeyPatch,
                                            method: str, path: str,
                                            make: Callable[[Shared], Change], code: str) -> None:
    client = shared.connect(shared.world.coop_a)
    lie(monkeypatch, client, method, path, make(shared))
    with pytest.raises(VerificationError) as caught:
        add_key(client)
    assert caught.value.code == code, caught.value.message


def test_an_honest_server_passes_every_check(shared: Shared) -> None:
    client = shared.connect(shared.world.coop_a)
    before = shared.service.log.size()
    receipt = client.add_key(keys.generate())
    assert receipt.seq == before and receipt.tree_size == before + 1
    assert client.latest is not None and client.latest.size == receipt.tree_size


def test_a_rewritten_history_fails_the_consistency_proof(shared: Shared,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    client = shared.connect(shared.world.coop_a)
    client.checkpoint()  # the client has seen the log as it is now
    # The operator's own key signs a bigger tree that does not extend the one the client saw.
    lie(monkeypatch, client, "get_text", "/v1/log/checkpoint",
        lambda note: resign(note, shared.service.log.signer, root_hash=bytes(range(32))))
    with pytest.raises(VerificationError, match="does not extend") as caught:
        add_key(client)
    assert caught.value.code == "root-mismatch"


def test_a_lying_consistency_proof_is_caught(shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    client = shared.connect(shared.world.coop_a)
    client.checkpoint()
    lie(monkeypatch, client, "get_json", "/v1/log/proof/consistency",
        lambda a: {**a, "hashes": [flip_hex(h) for h in a["hashes"]]})
    with pytest.raises(VerificationError, match="does not extend"):
        add_key(client)


def test_two_checkpoints_of_one_size_with_different_roots_are_a_fork(
        shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    client = shared.connect(shared.world.coop_a)
    client.checkpoint()
    lie(monkeypatch, client, "get_text", "/v1/log/checkpoint",
        lambda note: resign(note, shared.service.log.signer, root_hash=bytes(32)))
    with pytest.raises(VerificationError, match="forked") as caught:
        client.checkpoint()
    assert caught.value.code == "fork"


def test_an_older_genuine_checkpoint_is_consistent_and_does_not_move_the_client_back(
        shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    client = shared.connect(shared.world.coop_a)
    old_note = client.http.get_text("/v1/log/checkpoint")
    add_key(client)
    newest = client.latest
    assert newest is not None and newest.size > body_of(old_note).size
    lie(monkeypatch, client, "get_text", "/v1/log/checkpoint", lambda note: old_note)
    assert client.checkpoint() == newest  # a lagging replica, not a lie


def test_a_receipt_can_be_checked_again_later(shared: Shared) -> None:
    client = shared.connect(shared.world.coop_a)
    receipt = client.add_key(keys.generate())
    add_key(shared.connect(shared.world.coop_b))
    later = shared.connect(shared.world.shop_1)  # another party, who only holds the receipt
    assert later.verify_receipt(receipt).size > receipt.tree_size


def test_a_receipt_for_a_statement_the_log_does_not_hold_fails(shared: Shared) -> None:
    client = shared.connect(shared.world.coop_a)
    receipt = client.add_key(keys.generate())
    forged = type(receipt)(receipt.seq, bytes(32), None, receipt.checkpoint, receipt.envelope)
    with pytest.raises(VerificationError) as caught:
        client.verify_receipt(forged)
    assert caught.value.code == "leaf-mismatch"


def test_a_pinned_key_other_than_the_operators_refuses_every_checkpoint(shared: Shared) -> None:
    wrong = stranger(shared).vkey()
    client = shared.connect(shared.world.coop_a, log_key=wrong)
    with pytest.raises(VerificationError) as caught:
        add_key(client)
    assert caught.value.code == "no-known-signature"


def test_without_a_pinned_key_the_servers_key_is_trusted_on_first_use_only(
        shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(shared.url, "coop-a", shared.world.coop_a.key)
    asked = lie(monkeypatch, client, "get_text", "/v1/log/key", lambda text: text)
    add_key(client)
    add_key(client)
    assert client.tofu and asked.count("/v1/log/key") == 1
    assert client.log_key().vkey() == shared.log_key
    # A server that later swaps its key is not believed: the pinned key stays.
    lie(monkeypatch, client, "get_text", "/v1/log/checkpoint",
        lambda note: resign(note, stranger(shared)))
    with pytest.raises(VerificationError):
        add_key(client)


def test_a_pinned_key_is_never_fetched(shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    client = shared.connect(shared.world.coop_a)
    asked = lie(monkeypatch, client, "get_text", "/v1/log/key", lambda text: text)
    add_key(client)
    assert not client.tofu and "/v1/log/key" not in asked


def test_a_malformed_pinned_key_is_refused_at_once(shared: Shared) -> None:
    with pytest.raises(VerificationError, match="log key"):
        shared.connect(shared.world.coop_a, log_key="not+a+key")


def test_the_checkpoint_root_is_what_the_receipt_keeps(shared: Shared) -> None:
    receipt = shared.connect(shared.world.coop_a).add_key(keys.generate())
    root = base64.b64encode(receipt.checkpoint.checkpoint.root_hash).decode()
    assert root in receipt.checkpoint.note
