"""The QR code of a label URI as a module matrix, a PNG and an SVG.

The URI is encoded exactly as given (byte mode, no upper-casing into alphanumeric
mode), at error correction level M with a quiet zone of 4 modules, the width
ISO/IEC 18004 requires around the symbol.
"""

from __future__ import annotations

import io
import re

from PIL import Image

from .qr_symbol import encode

__all__ = ["QUIET_ZONE", "dark_runs", "png", "qr_matrix", "svg"]

QUIET_ZONE = 4
_DARK_RUN = re.compile(rb"\x01+")
_PIXELS = bytes.maketrans(b"\x00\x01", b"\xff\x00")


def qr_matrix(uri: str) -> list[bytes]:
    """The symbol of `uri`: rows of modules (1 dark, 0 light), without the quiet zone."""
    if not uri:
        raise ValueError("a label URI is required")
    return encode(uri.encode("utf-8"))


def dark_runs(rows: list[bytes]) -> list[tuple[int, int, int]]:
    """(x, y, width) of each horizontal run of dark modules, one rectangle each, rows downwards."""
    return [(start, y, end - start) for y, row in enumerate(rows)
            for start, end in map(re.Match.span, _DARK_RUN.finditer(row))]


def png(uri: str, *, box_size: int = 8) -> bytes:
    """A 1-bit PNG of the symbol and its quiet zone, `box_size` pixels a module."""
    if not isinstance(box_size, int) or box_size < 1:
        raise ValueError(f"box_size must be a whole number of pixels >= 1, not {box_size!r}")
    rows = qr_matrix(uri)
    side = len(rows) + 2 * QUIET_ZONE
    image = Image.new("L", (side, side), 255)
    image.paste(Image.frombytes("L", (len(rows), len(rows)), b"".join(rows).translate(_PIXELS)),
                (QUIET_ZONE, QUIET_ZONE))
    image = image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(out, format="PNG", optimize=True)
    return out.getvalue()


def svg(uri: str) -> str:
    """A compact SVG: one path of the dark runs, in module units, quiet zone included."""
    rows = qr_matrix(uri)
    side = len(rows) + 2 * QUIET_ZONE
    path = "".join(f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{width}v1h-{width}z"
                   for x, y, width in dark_runs(rows))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
            f'shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/>'
            f'<path fill="#000" d="{path}"/></svg>')
