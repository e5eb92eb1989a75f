"""Signed notes against the published C2SP and golang.org/x/mod vectors, plus malformed inputs."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import cache

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger.errors import LedgerError, MalformedError, VerificationError
from gi_trace.ledger.note import (
    Note,
    NoteSigner,
    NoteVerifier,
    Signature,
    add_signatures,
    open_note,
    parse_note,
)
from tests.vectors import vectors_dir

EM = "\u2014"


@cache
def vector(name: str) -> bytes:
    return (vectors_dir() / "signed-note" / name).read_bytes()


def vkey(name: str) -> NoteVerifier:
    return NoteVerifier.from_vkey(vector(name).decode().strip())


def peter() -> NoteVerifier:
    return vkey("xmod_peterneumann.vkey")


def enoch() -> NoteVerifier:
    return vkey("xmod_enochroot.vkey")


def c2sp() -> NoteVerifier:
    return vkey("c2sp_example.vkey")


def peter_signer() -> NoteSigner:
    return NoteSigner.from_skey(vector("xmod_peterneumann.skey").decode().strip())


def other_signer(name: str = "example.org/other") -> NoteSigner:
    return NoteSigner(name, Ed25519PrivateKey.from_private_bytes(bytes(range(32))))


PETER_TEXT = ("If you think cryptography is the answer to your problem,\n"
              "then you don't know what your problem is.\n")


# --- published vectors ---------------------------------------------------------------------


def test_c2sp_example_verifies() -> None:
    note, signed_by = open_note(vector("c2sp_example.note"), [c2sp()])
    assert note.text == "This is an example message.\n"
    assert signed_by == [c2sp()]
    assert note.signatures[0].name == "example.com/foo"


@pytest.mark.parametrize("as_text", [False, True], ids=["bytes", "str"])
def test_peterneumann_note_verifies(as_text: bool) -> None:
    data = vector("xmod_peterneumann.note")
    note, signed_by = open_note(data.decode() if as_text else data, [peter()])
    assert note.text == PETER_TEXT
    assert [v.name for v in signed_by] == ["PeterNeumann"]


def test_two_signatures_each_key_verifies_and_unknown_ones_are_ignored() -> None:
    data = vector("xmod_two_signatures.note")
    assert open_note(data, [enoch()])[1] == [enoch()]
    assert open_note(data, [peter()])[1] == [peter()]
    assert open_note(data, [enoch(), peter()])[1] == [peter(), enoch()]
    assert open_note(data, [c2sp(), enoch()])[1] == [enoch()]


def test_resigning_with_published_private_key_reproduces_the_note() -> None:
    signer = peter_signer()
    published = vector("xmod_peterneumann.note").decode()
    assert signer.sign(PETER_TEXT) == published
    assert add_signatures(published, []) == published
    assert signer.to_skey() == vector("xmod_peterneumann.skey").decode().strip()
    assert signer.vkey() == vector("xmod_peterneumann.vkey").decode().strip()
    assert signer.verifier() == peter()


@pytest.mark.parametrize("vkey_file", ["c2sp_example.vkey", "xmod_peterneumann.vkey",
                                       "xmod_enochroot.vkey"])
def test_key_hash_is_truncated_sha256_of_name_newline_type_and_key(vkey_file: str) -> None:
    text = vector(vkey_file).decode().strip()
    name, hash_hex, b64 = text.split("+", 2)
    typed = base64.b64decode(b64)
    expected = hashlib.sha256(name.encode() + b"\n" + typed).digest()[:4]
    verifier = NoteVerifier.from_vkey(text)
    assert verifier.key_hash == expected == bytes.fromhex(hash_hex)
    assert verifier.public_key == typed[1:]
    assert verifier.vkey() == text


def test_signature_key_hashes_match_the_published_keys() -> None:
    note = parse_note(vector("xmod_two_signatures.note"))
    assert [(s.name, s.key_hash) for s in note.signatures] == [
        ("PeterNeumann", peter().key_hash), ("EnochRoot", enoch().key_hash)]
    assert all(len(s.signature) == 64 for s in note.signatures)


def test_any_changed_byte_in_the_text_fails() -> None:
    data = vector("xmod_peterneumann.note")
    note = parse_note(data)
    text = note.text.encode()
    sig = note.signatures[0].signature
    assert peter().verify(text, sig)
    for i in range(len(text)):
        changed = bytearray(data)
        changed[i] ^= 0x01
        assert not peter().verify(bytes(changed[:len(text)]), sig), i
        with pytest.raises((MalformedError, VerificationError)):
            open_note(bytes(changed), [peter()])


def test_changed_signature_byte_fails() -> None:
    note = parse_note(vector("xmod_peterneumann.note"))
    sig = note.signatures[0]
    for i in range(len(sig.signature)):
        changed = bytearray(sig.signature)
        changed[i] ^= 0x80
        forged = Signature(sig.name, sig.key_hash, bytes(changed))
        with pytest.raises(VerificationError, match="invalid signature by PeterNeumann"):
            open_note(note.text + "\n" + forged.line(), [peter()])


# --- generated keys ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["one line\n", "a\n\nblank line inside\n", "ends blank\n\n",
                                  "\n", "unicode: ed è subito sera — ✓\n"])
def test_round_trip_with_generated_key(text: str) -> None:
    signer = NoteSigner("example.org/log", Ed25519PrivateKey.generate())
    signed = signer.sign(text)
    note, signed_by = open_note(signed.encode(), [signer.verifier()])
    assert note == Note(text, (Signature(signer.name, signer.key_hash,
                                         note.signatures[0].signature),))
    assert signed_by == [signer.verifier()]
    assert NoteVerifier.from_vkey(signer.vkey()) == signer.verifier()
    again = NoteSigner.from_skey(signer.to_skey())
    assert again.sign(text) == signed


def test_cosigning_appends_lines_and_skips_repeats() -> None:
    log = other_signer("example.org/log")
    witness = NoteSigner("witness.example/w1", Ed25519PrivateKey.generate())
    text = "example.org/log\n1\n" + "A" * 43 + "=\n"
    signed = log.sign(text)
    line = witness.signature_line(text)
    assert line.startswith(f"{EM} witness.example/w1 ") and line.endswith("\n")
    cosigned = add_signatures(signed, [line])
    assert cosigned == signed + line
    assert add_signatures(cosigned, [line, line.rstrip("\n")]) == cosigned
    _, signed_by = open_note(cosigned, [witness.verifier(), log.verifier()])
    assert signed_by == [log.verifier(), witness.verifier()]


def test_cosigning_refuses_a_second_signature_for_the_same_key() -> None:
    signer = other_signer()
    signed = signer.sign("a\n")
    with pytest.raises(MalformedError, match="already present"):
        add_signatures(signed, [signer.signature_line("b\n")])
    with pytest.raises(MalformedError, match="single line"):
        add_signatures(signed, [signer.signature_line("b\n") * 2])


def test_signer_repr_does_not_show_the_private_key() -> None:
    signer = peter_signer()
    assert signer.to_skey().split("+")[-1] not in repr(signer)
    assert "c74f20a3" in repr(signer)


@pytest.mark.parametrize("text, match", [
    pytest.param("no newline", "end in a newline", id="no-final-newline"),
    pytest.param("", "end in a newline", id="empty"),
    pytest.param("tab\there\n", "control character", id="control-character"),
    pytest.param("cr\r\n", "control character", id="carriage-return"),
    pytest.param("surrogate \ud800\n", "UTF-8", id="lone-surrogate"),
])
def test_sign_refuses_text_that_would_not_parse(text: str, match: str) -> None:
    with pytest.raises(MalformedError, match=match):
        other_signer().sign(text)


@pytest.mark.parametrize("name", ["", "has space", "has+plus", "tab\tname", "nbsp\u00a0name"])
def test_key_names_must_be_nonempty_without_spaces_or_plus(name: str) -> None:
    with pytest.raises(MalformedError, match="key name"):
        NoteSigner(name, Ed25519PrivateKey.generate())
    with pytest.raises(MalformedError, match="key name"):
        NoteVerifier(name, bytes(32))


# --- malformed notes and failed verification -----------------------------------------------


def _peter_note() -> str:
    return vector("xmod_peterneumann.note").decode()


def _replace(old: str, new: str) -> Callable[[], str]:
    return lambda: _peter_note().replace(old, new)


def _peter_line() -> str:
    return _peter_note().split("\n\n")[1]


NEGATIVE_NOTES: list[object] = [
    pytest.param(_replace("is.\n\n", "is.\n"), MalformedError, "no blank line",
                 id="no-blank-line"),
    pytest.param(lambda: _peter_note()[:-1], MalformedError, "end in a newline",
                 id="no-final-newline"),
    pytest.param(lambda: PETER_TEXT + "\n", MalformedError, "no signatures", id="no-signatures"),
    pytest.param(_replace("x08go/", "x08go!"), MalformedError, "base64", id="bad-base64"),
    pytest.param(_replace("JnAM=", "JnAN="), MalformedError, "base64",
                 id="non-canonical-base64"),
    pytest.param(_replace("JnAM=", "JnAM"), MalformedError, "base64", id="missing-padding"),
    pytest.param(lambda: PETER_TEXT + f"\n{EM} PeterNeumann x08gow==\n", MalformedError,
                 "shorter than 5 bytes", id="short-signature"),
    pytest.param(_replace(EM, "-"), MalformedError, "em dash", id="hyphen-not-em-dash"),
    pytest.param(_replace("PeterNeumann", "Peter Neumann"), MalformedError,
                 "'— <name> <base64>'", id="name-with-space"),
    pytest.param(_replace("PeterNeumann", "Peter+Neumann"), MalformedError, "key name",
                 id="name-with-plus"),
    pytest.param(_replace("\n", "\r\n"), MalformedError, "control character", id="crlf"),
    pytest.param(lambda: _peter_note() + _peter_line(), MalformedError, "appears twice",
                 id="duplicate-known-signature"),
    pytest.param(lambda: PETER_TEXT + "\n" + _peter_line() * 101, MalformedError,
                 "more than 100", id="too-many-signatures"),
    pytest.param(lambda: vector("c2sp_example.note").decode(), VerificationError,
                 "not signed by any known key", id="signed-by-other-key"),
    pytest.param(lambda: other_signer("PeterNeumann").sign(PETER_TEXT), VerificationError,
                 "not signed by any known key", id="same-name-other-key"),
    pytest.param(lambda: PETER_TEXT + "\n" + f"{EM} PeterNeumann " + base64.b64encode(
        peter().key_hash + parse_note(other_signer().sign(PETER_TEXT)).signatures[0].signature
    ).decode() + "\n", VerificationError, "invalid signature", id="forged-key-hash"),
    pytest.param(_replace("your problem,", "your problem;"), VerificationError,
                 "invalid signature", id="changed-text"),
]


@pytest.mark.parametrize("make, error, match", NEGATIVE_NOTES)
def test_malformed_or_unverified_notes_are_refused(make: Callable[[], str],
                                                   error: type[LedgerError], match: str) -> None:
    with pytest.raises(error, match=match):
        open_note(make(), [peter()])


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(MalformedError, match="UTF-8") as info:
        parse_note(vector("xmod_peterneumann.note").replace(b"If", b"\xffIf"))
    assert info.value.code == "not-utf8"


NEGATIVE_VKEYS = [
    pytest.param("PeterNeumann+c74f20a3", "malformed vkey", id="too-few-fields"),
    pytest.param("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                 "does not match", id="key-hash-mismatch"),
    pytest.param("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                 "8 hex digits", id="short-key-hash"),
    pytest.param("PeterNeumann+c74f20a3+Alpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                 "not an Ed25519 key", id="wrong-key-type"),
    pytest.param("PeterNeumann+c74f20a3+" + base64.b64encode(b"\x01" + bytes(31)).decode(),
                 "33 bytes", id="short-key"),
    pytest.param("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW",
                 "base64", id="urlsafe-base64"),
    pytest.param("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                 "key name", id="empty-name"),
]


@pytest.mark.parametrize("text, match", NEGATIVE_VKEYS)
def test_malformed_verifier_keys_are_refused(text: str, match: str) -> None:
    with pytest.raises(MalformedError, match=match):
        NoteVerifier.from_vkey(text)


NEGATIVE_SKEYS = [
    pytest.param("PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
                 "PRIVATE\\+KEY", id="no-prefix"),
    pytest.param("PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
                 "does not match", id="key-hash-mismatch"),
    pytest.param("PRIVATE+KEY+EnochRoot+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
                 "does not match", id="other-name"),
]


@pytest.mark.parametrize("text, match", NEGATIVE_SKEYS)
def test_malformed_signer_keys_are_refused(text: str, match: str) -> None:
    with pytest.raises(MalformedError, match=match):
        NoteSigner.from_skey(text)
