"""An independent tlog-tiles reader for tests: hashlib and the spec's text, nothing of gi_trace.

It rebuilds a tree's root from tiles alone, taking each complete subtree of
256**L leaves from the level-L tile that holds it and hashing only the levels
in between, as a CT or Sigstore monitor would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

Fetch = Callable[[str], bytes]
"""Fetch a resource by its path below the log prefix, e.g. ``tile/0/x001/067.p/5``."""


def spec_index(n: int) -> str:
    """The spec's index encoding, written from its example (1234067 -> x001/x234/067)."""
    digits = str(n)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_width(size: int, level: int, index: int) -> int:
    """How many hashes tile (level, index) holds in a tree of ``size`` leaves (0: none)."""
    return max(0, min(256, size // 256**level - index * 256))


def tile_path(size: int, level: int | str, index: int) -> str:
    width = tile_width(size, 0 if level == "entries" else int(level), index)
    assert width, f"tree of size {size} has no tile {level}/{index}"
    return f"tile/{level}/{spec_index(index)}" + ("" if width == 256 else f".p/{width}")


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


class TileTree:
    """The tree of ``size`` leaves as its tiles describe it."""

    def __init__(self, size: int, fetch: Fetch) -> None:
        self.size = size
        self.fetch = fetch
        self.tiles: dict[tuple[int, int], list[bytes]] = {}

    def tile(self, level: int, index: int) -> list[bytes]:
        if (level, index) not in self.tiles:
            data = self.fetch(tile_path(self.size, level, index))
            assert len(data) == 32 * tile_width(self.size, level, index)
            self.tiles[level, index] = [data[i:i + 32] for i in range(0, len(data), 32)]
        return self.tiles[level, index]

    def stored(self, level: int, index: int) -> bytes:
        """The hash of the complete subtree of 256**level leaves number ``index``."""
        return self.tile(level, index // 256)[index % 256]

    def subtree(self, lo: int, hi: int) -> bytes:
        """RFC 6962 MTH(D[lo:hi]), reading a tile hash wherever a whole one fits."""
        n = hi - lo
        for level in range(8, 0, -1):
            if n == 256**level and lo % n == 0:
                return self.stored(level, lo // n)
        if n == 1:
            return self.stored(0, lo)
        k = 1 << ((n - 1).bit_length() - 1)
        return node(self.subtree(lo, lo + k), self.subtree(lo + k, hi))

    def root(self) -> bytes:
        return self.subtree(0, self.size) if self.size else hashlib.sha256(b"").digest()

    def check_levels(self) -> None:
        """Every hash of a level-L tile (L >= 1) is the root of a full tile of level L - 1."""
        for (level, index), hashes in list(self.tiles.items()):
            for i, h in enumerate(hashes):
                if level:
                    below = self.tile(level - 1, index * 256 + i)
                    assert len(below) == 256
                    assert self._mth(below) == h

    @staticmethod
    def _mth(hashes: list[bytes]) -> bytes:
        while len(hashes) > 1:
            hashes = [node(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]


def bundle_entries(data: bytes) -> list[bytes]:
    """Split an entry bundle: big-endian uint16 length, then that many bytes, repeated."""
    entries, at = [], 0
    while at < len(data):
        length = int.from_bytes(data[at:at + 2], "big")
        entries.append(data[at + 2:at + 2 + length])
        at += 2 + length
    assert at == len(data), "bundle ends inside an entry"
    return entries
