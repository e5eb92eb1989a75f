"""The producer's signature on one special-sign label: what the `s` of its Digital Link is.

It binds the printed code (GTIN, lot, serial) to the key that issued it, so a phone
holding the producer's public key can check a label offline. Domain-separated from
statement signatures by its own prefix.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger.canonical import canonical_json
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.keys import private_key_id, verify

LABEL_PREFIX = b"gi-trace/v1/label\n"


def label_message(gtin: str, lot: str, serial: str, key: str) -> bytes:
    """The bytes a label signature covers; `key` is the signing key's id (hex SHA-256)."""
    return LABEL_PREFIX + canonical_json({"gtin": gtin, "lot": lot, "serial": serial, "key": key})


def sign_label(private_key: Ed25519PrivateKey, gtin: str, lot: str, serial: str, *,
               key: str | None = None) -> str:
    """The base64url label signature, as printed in the Digital Link's `s` (`key`: the
    signing key's id, when the caller already has it)."""
    message = label_message(gtin, lot, serial, key or private_key_id(private_key))
    return b64url_encode(private_key.sign(message))


def label_signature_valid(public_key: bytes, key: str, gtin: str, lot: str, serial: str,
                          signature: bytes) -> bool:
    return verify(public_key, label_message(gtin, lot, serial, key), signature)
