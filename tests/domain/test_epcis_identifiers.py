"""GTIN with serial or lot ↔ EPC URIs: GS1's own examples, round trips, and refusals."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gi_trace.domain.epcis.identifiers import (
    IdentifierError,
    escape,
    lgtin_uri,
    parse_lgtin,
    parse_sgtin,
    sgtin_uri,
    unescape,
)
from gi_trace.domain.gs1 import check_digit
from tests.epcis_schema import epcis_dir

SET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

gtins = st.text("0123456789", min_size=13, max_size=13).map(lambda d: d + check_digit(d))
values = st.text(SET_82, min_size=1, max_size=20)
prefix_lengths = st.integers(6, 12)


@pytest.mark.parametrize(("gtin", "serial", "length", "uri"), [
    ("80614141123458", "6789", 7, "urn:epc:id:sgtin:0614141.812345.6789"),  # GS1 TDS example
    ("10614141734563", "A/B", 7, "urn:epc:id:sgtin:0614141.173456.A%2FB"),
    ("06971234500106", "7KQ3M9XG2HT4PZ8N", 7, "urn:epc:id:sgtin:6971234.050010.7KQ3M9XG2HT4PZ8N"),
    ("06971234500106", "X", 12, "urn:epc:id:sgtin:697123450010.0.X"),
], ids=["tds-example", "escaped-slash", "demo-paddy", "prefix-12"])
def test_sgtin_known_values(gtin: str, serial: str, length: int, uri: str) -> None:
    assert sgtin_uri(gtin, serial, length) == uri
    assert parse_sgtin(uri) == (gtin, serial)


def test_lgtin_of_a_demo_lot() -> None:
    uri = lgtin_uri("06971234500106", "LFS2026-01")
    assert uri == "urn:epc:class:lgtin:6971234.050010.LFS2026-01"
    assert parse_lgtin(uri) == ("06971234500106", "LFS2026-01")


def test_every_escaped_character_of_set_82() -> None:
    assert escape('"%&/<>?') == "%22%25%26%2F%3C%3E%3F"
    assert escape("!'()*+,-.:;=_") == "!'()*+,-.:;=_"
    assert unescape("%2f%3c") == "/<"  # hex digits in either case


@given(gtins, values, prefix_lengths)
def test_sgtin_round_trip(gtin: str, serial: str, length: int) -> None:
    assert parse_sgtin(sgtin_uri(gtin, serial, length)) == (gtin, serial)


@given(gtins, values, prefix_lengths)
def test_lgtin_round_trip(gtin: str, lot: str, length: int) -> None:
    assert parse_lgtin(lgtin_uri(gtin, lot, length)) == (gtin, lot)


def _example_uris(pattern: str) -> list[str]:
    found: set[str] = set()
    for path in sorted((epcis_dir() / "examples").glob("*.jsonld")):
        found.update(re.findall(pattern, json.dumps(json.loads(path.read_text(encoding="utf-8")))))
    return sorted(found)


@pytest.mark.parametrize("uri", _example_uris(r"urn:epc:id:sgtin:[^\"*]+?(?=\")"))
def test_sgtins_of_gs1_examples_round_trip(uri: str) -> None:
    length = len(uri.removeprefix("urn:epc:id:sgtin:").split(".")[0])
    assert sgtin_uri(*parse_sgtin(uri), length) == uri


@pytest.mark.parametrize("uri", _example_uris(r"urn:epc:class:lgtin:[^\"*]+?(?=\")"))
def test_lgtins_of_gs1_examples_round_trip(uri: str) -> None:
    length = len(uri.removeprefix("urn:epc:class:lgtin:").split(".")[0])
    assert lgtin_uri(*parse_lgtin(uri), length) == uri


@pytest.mark.parametrize(("gtin", "value", "length", "message"), [
    ("80614141123459", "1", 7, "check digit"),
    ("8061414112345", "1", 7, "GTIN-14"),
    ("80614141123458", "1", 5, "6 to 12 digits"),
    ("80614141123458", "1", 13, "6 to 12 digits"),
    ("80614141123458", "", 7, "set 82"),
    ("80614141123458", "A#B", 7, "set 82"),
    ("80614141123458", "稻", 7, "set 82"),
    ("80614141123458", "X" * 21, 7, "set 82"),
], ids=["bad-check-digit", "13-digits", "prefix-5", "prefix-13", "empty", "hash", "cjk", "21-chars"])
def test_writing_refuses(gtin: str, value: str, length: int, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        sgtin_uri(gtin, value, length)
    with pytest.raises(IdentifierError, match=message):
        lgtin_uri(gtin, value, length)


@pytest.mark.parametrize(("uri", "message"), [
    ("urn:epc:id:sscc:0614141.1234567890", "not an"),
    ("urn:epc:id:sgtin:0614141.812345", "CompanyPrefix.ItemReference.Value"),
    ("urn:epc:id:sgtin:0614141.81234.6789", "13 digits"),
    ("urn:epc:id:sgtin:06141.81234567.6789", "13 digits"),
    ("urn:epc:id:sgtin:06141a1.812345.6789", "13 digits"),
    ("urn:epc:id:sgtin:0614141.812345.%41", "must not be escaped"),
    ("urn:epc:id:sgtin:0614141.812345.A%2", "lone %"),
    ("urn:epc:id:sgtin:0614141.812345.A/B", "EPC URI component"),
    ("urn:epc:id:sgtin:0614141.812345.", "EPC URI component"),
    ("urn:epc:id:sgtin:0614141.812345.%23", "must not be escaped"),
], ids=["other-scheme", "two-parts", "12-digits", "prefix-5", "not-digits", "needless-escape",
        "lone-percent", "raw-slash", "empty-serial", "escaped-hash"])
def test_reading_refuses(uri: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        parse_sgtin(uri)
