"""Digital Link parsing against GS1's own validity cases, and build → parse round trips.

gi-trace resolves GTINs (AI 01) and SSCCs (AI 00), so only the vectors whose primary key is
one of those are checked; GLN, GRAI, GSRN, GDTI, GSIN, GCN and GIAI links are out of scope
(parse refuses them all, valid or not), and so are compressed links (never decompressed).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gi_trace.domain.gs1 import check_digit, valid_check_digit
from gi_trace.labels.digital_link import DigitalLink, DigitalLinkError, parse
from tests.vectors import vectors_dir

CASES: dict[str, Any] = json.loads(
    (vectors_dir() / "gs1-digital-link" / "digital_link_cases.json").read_text(encoding="utf-8"))
# A path segment naming AI 01 or 00 (or their aliases) followed by a value.
_IN_SCOPE = re.compile(r"/(01|gtin|00|sscc)/[^/?]")
IN_SCOPE = [c for c in CASES["cases"] if _IN_SCOPE.search(c["uri"])]
OUT_OF_SCOPE = [c for c in CASES["cases"] if not _IN_SCOPE.search(c["uri"])]
BASE = "https://gi.example"

# GS1 character set 82: ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z
CSET82 = "!\"" + "".join(chr(c) for c in range(0x25, 0x40)) + \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def test_the_vectors_cover_both_keys_and_the_rest_is_out_of_scope() -> None:
    assert len(IN_SCOPE) >= 18
    assert any("/00/" in c["uri"] or "/sscc/" in c["uri"] for c in IN_SCOPE)
    assert {c["uri"].split("/")[3] for c in OUT_OF_SCOPE} == {
        "grai", "8003", "gln", "gsrn", "gdti", "gsin", "gcn", "giai"}


@pytest.mark.parametrize("case", IN_SCOPE, ids=[c["note"] for c in IN_SCOPE])
def test_gs1_validity_vectors(case: dict[str, Any]) -> None:
    if case["expect_valid"]:
        link = parse(case["uri"])
        assert (link.gtin or link.sscc) is not None
    else:
        with pytest.raises(DigitalLinkError):
            parse(case["uri"])


@pytest.mark.parametrize("case", CASES["throws"] + CASES["compressed"][:1],
                         ids=["no-primary-key", "compressed"])
def test_links_without_an_uncompressed_primary_key_are_refused(case: dict[str, Any]) -> None:
    with pytest.raises(DigitalLinkError) as caught:
        parse(case["uri"])
    assert caught.value.field == "path"


@pytest.mark.parametrize("case", [c for c in CASES["check_digit"] if "key_len" not in c],
                         ids=lambda c: c["value"])
def test_gs1_check_digit_vectors(case: dict[str, Any]) -> None:
    assert valid_check_digit(case["value"]) is case["valid"]


def test_a_vector_with_qualifiers_and_attributes_reads_as_expected() -> None:
    link = parse("https://gs1.evrythng.com/01/9780345418913/10/38737643/21/58943"
                 "?15=230911&thngId=U5mQKGDpnymBwQwRakyBqeYh&linkType=product")
    assert (link.gtin, link.lot, link.serial, link.link_type) == (
        "09780345418913", "38737643", "58943", "product")


# -- GTIN-8, -12 and -13 are the GTIN-14 with leading zeros ---------------------------------
@pytest.mark.parametrize("short", ["01234565", "012345678905", "9780345418913", "09780345418913"])
@pytest.mark.parametrize("alias", ["01", "gtin"])
def test_short_gtins_and_the_alias_name_the_same_product(short: str, alias: str) -> None:
    link = parse(f"{BASE}/{alias}/{short}/10/L1")
    assert link.gtin == short.zfill(14)
    assert link.uri(BASE) == f"{BASE}/01/{short.zfill(14)}/10/L1"


# -- building and parsing --------------------------------------------------------------------
@pytest.mark.parametrize(("value", "escaped"), [
    ("A/B", "A%2FB"), ("50%", "50%25"), ('say"hi', "say%22hi"), ("why?", "why%3F"),
    ("a/%\"?", "a%2F%25%22%3F"),
])
def test_reserved_characters_are_percent_encoded_and_come_back(value: str, escaped: str) -> None:
    link = DigitalLink(gtin="09780345418913", lot=value, serial=value, sig="c2ln")
    uri = link.uri(BASE)
    assert uri == f"{BASE}/01/09780345418913/10/{escaped}/21/{escaped}?s=c2ln"
    assert parse(uri) == link


gtins = st.text("0123456789", min_size=13, max_size=13).map(lambda d: d + check_digit(d))
ai_values = st.text(CSET82, min_size=1, max_size=20)


@given(gtin=gtins, lot=ai_values, serial=ai_values,
       sig=st.none() | st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                               min_size=1, max_size=86))
def test_build_then_parse_is_the_identity(gtin: str, lot: str, serial: str, sig: str | None) -> None:
    link = DigitalLink(gtin=gtin, lot=lot, serial=serial, sig=sig)
    assert parse(link.uri(BASE)) == link
    assert parse(DigitalLink(gtin=gtin, lot=lot).uri(BASE)) == DigitalLink(gtin=gtin, lot=lot)


@given(digits=st.sampled_from([7, 11, 12]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)))
def test_any_short_gtin_parses_to_its_zero_padded_gtin_14(digits: str) -> None:
    short = digits + check_digit(digits)
    assert parse(f"/01/{short}").gtin == short.zfill(14)


@pytest.mark.parametrize("dots", [".", ".."])
def test_a_lot_or_serial_of_only_dots_survives_uri_normalisation(dots: str) -> None:
    link = DigitalLink(gtin="09780345418913", lot=dots, serial=dots)
    assert "/./" not in link.path and "/../" not in link.path and not link.path.endswith("/.")
    assert parse(link.uri(BASE)) == link
