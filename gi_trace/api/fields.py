"""Marshmallow fields for the ledger's bytes, so views hand over records and never encode."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from gi_trace.ledger.canonical import parse_json
from gi_trace.ledger.encoding import b64url_encode


class Hex(fields.String):
    """Hashes go out as lowercase hex, the spelling of DESIGN.md."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else bytes(value).hex()


class Base64Url(fields.String):
    """Signatures go out as unpadded base64url, as they came in."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else b64url_encode(bytes(value))


class CanonicalJSON(fields.Dict):
    """The stored canonical statement bytes, served as the JSON object they spell."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else parse_json(bytes(value))
