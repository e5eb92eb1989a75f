"""The authentication protocol as the API states it; the signed bytes themselves are in
gi_trace.ledger.challenge, which clients import without Flask.

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

from gi_trace.ledger.challenge import AUTH_PREFIX, auth_signing_input, sign_challenge

CHALLENGE_TTL = timedelta(minutes=5)
TOKEN_TTL = timedelta(hours=1)
SCHEME = "Bearer"
__all__ = ["AUTH_PREFIX", "CHALLENGE_TTL", "SCHEME", "TOKEN_TTL", "auth_signing_input",
           "sign_challenge"]


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
