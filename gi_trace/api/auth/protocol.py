"""The authentication protocol, as both sides must spell it: plain Python, no Flask, so a
client (gi_trace.client, a phone app's port) imports it without the server.

1. POST /v1/auth/challenge {"org", "key"} → {"challenge", "expires"} (valid 5 minutes).
2. The org signs `auth_signing_input(challenge)` with the private key of `key` (Ed25519).
3. POST /v1/auth/token {"challenge", "signature"} → {"token", "expires", "org"} (valid 1 hour).
4. Send `Authorization: Bearer <token>` with each read that needs an identity.

The server keeps no password and no session: challenges and tokens are sealed
with an HMAC key derived from the operator key, so any worker can check them.
The key must still be the org's and unrevoked at issue and at every request.
"""

from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger.encoding import b64url_encode

# Its own domain prefix, so an auth signature can never pass for a statement or a label.
AUTH_PREFIX = b"gi-trace/v1/auth\n"
CHALLENGE_TTL = timedelta(minutes=5)
TOKEN_TTL = timedelta(hours=1)
SCHEME = "Bearer"


def auth_signing_input(challenge: str) -> bytes:
    """The bytes an org signs to answer `challenge`."""
    return AUTH_PREFIX + challenge.encode("utf-8")


def sign_challenge(private_key: Ed25519PrivateKey, challenge: str) -> str:
    """The base64url signature to send to POST /v1/auth/token."""
    return b64url_encode(private_key.sign(auth_signing_input(challenge)))


DESCRIPTION = f"""\
Organisations authenticate with their own Ed25519 key; the server stores no password.

1. `POST /v1/auth/challenge` with `{{"org", "key"}}` (`key`: the key id, hex SHA-256 of the raw
   public key) returns a `challenge`, valid {int(CHALLENGE_TTL.total_seconds()) // 60} minutes.
2. Sign the bytes `"gi-trace/v1/auth\\n" + challenge` (UTF-8) with that key's private key.
3. `POST /v1/auth/token` with `{{"challenge", "signature"}}` (`signature`: base64url) returns a
   bearer `token`, valid {int(TOKEN_TTL.total_seconds()) // 3600} hour.
4. Send `Authorization: Bearer <token>`.

The key must belong to the org and be unrevoked when the token is issued and at every request:
revoking a key (`key.revoke`) ends its tokens at once. Challenges and tokens are stateless
(HMAC-sealed, any server checks them); treat a token like the key that obtained it.
"""
