"""A label's inclusion path in its label.issue's `labels_root` (statement v2).

A v2 label.issue commits to its labels by `labels_root`, the RFC 6962 tree hash over
the leaves `jcs({"serial", "sig"})` in issue order; the serials and signatures are
kept only in gi_labels. A scan's proof discloses the scanned label alone: its leaf,
its index and the path from it to `labels_root` (RFC 9162 §2.1.3.1, bottom-up).

One issue may hold 10,000 labels and each of them is scanned: the tree of an issue is
built once (`ledger.merkle.LeafTree`) and kept per issue seq, so a path is log2(n) slices.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import Connection, select

from gi_trace.domain import tables
from gi_trace.domain.label_commitment import Label
from gi_trace.ledger.merkle import LeafTree, leaf_hash

TREES_KEPT = 16  # issues whose trees a process keeps (~0.6 MB for one of 10,000 labels)


class LabelTrees:
    """The trees of the issues scanned lately, built from gi_labels in `idx` order."""

    def __init__(self, kept: int = TREES_KEPT) -> None:
        self.kept = kept
        self._trees: OrderedDict[int, LeafTree] = OrderedDict()
        self._lock = threading.Lock()

    def tree(self, conn: Connection, issue_seq: int) -> LeafTree | None:
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


def _build(conn: Connection, issue_seq: int) -> LeafTree | None:
    lab = tables.labels.c
    rows = conn.execute(select(lab.serial, lab.sig, lab.idx).where(lab.issue_seq == issue_seq)
                        .order_by(lab.idx)).all()
    if not rows or any(row.idx != i for i, row in enumerate(rows)):
        return None  # no positions (a v1 issue), or not 0…n-1: no path can be right
    return LeafTree.of(leaf_hash(Label(row.serial, row.sig).leaf) for row in rows)
