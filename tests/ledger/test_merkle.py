"""Merkle tree tests against the published RFC 6962 vectors and a storage-backed property sweep."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import pytest

from gi_trace.ledger.errors import MalformedError, VerificationError
from gi_trace.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    Frontier,
    NodeId,
    consistency_proof,
    frontier_ids,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_nodes,
    root_at,
    root_from_inclusion,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from tests.vectors import vectors_dir


def _load(name: str) -> Any:
    return json.loads((vectors_dir() / "rfc6962" / name).read_text(encoding="utf-8"))


def _h(text: str | None) -> bytes:
    """Probe hashes are hex; null means empty bytes (per the vectors README)."""
    return bytes.fromhex(text) if text else b""


class Store:
    """Dict-backed node store, filled only from Frontier.append output, counting read calls."""

    def __init__(self) -> None:
        self.nodes: dict[NodeId, bytes] = {}
        self.frontier = Frontier()
        self.calls: list[list[NodeId]] = []

    def append(self, leaf: bytes) -> None:
        for nid, h in self.frontier.append(leaf):
            assert nid not in self.nodes
            self.nodes[nid] = h

    def read(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        self.calls.append(list(ids))
        return {nid: self.nodes[nid] for nid in ids}


def _store(leaf_hashes: Sequence[bytes]) -> Store:
    store = Store()
    for h in leaf_hashes:
        store.append(h)
    return store


REF = _load("reference_tree.json")
REF_LEAVES = [leaf_hash(_h(x)) for x in REF["leaves"]]
INCLUSION = _load("inclusion.json")["vectors"]
CONSISTENCY = _load("consistency.json")["vectors"]
INCLUSION_PROBES = _load("inclusion_probes.json")["probes"]
CONSISTENCY_PROBES = _load("consistency_probes.json")["probes"]


# --- hashing -------------------------------------------------------------------------------


@pytest.mark.parametrize("vec", _load("hasher.json")["vectors"], ids=lambda v: v["desc"])
def test_hasher_vectors(vec: dict[str, Any]) -> None:
    want = _h(vec["expected"])
    if vec["kind"] == "empty_root":
        assert want == EMPTY_ROOT
        assert root_of([]) == want
    elif vec["kind"] == "leaf":
        assert leaf_hash(_h(vec["input"])) == want
    else:
        assert node_hash(_h(vec["left"]), _h(vec["right"])) == want


def test_reference_tree_levels() -> None:
    assert [h.hex() for h in REF_LEAVES] == REF["leaf_hashes"]
    store = _store(REF_LEAVES)
    for level, row in enumerate(REF["node_hashes_by_level"]):
        for index, want in enumerate(row):
            assert store.nodes[(level, index)].hex() == want
    assert len(store.nodes) == sum(len(row) for row in REF["node_hashes_by_level"])


@pytest.mark.parametrize("size", range(9))
def test_roots_by_size(size: int) -> None:
    want = _h(REF["roots_by_size"][str(size)])
    assert root_of(REF_LEAVES[:size]) == want
    store = _store(REF_LEAVES[:size])
    assert store.frontier.root() == want
    assert store.frontier.ids() == frontier_ids(size)
    assert root_at(size, _store(REF_LEAVES).read) == want  # a larger store serves old roots
    assert root_at(size, store.read) == want


# --- published proofs ----------------------------------------------------------------------


@pytest.mark.parametrize("vec", INCLUSION, ids=lambda v: f"{v['leaf_index']}-of-{v['tree_size']}")
def test_inclusion_vectors(vec: dict[str, Any]) -> None:
    index, size = vec["leaf_index"], vec["tree_size"]
    proof = inclusion_proof(index, size, _store(REF_LEAVES).read)
    assert [p.hex() for p in proof] == vec["proof"]
    assert leaf_hash(_h(vec["leaf_data"])) == _h(vec["leaf_hash"])
    verify_inclusion(index, size, _h(vec["leaf_hash"]), proof, _h(vec["root"]))


@pytest.mark.parametrize("vec", CONSISTENCY, ids=lambda v: f"{v['size1']}-to-{v['size2']}")
def test_consistency_vectors(vec: dict[str, Any]) -> None:
    size1, size2 = vec["size1"], vec["size2"]
    proof = consistency_proof(size1, size2, _store(REF_LEAVES).read)
    assert [p.hex() for p in proof] == vec["proof"]
    verify_consistency(size1, size2, proof, _h(vec["root1"]), _h(vec["root2"]))


# --- verifier probes -----------------------------------------------------------------------


def _probe_id(p: dict[str, Any]) -> str:
    return str(p["file"]).removeprefix("testdata/").removesuffix(".json")


@pytest.mark.parametrize("probe", INCLUSION_PROBES, ids=_probe_id)
def test_inclusion_probe(probe: dict[str, Any]) -> None:
    proof = [_h(p) for p in probe["proof"] or []]
    args = (probe["leafIdx"], probe["treeSize"], _h(probe["leafHash"]), proof, _h(probe["root"]))
    if probe["want_error"]:
        with pytest.raises(VerificationError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("probe", CONSISTENCY_PROBES, ids=_probe_id)
def test_consistency_probe(probe: dict[str, Any]) -> None:
    proof = [_h(p) for p in probe["proof"] or []]
    args = (probe["size1"], probe["size2"], proof, _h(probe["root1"]), _h(probe["root2"]))
    if probe["want_error"]:
        with pytest.raises(VerificationError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


# --- storage-backed property sweep ---------------------------------------------------------

MAX_SIZE = 70


@cache
def _leaves() -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(MAX_SIZE)]


@cache
def _big_store() -> Store:
    return _store(_leaves())


def _flip(proof: list[bytes], i: int, bit: int) -> list[bytes]:
    out = list(proof)
    b = bytearray(out[i])
    b[bit // 8] ^= 1 << (bit % 8)
    out[i] = bytes(b)
    return out


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_sweep(size: int) -> None:
    leaves = _leaves()[:size]
    root = root_of(leaves)
    store = _big_store()
    assert root_at(size, store.read) == root
    assert _store(leaves).frontier.root() == root

    for index in range(size):
        proof = inclusion_proof(index, size, store.read)
        verify_inclusion(index, size, leaves[index], proof, root)
        assert root_from_inclusion(index, size, leaves[index], proof) == root
        for i in range(len(proof)):
            bad = _flip(proof, i, (index * 7 + i) % (8 * HASH_SIZE))
            with pytest.raises(VerificationError):
                verify_inclusion(index, size, leaves[index], bad, root)
        if proof:
            with pytest.raises(VerificationError):
                verify_inclusion(index, size, leaves[index], proof[:-1], root)
        with pytest.raises(VerificationError):
            verify_inclusion(index, size, leaves[index], [*proof, root], root)

    for size1 in range(1, size + 1):
        root1 = root_of(leaves[:size1])
        proof = consistency_proof(size1, size, store.read)
        verify_consistency(size1, size, proof, root1, root)
        for i in range(len(proof)):
            bad = _flip(proof, i, (size1 * 5 + i) % (8 * HASH_SIZE))
            with pytest.raises(VerificationError):
                verify_consistency(size1, size, bad, root1, root)
        if proof:
            with pytest.raises(VerificationError):
                verify_consistency(size1, size, proof[:-1], root1, root)
            with pytest.raises(VerificationError):
                verify_consistency(size1, size, [*proof, root], root1, root)


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_range_nodes_cover_exactly(size: int) -> None:
    for begin in range(size):
        covered: list[int] = []
        for level, index in range_nodes(begin, size):
            assert level >= 0 and index >= 0
            covered.extend(range(index << level, (index + 1) << level))
        assert covered == list(range(begin, size))
    assert range_nodes(0, size) == frontier_ids(size)
    levels = [level for level, _ in frontier_ids(size)]
    assert levels == sorted(levels, reverse=True) and len(set(levels)) == len(levels)


# --- storage access pattern ----------------------------------------------------------------


def test_one_read_per_call() -> None:
    store = _big_store()
    size = MAX_SIZE
    checks: list[Callable[[], object]] = [
        lambda: root_at(size, store.read),
        lambda: inclusion_proof(37, size, store.read),
        lambda: inclusion_proof(size - 1, size, store.read),
        lambda: consistency_proof(13, size, store.read),
        lambda: consistency_proof(64, size, store.read),
        lambda: Frontier.load(size, store.read),
    ]
    for call in checks:
        store.calls.clear()
        call()
        assert len(store.calls) == 1
        ids = store.calls[0]
        assert len(ids) == len(set(ids))
        assert len(ids) <= 8 * size.bit_length() ** 2


def test_no_read_when_nothing_is_needed() -> None:
    store = _store(_leaves()[:1])
    store.calls.clear()
    assert root_at(0, store.read) == EMPTY_ROOT
    assert inclusion_proof(0, 1, store.read) == []
    assert consistency_proof(1, 1, store.read) == []
    assert store.calls == []


def test_missing_node_raises_key_error() -> None:
    store = _store(_leaves()[:5])
    with pytest.raises(KeyError):
        root_at(6, store.read)


# --- incremental append --------------------------------------------------------------------


def test_append_outputs_every_complete_node_once() -> None:
    frontier = Frontier()
    seen: dict[NodeId, bytes] = {}
    for i, leaf in enumerate(_leaves()[:16]):
        created = frontier.append(leaf)
        assert created[0] == ((0, i), leaf)
        assert [level for (level, _), _ in created] == list(range(len(created)))
        seen.update(created)
        assert frontier.size == i + 1
        assert frontier.hashes == [seen[nid] for nid in frontier_ids(i + 1)]
    assert len(seen) == 31  # every node of a perfect 16-leaf tree
    assert seen[(4, 0)] == root_of(_leaves()[:16])


def test_frontier_load_resumes_appending() -> None:
    store = _store(_leaves()[:45])
    resumed = Frontier.load(45, store.read)
    assert resumed == store.frontier
    for leaf in _leaves()[45:50]:
        resumed.append(leaf)
    assert resumed.root() == root_of(_leaves()[:50])


def test_frontier_rejects_inconsistent_state() -> None:
    with pytest.raises(MalformedError):
        Frontier(3, [EMPTY_ROOT])
    with pytest.raises(MalformedError):
        Frontier().append(b"short")


# --- argument checking ---------------------------------------------------------------------


@pytest.mark.parametrize(("size1", "size2"), [(0, 0), (0, 5), (6, 5), (-1, 3)])
def test_consistency_proof_rejects_bad_sizes(size1: int, size2: int) -> None:
    with pytest.raises(MalformedError):
        consistency_proof(size1, size2, _big_store().read)


@pytest.mark.parametrize(("index", "size"), [(0, 0), (5, 5), (-1, 5)])
def test_inclusion_proof_rejects_bad_index(index: int, size: int) -> None:
    with pytest.raises(MalformedError):
        inclusion_proof(index, size, _big_store().read)


@pytest.mark.parametrize(("begin", "end"), [(3, 3), (4, 2), (-1, 2)])
def test_range_nodes_rejects_empty(begin: int, end: int) -> None:
    with pytest.raises(MalformedError):
        range_nodes(begin, end)


def test_verify_inclusion_rejects_short_hashes() -> None:
    leaves = _leaves()[:4]
    root = root_of(leaves)
    proof = inclusion_proof(1, 4, _big_store().read)
    with pytest.raises(VerificationError):
        verify_inclusion(1, 4, leaves[1], [proof[0][:31], proof[1]], root)
    with pytest.raises(VerificationError):
        verify_inclusion(1, 4, leaves[1], proof, root[:31])
