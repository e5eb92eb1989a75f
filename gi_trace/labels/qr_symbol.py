"""QR symbols (ISO/IEC 18004) of byte strings, fast enough for sheets of thousands of labels.

The `qrcode` library draws about 100 symbols/s (550/s with a fixed mask): it builds
every symbol bit by bit and polynomial by polynomial. A sheet must reach 1,000
labels/s, so the per-label work is done here on whole integers and strings, while
everything that depends only on the version (the function patterns, drawn by
`qrcode`'s own methods, the data modules' placement order and the mask) is
computed once per version and kept. `qrcode`'s tables (block structure, Galois
field, format and version codes) are used as they are; a test checks that the
symbols are module for module those `qrcode` draws for the same version and mask.

Byte mode only (no segment optimisation), error correction level M and mask 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from operator import itemgetter

import qrcode
from qrcode import base, util
from qrcode.constants import ERROR_CORRECT_M

__all__ = ["ERROR_CORRECTION", "MASK", "encode"]

# M restores 15% of the codewords: the default of GS1 Digital Link encoders. A higher level
# would need a version up to two steps larger for a ~160-byte URI, so smaller modules on the
# same label; a copied or damaged label is caught by its signature, not by its redundancy.
ERROR_CORRECTION = ERROR_CORRECT_M
# Any mask is valid (ISO/IEC 18004 7.8); the choice by penalty only makes a symbol easier
# to read and costs 8 symbols per symbol. Mask 2 has the lowest mean penalty of the eight
# on Digital Link URIs of label length, and is the penalty's own choice most often.
MASK = 2

_PADDING = b"\xec\x11"
_TO_MODULES = bytes.maketrans(b"01", b"\x00\x01")


@dataclass(frozen=True)
class _Version:
    """What every symbol of one version shares."""

    number: int
    size: int                                   # modules a side
    blocks: tuple[int, ...]                     # data codewords of each block, in order
    ec_count: int                               # error correction codewords per block
    data_modules: int                           # codeword modules and remainder bits
    mask: int                                   # the mask, as bits in placement order
    gather: Callable[[str], tuple[str, ...]]    # row-major modules from data + template
    template: str                               # '0'/'1' per module: the function patterns

    @property
    def capacity(self) -> int:
        """Data bits the version holds."""
        return 8 * sum(self.blocks)


def encode(data: bytes) -> list[bytes]:
    """The smallest symbol holding `data`: rows of modules, 1 dark, 0 light, without the quiet zone."""
    version = _version_for(len(data))
    count_bits = _count_bits(version.number)
    bits = 4 + count_bits + 8 * len(data)
    value = (util.MODE_8BIT_BYTE << count_bits | len(data)) << 8 * len(data) | int.from_bytes(data)
    terminated = min(bits + 4, version.capacity)
    filled = terminated + -terminated % 8
    stream = (value << filled - bits).to_bytes(filled // 8) + _PADDING * (version.capacity // 16)
    blocks = _split(stream, version.blocks)
    table = _ec_table(version.ec_count)
    codewords = _interleave(blocks) + _interleave([_error_correction(b, table, version.ec_count)
                                                  for b in blocks])
    remainder = version.data_modules - 8 * len(codewords)
    placed = format(int.from_bytes(codewords) << remainder ^ version.mask, f"0{version.data_modules}b")
    flat = "".join(version.gather(placed + version.template)).encode("ascii").translate(_TO_MODULES)
    size = version.size
    return [flat[i:i + size] for i in range(0, size * size, size)]


def _count_bits(version: int) -> int:
    return 8 if version < 10 else 16


def _version_for(length: int) -> _Version:
    for number in range(1, 41):
        if 4 + _count_bits(number) + 8 * length <= util.BIT_LIMIT_TABLE[ERROR_CORRECTION][number]:
            return _layout(number)
    raise ValueError(f"{length} bytes do not fit in a QR code at error correction level M")


def _split(stream: bytes, sizes: tuple[int, ...]) -> list[bytes]:
    blocks, start = [], 0
    for size in sizes:
        blocks.append(stream[start:start + size])
        start += size
    return blocks


def _interleave(blocks: list[bytes]) -> bytes:
    """Column by column; the longer blocks (one codeword more) come last, so their extra ends it."""
    short, count = len(blocks[0]), len(blocks)
    out = bytearray(short * count)
    for i, block in enumerate(blocks):
        out[i::count] = block[:short]
    return bytes(out) + bytes(block[short] for block in blocks if len(block) > short)


def _error_correction(block: bytes, table: tuple[int, ...], count: int) -> bytes:
    """Reed-Solomon remainder of `block`, the whole remainder held in one integer."""
    shift, keep, remainder = 8 * (count - 1), (1 << 8 * count) - 1, 0
    for byte in block:
        remainder = (remainder << 8 & keep) ^ table[remainder >> shift ^ byte]
    return remainder.to_bytes(count)


def _multiply(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else base.gexp(base.glog(a) + base.glog(b))


@cache
def _ec_table(count: int) -> tuple[int, ...]:
    """For each feedback byte, the generator polynomial's lower terms times it, as one integer."""
    generator = [1]
    for i in range(count):
        root = base.gexp(i)
        generator = [a ^ _multiply(b, root) for a, b in zip([*generator, 0], [0, *generator], strict=True)]
    lower = generator[1:]
    return tuple(int.from_bytes(bytes(_multiply(f, g) for g in lower)) for f in range(256))


@cache
def _layout(number: int) -> _Version:
    """The function patterns (drawn by qrcode), placement order and mask of one version."""
    symbol = qrcode.QRCode(version=number, error_correction=ERROR_CORRECTION, mask_pattern=MASK)
    size = symbol.modules_count = 4 * number + 17
    symbol.modules = [[None] * size for _ in range(size)]
    for row, col in ((0, 0), (size - 7, 0), (0, size - 7)):
        symbol.setup_position_probe_pattern(row, col)
    symbol.setup_position_adjust_pattern()
    symbol.setup_timing_pattern()
    symbol.setup_type_info(False, MASK)
    if number >= 7:
        symbol.setup_type_number(False)
    modules = symbol.modules
    order = _placement(modules)
    masked = util.mask_func(MASK)
    mask = int("".join("1" if masked(*divmod(cell, size)) else "0" for cell in order), 2)
    source = {cell: i for i, cell in enumerate(order)}
    gather = itemgetter(*(source.get(cell, len(order) + cell) for cell in range(size * size)))
    template = "".join("1" if module else "0" for row in modules for module in row)
    blocks = base.rs_blocks(number, ERROR_CORRECTION)
    return _Version(number, size, tuple(b.data_count for b in blocks), blocks[0].total_count -
                    blocks[0].data_count, len(order), mask, gather, template)


def _placement(modules: list[list[bool | None]]) -> list[int]:
    """Row-major indexes of the data modules in placement order: two-column zigzag from bottom right."""
    size = len(modules)
    order: list[int] = []
    row, step = size - 1, -1
    for right in range(size - 1, 0, -2):
        col = right - 1 if right <= 6 else right            # skip the vertical timing pattern
        for _ in range(size):
            order.extend(row * size + c for c in (col, col - 1) if modules[row][c] is None)
            row += step
        row -= step
        step = -step
    return order
