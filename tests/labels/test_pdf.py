"""The streaming PDF writer: objects in any order, a cross-reference table that points at each."""

from __future__ import annotations

import re

import pypdfium2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gi_trace.labels.pdf import (
    HELVETICA,
    SONG,
    PdfWriter,
    bitmap_path,
    cjk_text,
    fonts,
    latin_text,
    text_width,
)


def small_document() -> bytes:
    """One page written before its parent (the page tree), as the sheet writes them."""
    pdf = PdfWriter()
    catalog, tree = pdf.reserve(), pdf.reserve()
    chunks = [pdf.header()]
    resources, chunk = fonts(pdf)
    chunks.append(chunk)
    content, chunk = pdf.add_stream(b"BT %s 12 Tf 72 720 Td %s Tj ET BT %s 12 Tf 72 700 Td %s Tj ET"
                                    % (HELVETICA, latin_text("Lot (A) \\ 1"), SONG, cjk_text("武夷岩茶")))
    chunks.append(chunk)
    page, chunk = pdf.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources %d 0 R "
                          b"/Contents %d 0 R >>" % (tree, resources, content))
    chunks += [chunk, pdf.write(tree, b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page),
               pdf.write(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % tree), pdf.trailer(catalog)]
    return b"".join(chunks)


def test_every_cross_reference_points_at_its_object() -> None:
    data = small_document()
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))  # type: ignore[union-attr]
    assert data[start:].startswith(b"xref\n0 ")
    count = int(data[start:].split(b"\n")[1].split()[1])
    entries = data[start:].split(b"\n")[3:3 + count - 1]
    for number, entry in enumerate(entries, start=1):
        assert len(entry) + 1 == 20                    # each entry is exactly 20 bytes with its EOL
        offset = int(entry[:10])
        assert data[offset:].startswith(b"%d 0 obj\n" % number)


def test_pdfium_opens_and_reads_the_document() -> None:
    document = pypdfium2.PdfDocument(small_document())
    assert len(document) == 1
    text = document[0].get_textpage().get_text_range()
    assert "Lot (A) \\ 1" in text
    assert "武夷岩茶" in text


def test_an_object_is_written_once() -> None:
    pdf = PdfWriter()
    number, _ = pdf.add(b"<< >>")
    with pytest.raises(ValueError, match="already written"):
        pdf.write(number, b"<< >>")


def test_the_trailer_needs_every_reserved_object() -> None:
    pdf = PdfWriter()
    catalog, tree = pdf.reserve(), pdf.reserve()
    pdf.write(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % tree)
    with pytest.raises(ValueError, match=r"never written: \[2\]"):
        pdf.trailer(catalog)


TEXTS = {
    "parentheses and backslash escaped": (latin_text("a(b)c\\d"), b"(a\\(b\\)c\\\\d)"),
    "line breaks become spaces": (latin_text("a\nb\rc"), b"(a b c)"),
    "Windows-1252 beyond ASCII": (latin_text("Café"), b"(Caf\xe9)"),
    "no Windows-1252 code: a question mark": (latin_text("茶"), b"(?)"),
    "Chinese as UTF-16BE hex": (cjk_text("茶A"), b"<8336" + b"0041>"),
    "beyond the BMP: a question mark": (cjk_text("\U0001f375"), b"<003f>"),
}


@pytest.mark.parametrize(("encoded", "expected"), TEXTS.values(), ids=TEXTS.keys())
def test_text_is_encoded_for_its_font(encoded: bytes, expected: bytes) -> None:
    assert encoded == expected


def test_text_width_follows_the_fonts_metrics() -> None:
    assert text_width("Il", HELVETICA, 10) == pytest.approx((278 + 222) / 100)
    assert text_width("茶a", SONG, 10) == pytest.approx(15)


def painted(path: bytes) -> list[tuple[int, int]]:
    """Every unit cell the rectangles of a bitmap path cover, once per rectangle covering it."""
    cells = []
    for x, y, width, height in re.findall(rb"(\d+) (\d+) (\d+) (\d+) re", path):
        assert int(height) == 1
        cells += [(int(x) + dx, int(y)) for dx in range(int(width))]
    return cells


@given(st.integers(1, 40).flatmap(lambda width: st.lists(st.binary(min_size=width, max_size=width).map(
    lambda row: bytes(b & 1 for b in row)), min_size=1, max_size=12)))
def test_a_bitmap_path_covers_exactly_the_dark_cells_once(rows: list[bytes]) -> None:
    cells = painted(bitmap_path(rows))
    assert len(cells) == len(set(cells))
    assert set(cells) == {(x, y) for y, row in enumerate(rows) for x, bit in enumerate(row) if bit}


def test_a_bitmap_path_merges_runs_within_eight_cells() -> None:
    row = b"\x01\x01\x01\x00\x00\x01\x01\x01" + b"\x01\x01\x00"
    assert bitmap_path([row, bytes(11)]) == b"0 0 3 1 re 5 0 3 1 re 8 0 2 1 re "
