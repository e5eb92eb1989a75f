"""The log as C2SP tiles (c2sp.org/tlog-tiles): static, cacheable resources cut from stored nodes.

A tile at level L, index N holds up to 256 consecutive Merkle Tree Hashes of
subtrees of 256**L leaves, i.e. the stored nodes at tree level 8 * L with
indexes N * 256 … N * 256 + 255. The log already stores every complete
subtree, so a tile is one read of those nodes, and an entry bundle is one read
of the records it covers. Both are immutable once the tree has reached them:
monitors, witnesses and CDNs written for Certificate Transparency and Sigstore
can follow the log without its dynamic proof API.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from . import schema
from .errors import MalformedError, RefusedError
from .merkle import NodeId, NodeReader
from .nodes import node_reader
from .record import Record

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_LEVEL = 63
# Entry bundles prefix each entry with a big-endian uint16 length.
MAX_ENTRY_BYTES = 0xFFFF

_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_INDEX = re.compile(r"(?:x[0-9]{3}/)*[0-9]{3}")


@dataclass(frozen=True)
class Tile:
    """A hash tile (``level`` 0…63) or an entry bundle (``level`` None), full or partial."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if self.level is not None and not 0 <= self.level <= MAX_LEVEL:
            raise MalformedError(f"tile level must be between 0 and {MAX_LEVEL}",
                                 code="bad-tile", field="level")
        if self.index < 0:
            raise MalformedError("tile index must not be negative", code="bad-tile", field="index")
        if not 1 <= self.width <= TILE_WIDTH:
            raise MalformedError(f"tile width must be between 1 and {TILE_WIDTH}",
                                 code="bad-tile", field="width")

    @property
    def is_entries(self) -> bool:
        return self.level is None

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def node_level(self) -> int:
        """The Merkle tree level of the hashes in this tile (leaves for an entry bundle)."""
        return TILE_HEIGHT * (self.level or 0)

    def node_ids(self) -> list[NodeId]:
        first = self.index * TILE_WIDTH
        return [(self.node_level, first + i) for i in range(self.width)]

    def leaves_needed(self) -> int:
        """The smallest tree size that holds every hash (or entry) of this tile."""
        return (self.index * TILE_WIDTH + self.width) << self.node_level

    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``, relative to the prefix."""
        level = "entries" if self.level is None else str(self.level)
        suffix = f".p/{self.width}" if self.is_partial else ""
        return f"tile/{level}/{encode_index(self.index)}{suffix}"

    @classmethod
    def parse(cls, path: str) -> Tile:
        """The tile named by a path below ``tile/``, e.g. ``0/x001/x234/067.p/5``.

        Exactly one spelling per tile is accepted (no leading zeros, no empty
        groups), so a cache can never hold the same tile under two names.
        """
        head, _, rest = path.partition("/")
        if head == "entries":
            level = None
        elif _LEVEL.fullmatch(head):
            level = int(head)
        else:
            raise MalformedError("tile level must be 'entries' or a decimal 0..63",
                                 code="bad-tile", field="level")
        index_text, partial, width_text = rest.partition(".p/")
        width = TILE_WIDTH
        if partial:
            if not _WIDTH.fullmatch(width_text) or int(width_text) >= TILE_WIDTH:
                raise MalformedError("partial tile width must be a decimal 1..255",
                                     code="bad-tile", field="width")
            width = int(width_text)
        return cls(level, decode_index(index_text), width)


def encode_index(index: int) -> str:
    """Zero-padded 3-digit groups, all but the last prefixed with x: 1234067 -> x001/x234/067."""
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def decode_index(text: str) -> int:
    if not _INDEX.fullmatch(text):
        raise MalformedError("tile index must be 3-digit groups like x001/x234/067",
                             code="bad-tile", field="index")
    index = int(text.replace("x", "").replace("/", ""))
    if encode_index(index) != text:
        raise MalformedError("tile index has a leading zero group", code="bad-tile",
                             field="index")
    return index


def hash_tile(tile: Tile, read: NodeReader) -> bytes:
    """The concatenated 32-byte hashes of a hash tile, from stored nodes in one read."""
    ids = tile.node_ids()
    nodes = read(ids)
    return b"".join(nodes[nid] for nid in ids)


def entry_bundle(records: Sequence[Record]) -> bytes:
    """Each entry as a big-endian uint16 length and the leaf bytes that are hashed.

    A leaf over 65,535 bytes (the log accepts larger statements) has no spelling
    in this format; the bundle that holds it is refused, naming the record,
    which the log's record reads still serve.
    """
    out = bytearray()
    for record in records:
        leaf = record.leaf
        if len(leaf) > MAX_ENTRY_BYTES:
            raise RefusedError(f"entry {record.seq} is {len(leaf)} bytes; a C2SP entry bundle "
                               f"holds entries of at most {MAX_ENTRY_BYTES} bytes: read record "
                               f"{record.seq} from the log's entries instead",
                               code="entry-too-large")
        out += struct.pack(">H", len(leaf)) + leaf
    return bytes(out)


class TileReader:
    """Tiles and entry bundles of the log, up to the size of its latest checkpoint."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def read(self, tile: Tile) -> bytes | None:
        """The tile's bytes, or None when no checkpoint yet covers all of it."""
        with self.engine.connect() as conn:
            size = conn.scalar(select(func.max(schema.checkpoints.c.size))) or 0
            if tile.leaves_needed() > size:
                return None
            if not tile.is_entries:
                return hash_tile(tile, node_reader(conn))
            r = schema.records.c
            first = tile.index * TILE_WIDTH
            rows = conn.execute(select(r.seq, r.statement, r.signature, r.prev, r.record_hash)
                                .where((r.seq >= first) & (r.seq < first + tile.width))
                                .order_by(r.seq))
            return entry_bundle([Record(row.seq, bytes(row.statement), bytes(row.signature),
                                        bytes(row.prev), bytes(row.record_hash)) for row in rows])
