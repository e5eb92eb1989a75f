"""Bearer tokens for authenticated reads, obtained by signing a server challenge.

The organisation proves it holds its key without the server ever storing a
password: POST /v1/auth/challenge {org, key} gives a one-time challenge, the
client signs b"gi-trace/v1/auth\\n" + challenge with the org key, and
POST /v1/auth/token {challenge, signature} gives the token. The token is cached
until shortly before it expires, so reads cost one round trip, not three.

The prefix is spelled here again rather than imported from gi_trace.api.auth.protocol:
importing anything under gi_trace.api loads Flask, and a client must not need a server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger.challenge import auth_signing_input
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.keys import private_key_id

from .errors import TransportError
from .http import Http

REFRESH_MARGIN = 30.0  # seconds before expiry at which a token counts as expired


@dataclass(frozen=True)
class Token:
    value: str
    expires: float | None  # wall-clock seconds since the epoch; None when the server gave none

    def fresh(self, now: float) -> bool:
        return self.expires is None or now < self.expires - REFRESH_MARGIN


def _expiry(answer: dict[str, Any], now: float) -> float | None:
    """Read `expires` (RFC 3339, what gi-trace sends), or `expires_at` / `expires_in` (seconds)."""
    expires_in = answer.get("expires_in")
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        return now + float(expires_in)
    expires_at = answer.get("expires", answer.get("expires_at"))
    if isinstance(expires_at, str):
        try:
            moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
        except ValueError:
            return None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    return None


class Authenticator:
    """Holds one organisation's token; signs challenges with a key it never sends."""

    def __init__(self, http: Http, org: str, private_key: Ed25519PrivateKey, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.http = http
        self.org = org
        self._key = private_key
        self._clock = clock
        self._token: Token | None = None

    def token(self, *, refresh: bool = False) -> str:
        """A valid bearer token, from the cache unless it is (nearly) expired or `refresh`."""
        now = self._clock()
        if refresh or self._token is None or not self._token.fresh(now):
            self._token = self._obtain(now)
        return self._token.value

    def forget(self) -> None:
        self._token = None

    def _obtain(self, now: float) -> Token:
        issued = self.http.post_json("/v1/auth/challenge",
                                     {"org": self.org, "key": private_key_id(self._key)})
        challenge = issued.get("challenge") if isinstance(issued, dict) else None
        if not isinstance(challenge, str) or not challenge:
            raise TransportError("the server's answer has no challenge", code="bad-response")
        signature = self._key.sign(auth_signing_input(challenge))
        answer = self.http.post_json("/v1/auth/token", {"challenge": challenge,
                                                        "signature": b64url_encode(signature)})
        token = answer.get("token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise TransportError("the server's answer has no token", code="bad-response")
        return Token(token, _expiry(answer, now))
