"""SSCCs as printed, as EPC URIs and as GS1 Digital Links all name the same 18 digits."""

from __future__ import annotations

import pytest

from gi_trace.client.sscc import SsccError, read_sscc, sscc_of

# The TDS example: extension digit 1, company prefix 0614141, serial reference 234567890.
SSCC = "106141412345678908"

FORMS = [
    ("printed", lambda: read_sscc("(00) 1 0614141 234567890 8")),
    ("digits", lambda: read_sscc(SSCC)),
    ("epc-uri", lambda: sscc_of("urn:epc:id:sscc:0614141.1234567890")),
    ("digital-link", lambda: sscc_of(f"https://id.gs1.org/00/{SSCC}")),
    ("digital-link-with-query", lambda: sscc_of(f"https://gi.example/00/{SSCC}?x=1")),
]


@pytest.mark.parametrize("read", [case[1] for case in FORMS], ids=[case[0] for case in FORMS])
def test_every_form_reads_as_the_same_sscc(read: object) -> None:
    assert read() == SSCC  # type: ignore[operator]


BAD = [
    ("wrong-check-digit", lambda: read_sscc(SSCC[:-1] + "5"), "must be 8"),
    ("too-short", lambda: read_sscc(SSCC[:-1]), "18 digits"),
    ("epc-too-short", lambda: sscc_of("urn:epc:id:sscc:0614141.123456789"), "17 digits"),
    ("epc-no-dot", lambda: sscc_of("urn:epc:id:sscc:06141411234567890"), "17 digits"),
    ("an-sgtin", lambda: sscc_of("urn:epc:id:sgtin:0614141.107346.2017"), "neither"),
    ("link-wrong-digit", lambda: sscc_of(f"https://id.gs1.org/00/{SSCC[:-1]}0"), "must be 8"),
]


@pytest.mark.parametrize(("read", "message"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_what_is_not_an_sscc_is_refused(read: object, message: str) -> None:
    with pytest.raises(SsccError, match=message):
        read()  # type: ignore[operator]
