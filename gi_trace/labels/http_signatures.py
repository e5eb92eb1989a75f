"""HTTP Message Signatures (RFC 9421) over a webhook delivery, with the operator's Ed25519 key.

A receiver checks that the delivery came from this service and was not altered: the
signature covers the method, the target URI, the body (by its RFC 9530 Content-Digest)
and the idempotency key, so a replay to another URL or with another body fails. What
a receiver does is written out in docs/design-notes.md, "Webhooks".
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger import keys

LABEL = "gi-trace"
TAG = "gi-trace-webhook"
ALG = "ed25519"
COMPONENTS = ("@method", "@target-uri", "content-type", "content-digest", "idempotency-key")


def content_digest(body: bytes) -> str:
    """The Content-Digest field of `body` (RFC 9530): sha-256 as a structured-field byte sequence."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode('ascii')}:"


def signature_params(components: Sequence[str], *, created: int, keyid: str) -> str:
    """The serialised inner list of covered components and its parameters (RFC 9421 §2.3)."""
    names = " ".join(f'"{name}"' for name in components)
    return f'({names});created={created};keyid="{keyid}";alg="{ALG}";tag="{TAG}"'


def _component(name: str, method: str, target_uri: str, headers: Mapping[str, str]) -> str:
    if name == "@method":
        return method.upper()
    if name == "@target-uri":
        return target_uri
    return headers[name].strip()  # one field line each: RFC 9421 §2.1 trims it


def signature_base(method: str, target_uri: str, headers: Mapping[str, str], params: str,
                   components: Sequence[str] = COMPONENTS) -> bytes:
    """The bytes signed (RFC 9421 §2.5): one line per covered component, then the parameters.
    `headers` are keyed by lowercase field name."""
    lines = [f'"{name}": {_component(name, method, target_uri, headers)}' for name in components]
    lines.append(f'"@signature-params": {params}')
    return "\n".join(lines).encode("utf-8")


@dataclass(frozen=True)
class WebhookSigner:
    """Signs deliveries with the operator key; its key id is the ledger's (hex SHA-256 of the raw key)."""

    private_key: Ed25519PrivateKey

    @property
    def keyid(self) -> str:
        return keys.private_key_id(self.private_key)

    def headers(self, method: str, target_uri: str, body: bytes, idempotency_key: str, *,
                created: int) -> dict[str, str]:
        """The request's headers: content type and digest, idempotency key and the signature."""
        fields = {"content-type": "application/json", "content-digest": content_digest(body),
                  "idempotency-key": idempotency_key}
        params = signature_params(COMPONENTS, created=created, keyid=self.keyid)
        signature = self.private_key.sign(signature_base(method, target_uri, fields, params))
        return {"Content-Type": fields["content-type"],
                "Content-Digest": fields["content-digest"],
                "Idempotency-Key": idempotency_key,
                "Signature-Input": f"{LABEL}={params}",
                "Signature": f"{LABEL}=:{base64.b64encode(signature).decode('ascii')}:"}
