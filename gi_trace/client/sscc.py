"""The SSCC (GS1 AI 00) of a delivery: 18 digits ending in a GS1 check digit, as printed
("(00) 1 0614141 234567890 8"), as an EPC URI (`urn:epc:id:sscc:0614141.1234567890`, what
EPCIS lists) or as a GS1 Digital Link (`…/00/106141412345678908`, what the desk scans).

A shipment sent with an SSCC carries it in `sscc` (confidential, like the shipment itself);
when no shipment id is given, the SSCC is the id, so every name of the delivery is one
number.
"""

from __future__ import annotations

import re

from gi_trace.domain.gs1 import check_digit, valid_check_digit

LENGTH = 18
EPC_PREFIX = "urn:epc:id:sscc:"
_PRINTED = re.compile(r"^(?:\(00\))?([0-9]+)$")
_EPC = re.compile(r"^([0-9]{6,12})\.([0-9]+)$")
_LINK = re.compile(r"/00/([0-9]+)(?:[/?#]|$)")


class SsccError(ValueError):
    """Not an SSCC; the message says what is wrong with it."""


def read_sscc(text: str) -> str:
    """The 18 digits of an SSCC as printed (spaces and a leading "(00)" allowed)."""
    match = _PRINTED.fullmatch(re.sub(r"\s+", "", text))
    digits = match.group(1) if match else ""
    if len(digits) != LENGTH:
        raise SsccError(f"an SSCC is {LENGTH} digits (GS1 AI 00), not {text!r}")
    if not valid_check_digit(digits):
        raise SsccError(f"wrong check digit in SSCC {digits}: the last digit must be "
                        f"{check_digit(digits[:-1])}")
    return digits


def sscc_of(identifier: str) -> str:
    """The SSCC named by an EPC URI or a GS1 Digital Link (the forms EPCIS events use)."""
    if identifier.startswith(EPC_PREFIX):
        match = _EPC.fullmatch(identifier[len(EPC_PREFIX):])
        if not match or len(match.group(1)) + len(match.group(2)) != LENGTH - 1:
            raise SsccError(f"not CompanyPrefix.SerialReference of 17 digits: {identifier!r}")
        prefix, reference = match.groups()
        first17 = reference[0] + prefix + reference[1:]
        return first17 + check_digit(first17)
    link = _LINK.search(identifier)
    if link is None:
        raise SsccError(f"neither an SSCC EPC URI nor a GS1 Digital Link /00/…: {identifier!r}")
    return read_sscc(link.group(1))
