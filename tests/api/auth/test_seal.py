"""Sealed blobs and the signing input: the pure parts of the protocol."""

from __future__ import annotations

import pytest

from gi_trace.api.auth.protocol import AUTH_PREFIX, auth_signing_input, sign_challenge
from gi_trace.api.auth.seal import BadSeal, Sealer, derive_secret
from gi_trace.ledger import keys
from gi_trace.ledger.encoding import b64url_decode, b64url_encode


def test_signing_input_is_prefixed_challenge() -> None:
    assert auth_signing_input("abc.def") == b"gi-trace/v1/auth\nabc.def"
    assert AUTH_PREFIX != b"gi-trace/v1/statement\n"


def test_sign_challenge_verifies_with_the_public_key() -> None:
    key = keys.generate()
    signature = b64url_decode(sign_challenge(key, "c.h"))
    assert keys.verify(keys.public_bytes(key), auth_signing_input("c.h"), signature)
    assert not keys.verify(keys.public_bytes(key), b"c.h", signature)


def test_secret_is_derived_per_operator_key_and_origin() -> None:
    key = keys.generate()
    assert derive_secret(key, "a/log") == derive_secret(key, "a/log")
    assert derive_secret(key, "a/log") != derive_secret(key, "b/log")
    assert derive_secret(key, "a/log") != derive_secret(keys.generate(), "a/log")
    assert len(derive_secret(key, "a/log")) == 32


def test_seal_round_trips() -> None:
    sealer = Sealer(b"k" * 32)
    sealed = sealer.seal({"typ": "token", "org": "五常", "exp": 5})
    assert sealed.count(".") == 1
    assert sealer.open(sealed) == {"typ": "token", "org": "五常", "exp": 5}


def _flip_payload(sealed: str) -> str:
    payload, mac = sealed.split(".")
    raw = bytearray(b64url_decode(payload))
    raw[-2] ^= 0x01
    return f"{b64url_encode(bytes(raw))}.{mac}"


TAMPERED = {
    "payload-bit-flipped": _flip_payload,
    "mac-replaced": lambda s: s.split(".")[0] + "." + b64url_encode(b"\0" * 32),
    "mac-truncated": lambda s: s[:-4],
    "mac-missing": lambda s: s.split(".")[0],
    "extra-dot": lambda s: s + ".x",
    "not-base64": lambda s: "*" + s,
    "non-ascii": lambda s: "é" + s,
    "empty": lambda s: "",
    "huge": lambda s: s + "A" * 5000,
    "other-secret": lambda s: Sealer(b"x" * 32).seal({"typ": "token", "org": "a", "exp": 9}),
}


@pytest.mark.parametrize("tamper", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_seals_are_refused(tamper: object) -> None:
    sealer = Sealer(b"k" * 32)
    sealed = sealer.seal({"typ": "token", "org": "a", "exp": 9})
    with pytest.raises(BadSeal):
        sealer.open(tamper(sealed))  # type: ignore[operator]


def test_repr_hides_the_secret() -> None:
    assert "kkkk" not in repr(Sealer(b"k" * 32))
