"""Print-ready label sheets: every QR code on a page decodes, the text is there, and they stream."""

from __future__ import annotations

import gc
import io
import weakref
from collections.abc import Iterator

import pypdfium2
import pytest

from gi_trace.labels.sheet import (
    LABEL_HEIGHT,
    LABEL_WIDTH,
    LABELS_PER_PAGE,
    LEFT,
    PAGE_HEIGHT,
    SIGN_TEXT_EN,
    SIGN_TEXT_ZH,
    TOP,
    SheetLabel,
    sheet_chunks,
    write_sheet,
)

from .rendering import LOT, USCC, decoded, page_text, rendered, sheet_label, transformed


@pytest.fixture(scope="module")
def fifty() -> list[SheetLabel]:
    return [sheet_label(i) for i in range(50)]


@pytest.fixture(scope="module")
def sheet(fifty: list[SheetLabel]) -> Iterator[pypdfium2.PdfDocument]:
    out = io.BytesIO()
    assert write_sheet(fifty, out) == 3
    with pypdfium2.PdfDocument(out.getvalue()) as document:
        yield document


def one_label(label: SheetLabel) -> pypdfium2.PdfDocument:
    out = io.BytesIO()
    assert write_sheet([label], out) == 1
    return pypdfium2.PdfDocument(out.getvalue())


def test_fifty_labels_fill_three_a4_pages(sheet: pypdfium2.PdfDocument) -> None:
    assert len(sheet) == 3
    width, height = sheet[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


@pytest.mark.parametrize(("page", "first", "count"), [(0, 0, 24), (2, 48, 2)], ids=["full page", "last page"])
def test_every_qr_code_on_a_page_decodes(sheet: pypdfium2.PdfDocument, fifty: list[SheetLabel],
                                         page: int, first: int, count: int) -> None:
    found = decoded(rendered(sheet, page))
    assert len(found) == count
    assert set(found) == {label.uri for label in fifty[first:first + count]}


VIEWS = {"half size, tilted 17 degrees": (0.5, 17.0), "quarter turn": (1.0, 90.0)}


@pytest.mark.parametrize(("scale", "degrees"), VIEWS.values(), ids=VIEWS.keys())
def test_a_printed_label_decodes_scaled_and_rotated(sheet: pypdfium2.PdfDocument, fifty: list[SheetLabel],
                                                    scale: float, degrees: float) -> None:
    dpi = 300
    pixels = dpi / 72
    left, top = LEFT * pixels, (PAGE_HEIGHT - TOP) * pixels
    first_label = rendered(sheet, 0, dpi).crop((round(left), round(top), round(left + LABEL_WIDTH * pixels),
                                                round(top + LABEL_HEIGHT * pixels)))
    assert decoded(transformed(first_label, scale, degrees)) == [fifty[0].uri]


def test_each_label_shows_the_sign_product_producer_lot_and_serial(sheet: pypdfium2.PdfDocument,
                                                                   fifty: list[SheetLabel]) -> None:
    text = page_text(sheet, 0)
    for words in (SIGN_TEXT_ZH, SIGN_TEXT_EN, "武夷岩茶", "Wuyi Rock Tea", "武夷山市永生茶业有限公司",
                  "Wuyishan Yongsheng Tea Co., Ltd.", "统一社会信用代码", f"USCC {USCC}", LOT):
        assert text.count(words) == LABELS_PER_PAGE, words
    for label in fifty[:LABELS_PER_PAGE]:
        assert f"SN {label.serial}" in text
    assert fifty[LABELS_PER_PAGE].serial not in text


def test_without_a_credit_code_the_line_is_left_out() -> None:
    with one_label(sheet_label(0, uscc=None)) as document:
        text = page_text(document, 0)
    assert "统一社会信用代码" not in text
    assert f"SN {sheet_label(0).serial}" in text


def test_a_long_name_is_shrunk_to_the_labels_width() -> None:
    name = "Wuyishan Da Hong Pao Rock Tea"
    with one_label(sheet_label(0, product_en=name)) as document:
        text = document[0].get_textpage()
        start, count = text.search(name).get_next()
        boxes = [text.get_charbox(i) for i in range(start, start + count)]
    assert max(right for _, _, right, _ in boxes) <= LEFT + LABEL_WIDTH
    assert max(top - bottom for _, bottom, _, top in boxes) < 7 * 0.8     # smaller than its 7 points


def test_a_name_too_long_even_when_shrunk_is_cut_at_the_labels_edge() -> None:
    name = "Wuyishan Da Hong Pao Rock Oolong Tea, Protected Geographical Indication Product"
    with one_label(sheet_label(0, product_en=name)) as document:
        page = rendered(document, 0, dpi=100).convert("L")
    edge = round((LEFT + LABEL_WIDTH) * 100 / 72) + 1
    assert page.crop((edge, 0, page.width, page.height)).getextrema() == (255, 255)


def counted(labels: int, taken: list[int], alive: list[weakref.ref[SheetLabel]]) -> Iterator[SheetLabel]:
    """Labels made one at a time, counting how many the sheet has taken and keeping a weak reference."""
    for i in range(labels):
        label = sheet_label(i)
        alive.append(weakref.ref(label))
        taken[0] += 1
        yield label


def test_labels_are_read_a_page_at_a_time_and_let_go() -> None:
    taken, alive = [0], []
    chunks = sheet_chunks(counted(10 * LABELS_PER_PAGE, taken, alive))
    next(chunks)                                       # header and fonts, once the first page is read
    assert taken[0] == LABELS_PER_PAGE
    assert next(chunks).count(b"/Type /Page ") == 1   # page 1, before anything more is read
    assert taken[0] == LABELS_PER_PAGE
    next(chunks)                                       # page 2
    assert taken[0] == 2 * LABELS_PER_PAGE
    gc.collect()
    assert not any(ref() for ref in alive[:LABELS_PER_PAGE])   # page 1's labels are gone
    assert sum(chunk.count(b"/Type /Page ") for chunk in chunks) == 8


def test_a_sheet_without_labels_is_refused_before_any_byte() -> None:
    out = io.BytesIO()
    with pytest.raises(ValueError, match="at least one label"):
        write_sheet([], out)
    assert out.getvalue() == b""
