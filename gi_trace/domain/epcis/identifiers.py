"""GTIN with serial or lot ↔ EPC URIs of the GS1 Tag Data Standard: the SGTIN pure identity
`urn:epc:id:sgtin:CP.IR.serial` (one labelled item) and the LGTIN class
`urn:epc:class:lgtin:CP.IR.lot` (every item of a lot).

An EPC URI splits the GTIN at the end of the GS1 company prefix, whose length (6–12
digits) is not printed anywhere in the GTIN: GS1 assigns it. gi-trace stores none, so
the writer is told it (a deployment setting, 7 by default); a reader needs no length,
because the two parts are joined back and the check digit recomputed.
"""

from __future__ import annotations

import re

from gi_trace.domain.gs1 import check_digit, valid_check_digit

DEFAULT_PREFIX_LENGTH = 7
PREFIX_LENGTHS = range(6, 13)
SGTIN = "urn:epc:id:sgtin:"
LGTIN = "urn:epc:class:lgtin:"

# GS1 AI encodable character set 82; in an EPC URI these seven are %-escaped (TDS table I.3.1-1).
_SET_82 = re.compile(r"^[!-\"%-?A-Z_a-z]{1,20}$")
_ESCAPED = '"%&/<>?'
_ESCAPE_SEQUENCE = re.compile(r"%([0-9A-Fa-f]{2})")
_URI_PART = re.compile(r"^[!'()*+,\-.0-9:;=A-Z_a-z%]{1,60}$")
_GTIN = re.compile(r"^[0-9]{14}$")


class IdentifierError(ValueError):
    """Not an identifier this module can write or read; the message says which part is wrong."""


def _check_gtin(gtin: str) -> None:
    if not _GTIN.fullmatch(gtin) or not valid_check_digit(gtin):
        raise IdentifierError(f"not a GTIN-14 with a valid check digit: {gtin!r}")


def escape(value: str) -> str:
    """A lot or serial (GS1 set 82, 1–20 characters) as it stands in an EPC URI."""
    if not _SET_82.fullmatch(value):
        raise IdentifierError(f"not 1-20 characters of GS1 set 82: {value!r}")
    return "".join(f"%{ord(c):02X}" if c in _ESCAPED else c for c in value)


def unescape(text: str) -> str:
    """The inverse of `escape`; refuses escapes of characters that must stand unescaped."""
    if not _URI_PART.fullmatch(text):
        raise IdentifierError(f"not an EPC URI component: {text!r}")

    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        if char not in _ESCAPED:
            raise IdentifierError(f"{match.group(0)} must not be escaped in {text!r}")
        return char

    if "%" in _ESCAPE_SEQUENCE.sub("", text):
        raise IdentifierError(f"a lone % in {text!r}")
    value = _ESCAPE_SEQUENCE.sub(one, text)
    escape(value)  # the decoded value must itself be valid
    return value


def _gtin_part(gtin: str, prefix_length: int) -> str:
    """CP.IR: the company prefix, then the indicator digit and item reference (no check digit)."""
    _check_gtin(gtin)
    if prefix_length not in PREFIX_LENGTHS:
        raise IdentifierError(f"a GS1 company prefix has 6 to 12 digits, not {prefix_length}")
    return f"{gtin[1:1 + prefix_length]}.{gtin[0]}{gtin[1 + prefix_length:13]}"


def _parse(uri: str, scheme: str) -> tuple[str, str]:
    if not uri.startswith(scheme):
        raise IdentifierError(f"not an {scheme}… URI: {uri!r}")
    parts = uri[len(scheme):].split(".", 2)
    if len(parts) != 3:
        raise IdentifierError(f"expected CompanyPrefix.ItemReference.Value in {uri!r}")
    prefix, item, value = parts
    if not (prefix.isdigit() and item.isdigit() and prefix.isascii() and item.isascii()
            and len(prefix) in PREFIX_LENGTHS and len(prefix) + len(item) == 13):
        raise IdentifierError(f"company prefix and item reference must be 13 digits in all: {uri!r}")
    first13 = item[0] + prefix + item[1:]
    return first13 + check_digit(first13), unescape(value)


def sgtin_uri(gtin: str, serial: str, prefix_length: int = DEFAULT_PREFIX_LENGTH) -> str:
    return f"{SGTIN}{_gtin_part(gtin, prefix_length)}.{escape(serial)}"


def lgtin_uri(gtin: str, lot: str, prefix_length: int = DEFAULT_PREFIX_LENGTH) -> str:
    return f"{LGTIN}{_gtin_part(gtin, prefix_length)}.{escape(lot)}"


def parse_sgtin(uri: str) -> tuple[str, str]:
    """(GTIN-14, serial) of an SGTIN pure-identity URI."""
    return _parse(uri, SGTIN)


def parse_lgtin(uri: str) -> tuple[str, str]:
    """(GTIN-14, lot) of an LGTIN class URI."""
    return _parse(uri, LGTIN)
