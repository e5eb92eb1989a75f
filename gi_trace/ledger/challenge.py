"""Proving possession of an org's key: the bytes signed to answer a server's challenge.

Its own domain prefix, so an answer can never pass for a statement or a label
signature. Shared by the server and every client, hence here and Flask-free.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .encoding import b64url_encode

AUTH_PREFIX = b"gi-trace/v1/auth\n"


def auth_signing_input(challenge: str) -> bytes:
    """The bytes an org signs to answer `challenge`."""
    return AUTH_PREFIX + challenge.encode("utf-8")


def sign_challenge(private_key: Ed25519PrivateKey, challenge: str) -> str:
    """The base64url signature to send to POST /v1/auth/token."""
    return b64url_encode(private_key.sign(auth_signing_input(challenge)))
