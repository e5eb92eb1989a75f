"""The fast QR assembly draws, module for module, the symbol the qrcode library draws."""

from __future__ import annotations

import random

import pytest
import qrcode
import zxingcpp
from qrcode.util import MODE_8BIT_BYTE, QRData

from gi_trace.labels.qr_symbol import ERROR_CORRECTION, MASK, encode

from .rendering import label_uri, png_image


def reference(data: bytes) -> tuple[int, list[bytes]]:
    """qrcode's own symbol of `data` in byte mode, with our error correction level and mask."""
    symbol = qrcode.QRCode(error_correction=ERROR_CORRECTION, mask_pattern=MASK, border=0)
    symbol.add_data(QRData(data, mode=MODE_8BIT_BYTE))
    symbol.make(fit=True)
    return symbol.version, [bytes(1 if module else 0 for module in row) for row in symbol.modules]


# Lengths at the edges of what changes with the version: alignment patterns (2+), version
# information (7+), 16-bit character count (10+), several block sizes, the largest version.
@pytest.mark.parametrize("length", [0, 1, 14, 15, 26, 130, 152, 153, 180, 181, 213, 520, 1400, 2331])
def test_symbol_is_the_qrcode_librarys(length: int) -> None:
    data = random.Random(length).randbytes(length)
    version, modules = reference(data)
    assert encode(data) == modules
    assert len(modules) == 4 * version + 17


def test_a_label_uri_is_version_9_at_level_m() -> None:
    assert len(encode(label_uri(0).encode())) == 4 * 9 + 17


def test_error_correction_level_m_is_what_a_reader_sees() -> None:
    found = zxingcpp.read_barcodes(png_image(label_uri(1)))
    assert [(barcode.ec_level, barcode.text) for barcode in found] == [("M", label_uri(1))]


def test_data_beyond_version_40_is_refused() -> None:
    with pytest.raises(ValueError, match="do not fit in a QR code"):
        encode(b"x" * 2332)
