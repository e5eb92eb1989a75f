"""A label's path in its label.issue's labels_root: the published gi-trace v2 vectors, RFC 6962
trees of every small size, and the paths of an issue of 10,000 labels (its time is in
bench/label_issue.py, not here)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from gi_trace.domain.label_commitment import Label
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.merkle import LeafTree as LabelTree
from gi_trace.ledger.merkle import leaf_hash, root_from_inclusion, root_of
from tests.vectors import vectors_dir


def label_leaf(serial: str, sig: str) -> bytes:
    return Label(serial, sig).leaf


def root_from_path(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    try:
        return root_from_inclusion(index, size, leaf, path)
    except LedgerError:
        return None


def _vectors() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((vectors_dir() / "gi-trace-v2" / "v2_vectors.json").read_text())
    return data["labels"]


def test_the_published_labels_make_the_published_root_leaves_and_paths() -> None:
    vectors = _vectors()
    labels = vectors["labels"]
    tree = LabelTree.of(leaf_hash(label_leaf(x["serial"], x["sig"])) for x in labels)
    assert tree.root.hex() == vectors["labels_root_hex"] and tree.size == len(labels)
    for index, label in enumerate(labels):
        leaf = label_leaf(label["serial"], label["sig"])
        assert leaf.decode() == label["leaf_jcs"]
        assert leaf_hash(leaf).hex() == label["leaf_hash_hex"]
        assert [h.hex() for h in tree.path(index)] == label["inclusion_path_hex"]
        assert root_from_path(index, len(labels), leaf_hash(leaf), tree.path(index)) == tree.root


@pytest.mark.parametrize("size", range(1, 41))
def test_every_path_of_every_small_tree_leads_to_the_rfc_6962_root(size: int) -> None:
    leaves = [hashlib.sha256(bytes([size, i])).digest() for i in range(size)]
    tree = LabelTree.of(leaves)
    assert tree.root == root_of(leaves)
    for index in range(size):
        path = tree.path(index)
        assert root_from_path(index, size, leaves[index], path) == tree.root
        if path:
            assert root_from_path(index, size, leaves[index], path[:-1]) != tree.root
            assert root_from_path(index, size, leaves[(index + 1) % size], path) != tree.root


def test_an_index_outside_the_tree_has_no_path() -> None:
    tree = LabelTree.of([b"\x00" * 32, b"\x01" * 32, b"\x02" * 32])
    with pytest.raises(IndexError):
        tree.path(3)
    with pytest.raises(IndexError):
        tree.path(-1)
    assert root_from_path(3, 3, b"\x00" * 32, []) is None
    with pytest.raises(ValueError, match="at least one"):
        LabelTree.of([])


def test_an_issue_of_10000_labels_has_short_paths_that_lead_to_its_root() -> None:
    leaves = [leaf_hash(label_leaf(f"SN{i:014d}", "A" * 86)) for i in range(10_000)]
    tree = LabelTree.of(leaves)
    paths = {i: tree.path(i) for i in range(0, 10_000, 997)}
    assert max(len(p) for p in paths.values()) == 14  # ⌈log2 10,000⌉
    assert tree.root == root_of(leaves)
    for i, path in paths.items():
        assert root_from_inclusion(i, 10_000, leaves[i], path) == tree.root
