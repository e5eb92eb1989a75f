"""Records: the log's rows, each linked to the one before it by hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

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
