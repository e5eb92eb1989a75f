"""A minimal PDF writer that streams: each object leaves as bytes as soon as it is made.

reportlab keeps every page until the document is saved; a sheet of 10,000 labels
must stream. Objects are numbered as they are reserved and written in any order;
only their byte offsets are kept (a few bytes per object) for the cross-reference
table written at the end. Objects may refer forward to a reserved number, so the
page tree, whose kids are known only at the end, is written last.

Text: the standard Helvetica fonts for Latin (WinAnsiEncoding), and the standard
Chinese font STSong-Light as a Type0 font with the UniGB-UCS2-H CMap, unembedded
(readers bring their own; ISO 32000-1 9.7.5.2), its text as UTF-16BE.
"""

from __future__ import annotations

import re
import zlib
from functools import cache
from operator import getitem

__all__ = ["HELVETICA", "HELVETICA_BOLD", "SONG", "PdfWriter", "bitmap_path", "cjk_text", "fonts",
           "latin_text", "text_width"]

_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_ONE_LINE = {ord("\r"): " ", ord("\n"): " "}
_ESCAPES = {**_ONE_LINE, ord("\\"): "\\\\", ord("("): "\\(", ord(")"): "\\)"}

# zlib level 3: a page of 24 labels in ~3 ms to ~45 KB; level 6 takes 2.6 times longer for 30% less.
_COMPRESSION = 3
# Resource names of the fonts in `fonts`.
HELVETICA, HELVETICA_BOLD, SONG = b"/F1", b"/F2", b"/F3"
# Advance widths of Helvetica's printable ASCII (its AFM, 1/1000 em), for fitting text to a width;
# Helvetica-Bold is at most 12% wider. STSong-Light: ASCII half width (its /W below), the rest full.
_HELVETICA_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584)


class PdfWriter:
    """Serialises objects to chunks of bytes and remembers where each one starts."""

    def __init__(self) -> None:
        self._offsets: list[int | None] = []     # by object number - 1; None until written
        self._position = 0

    def _emit(self, chunk: bytes) -> bytes:
        self._position += len(chunk)
        return chunk

    def header(self) -> bytes:
        """The first chunk: version and a binary comment, so transfers treat the file as binary."""
        return self._emit(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def reserve(self) -> int:
        """A new object number, to refer to before the object is written."""
        self._offsets.append(None)
        return len(self._offsets)

    def write(self, number: int, body: bytes) -> bytes:
        """Object `number` with the given body (a dictionary, array, ...)."""
        if self._offsets[number - 1] is not None:
            raise ValueError(f"PDF object {number} is already written")
        self._offsets[number - 1] = self._position
        return self._emit(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def add(self, body: bytes) -> tuple[int, bytes]:
        """A new object written at once: its number and its bytes."""
        number = self.reserve()
        return number, self.write(number, body)

    def add_stream(self, data: bytes) -> tuple[int, bytes]:
        """A new Flate-compressed stream object (a page's content)."""
        packed = zlib.compress(data, _COMPRESSION)
        return self.add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
                        % (len(packed), packed))

    def trailer(self, root: int, info: int | None = None) -> bytes:
        """The cross-reference table and trailer; every reserved object must have been written."""
        missing = [i + 1 for i, offset in enumerate(self._offsets) if offset is None]
        if missing:
            raise ValueError(f"PDF objects reserved but never written: {missing}")
        start = self._position
        table = b"".join(b"%010d 00000 n \n" % offset for offset in self._offsets if offset is not None)
        info_entry = b" /Info %d 0 R" % info if info is not None else b""
        return self._emit(b"xref\n0 %d\n0000000000 65535 f \n%strailer\n<< /Size %d /Root %d 0 R%s >>\n"
                          b"startxref\n%d\n%%%%EOF\n" % (len(self._offsets) + 1, table,
                                                        len(self._offsets) + 1, root, info_entry, start))


def fonts(writer: PdfWriter) -> tuple[int, bytes]:
    """A resource dictionary of the three fonts: its object number and the bytes of its objects."""
    descriptor, chunks = writer.add(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
    cid, chunk = writer.add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor %d 0 R /DW 1000 /W [1 95 500] >>" % descriptor)
    chunks += chunk
    song, chunk = writer.add(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H "
                             b"/Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] >>" % cid)
    chunks += chunk
    latin = b"/Type /Font /Subtype /Type1 /Encoding /WinAnsiEncoding"
    resources, chunk = writer.add(
        b"<< /Font << %s << %s /BaseFont /Helvetica >> %s << %s /BaseFont /Helvetica-Bold >> %s %d 0 R >> >>"
        % (HELVETICA, latin, HELVETICA_BOLD, latin, SONG, song))
    return resources, chunks + chunk


def bitmap_path(rows: list[bytes]) -> bytes:
    """A path of unit squares over the 1s of a bitmap (rows of 0/1 bytes), row 0 at y = 0, x and y ≥ 0.

    Each row is cut in 8-cell chunks; the rectangles of the dark runs of each chunk
    pattern are formatted once, so a row costs a table lookup per chunk, not a format
    per rectangle (five times faster on QR codes). A run across a chunk boundary is
    two abutting rectangles of the same path: the fill is the same.
    """
    width = len(rows[0]) if rows else 0
    if not width:
        return b""
    chunks = -(-width // 8)
    tables = [_chunk_rectangles(k) for k in range(chunks)]
    pad = bytes(8 * chunks - width)
    packed = int((pad.join(rows) + pad).translate(_DIGITS), 2).to_bytes(chunks * len(rows))
    return "".join(["".join(map(getitem, tables, packed[start:start + chunks])).replace("@", str(y))
                    for y, start in enumerate(range(0, len(packed), chunks))]).encode("ascii")


@cache
def _chunk_rectangles(k: int) -> tuple[str, ...]:
    """For each pattern of cells 8k..8k+7 (high bit first), its runs as `x @ w 1 re ` (@ for y)."""
    return tuple("".join(f"{8 * k + run.start()} @ {len(run.group())} 1 re " for run in
                         re.finditer("1+", format(pattern, "08b"))) for pattern in range(256))


def text_width(text: str, font: bytes, size: float) -> float:
    """An upper bound of the width of `text` in points (1000 units an em for any other character)."""
    if font == SONG:
        return sum(500 if " " <= c <= "~" else 1000 for c in text) * size / 1000
    units = sum(_HELVETICA_WIDTHS[ord(c) - 32] if " " <= c <= "~" else 1000 for c in text)
    return units * (1.12 if font == HELVETICA_BOLD else 1.0) * size / 1000


def latin_text(text: str) -> bytes:
    """A literal string for a Helvetica font: Windows-1252, anything else as '?'."""
    return b"(%s)" % text.translate(_ESCAPES).encode("cp1252", errors="replace")


def cjk_text(text: str) -> bytes:
    """A hex string for STSong-Light with UniGB-UCS2-H: UTF-16BE, characters beyond the BMP as '?'."""
    plain = "".join(c if ord(c) <= 0xFFFF else "?" for c in text.translate(_ONE_LINE))
    return b"<%s>" % plain.encode("utf-16-be").hex().encode("ascii")
