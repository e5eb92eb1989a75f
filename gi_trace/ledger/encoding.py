"""Byte encodings used on the wire: unpadded base64url and hex, with strict decoding."""

from __future__ import annotations

import base64
import binascii
import re

from .errors import MalformedError

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object, *, field: str | None = None, length: int | None = None) -> bytes:
    """Decode unpadded (or padded) base64url, refusing any other alphabet or a wrong length."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text.rstrip("=")):
        raise MalformedError("not base64url", field=field, code="bad-base64")
    stripped = text.rstrip("=")
    if text != stripped and len(text) - len(stripped) != -len(stripped) % 4:
        raise MalformedError("wrong base64url padding", field=field, code="bad-base64")
    try:
        data = base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError) as e:
        raise MalformedError("not base64url", field=field, code="bad-base64") from e
    if b64url_encode(data) != stripped:
        raise MalformedError("non-canonical base64url", field=field, code="bad-base64")
    if length is not None and len(data) != length:
        raise MalformedError(f"must decode to {length} bytes, got {len(data)}", field=field,
                             code="bad-length")
    return data


def hex_decode(text: str, *, field: str | None = None, length: int | None = None) -> bytes:
    try:
        data = bytes.fromhex(text)
    except (TypeError, ValueError) as e:
        raise MalformedError("not hex", field=field, code="bad-hex") from e
    if length is not None and len(data) != length:
        raise MalformedError(f"must be {length} bytes", field=field, code="bad-length")
    return data
