"""Stateless sealed blobs: base64url(JSON payload) "." base64url(HMAC-SHA256).

Any worker on any host can check what another issued, with no shared store,
because the HMAC key is derived (HKDF) from the operator key they all load.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gi_trace.ledger.encoding import b64url_decode, b64url_encode
from gi_trace.ledger.errors import MalformedError

HKDF_INFO = b"gi-trace/v1/auth-hmac"
MAX_SEALED = 2048


class BadSeal(Exception):
    """Not something this server sealed, or altered since."""


def derive_secret(operator_key: Ed25519PrivateKey, origin: str, info: bytes = HKDF_INFO) -> bytes:
    """The HMAC key: bound to the operator key and the log's origin, never the key itself;
    another `info` gives an independent key for another use."""
    seed = operator_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                      serialization.NoEncryption())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=origin.encode("utf-8"),
                info=info).derive(seed)


class Sealer:
    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, payload: str) -> bytes:
        return hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest()

    def seal(self, payload: dict[str, Any]) -> str:
        text = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
        encoded = b64url_encode(text.encode("ascii"))
        return f"{encoded}.{b64url_encode(self._mac(encoded))}"

    def open(self, sealed: str) -> dict[str, Any]:
        """The payload, after checking the MAC in constant time; BadSeal otherwise."""
        if not isinstance(sealed, str) or len(sealed) > MAX_SEALED or sealed.count(".") != 1:
            raise BadSeal("malformed")
        encoded, mac = sealed.split(".")
        try:
            raw = b64url_decode(encoded)
            given = b64url_decode(mac, length=32)
        except MalformedError as e:
            raise BadSeal("not base64url") from e
        if not hmac.compare_digest(given, self._mac(encoded)):
            raise BadSeal("MAC does not match")
        payload = json.loads(raw)  # sealed by us, so well-formed
        if not isinstance(payload, dict):
            raise BadSeal("not an object")
        return payload

    def __repr__(self) -> str:
        return "Sealer(<secret>)"
