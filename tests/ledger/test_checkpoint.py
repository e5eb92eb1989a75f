"""Checkpoints against the published C2SP and golang.org/x/mod examples, plus strict-parse cases."""

from __future__ import annotations

import base64
import hashlib
from functools import cache

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger.checkpoint import Checkpoint, open_checkpoint
from gi_trace.ledger.errors import LedgerError, MalformedError, VerificationError
from gi_trace.ledger.note import NoteSigner, NoteVerifier, add_signatures, parse_note
from tests.vectors import vectors_dir

ORIGIN = "example.org/gi-trace/log"
ROOT = hashlib.sha256(b"root").digest()
ROOT_B64 = base64.b64encode(ROOT).decode()
URLSAFE_ROOT = base64.urlsafe_b64encode(bytes([0xFF]) * 32).decode()
SOFA_ROOT = base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")


@cache
def vector(name: str) -> bytes:
    return (vectors_dir() / "signed-note" / name).read_bytes()


def log_signer() -> NoteSigner:
    # A fixed seed keeps failures reproducible.
    return NoteSigner(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(32))))


def other_signer() -> NoteSigner:
    return NoteSigner(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33))))


# --- published vectors ---------------------------------------------------------------------


def test_c2sp_checkpoint_example_parses() -> None:
    note = parse_note(vector("c2sp_checkpoint_example.note"))
    checkpoint = Checkpoint.from_text(note.text)
    assert checkpoint == Checkpoint("example.com/behind-the-sofa", 20852163, SOFA_ROOT)
    assert checkpoint.text() == note.text
    assert [s.name for s in note.signatures] == ["example.com/behind-the-sofa"]


def test_c2sp_cosigned_checkpoint_example_parses() -> None:
    note = parse_note(vector("c2sp_cosigned_checkpoint_example.note"))
    checkpoint = Checkpoint.from_text(note.text)
    assert (checkpoint.origin, checkpoint.size, checkpoint.root_hash) == (
        "example.com/behind-the-sofa", 20852163, SOFA_ROOT)
    assert [s.name for s in note.signatures] == ["example.com/behind-the-sofa",
                                                 "witness.example.com/w1"]
    # A timestamped cosignature (type 0x04) carries 8 bytes of time before the signature.
    assert len(note.signatures[1].signature) == 8 + 64


def test_c2sp_checkpoint_is_not_opened_with_an_unknown_key() -> None:
    with pytest.raises(VerificationError, match="not signed by any known key"):
        open_checkpoint(vector("c2sp_checkpoint_example.note"), log_signer().verifier())


def test_go_sumdb_tree_note_body_parses() -> None:
    text = vector("xmod_tlog_tree.txt").decode()
    checkpoint = Checkpoint.from_text(text)
    assert checkpoint.origin == "go.sum database tree"
    assert checkpoint.size == 123456789012
    assert checkpoint.root_hash == hashlib.sha256(b"\x00hello world").digest()
    assert checkpoint.text() == text


# --- generated keys ------------------------------------------------------------------------


@pytest.mark.parametrize("checkpoint", [
    pytest.param(Checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest()), id="empty-tree"),
    pytest.param(Checkpoint(ORIGIN, 2**64 - 1, ROOT), id="max-size"),
    pytest.param(Checkpoint(ORIGIN, 7, ROOT, ("ext one", "— ext two")), id="extensions"),
])
def test_sign_and_open_round_trip(checkpoint: Checkpoint) -> None:
    signer = log_signer()
    signed = checkpoint.sign(signer)
    assert signed == checkpoint.text() + "\n" + signer.signature_line(checkpoint.text())
    assert open_checkpoint(signed, signer.verifier()) == checkpoint
    assert open_checkpoint(signed.encode(), signer.verifier(), origin=ORIGIN) == checkpoint
    assert Checkpoint.from_text(checkpoint.text()) == checkpoint


def test_cosignatures_do_not_disturb_opening() -> None:
    checkpoint = Checkpoint(ORIGIN, 3, ROOT)
    witness = NoteSigner("witness.example/w1", Ed25519PrivateKey.generate())
    cosigned = add_signatures(checkpoint.sign(log_signer()),
                              [witness.signature_line(checkpoint.text())])
    assert open_checkpoint(cosigned, log_signer().verifier(), origin=ORIGIN) == checkpoint


def test_key_name_need_not_equal_origin() -> None:
    signer = NoteSigner("example.org/some-key",
                        Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
    checkpoint = Checkpoint(ORIGIN, 1, ROOT)
    assert open_checkpoint(checkpoint.sign(signer), signer.verifier(), origin=ORIGIN) == checkpoint


# --- strict parsing and refused checkpoints ------------------------------------------------


def _signed(body: str) -> str:
    return log_signer().sign(body)


NEGATIVE_CHECKPOINTS = [
    pytest.param(_signed(f"{ORIGIN}\n010\n{ROOT_B64}\n"), None, MalformedError, "leading zeros",
                 id="leading-zero-size"),
    pytest.param(_signed(f"{ORIGIN}\n00\n{ROOT_B64}\n"), None, MalformedError, "leading zeros",
                 id="double-zero-size"),
    pytest.param(_signed(f"{ORIGIN}\n-1\n{ROOT_B64}\n"), None, MalformedError, "decimal",
                 id="negative-size"),
    pytest.param(_signed(f"{ORIGIN}\n+1\n{ROOT_B64}\n"), None, MalformedError, "decimal",
                 id="plus-sign-size"),
    pytest.param(_signed(f"{ORIGIN}\n\u0663\n{ROOT_B64}\n"), None, MalformedError, "decimal",
                 id="non-ascii-digit-size"),
    pytest.param(_signed(f"{ORIGIN}\n1 \n{ROOT_B64}\n"), None, MalformedError, "decimal",
                 id="trailing-space-size"),
    pytest.param(_signed(f"{ORIGIN}\n{2**64}\n{ROOT_B64}\n"), None, MalformedError, "2\\^64",
                 id="size-overflow"),
    pytest.param(_signed(f"{ORIGIN}\n5\n{base64.b64encode(ROOT[:31]).decode()}\n"), None,
                 MalformedError, "must be 32 bytes, got 31", id="root-not-32-bytes"),
    pytest.param(_signed(f"{ORIGIN}\n5\n{ROOT_B64.rstrip('=')}\n"), None, MalformedError,
                 "root hash is not base64", id="root-without-padding"),
    pytest.param(_signed(f"{ORIGIN}\n5\n{URLSAFE_ROOT}\n"),
                 None, MalformedError, "root hash is not base64", id="root-urlsafe-base64"),
    pytest.param(_signed(f"{ORIGIN}\n5\n"), None, MalformedError, "origin, size and root hash",
                 id="too-few-lines"),
    pytest.param(_signed(f"\n5\n{ROOT_B64}\n"), None, MalformedError, "origin line must be",
                 id="empty-origin"),
    pytest.param(_signed(f"{ORIGIN}\n5\n{ROOT_B64}\n\next\n"), None, MalformedError,
                 "extensions line must be non-empty", id="empty-extension"),
    pytest.param(_signed(f"{ORIGIN}\n5\n{ROOT_B64}\n"), "example.org/other-log",
                 VerificationError, "checkpoint origin is", id="wrong-origin"),
    pytest.param(other_signer().sign(f"{ORIGIN}\n5\n{ROOT_B64}\n"), ORIGIN, VerificationError,
                 "not signed by any known key", id="signed-by-other-key"),
    pytest.param(_signed(f"{ORIGIN}\n5\n{ROOT_B64}\n").replace("\n5\n", "\n6\n"), ORIGIN,
                 VerificationError, "invalid signature", id="size-changed-after-signing"),
]


@pytest.mark.parametrize("note, origin, error, match", NEGATIVE_CHECKPOINTS)
def test_refused_checkpoints(note: str, origin: str | None, error: type[LedgerError],
                             match: str) -> None:
    with pytest.raises(error, match=match):
        open_checkpoint(note, log_signer().verifier(), origin=origin)


def test_wrong_origin_has_its_own_code() -> None:
    signed = Checkpoint(ORIGIN, 1, ROOT).sign(log_signer())
    with pytest.raises(VerificationError) as info:
        open_checkpoint(signed, log_signer().verifier(), origin="example.org/elsewhere")
    assert (info.value.code, info.value.field) == ("wrong-origin", "origin")


@pytest.mark.parametrize("args, match", [
    pytest.param(("", 1, ROOT), "origin line must be non-empty", id="empty-origin"),
    pytest.param(("a\nb", 1, ROOT), "control character", id="newline-in-origin"),
    pytest.param((ORIGIN, -1, ROOT), "tree size", id="negative-size"),
    pytest.param((ORIGIN, True, ROOT), "tree size", id="bool-size"),
    pytest.param((ORIGIN, 1, ROOT[:31]), "32 bytes", id="short-root"),
    pytest.param((ORIGIN, 1, ROOT, ("",)), "extensions line must be non-empty",
                 id="empty-extension"),
])
def test_checkpoint_constructor_refuses_unencodable_values(args: tuple[object, ...],
                                                           match: str) -> None:
    with pytest.raises(MalformedError, match=match):
        Checkpoint(*args)  # type: ignore[arg-type]


def test_verifier_type_is_the_note_verifier() -> None:
    # open_checkpoint takes the same verifier objects as open_note; a vkey string round-trips.
    verifier = NoteVerifier.from_vkey(log_signer().vkey())
    signed = Checkpoint(ORIGIN, 9, ROOT).sign(log_signer())
    assert open_checkpoint(signed, verifier, origin=ORIGIN).size == 9
