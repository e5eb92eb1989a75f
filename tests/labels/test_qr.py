"""PNG and SVG of a label's QR code decode, with an independent reader, to the exact URI."""

from __future__ import annotations

import io
import re

import pytest
import resvg_py
from PIL import Image

from gi_trace.labels.qr import QUIET_ZONE, dark_runs, png, qr_matrix, svg

from .rendering import decoded, label_uri, png_image, transformed

URI = label_uri(7)

VIEWS = {  # how a camera might see the print: (scale, rotation in degrees)
    "as drawn": (1.0, 0.0),
    "half size": (0.5, 0.0),
    "quarter turn": (1.0, 90.0),
    "tilted 17 degrees": (1.0, 17.0),
    "half size, tilted 17 degrees": (0.5, 17.0),
}


@pytest.mark.parametrize(("scale", "degrees"), VIEWS.values(), ids=VIEWS.keys())
def test_png_decodes_to_the_exact_uri(scale: float, degrees: float) -> None:
    assert decoded(transformed(png_image(URI), scale, degrees)) == [URI]


@pytest.mark.parametrize(("scale", "degrees"), VIEWS.values(), ids=VIEWS.keys())
def test_rasterised_svg_decodes_to_the_exact_uri(scale: float, degrees: float) -> None:
    side = (len(qr_matrix(URI)) + 2 * QUIET_ZONE) * 6
    image = Image.open(io.BytesIO(bytes(resvg_py.svg_to_bytes(svg_string=svg(URI), width=side, height=side))))
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    assert decoded(transformed(flat, scale, degrees)) == [URI]


def test_case_and_punctuation_of_the_uri_are_kept() -> None:
    uri = URI.replace("WC2026-A", "wc2026_a.B") + "-_Zz"
    assert decoded(png_image(uri)) == [uri]


def test_png_has_a_quiet_zone_of_four_modules() -> None:
    box = 3
    image = png_image(URI, box_size=box).convert("L")
    side = (len(qr_matrix(URI)) + 2 * QUIET_ZONE) * box
    assert image.size == (side, side)
    dark = [(x, y) for y in range(side) for x in range(side) if image.getpixel((x, y)) == 0]
    assert min(x for x, _ in dark) == min(y for _, y in dark) == QUIET_ZONE * box
    assert max(x for x, _ in dark) == max(y for _, y in dark) == side - QUIET_ZONE * box - 1


@pytest.mark.parametrize("box_size", [0, -1, 2.5, "8"], ids=["zero", "negative", "fraction", "text"])
def test_png_refuses_a_box_size_that_is_not_a_whole_positive_number(box_size: object) -> None:
    with pytest.raises(ValueError, match="box_size"):
        png(URI, box_size=box_size)  # type: ignore[arg-type]


def test_an_empty_uri_is_refused() -> None:
    with pytest.raises(ValueError, match="label URI is required"):
        qr_matrix("")


def test_svg_is_one_path_of_merged_runs_in_module_units() -> None:
    drawing = svg(URI)
    side = len(qr_matrix(URI)) + 2 * QUIET_ZONE
    assert drawing.count("<path") == 1
    assert f'viewBox="0 0 {side} {side}"' in drawing
    assert 'shape-rendering="crispEdges"' in drawing
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", drawing)
    assert all(width == back for _, _, width, back in runs)
    painted = {(int(x) + dx, int(y)) for x, y, width, _ in runs for dx in range(int(width))}
    modules = {(x + QUIET_ZONE, y + QUIET_ZONE) for y, row in enumerate(qr_matrix(URI))
               for x, module in enumerate(row) if module}
    assert painted == modules
    assert sum(int(width) for _, _, width, _ in runs) == len(modules)    # no module painted twice
    assert len(runs) == len(dark_runs(qr_matrix(URI))) < len(modules)   # neighbours merged


def test_dark_runs_are_maximal() -> None:
    rows = [b"\x01\x01\x00\x01", b"\x00\x00\x00\x00", b"\x01\x01\x01\x01"]
    assert dark_runs(rows) == [(0, 0, 2), (3, 0, 1), (0, 2, 4)]
