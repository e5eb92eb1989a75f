"""A label's inclusion path in its label.issue's `labels_root` (statement v2).

A v2 label.issue commits to its labels by `labels_root`, the RFC 6962 tree hash over
the leaves `jcs({"serial", "sig"})` in issue order; the serials and signatures are
kept only in gi_labels. A scan's proof discloses the scanned label alone: its leaf,
its index and the path from it to `labels_root` (RFC 9162 §2.1.3.1, bottom-up).

One issue may hold 10,000 labels and each of them is scanned: the tree of an issue is
built once (every level, as one bytes string of 32-byte hashes) and kept per issue
seq, so a path is log2(n) slices. A level with an odd count carries its last node up
unpaired, which is exactly the RFC 6962 tree for any n.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.ledger.canonical import canonical_json

HASH = 32
TREES_KEPT = 16  # issues whose trees a process keeps (~0.6 MB for one of 10,000 labels)


def label_leaf(serial: str, sig: str) -> bytes:
    """The leaf a label.issue v2 commits to: JCS of {"serial", "sig"}."""
    return canonical_json({"serial": serial, "sig": sig})


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


@dataclass(frozen=True)
class LabelTree:
    """Every level of the tree over one issue's label leaves, level 0 the leaf hashes."""

    levels: tuple[bytes, ...]

    @classmethod
    def of(cls, leaf_hashes: Iterable[bytes]) -> LabelTree:
        level = b"".join(leaf_hashes)
        if not level:
            raise ValueError("a label tree needs at least one label")
        levels = [level]
        while len(level) > HASH:
            pairs = len(level) // (2 * HASH)
            up = [hashlib.sha256(b"\x01" + level[i * 2 * HASH:(i + 1) * 2 * HASH]).digest()
                  for i in range(pairs)]
            if len(level) % (2 * HASH):  # an odd node out goes up as it is
                up.append(level[-HASH:])
            level = b"".join(up)
            levels.append(level)
        return cls(tuple(levels))

    @property
    def size(self) -> int:
        return len(self.levels[0]) // HASH

    @property
    def root(self) -> bytes:
        return self.levels[-1]

    def path(self, index: int) -> list[bytes]:
        """The audit path of leaf `index`, bottom-up (RFC 9162 §2.1.3.1)."""
        if not 0 <= index < self.size:
            raise IndexError(f"no label {index} in a tree of {self.size}")
        found = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling * HASH < len(level):
                found.append(level[sibling * HASH:(sibling + 1) * HASH])
            index >>= 1
        return found


def root_from_path(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root a leaf hash and its path lead to (RFC 9162 §2.1.3.2), None if they cannot."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


class LabelTrees:
    """The trees of the issues scanned lately, built from gi_labels in `idx` order."""

    def __init__(self, kept: int = TREES_KEPT) -> None:
        self.kept = kept
        self._trees: OrderedDict[int, LabelTree] = OrderedDict()
        self._lock = threading.Lock()

    def tree(self, conn: Connection, issue_seq: int) -> LabelTree | None:
        """The tree of the label.issue at `issue_seq`; None for labels without `idx` (v1)."""
        with self._lock:
            found = self._trees.get(issue_seq)
            if found is not None:
                self._trees.move_to_end(issue_seq)
                return found
        found = _build(conn, issue_seq)
        if found is not None:
            with self._lock:
                self._trees[issue_seq] = found
                while len(self._trees) > self.kept:
                    self._trees.popitem(last=False)
        return found


def _build(conn: Connection, issue_seq: int) -> LabelTree | None:
    lab = tables.labels.c
    rows = conn.execute(select(lab.serial, lab.sig, lab.idx).where(lab.issue_seq == issue_seq)
                        .order_by(lab.idx)).all()
    if not rows or any(row.idx != i for i, row in enumerate(rows)):
        return None  # no positions (a v1 issue), or not 0…n-1: no path can be right
    return LabelTree.of(leaf_hash(label_leaf(row.serial, row.sig)) for row in rows)
