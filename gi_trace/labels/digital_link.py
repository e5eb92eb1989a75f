"""GS1 Digital Link URIs (GS1 Digital Link 1.x, uncompressed): what a special sign's QR holds.

`{base}/01/{gtin14}/10/{lot}/21/{serial}?s={sig}` for a label; the GTIN-only and
GTIN+lot forms name a product and a batch; `/00/{sscc}` names a logistic unit
(a shipment). Anything else is refused with the part at fault, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from gi_trace.domain.gs1 import valid_check_digit

# GS1 AI encodable character set 82 (GS1 General Specifications §7.11, figure 7.11-1).
CSET82 = re.compile(r"[!\"%-?A-Z_a-z]+")
_DIGITS = re.compile(r"[0-9]+")
# Digital Link allows GTIN-8, -12, -13 and -14 in a URI; gi-trace keys on the 14-digit form.
_GTIN_LENGTHS = (8, 12, 13, 14)
_ALIASES = {"gtin": "01", "sscc": "00"}
# RFC 3986 unreserved characters stay as they are; everything else in a value is %-escaped.
_SAFE = "-._~"


class DigitalLinkError(ValueError):
    """A URI that is not a Digital Link gi-trace can resolve; `field` names the part at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def gtin14(text: str) -> str:
    """A GTIN-8/12/13/14 as 14 digits, refusing a wrong length or check digit."""
    if not _DIGITS.fullmatch(text) or len(text) not in _GTIN_LENGTHS:
        raise DigitalLinkError("a GTIN is 8, 12, 13 or 14 digits", "gtin")
    if not valid_check_digit(text):
        raise DigitalLinkError(f"GTIN {text} has a wrong check digit", "gtin")
    return text.zfill(14)


def ai_value(text: str, field: str, max_length: int = 20) -> str:
    """A lot (AI 10) or serial (AI 21): 1 to `max_length` characters of set 82, else refused."""
    if not 1 <= len(text) <= max_length or not CSET82.fullmatch(text):
        raise DigitalLinkError(f"the {field} must be 1 to {max_length} characters of GS1 "
                               "character set 82", field)
    return text


@dataclass(frozen=True)
class DigitalLink:
    """A parsed Digital Link: a GTIN (with optional lot and serial) or an SSCC."""

    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    sscc: str | None = None
    sig: str | None = None  # the label signature (query `s`)
    link_type: str | None = None  # query `linkType`

    @property
    def path(self) -> str:
        if self.sscc is not None:
            return f"/00/{self.sscc}"
        parts = [f"/01/{self.gtin}"]
        if self.lot is not None:
            parts.append(f"/10/{path_segment(self.lot)}")
        if self.serial is not None:
            parts.append(f"/21/{path_segment(self.serial)}")
        return "".join(parts)

    def uri(self, base: str) -> str:
        """The URI under `base`; every value is %-escaped, so none can break out of its part
        (a control character in `s` would otherwise end a Location header)."""
        query = f"?s={quote(self.sig, safe=_SAFE)}" if self.sig else ""
        return base.rstrip("/") + self.path + query


def path_segment(value: str) -> str:
    """A value as one path segment. A segment of only dots would be removed by URI
    normalisation (RFC 3986 §5.2.4), so its dots are escaped too."""
    escaped = quote(value, safe=_SAFE)
    return escaped.replace(".", "%2E") if set(value) == {"."} else escaped


def label_link(base: str, gtin: str, lot: str, serial: str, sig: str) -> str:
    """The URI a special sign's QR holds."""
    return DigitalLink(gtin=gtin14(gtin), lot=ai_value(lot, "lot", 20),
                       serial=ai_value(serial, "serial", 20), sig=sig).uri(base)


def parse(uri: str) -> DigitalLink:
    """Parse a Digital Link URI, or only its path and query. A custom path before the primary
    key is allowed, as the standard allows; qualifiers must come in the standard's order."""
    parts = urlsplit(uri)
    segments = [s for s in parts.path.split("/")]
    while segments and segments[-1] == "":
        segments.pop()
    start = next((i for i in range(len(segments) - 1)
                  if _ALIASES.get(segments[i], segments[i]) in ("01", "00")), None)
    if start is None:
        raise DigitalLinkError("no GS1 primary key (/01/ GTIN or /00/ SSCC) in the path", "path")
    pairs = segments[start:]
    if len(pairs) % 2:
        raise DigitalLinkError("the path must be pairs of application identifier and value", "path")
    values = [(_ALIASES.get(pairs[i], pairs[i]), unquote(pairs[i + 1]))
              for i in range(0, len(pairs), 2)]
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    common = {"sig": query.get("s") or None, "link_type": query.get("linkType") or None}
    if values[0][0] == "00":
        return _sscc(values, common)
    return _gtin(values, common)


def _sscc(values: list[tuple[str, str]], common: dict[str, str | None]) -> DigitalLink:
    if len(values) > 1:
        raise DigitalLinkError("an SSCC takes no key qualifiers", "path")
    sscc = values[0][1]
    if not _DIGITS.fullmatch(sscc) or len(sscc) != 18 or not valid_check_digit(sscc):
        raise DigitalLinkError("an SSCC is 18 digits with a valid check digit", "sscc")
    return DigitalLink(sscc=sscc, **common)


def _gtin(values: list[tuple[str, str]], common: dict[str, str | None]) -> DigitalLink:
    gtin = gtin14(values[0][1])
    qualifiers = dict(values[1:])
    order = [ai for ai, _ in values[1:]]
    if len(qualifiers) != len(order) or any(ai not in ("10", "21") for ai in order) \
            or order not in ([], ["10"], ["21"], ["10", "21"]):
        raise DigitalLinkError("after a GTIN only /10/ (lot) then /21/ (serial) may follow", "path")
    lot = qualifiers.get("10")
    serial = qualifiers.get("21")
    return DigitalLink(gtin=gtin,
                       lot=None if lot is None else ai_value(lot, "lot", 20),
                       serial=None if serial is None else ai_value(serial, "serial", 20),
                       **common)
