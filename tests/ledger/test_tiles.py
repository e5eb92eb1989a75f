"""C2SP tlog-tiles: paths as the spec spells them, tile contents that rebuild the root."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping, Sequence

import pytest

from gi_trace.ledger import merkle
from gi_trace.ledger.errors import LedgerError, MalformedError
from gi_trace.ledger.merkle import Frontier, NodeId
from gi_trace.ledger.record import GENESIS_PREV, Record
from gi_trace.ledger.tiles import MAX_ENTRY_BYTES, Tile, encode_index, entry_bundle, hash_tile
from tests.tile_client import TileTree, bundle_entries, spec_index


@pytest.mark.parametrize(("index", "text"), [
    (0, "000"), (7, "007"), (999, "999"), (1000, "x001/000"), (67, "067"),
    (1234067, "x001/x234/067"),  # the spec's example
    (10**9, "x001/x000/x000/000"),
])
def test_index_encoding_follows_the_spec(index: int, text: str) -> None:
    assert encode_index(index) == text == spec_index(index)
    assert Tile.parse(f"0/{text}").index == index


@pytest.mark.parametrize(("path", "tile"), [
    ("0/000", Tile(0, 0)),
    ("0/x001/x234/067", Tile(0, 1234067)),
    ("1/x001/x234/067.p/5", Tile(1, 1234067, 5)),
    ("63/000.p/255", Tile(63, 0, 255)),
    ("entries/x001/000", Tile(None, 1000)),
    ("entries/000.p/1", Tile(None, 0, 1)),
])
def test_paths_round_trip(path: str, tile: Tile) -> None:
    assert Tile.parse(path) == tile
    assert tile.path() == f"tile/{path}"


@pytest.mark.parametrize(("path", "field"), [
    ("00/000", "level"), ("64/000", "level"), ("-1/000", "level"), ("x/000", "level"),
    ("entry/000", "level"), ("0/00", "index"), ("0/0000", "index"), ("0/x000/001", "index"),
    ("0/001/002", "index"), ("0/x001", "index"), ("0/", "index"), ("0/x001/067/", "index"),
    ("0/000.p/0", "width"), ("0/000.p/256", "width"), ("0/000.p/05", "width"),
    ("0/000.p/", "width"), ("0/000.p/1.p/2", "width"),
], ids=lambda v: str(v))
def test_only_the_one_canonical_spelling_is_a_tile(path: str, field: str) -> None:
    with pytest.raises(MalformedError) as raised:
        Tile.parse(path)
    assert (raised.value.code, raised.value.field) == ("bad-tile", field)


def spec_tiles(size: int) -> list[Tile]:
    """The tiles the spec says a tree of `size` has: full ones, then one partial per level."""
    tiles = []
    for level in range(8):
        count = size // 256**level
        tiles += [Tile(level, n) for n in range(count // 256)]
        if count % 256:
            tiles.append(Tile(level, count // 256, count % 256))
    return tiles


def test_tree_of_70000_has_the_tiles_of_the_spec_example() -> None:
    tiles = spec_tiles(70_000)
    assert len([t for t in tiles if t.level == 0 and not t.is_partial]) == 273
    assert [(t.level, t.index, t.width) for t in tiles if t.is_partial or t.level] == [
        (0, 273, 112), (1, 0, 256), (1, 1, 17), (2, 0, 1)]
    assert all(t.leaves_needed() <= 70_000 for t in tiles)
    beyond = [Tile(0, 273), Tile(0, 273, 113), Tile(1, 1), Tile(1, 1, 18), Tile(2, 0, 2),
              Tile(3, 0, 1), Tile(None, 273)]
    assert all(t.leaves_needed() > 70_000 for t in beyond)
    assert [(t.level, t.width) for t in spec_tiles(256)] == [(0, 256), (1, 1)]


@pytest.fixture(scope="module")
def stored_tree() -> tuple[dict[NodeId, bytes], list[bytes]]:
    """Every complete subtree of a 70,000-leaf tree, as the log stores them, and the leaves."""
    frontier = Frontier()
    nodes: dict[NodeId, bytes] = {}
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(70_000)]
    for h in leaves:
        nodes.update(frontier.append(h))
    return nodes, leaves


def reader(nodes: Mapping[NodeId, bytes]) -> merkle.NodeReader:
    def read(ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        return {nid: nodes[nid] for nid in ids}
    return read


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 70_000])
def test_tiles_rebuild_every_root(stored_tree: tuple[dict[NodeId, bytes], list[bytes]],
                                  size: int) -> None:
    nodes, leaves = stored_tree
    read = reader(nodes)

    def fetch(path: str) -> bytes:
        return hash_tile(Tile.parse(path.removeprefix("tile/")), read)

    tree = TileTree(size, fetch)
    assert tree.root() == merkle.root_of(leaves[:size])
    tree.check_levels()


def test_level_zero_tiles_are_leaf_hashes(stored_tree: tuple[dict[NodeId, bytes], list[bytes]]
                                          ) -> None:
    nodes, leaves = stored_tree
    assert hash_tile(Tile(0, 1, 3), reader(nodes)) == b"".join(leaves[256:259])


def record(seq: int, statement: bytes) -> Record:
    return Record.build(seq, statement, bytes(64), GENESIS_PREV)


def test_entry_bundle_is_uint16_length_prefixed_leaves() -> None:
    records = [record(0, b'{"a":1}'), record(1, b""), record(2, b"x" * 300)]
    data = entry_bundle(records)
    assert data[:2] == struct.pack(">H", 64 + 7)
    assert bundle_entries(data) == [r.leaf for r in records]
    assert [hashlib.sha256(b"\x00" + e).digest() for e in bundle_entries(data)] == \
        [r.leaf_hash for r in records]


def test_entry_bundle_holds_the_largest_uint16_entry_and_refuses_a_larger_one() -> None:
    largest = record(0, b"x" * (MAX_ENTRY_BYTES - 64))
    assert bundle_entries(entry_bundle([largest])) == [largest.leaf]
    with pytest.raises(LedgerError, match="entry 5 is 65536 bytes") as raised:
        entry_bundle([largest, record(5, b"x" * (MAX_ENTRY_BYTES - 63))])
    assert raised.value.code == "entry-too-large"
