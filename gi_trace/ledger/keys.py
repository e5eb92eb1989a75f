"""Ed25519 keys as the ledger names them: key id = hex SHA-256 of the raw public key."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nacl.bindings
import nacl.exceptions
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .encoding import b64url_decode, b64url_encode
from .errors import MalformedError

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def public_bytes(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw)


def private_key_id(private_key: Ed25519PrivateKey) -> str:
    return key_id(public_bytes(private_key))


def public_key_b64(private_key: Ed25519PrivateKey) -> str:
    return b64url_encode(public_bytes(private_key))


def decode_public_key(text: object, *, field: str | None = None) -> bytes:
    raw = b64url_decode(text, field=field, length=PUBLIC_KEY_SIZE)
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as e:
        raise MalformedError("not an Ed25519 public key", field=field, code="bad-key") from e
    return raw


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Ed25519 verification by libsodium: about twice as fast as OpenSSL's here, and verifying
    is the log's hottest path (every append, every statement of every audit)."""
    if len(public_key) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
        return False
    try:
        nacl.bindings.crypto_sign_open(signature + message, public_key)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False
    return True


def first_bad_signature(items: Sequence[tuple[bytes, bytes, bytes]]) -> int | None:
    """Index of the first (public key, message, signature) that does not verify: the work an
    audit hands to its worker processes."""
    for index, (pub, message, signature) in enumerate(items):
        if not verify(pub, message, signature):
            return index
    return None


PARALLEL_FROM = 2000  # fewer signatures than this are not worth a second thread
_THREADS = 2
_pool: ThreadPoolExecutor | None = None


def _threads() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(_THREADS, thread_name_prefix="gi-trace-verify")
    return _pool


def first_bad_signature_threaded(items: Sequence[tuple[bytes, bytes, bytes]]) -> int | None:
    """first_bad_signature over two threads for one large list (a label.issue of 10,000
    labels): libsodium runs without the GIL, so one request may use both cores."""
    if len(items) < PARALLEL_FROM:
        return first_bad_signature(items)
    half = (len(items) + 1) // 2
    first, second = _threads().map(first_bad_signature, (items[:half], items[half:]))
    return first if first is not None else (None if second is None else second + half)


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def to_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """Load a PKCS#8 PEM Ed25519 private key, with an error that names the file."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise MalformedError(f"cannot read private key {path}: {e}", code="bad-key") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise MalformedError(f"{path} is not an Ed25519 key", code="bad-key")
    return key


def save_private_key(private_key: Ed25519PrivateKey, path: str | Path) -> None:
    """Write a private key readable by its owner only; never overwrite an existing one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb", opener=lambda p, flags: os.open(p, flags, 0o600)) as f:
        f.write(to_pem(private_key))
