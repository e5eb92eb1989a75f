"""Print-ready sheets of GI special-sign labels: A4, 3 × 8 labels of 63.5 × 33.9 mm.

Each label carries the QR code of its Digital Link URI and, beside it, what the GI
special-sign rules require: the official sign's text, the product's GI name (zh and
en), the producer and its unified social credit code (统一社会信用代码), then the lot
and the serial for a human to read. The layout is the common 24-up A4 label stock.

The sheet streams: labels are read a page at a time and each page leaves as one
chunk, so memory does not grow with the number of labels (only the list of page
object numbers does). QR modules are vector rectangles of horizontal runs, one path a code.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import BinaryIO

from .pdf import (
    HELVETICA,
    HELVETICA_BOLD,
    SONG,
    PdfWriter,
    bitmap_path,
    cjk_text,
    fonts,
    latin_text,
    text_width,
)
from .qr import QUIET_ZONE, qr_matrix

__all__ = ["LABELS_PER_PAGE", "SIGN_TEXT_EN", "SIGN_TEXT_ZH", "SheetLabel", "sheet_chunks", "write_sheet"]

SIGN_TEXT_ZH = "地理标志专用标志"
SIGN_TEXT_EN = "GI special sign"

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
COLUMNS, ROWS = 3, 8
LABELS_PER_PAGE = COLUMNS * ROWS
LABEL_WIDTH, LABEL_HEIGHT = 63.5 * MM, 33.9 * MM
PITCH_X = 66.0 * MM                                   # labels 2.5 mm apart, rows touching
LEFT = (PAGE_WIDTH - (COLUMNS - 1) * PITCH_X - LABEL_WIDTH) / 2
TOP = PAGE_HEIGHT - (PAGE_HEIGHT - ROWS * LABEL_HEIGHT) / 2
PADDING = 1 * MM                                      # inside the label, for cutting tolerance
QR_SIDE = LABEL_HEIGHT - 2 * PADDING                  # the symbol and its quiet zone
TEXT_WIDTH = LABEL_WIDTH - 2 * PADDING - QR_SIDE        # beside the QR code
SMALLEST_TEXT = 4.0                                   # points: a longer line is clipped, not shrunk
LEADING = 1.28


@dataclass(frozen=True)
class SheetLabel:
    """What one printed label shows."""

    uri: str
    serial: str
    lot: str
    product_zh: str
    product_en: str
    producer_zh: str
    producer_en: str
    uscc: str | None


def write_sheet(labels: Iterable[SheetLabel], out: BinaryIO) -> int:
    """Write the sheet of `labels` to `out`, page by page; the number of pages."""
    chunks = sheet_chunks(labels)
    while True:
        try:
            out.write(next(chunks))
        except StopIteration as done:
            return int(done.value)


def sheet_chunks(labels: Iterable[SheetLabel]) -> Generator[bytes, None, int]:
    """The sheet as chunks of PDF (one a page, for a streamed response); returns the number of pages.

    Raises ValueError, before the first chunk, when there is no label: a PDF has at least one page.
    """
    pending = iter(labels)
    batch = list(islice(pending, LABELS_PER_PAGE))
    if not batch:
        raise ValueError("a label sheet needs at least one label")
    pdf = PdfWriter()
    catalog, tree = pdf.reserve(), pdf.reserve()
    resources, chunk = fonts(pdf)
    yield pdf.header() + chunk
    pages: list[int] = []
    while batch:
        content, chunk = pdf.add_stream(b"".join(_label(label, i) for i, label in enumerate(batch)))
        page, page_chunk = pdf.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] "
                                   b"/Resources %d 0 R /Contents %d 0 R >>"
                                   % (tree, PAGE_WIDTH, PAGE_HEIGHT, resources, content))
        pages.append(page)
        yield chunk + page_chunk
        batch = list(islice(pending, LABELS_PER_PAGE))
    kids = b" ".join(b"%d 0 R" % page for page in pages)
    info, info_chunk = pdf.add(b"<< /Producer (gi-trace) /Title (GI special-sign labels) >>")
    yield (pdf.write(tree, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)))
           + pdf.write(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % tree)
           + info_chunk + pdf.trailer(catalog, info))
    return len(pages)


def _label(label: SheetLabel, position: int) -> bytes:
    """The drawing of one label in cell `position` (row-major) of its page."""
    row, column = divmod(position, COLUMNS)
    left, top = LEFT + column * PITCH_X, TOP - row * LABEL_HEIGHT
    return _symbol(label.uri, left + PADDING, top - PADDING) + _text(label, left, top)


def _symbol(uri: str, left: float, top: float) -> bytes:
    """The QR code in a QR_SIDE square from (left, top): module units, rows downwards, one fill."""
    rows = qr_matrix(uri)
    module = QR_SIDE / (len(rows) + 2 * QUIET_ZONE)
    return b"q %.5f 0 0 %.5f %.3f %.3f cm\n%sf Q\n" % (
        module, -module, left + QUIET_ZONE * module, top - QUIET_ZONE * module, bitmap_path(rows))


def _lines(label: SheetLabel) -> list[tuple[bytes, float, str]]:
    """(font, size in points, text) of each line beside the QR code, top to bottom."""
    lines = [(SONG, 7.5, SIGN_TEXT_ZH), (HELVETICA, 5.5, SIGN_TEXT_EN),
             (SONG, 8.0, label.product_zh), (HELVETICA_BOLD, 7.0, label.product_en),
             (SONG, 6.0, label.producer_zh), (HELVETICA, 5.5, label.producer_en)]
    if label.uscc:
        lines += [(SONG, 5.0, "统一社会信用代码"), (HELVETICA, 6.0, f"USCC {label.uscc}")]
    lines += [(HELVETICA, 6.0, f"Lot {label.lot}"), (HELVETICA_BOLD, 6.0, f"SN {label.serial}")]
    return [(font, size, text) for font, size, text in lines if text.strip()]


def _text(label: SheetLabel, left: float, top: float) -> bytes:
    """The text beside the QR code: shrunk to the label's width, clipped to it as a last resort."""
    x = left + PADDING + QR_SIDE
    lines = _lines(label)
    baseline = top - (LABEL_HEIGHT - sum(size * LEADING for _, size, _ in lines)) / 2
    parts = [b"q %.3f %.3f %.3f %.3f re W n BT\n" % (x, top - LABEL_HEIGHT, TEXT_WIDTH, LABEL_HEIGHT)]
    for font, size, text in lines:
        baseline -= size * LEADING
        parts.append(b"1 0 0 1 %.3f %.3f Tm %s\n" % (x, baseline + 0.25 * size, _shown(font, size, text)))
    parts.append(b"ET Q\n")
    return b"".join(parts)


@lru_cache(maxsize=1024)
def _shown(font: bytes, size: float, text: str) -> bytes:
    """Font, size fitted to TEXT_WIDTH and the string of one line: the same on most labels of a sheet."""
    fitted = max(SMALLEST_TEXT, min(size, size * TEXT_WIDTH / max(text_width(text, font, size), 1e-9)))
    return b"%s %.2f Tf %s Tj" % (font, fitted, cjk_text(text) if font == SONG else latin_text(text))
