"""Ed25519 keys: RFC 8032 vectors, key ids, PEM files, and strict base64url."""

from __future__ import annotations

import hashlib
import json
import stat
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from gi_trace.ledger import keys
from gi_trace.ledger.encoding import b64url_decode, b64url_encode
from gi_trace.ledger.errors import MalformedError
from tests.vectors import vectors_dir


@cache
def rfc8032_vectors() -> list[dict[str, Any]]:
    data = json.loads((vectors_dir() / "ed25519-rfc8032" / "rfc8032_ed25519.json").read_text())
    vectors: list[dict[str, Any]] = data["vectors"]
    return vectors


def vector_ids() -> list[str]:
    return [v["name"] for v in rfc8032_vectors()]


def unhex(vector: dict[str, Any]) -> tuple[bytes, bytes, bytes, bytes]:
    return (bytes.fromhex(vector["secret_key"]), bytes.fromhex(vector["public_key"]),
            bytes.fromhex(vector["message"]), bytes.fromhex(vector["signature"]))


def flipped(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def test_the_rfc8032_vectors_are_all_there() -> None:
    assert vector_ids() == ["TEST 1", "TEST 2", "TEST 3", "TEST 1024", "TEST SHA(abc)"]


# --- RFC 8032 ------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", rfc8032_vectors(), ids=vector_ids())
def test_public_key_derived_from_seed(vector: dict[str, Any]) -> None:
    seed, pub, _, _ = unhex(vector)
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    assert keys.public_bytes(private_key) == pub
    assert keys.public_key_b64(private_key) == b64url_encode(pub)
    assert keys.decode_public_key(keys.public_key_b64(private_key)) == pub


@pytest.mark.parametrize("vector", rfc8032_vectors(), ids=vector_ids())
def test_signature_equals_published_one(vector: dict[str, Any]) -> None:
    seed, pub, message, signature = unhex(vector)
    assert len(message) == vector["message_length"]
    assert Ed25519PrivateKey.from_private_bytes(seed).sign(message) == signature
    assert keys.verify(pub, message, signature) is True


@pytest.mark.parametrize("vector", rfc8032_vectors(), ids=vector_ids())
def test_any_flipped_bit_fails_verification(vector: dict[str, Any]) -> None:
    _, pub, message, signature = unhex(vector)
    for bit in range(len(signature) * 8):
        assert keys.verify(pub, message, flipped(signature, bit)) is False, f"signature bit {bit}"
    for bit in range(len(pub) * 8):
        assert keys.verify(flipped(pub, bit), message, signature) is False, f"public key bit {bit}"
    # Every bit of short messages; for TEST 1024 one bit in every byte, cycling through positions.
    message_bits = (range(len(message) * 8) if len(message) <= 64
                    else (byte * 8 + byte % 8 for byte in range(len(message))))
    for bit in message_bits:
        assert keys.verify(pub, flipped(message, bit), signature) is False, f"message bit {bit}"


@pytest.mark.parametrize(("public_key", "signature"), [
    (b"\x01" * 31, bytes(64)),
    (b"\x01" * 33, bytes(64)),
    (bytes.fromhex(rfc8032_vectors()[0]["public_key"]), bytes(63)),
    (bytes.fromhex(rfc8032_vectors()[0]["public_key"]), b""),
], ids=["short-key", "long-key", "short-signature", "empty-signature"])
def test_verify_is_false_not_an_exception_for_malformed_input(public_key: bytes, signature: bytes) -> None:
    assert keys.verify(public_key, b"", signature) is False


# --- key ids -------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", rfc8032_vectors(), ids=vector_ids())
def test_key_id_is_sha256_hex_of_raw_public_key(vector: dict[str, Any]) -> None:
    seed, pub, _, _ = unhex(vector)
    expected = hashlib.sha256(pub).hexdigest()
    assert keys.key_id(pub) == expected
    assert keys.private_key_id(Ed25519PrivateKey.from_private_bytes(seed)) == expected
    assert len(expected) == 64 and expected == expected.lower()


def test_test1_key_id_is_pinned() -> None:
    # Pinned so that a change of hash or encoding (upper case, base64, over the PEM…) is caught.
    pub = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    assert keys.key_id(pub) == hashlib.sha256(pub).hexdigest()
    assert keys.key_id(pub) != keys.key_id(flipped(pub, 0))


def test_generated_keys_differ() -> None:
    assert keys.private_key_id(keys.generate()) != keys.private_key_id(keys.generate())


@pytest.mark.parametrize(("text", "code"), [
    (b64url_encode(bytes(31)), "bad-length"),
    (b64url_encode(bytes(33)), "bad-length"),
    ("", "bad-length"),
    ("not a key!", "bad-base64"),
    (keys.public_key_b64(keys.generate()).replace("-", "+").replace("_", "/") + "+/", "bad-base64"),
    (None, "bad-base64"),
], ids=["31-bytes", "33-bytes", "empty", "not-base64", "standard-alphabet", "not-a-string"])
def test_decode_public_key_refuses(text: Any, code: str) -> None:
    with pytest.raises(MalformedError) as info:
        keys.decode_public_key(text, field="body.keys[0]")
    assert info.value.code == code
    assert info.value.field == "body.keys[0]"


# --- PEM files -----------------------------------------------------------------------------


def test_pem_round_trip(tmp_path: Path) -> None:
    private_key = keys.generate()
    path = tmp_path / "nested" / "dir" / "org.pem"
    keys.save_private_key(private_key, path)
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    loaded = keys.load_private_key(path)
    assert keys.public_bytes(loaded) == keys.public_bytes(private_key)
    assert loaded.sign(b"m") == private_key.sign(b"m")  # Ed25519 is deterministic: same seed


def test_saved_key_is_readable_by_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "org.pem"
    keys.save_private_key(keys.generate(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "org.pem"
    first = keys.generate()
    keys.save_private_key(first, path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        keys.save_private_key(keys.generate(), path)
    assert path.read_bytes() == before
    assert keys.private_key_id(keys.load_private_key(path)) == keys.private_key_id(first)


def _ec_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.mark.parametrize(("content", "match"), [
    (None, "cannot read private key"),
    (b"", "cannot read private key"),
    (b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", "cannot read private key"),
    (_ec_pem(), "is not an Ed25519 key"),
], ids=["missing-file", "empty-file", "garbage-pem", "ec-p256-key"])
def test_load_private_key_refuses(tmp_path: Path, content: bytes | None, match: str) -> None:
    path = tmp_path / "key.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(MalformedError, match=match) as info:
        keys.load_private_key(path)
    assert info.value.code == "bad-key"
    assert str(path) in info.value.message


# --- base64url -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("", b""),
    ("QQ", b"A"),
    ("QQ==", b"A"),
    ("QUI", b"AB"),
    ("QUI=", b"AB"),
    ("QUJD", b"ABC"),
    ("-_8", b"\xfb\xff"),
], ids=["empty", "one-byte", "one-byte-padded", "two-bytes", "two-bytes-padded", "three-bytes",
        "url-alphabet"])
def test_b64url_decode_accepts(text: str, expected: bytes) -> None:
    assert b64url_decode(text) == expected


@pytest.mark.parametrize(("text", "code", "match"), [
    ("QQ+/", "bad-base64", "not base64url"),
    ("a+b/", "bad-base64", "not base64url"),
    ("Q Q", "bad-base64", "not base64url"),
    ("QQ\n", "bad-base64", "base64url"),
    ("\nQQ", "bad-base64", "not base64url"),
    ("QQ=A", "bad-base64", "not base64url"),
    ("\u0661\u0662", "bad-base64", "not base64url"),
    ("A", "bad-base64", "base64url"),
    ("QR", "bad-base64", "non-canonical base64url"),
    ("QUJ", "bad-base64", "non-canonical base64url"),
    ("QQ=", "bad-base64", "base64url"),
    ("QQ===", "bad-base64", "base64url"),
    ("QUJD=", "bad-base64", "base64url"),
    ("=", "bad-base64", "base64url"),
    (b"QQ", "bad-base64", "not base64url"),
    (None, "bad-base64", "not base64url"),
], ids=["standard-alphabet", "plus-and-slash", "inner-space", "trailing-newline", "leading-newline",
        "padding-inside", "arabic-digits", "length-1-mod-4", "nonzero-trailing-bits-1",
        "nonzero-trailing-bits-2", "short-padding", "over-padding", "padding-where-none-belongs",
        "padding-only", "bytes-not-str", "none"])
def test_b64url_decode_refuses(text: Any, code: str, match: str) -> None:
    with pytest.raises(MalformedError, match=match) as info:
        b64url_decode(text, field="signature")
    assert info.value.code == code
    assert info.value.field == "signature"


def test_b64url_decode_checks_length() -> None:
    with pytest.raises(MalformedError, match="must decode to 64 bytes, got 1") as info:
        b64url_decode("QQ", field="signature", length=64)
    assert (info.value.code, info.value.field) == ("bad-length", "signature")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=100))
def test_b64url_round_trip(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64url_decode(text, length=len(data)) == data
