"""Test helpers: actors that sign statements the way real clients do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger import keys
from gi_trace.ledger.statement import Envelope, draft


@dataclass
class Actor:
    org: str
    key: Ed25519PrivateKey = field(default_factory=keys.generate)

    @property
    def pub(self) -> str:
        return keys.public_key_b64(self.key)

    @property
    def key_id(self) -> str:
        return keys.private_key_id(self.key)

    def sign(self, type_: str, body: dict[str, Any], *, ts: datetime | None = None,
             nonce: str | None = None) -> Envelope:
        return draft(type_, self.org, self.key, body, ts=ts, nonce=nonce)

    def register_self(self, roles: list[str] | None = None) -> Envelope:
        """A self-signed org.register: a genesis entry for a trust root."""
        return self.sign("org.register", {"org": self.org, "name": {"zh": self.org, "en": self.org},
                                          "roles": roles or ["regulator"], "keys": [self.pub]})

    def register(self, other: Actor, roles: list[str]) -> Envelope:
        return self.sign("org.register", {"org": other.org, "name": {"zh": other.org, "en": other.org},
                                          "roles": roles, "keys": [other.pub]})

    def note(self, n: int = 0, *, ts: datetime | None = None, nonce: str | None = None) -> Envelope:
        """A valid statement that any organisation may sign as often as it likes: it adds a
        fresh key of its own (the ledger refuses statement types no rule owns)."""
        return self.sign("key.add", {"org": self.org, "pub": keys.public_key_b64(keys.generate()),
                                     "reason": f"note {n}"}, ts=ts, nonce=nonce)
