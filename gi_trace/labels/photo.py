"""A counterfeit report's photo: at most a few megabytes, and really an image.

The bytes are opened and verified by Pillow, then decoded in full, so a file
renamed `.jpg`, a truncated image or a decompression bomb is refused whatever
its name or declared type. The stored type is the one Pillow found.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from gi_trace.ledger.errors import MalformedError

# The formats phones send that Pillow can verify without plugins (no HEIC: phones convert to
# JPEG when a web form uploads a photo).
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# A 50-megapixel photo is larger than any phone's; more than that is a bomb, not evidence.
MAX_PIXELS = 50_000_000
FIELD = "photo"


class PhotoTooLarge(MalformedError):
    code = "photo-too-large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the photo is larger than {max_bytes} bytes", field=FIELD)
        self.max_bytes = max_bytes


def _refuse(reason: str) -> MalformedError:
    return MalformedError(f"the photo is not a JPEG, PNG or WebP image: {reason}", code="not-an-image",
                          field=FIELD)


def check_photo(data: bytes, max_bytes: int) -> str:
    """The photo's media type, once it is known to be a whole JPEG, PNG or WebP image."""
    if len(data) > max_bytes:
        raise PhotoTooLarge(max_bytes)
    if not data:
        raise _refuse("it is empty")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(MIME_TYPES)) as image:
                found = image.format or ""
                image.verify()
            with Image.open(io.BytesIO(data), formats=[found]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _refuse(f"{width}×{height} pixels is more than {MAX_PIXELS}")
                image.load()
        except MalformedError:
            raise
        except Exception as e:  # a decoder fed hostile bytes may raise anything: all mean "no"
            raise _refuse(str(e) or type(e).__name__) from e
    return MIME_TYPES[found]
