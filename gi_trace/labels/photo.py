"""A counterfeit report's photo: at most a few megabytes, and really an image.

A photo is decoded only after the sender's rate limit passed (reports.py), and
decoding is bounded twice: its header is read first and more than `max_pixels`
pixels is refused before a single pixel is decompressed (a 10000×10000 PNG is a
few kilobytes of bytes and 100 M pixels of memory), and at most MAX_DECODES
photos are decoded at once in a process (the others get 503 and retry). What
passes is opened and verified by Pillow, then decoded in full, so a file renamed
`.jpg`, a truncated image or a decompression bomb is refused whatever its name or
declared type. The stored type is the one Pillow found.
"""

from __future__ import annotations

import io
import threading
import warnings

from PIL import Image

from gi_trace.ledger.errors import LedgerBusyError, MalformedError

# The formats phones send that Pillow can verify without plugins (no HEIC: phones convert to
# JPEG when a web form uploads a photo).
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# 16 megapixels is a full-size phone photo (4608×3456 is 15.9 M); at 4 bytes a pixel, one decode
# holds at most 64 MB.
MAX_PIXELS = 16_000_000
# Decodes at once in one process: with the worker's 4 threads, 2 × 64 MB at most, not 4.
MAX_DECODES = 2
FIELD = "photo"

_decoding = threading.BoundedSemaphore(MAX_DECODES)


class PhotoTooLarge(MalformedError):
    code = "photo-too-large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the photo is larger than {max_bytes} bytes", field=FIELD)
        self.max_bytes = max_bytes


class DecodersBusy(LedgerBusyError):
    """Every decode slot of this process is taken: retry in a moment."""

    code = "photo-busy"

    def __init__(self) -> None:
        super().__init__(f"{MAX_DECODES} photos are being checked already; retry in a second",
                         retry_after=1)
        self.field = FIELD


def _refuse(reason: str) -> MalformedError:
    return MalformedError(f"the photo is not a JPEG, PNG or WebP image: {reason}", code="not-an-image",
                          field=FIELD)


def _too_many_pixels(detail: str, max_pixels: int) -> MalformedError:
    return MalformedError(f"the photo has more than {max_pixels} pixels: {detail}",
                          code="photo-too-many-pixels", field=FIELD)


def check_photo(data: bytes, max_bytes: int, max_pixels: int = MAX_PIXELS) -> str:
    """The photo's media type, once it is known to be a whole JPEG, PNG or WebP image of at
    most `max_bytes` and `max_pixels`; DecodersBusy when MAX_DECODES are under way."""
    if len(data) > max_bytes:
        raise PhotoTooLarge(max_bytes)
    if not data:
        raise _refuse("it is empty")
    if not _decoding.acquire(blocking=False):
        raise DecodersBusy()
    try:
        return _decode(data, max_pixels)
    finally:
        _decoding.release()


def _decode(data: bytes, max_pixels: int) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(MIME_TYPES)) as image:  # the header only
                found = image.format or ""
                width, height = image.size
                if width * height > max_pixels:
                    raise _too_many_pixels(f"{width}×{height}", max_pixels)
                image.verify()
            with Image.open(io.BytesIO(data), formats=[found]) as image:
                image.load()
        except MalformedError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as e:  # Pillow's own
            raise _too_many_pixels(str(e), max_pixels) from e  # check, in Image.open
        except Exception as e:  # a decoder fed hostile bytes may raise anything: all mean "no"
            raise _refuse(str(e) or type(e).__name__) from e
    return MIME_TYPES[found]
