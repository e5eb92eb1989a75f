"""Issue and check challenges and bearer tokens, with no state but the log's own key tables.

Plain Python over an Engine (no Flask), so the rules of the protocol are tested
apart from HTTP. Time comes from an injectable clock.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from gi_trace.domain.queries import orgs
from gi_trace.ledger import keys
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.statement import format_ts

from .errors import Unauthenticated
from .protocol import CHALLENGE_TTL, TOKEN_TTL, auth_signing_input
from .seal import BadSeal, Sealer

Clock = Callable[[], datetime]
CHALLENGE, TOKEN = "challenge", "token"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Caller:
    """The authenticated organisation of a request, and its roles as of this request."""

    org: str
    key: str
    roles: frozenset[str]

    @property
    def is_regulator(self) -> bool:
        return orgs.REGULATOR in self.roles


@dataclass(frozen=True)
class Issued:
    value: str
    expires: datetime
    org: str
    key: str

    @property
    def expires_text(self) -> str:
        return format_ts(self.expires)


class Authenticator:
    def __init__(self, sealer: Sealer, engine: Engine, clock: Clock = utcnow) -> None:
        self.sealer = sealer
        self.engine = engine
        self.clock = clock

    def _issue(self, typ: str, org: str, key: str, ttl: timedelta, **extra: Any) -> Issued:
        expires = int((self.clock() + ttl).timestamp())
        sealed = self.sealer.seal({"typ": typ, "org": org, "key": key, "exp": expires, **extra})
        return Issued(sealed, datetime.fromtimestamp(expires, UTC), org, key)

    def _open(self, typ: str, sealed: str, *, token_sent: bool) -> dict[str, Any]:
        """The payload of a live blob of type `typ`, or 401."""
        try:
            payload = self.sealer.open(sealed)
        except BadSeal as e:
            raise Unauthenticated(f"not a {typ} issued by this log", code=f"bad-{typ}",
                                  token_sent=token_sent) from e
        if payload.get("typ") != typ:
            raise Unauthenticated(f"not a {typ}", code=f"bad-{typ}", token_sent=token_sent)
        if self.clock().timestamp() >= payload["exp"]:
            expired = format_ts(datetime.fromtimestamp(payload["exp"], UTC))
            raise Unauthenticated(f"{typ} expired at {expired}", code=f"{typ}-expired",
                                  token_sent=token_sent)
        return payload

    @staticmethod
    def _live_key(conn: Connection, org: str, key: str, *, token_sent: bool = False) -> bytes:
        """The public key `key`, if it is `org`'s and unrevoked right now; 401 otherwise."""
        holder = orgs.key_holder(conn, key)
        if holder is None:
            raise Unauthenticated(f"no key {key}", code="unknown-key", token_sent=token_sent)
        if holder.org != org:
            raise Unauthenticated(f"key {key} is not {org}'s", code="key-not-owned",
                                  token_sent=token_sent)
        if holder.revoked:
            raise Unauthenticated(f"key {key} was revoked", code="key-revoked", token_sent=token_sent)
        return holder.pub

    def challenge(self, org: str, key: str) -> Issued:
        """A fresh challenge for `org` to sign with `key` (which must be its, and live)."""
        with self.engine.connect() as conn:
            self._live_key(conn, org, key)
        return self._issue(CHALLENGE, org, key, CHALLENGE_TTL, n=secrets.token_urlsafe(18))

    def token(self, challenge: str, signature: str) -> Issued:
        """A bearer token for whoever signed a live challenge with the key it names."""
        payload = self._open(CHALLENGE, challenge, token_sent=False)
        raw = b64url_decode(signature, field="signature", length=keys.SIGNATURE_SIZE)
        with self.engine.connect() as conn:
            pub = self._live_key(conn, payload["org"], payload["key"])
        if not keys.verify(pub, auth_signing_input(challenge), raw):
            raise Unauthenticated("the signature does not verify with the challenge's key",
                                  code="bad-signature")
        return self._issue(TOKEN, payload["org"], payload["key"], TOKEN_TTL,
                           iat=int(self.clock().timestamp()))

    def check(self, token: str) -> Caller:
        """The caller a bearer token stands for, re-checking its key against the log now."""
        payload = self._open(TOKEN, token, token_sent=True)
        with self.engine.connect() as conn:
            self._live_key(conn, payload["org"], payload["key"], token_sent=True)
            roles = orgs.roles_of(conn, payload["org"])
        return Caller(payload["org"], payload["key"], roles)
