"""Records: the log's rows, each linked to the one before it by hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .canonical import canonical_json, parse_json
from .encoding import b64url_decode, b64url_encode, hex_decode
from .errors import MalformedError
from .merkle import leaf_hash

GENESIS_PREV = bytes(32)


def chain_hash(prev: bytes, leaf: bytes) -> bytes:
    """record_hash = SHA-256(prev || leaf_hash)."""
    return hashlib.sha256(prev + leaf).digest()


@dataclass(frozen=True)
class Record:
    seq: int
    statement: bytes
    signature: bytes
    prev: bytes
    record_hash: bytes

    @property
    def leaf(self) -> bytes:
        return self.signature + self.statement

    @property
    def leaf_hash(self) -> bytes:
        return leaf_hash(self.leaf)

    @classmethod
    def build(cls, seq: int, statement: bytes, signature: bytes, prev: bytes) -> Record:
        """The only way the log makes a record: the hashes are computed, never supplied."""
        return cls(seq, statement, signature, prev, chain_hash(prev, leaf_hash(signature + statement)))

    def to_json(self) -> dict[str, Any]:
        """The wire form of `GET /v1/log/entries`: the statement as a JSON object."""
        return {"seq": self.seq, "statement": parse_json(self.statement),
                "signature": b64url_encode(self.signature), "prev": self.prev.hex(),
                "record_hash": self.record_hash.hex()}

    @classmethod
    def from_json(cls, data: Any) -> Record:
        """Rebuild a record as served, keeping its claimed hashes so an audit can check them."""
        if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
            raise MalformedError("not a log record", code="bad-record")
        return cls(data["seq"], canonical_json(data.get("statement")),
                   b64url_decode(data.get("signature", ""), field="signature"),
                   hex_decode(data.get("prev", ""), field="prev", length=32),
                   hex_decode(data.get("record_hash", ""), field="record_hash", length=32))
