"""Helpers of the rendering tests: label URIs of real length, decoding with zxing-cpp, PDF pages."""

from __future__ import annotations

import base64
import hashlib
import io

import pypdfium2
import zxingcpp
from PIL import Image

from gi_trace.labels.qr import png
from gi_trace.labels.sheet import SheetLabel

BASE = "http://127.0.0.1:8000"
GTIN = "06901234567892"
LOT = "WC2026-A"
USCC = "91350782MA2XYZ1234"


def serial(i: int) -> str:
    """A 16-character serial within the AI 21 rules, different for each `i`."""
    return base64.b32encode(hashlib.sha256(b"serial %d" % i).digest()).decode()[:16]


def label_uri(i: int) -> str:
    """A Digital Link URI as labels carry it (~160 characters, case-sensitive signature)."""
    signature = base64.urlsafe_b64encode(hashlib.sha512(b"signature %d" % i).digest()).decode().rstrip("=")
    return f"{BASE}/01/{GTIN}/10/{LOT}/21/{serial(i)}?s={signature}"


def sheet_label(i: int, *, uscc: str | None = USCC, product_en: str = "Wuyi Rock Tea") -> SheetLabel:
    return SheetLabel(uri=label_uri(i), serial=serial(i), lot=LOT,
                      product_zh="武夷岩茶", product_en=product_en,
                      producer_zh="武夷山市永生茶业有限公司", producer_en="Wuyishan Yongsheng Tea Co., Ltd.",
                      uscc=uscc)


def png_image(uri: str, box_size: int = 8) -> Image.Image:
    return Image.open(io.BytesIO(png(uri, box_size=box_size)))


def decoded(image: Image.Image) -> list[str]:
    """The content of every QR code zxing-cpp (an independent reader) finds, as exact bytes."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.bytes.decode("utf-8") for barcode in found if barcode.valid]


def transformed(image: Image.Image, scale: float = 1.0, degrees: float = 0.0) -> Image.Image:
    """`image` scaled (smoothly, as a camera would see it) and rotated on a white ground."""
    grey = image.convert("L")
    if scale != 1.0:
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.BILINEAR)
    if degrees:
        grey = grey.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return grey


def rendered(document: pypdfium2.PdfDocument, index: int, dpi: float = 200) -> Image.Image:
    """Page `index` rasterised by PDFium at `dpi`."""
    return document[index].render(scale=dpi / 72).to_pil()


def page_text(document: pypdfium2.PdfDocument, index: int) -> str:
    return document[index].get_textpage().get_text_range()
