"""cosignature/v1 (C2SP tlog-cosignature): key ids, signed message, the spec's example, refusals."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from gi_trace.ledger import keys
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.cosignature import (
    Cosignature,
    CosignatureVerifier,
    Cosigner,
    load_witnesses,
    open_cosignatures,
    signed_message,
)
from gi_trace.ledger.errors import LedgerError, MalformedError, VerificationError
from gi_trace.ledger.note import NoteSigner, NoteVerifier, add_signatures, open_note, parse_note
from tests.vectors import vectors_dir

EM = "\u2014"
CHECKPOINT = Checkpoint("test.gi-trace/log", 9, hashlib.sha256(b"root").digest())


@pytest.fixture
def operator() -> NoteSigner:
    return NoteSigner("test.gi-trace/log", keys.generate())


@pytest.fixture
def cosigner() -> Cosigner:
    return Cosigner("witness.example.org/w1", keys.generate())


def test_key_id_uses_type_byte_4(cosigner: Cosigner) -> None:
    pub = cosigner.verifier.public_key
    expected = hashlib.sha256(b"witness.example.org/w1\n\x04" + pub).digest()[:4]
    assert cosigner.verifier.key_hash == expected
    assert NoteVerifier("witness.example.org/w1", pub).key_hash != expected  # 0x01: a plain note
    name, hash_hex, b64 = cosigner.vkey().split("+", 2)
    assert (name, hash_hex) == ("witness.example.org/w1", expected.hex())
    assert base64.b64decode(b64) == b"\x04" + pub


def test_vkey_round_trips_and_types_are_not_mixed(cosigner: Cosigner) -> None:
    assert CosignatureVerifier.from_vkey(cosigner.vkey()) == cosigner.verifier
    with pytest.raises(MalformedError, match="not an Ed25519 key of type 0x01") as raised:
        NoteVerifier.from_vkey(cosigner.vkey())
    assert raised.value.code == "unsupported-key-type"
    plain = NoteSigner("witness.example.org/w1", keys.generate()).vkey()
    with pytest.raises(MalformedError, match="type 0x04"):
        CosignatureVerifier.from_vkey(plain)


def test_cosignature_verifies_with_the_witness_key_and_independently(
        cosigner: Cosigner, operator: NoteSigner) -> None:
    note = add_signatures(CHECKPOINT.sign(operator), [cosigner.cosign(CHECKPOINT, 1700000000).line()])
    _, found = open_cosignatures(note, [cosigner.verifier])
    assert [(c.name, c.timestamp) for c in found] == [("witness.example.org/w1", 1700000000)]
    # The log's own signature still verifies and ignores the cosignature.
    assert open_note(note, [operator.verifier()])[1] == [operator.verifier()]

    # Independently, with pyca/cryptography and the spec's text only.
    line = note.rstrip("\n").split("\n")[-1]
    assert line.startswith(f"{EM} witness.example.org/w1 ")
    blob = base64.b64decode(line.split(" ")[2])
    assert len(blob) == 4 + 8 + 64
    assert blob[:4] == cosigner.verifier.key_hash
    assert int.from_bytes(blob[4:12], "big") == 1700000000
    message = b"cosignature/v1\ntime 1700000000\n" + CHECKPOINT.text().encode()
    public = Ed25519PublicKey.from_public_bytes(cosigner.verifier.public_key)
    public.verify(blob[12:], message)
    with pytest.raises(InvalidSignature):
        public.verify(blob[12:], CHECKPOINT.text().encode())  # not a plain note signature


def test_the_spec_example_parses_to_its_signed_message() -> None:
    """The example of tlog-cosignature.md; no public key is published for it, so the
    signature itself cannot be checked, but its timestamp is the one of the spec's message."""
    note = parse_note((vectors_dir() / "signed-note" /
                       "c2sp_cosigned_checkpoint_example.note").read_bytes())
    log_line, witness_line = note.signatures
    cosignature = Cosignature.from_signature(witness_line)
    assert (cosignature.name, cosignature.timestamp) == ("witness.example.com/w1", 1679315147)
    assert len(cosignature.signature) == 64
    assert cosignature.line() == witness_line.line()
    assert signed_message(note.text.encode(), cosignature.timestamp) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
    with pytest.raises(MalformedError, match="not a timestamp and an Ed25519 signature"):
        Cosignature.from_signature(log_line)  # the log's line is a plain 64-byte signature


def cosigned(cosigner: Cosigner, operator: NoteSigner, checkpoint: Checkpoint = CHECKPOINT,
             timestamp: int = 1700000000) -> str:
    return add_signatures(checkpoint.sign(operator), [cosigner.cosign(checkpoint, timestamp).line()])


def tamper_body(note: str) -> str:
    return note.replace("\n9\n", "\n10\n", 1)


def tamper_time(note: str) -> str:
    head, line = note.rstrip("\n").rsplit("\n", 1)
    prefix, b64 = line.rsplit(" ", 1)
    blob = bytearray(base64.b64decode(b64))
    blob[11] ^= 1
    return f"{head}\n{prefix} {base64.b64encode(bytes(blob)).decode()}\n"


@pytest.mark.parametrize(("tamper", "error", "code"), [
    (tamper_body, VerificationError, "bad-signature"),
    (tamper_time, VerificationError, "bad-signature"),
], ids=["body changed", "timestamp changed"])
def test_a_changed_byte_breaks_the_cosignature(cosigner: Cosigner, operator: NoteSigner,
                                               tamper: object, error: type[LedgerError],
                                               code: str) -> None:
    assert callable(tamper)
    with pytest.raises(error) as raised:
        open_cosignatures(tamper(cosigned(cosigner, operator)), [cosigner.verifier])
    assert raised.value.code == code


def test_cosignatures_of_unknown_witnesses_are_ignored_or_refused(cosigner: Cosigner,
                                                                  operator: NoteSigner) -> None:
    other = Cosigner("witness.example.org/w2", keys.generate())
    note = add_signatures(cosigned(cosigner, operator), [other.cosign(CHECKPOINT, 5).line()])
    _, found = open_cosignatures(note, [cosigner.verifier])
    assert [c.name for c in found] == ["witness.example.org/w1"]
    impostor = Cosigner("witness.example.org/w1", keys.generate())  # same name, other key
    signers = re.escape("signed by test.gi-trace/log, witness.example.org/w1")
    with pytest.raises(LedgerError, match=signers) as raised:
        open_cosignatures(cosigned(impostor, operator), [cosigner.verifier])
    assert raised.value.code == "unknown-witness"


@pytest.mark.parametrize("timestamp", [0, -1, 2**63, True])
def test_timestamp_must_fit_the_spec(cosigner: Cosigner, timestamp: int) -> None:
    with pytest.raises(MalformedError, match=r"\[1, 2\^63\)"):
        cosigner.cosign(CHECKPOINT, timestamp)


def test_a_timestamp_beyond_2_63_does_not_verify() -> None:
    key = Ed25519PrivateKey.generate()
    verifier = Cosigner("witness.example.org/w1", key).verifier
    blob = (2**63).to_bytes(8, "big") + key.sign(signed_message(CHECKPOINT.text().encode(), 2**63))
    assert not verifier.verify(CHECKPOINT.text().encode(), blob)
    blob = (2**63 - 1).to_bytes(8, "big") + key.sign(
        signed_message(CHECKPOINT.text().encode(), 2**63 - 1))
    assert verifier.verify(CHECKPOINT.text().encode(), blob)


def test_witnesses_file_lists_vkeys(tmp_path: Path, cosigner: Cosigner) -> None:
    other = Cosigner("witness.example.org/w2", keys.generate())
    path = tmp_path / "witnesses.txt"
    path.write_text(f"# regional regulators\n\n{cosigner.vkey()}\n  {other.vkey()}  \n")
    assert load_witnesses(path) == [cosigner.verifier, other.verifier]


@pytest.mark.parametrize(("content", "match"), [
    ("not-a-key\n", ":1: malformed vkey"),
    ("{a}\n{a}\n", ":2: witness witness.example.org/w1 is listed twice"),
    ("{plain}\n", ":1: vkey is not an Ed25519 key of type 0x04"),
], ids=["garbage", "twice", "note key"])
def test_witnesses_file_refuses_bad_lines(tmp_path: Path, cosigner: Cosigner, content: str,
                                          match: str) -> None:
    path = tmp_path / "witnesses.txt"
    plain = NoteSigner("w", keys.generate()).vkey()
    path.write_text(content.format(a=cosigner.vkey(), plain=plain))
    with pytest.raises(MalformedError, match=match) as raised:
        load_witnesses(path)
    assert raised.value.code == "bad-witnesses"


def test_missing_witnesses_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MalformedError, match="cannot read witnesses file"):
        load_witnesses(tmp_path / "nowhere.txt")
