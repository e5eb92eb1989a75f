"""RFC 8785 (JCS) canonical JSON against the published vectors, rfc8785 itself, and strict parsing."""

from __future__ import annotations

import csv
import json
import struct
from functools import cache
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from gi_trace.ledger.canonical import (
    MAX_DEPTH,
    MAX_NUMBER_CHARS,
    MAX_SAFE_INTEGER,
    canonical_json,
    parse_json,
)
from gi_trace.ledger.errors import MalformedError
from tests.vectors import vectors_dir

JCS = vectors_dir() / "jcs-rfc8785"
JCS_NAMES = sorted(p.stem for p in (JCS / "input").glob("*.json"))


@cache
def es6_samples() -> list[tuple[str, str]]:
    with open(JCS / "es6_number_samples.csv", newline="", encoding="utf-8") as f:
        return [(row[0], row[1]) for row in csv.reader(f) if row]


def test_the_vectors_are_all_there() -> None:
    # A moved or emptied vectors directory must fail loudly, not run zero cases.
    assert JCS_NAMES == ["arrays", "french", "structures", "unicode", "values", "weird"]
    assert len(es6_samples()) == 7


# --- published vectors ---------------------------------------------------------------------


@pytest.mark.parametrize("name", JCS_NAMES)
def test_rfc8785_vector_output(name: str) -> None:
    value = json.loads((JCS / "input" / f"{name}.json").read_text(encoding="utf-8"))
    assert canonical_json(value) == (JCS / "output" / f"{name}.json").read_bytes()


@pytest.mark.parametrize("name", JCS_NAMES)
def test_rfc8785_vector_outhex(name: str) -> None:
    value = json.loads((JCS / "input" / f"{name}.json").read_text(encoding="utf-8"))
    expected = bytes.fromhex("".join((JCS / "outhex" / f"{name}.txt").read_text().split()))
    assert canonical_json(value) == expected


@pytest.mark.parametrize("name", JCS_NAMES)
def test_rfc8785_vector_output_is_a_fixed_point_of_parse_json(name: str) -> None:
    output = (JCS / "output" / f"{name}.json").read_bytes()
    assert canonical_json(parse_json(output)) == output


@pytest.mark.parametrize(("bits", "expected"), es6_samples(), ids=[row[1] for row in es6_samples()])
def test_es6_number_samples(bits: str, expected: str) -> None:
    (number,) = struct.unpack(">d", bytes.fromhex(bits.zfill(16)))
    assert canonical_json(number) == expected.encode("ascii")
    assert canonical_json([number]) == f"[{expected}]".encode("ascii")


# --- the stdlib fast path equals JCS -------------------------------------------------------

safe_ints = st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
# Any text: ASCII, non-ASCII, astral (surrogate pairs in UTF-16, where JCS sorts keys), controls.
any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | safe_ints | any_text,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(any_text, children, max_size=5),
    max_leaves=25,
)
# Mostly-ASCII keys reach the fast path; the property must hold on both paths.
ascii_keyed_values = st.recursive(
    st.none() | st.booleans() | safe_ints | any_text,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=8), children,
                      max_size=5),
    max_leaves=25,
)


@settings(max_examples=120, deadline=None)
@given(json_values)
def test_canonical_json_equals_rfc8785(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@settings(max_examples=120, deadline=None)
@given(ascii_keyed_values)
def test_fast_path_equals_rfc8785(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@settings(max_examples=50, deadline=None)
@given(json_values)
def test_canonical_bytes_parse_back_to_the_value(value: Any) -> None:
    data = canonical_json(value)
    assert parse_json(data) == value
    assert canonical_json(parse_json(data)) == data


@pytest.mark.parametrize(("value", "expected"), [
    ({"b": 1, "a": [True, None, "x"]}, b'{"a":[true,null,"x"],"b":1}'),
    ({"\u20ac": 1, "\U0001f602": 2, "\ufb33": 3}, '{"\u20ac":1,"\U0001f602":2,"\ufb33":3}'.encode()),
    ("\x00\x1f\x7f\u2028", b'"\\u0000\\u001f\x7f\xe2\x80\xa8"'),
    ('"\\/', b'"\\"\\\\/"'),
    (MAX_SAFE_INTEGER, b"9007199254740991"),
    (-MAX_SAFE_INTEGER, b"-9007199254740991"),
], ids=["ascii-keys-sorted", "utf16-key-order", "controls-escaped-del-literal", "quote-backslash-slash",
        "max-safe-int", "min-safe-int"])
def test_canonical_json_known_bytes(value: Any, expected: bytes) -> None:
    assert canonical_json(value) == expected


@pytest.mark.parametrize("value", [
    float("nan"),
    float("inf"),
    2**53,
    -(2**53),
    {1: "non-string key"},
    {"set": {1, 2}},
    "\ud800",
    {"body": {"note": "lone \udc00 surrogate"}},
    ["\ud83d"],
    {"\ud800": 1},
], ids=["nan", "infinity", "int-above-2^53", "int-below-minus-2^53", "int-key", "set",
        "lone-surrogate-string", "lone-surrogate-in-ascii-keyed-object", "lone-surrogate-in-list",
        "lone-surrogate-key"])
def test_canonical_json_refuses_what_has_no_jcs_form(value: Any) -> None:
    with pytest.raises(MalformedError, match="not canonicalizable JSON") as info:
        canonical_json(value)
    assert info.value.code == "not-canonical"


# --- strict parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "code", "match"), [
    (b'{"a":1,"a":2}', "duplicate-json-key", "duplicate object key 'a'"),
    (b'{"a":{"b":1,"b":1}}', "duplicate-json-key", "duplicate object key 'b'"),
    (b'[{"x":null,"y":0,"x":null}]', "duplicate-json-key", "duplicate object key 'x'"),
    (b"NaN", "malformed-json", "NaN is not JSON"),
    (b'{"a":Infinity}', "malformed-json", "Infinity is not JSON"),
    (b"[-Infinity]", "malformed-json", "-Infinity is not JSON"),
    (b'"\xff"', "malformed-json", "malformed JSON"),
    (b'"\xc0\xaf"', "malformed-json", "malformed JSON"),
    (b'"\xe2\x82"', "malformed-json", "malformed JSON"),
    (b'{"a":"\x80"}', "malformed-json", "malformed JSON"),
    (b'"\xed\xa0\x80"', "malformed-json", "malformed JSON"),
    (b'"\xf4\x90\x80\x80"', "malformed-json", "malformed JSON"),
    ('{}'.encode("utf-16-le"), "malformed-json", "malformed JSON"),
    (b'{"a":1,}', "malformed-json", "malformed JSON"),
    (b'{"a":1} x', "malformed-json", "malformed JSON"),
    (b"", "malformed-json", "malformed JSON"),
    (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "malformed-json", "nested more than 64"),
    (b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), "malformed-json",
     "nested more than 64"),
    (b"[" * 100_000 + b"]" * 100_000, "malformed-json", "nested more than 64"),
    (b'{"n":' + b"9" * 4301 + b"}", "malformed-json", "number of more than 40"),
    (b"-" + b"1" * MAX_NUMBER_CHARS, "malformed-json", "number of more than 40"),
    (b"[0." + b"5" * MAX_NUMBER_CHARS + b"]", "malformed-json", "number of more than 40"),
], ids=["duplicate-key", "nested-duplicate-key", "duplicate-key-in-list", "nan", "infinity",
        "minus-infinity", "invalid-start-byte", "overlong-encoding", "truncated-sequence",
        "lone-continuation-byte", "utf8-encoded-surrogate", "above-u10ffff", "utf16-input",
        "trailing-comma", "trailing-garbage", "empty", "arrays-past-max-depth",
        "objects-past-max-depth", "past-the-recursion-limit", "integer-of-4301-digits",
        "negative-integer-past-max-chars", "fraction-past-max-chars"])
def test_parse_json_refuses(data: bytes, code: str, match: str) -> None:
    with pytest.raises(MalformedError, match=match) as info:
        parse_json(data)
    assert info.value.code == code


def test_parse_json_accepts_the_limits_themselves() -> None:
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json(deepest) == json.loads(deepest)
    longest = "-" + "9" * (MAX_NUMBER_CHARS - 1)
    assert parse_json(f"[{longest}, 0.{'5' * (MAX_NUMBER_CHARS - 2)}]")[0] == int(longest)
    wide = json.dumps([{"a": [i]} for i in range(1000)])  # many brackets, shallow
    assert parse_json(wide) == json.loads(wide)


def test_parse_json_accepts_str_and_bytes_alike() -> None:
    text = '{"name":{"zh":"五常大米","en":"Wuchang rice"},"n":[1,true,null]}'
    assert parse_json(text) == parse_json(text.encode("utf-8")) == json.loads(text)
