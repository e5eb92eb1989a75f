"""Test helpers: actors that sign statements the way real clients do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.domain.disclosure_policy import CONFIDENTIAL
from gi_trace.ledger import keys
from gi_trace.ledger.genesis import save_genesis
from gi_trace.ledger.statement import Envelope, draft
from gi_trace.settings import Settings


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
             nonce: str | None = None, attachments: dict[str, Any] | None = None) -> Envelope:
        """A v2 statement, its confidential fields sealed as the default policy says."""
        return draft(type_, self.org, self.key, body, ts=ts, nonce=nonce,
                     confidential=CONFIDENTIAL.get(type_, ()), attachments=attachments or {})

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


def instance_settings(root: Path, genesis: Envelope, *, database_url: str | None = None,
                      database: str = "gi-trace") -> Settings:
    """Settings for a test instance kept in `root` (SQLite unless `database_url`), with its
    regulators file holding `genesis`. `gi_trace.service.initialize` makes the database."""
    settings = Settings(database_url=database_url or f"sqlite:///{root}/{database}.db",
                        operator_key=str(root / "operator.pem"),
                        regulators=str(root / "regulators.json"),
                        witnesses=str(root / "witnesses.txt"),
                        origin="test.gi-trace/log", base_url="https://gi.example",
                        # No webhook delivery thread in every test app: the tests of webhooks
                        # turn it on (tests/api/test_webhooks.py, tests/labels/test_outbox.py).
                        webhook_worker=0)
    save_genesis([genesis], settings.regulators)
    return settings


def leaves(value: Any) -> Iterator[str]:
    """Every scalar of a JSON value, as text (numbers as they would be written)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)
