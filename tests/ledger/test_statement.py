"""Statements and envelopes: shape rules, canonical bytes, the signing input, signing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger import keys
from gi_trace.ledger.canonical import canonical_json
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.statement import (
    FIELDS,
    MAX_STATEMENT_BYTES,
    NONCE_PATTERN,
    STATEMENT_PREFIX,
    Envelope,
    Statement,
    draft,
    format_ts,
    parse_ts,
    sign,
)

# A fixed seed keeps failures reproducible.
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEY_ID = keys.private_key_id(KEY)
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
TS = "2026-11-24T08:00:00Z"
NONCE = "bm9uY2Utbm9uY2Utbm9uY2U"


def valid() -> dict[str, Any]:
    return {"v": 1, "type": "batch.register", "actor": "wuchang-coop", "key": KEY_ID, "ts": TS,
            "nonce": NONCE, "body": {"batch": "B-1", "quantity": "1200.5",
                                     "name": {"zh": "五常大米", "en": "Wuchang rice"}}}


def with_(**changes: Any) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        data = valid()
        data.update(changes)
        return data
    return build


def without(name: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        data = valid()
        del data[name]
        return data
    return build


def padded_to(size: int) -> dict[str, Any]:
    """A valid statement whose canonical form is exactly `size` bytes."""
    data = valid()
    data["body"] = {"pad": ""}
    data["body"]["pad"] = "x" * (size - len(canonical_json(data)))
    assert len(canonical_json(data)) == size
    return data


def valid_envelope() -> dict[str, Any]:
    return sign(valid(), KEY).to_dict()


# --- Statement.from_dict -------------------------------------------------------------------

STATEMENT_REFUSALS: list[tuple[str, Callable[[], Any], str, str, str]] = [
    *[(f"missing-{name}", without(name), f"statement.{name}", "missing-field", "is required")
      for name in FIELDS],
    ("unknown-field", with_(extra=1), "statement.extra", "unknown-field", "unknown field 'extra'"),
    ("unknown-field-signature", with_(signature="x"), "statement.signature", "unknown-field",
     "unknown field"),
    ("v-string", with_(v="1"), "statement.v", "wrong-type", "must be a int"),
    ("v-bool", with_(v=True), "statement.v", "wrong-type", "must be a int"),
    ("v-float", with_(v=1.0), "statement.v", "wrong-type", "must be a int"),
    ("v-null", with_(v=None), "statement.v", "wrong-type", "must be a int"),
    ("v-3", with_(v=3), "statement.v", "bad-version", "unsupported version 3"),
    ("v1-with-sd", with_(v=1, body={"_sd": ["A" * 43]}), "statement.body._sd", "bad-version",
     "v1 statements have no confidential fields"),
    ("sd-empty", with_(v=2, body={"_sd": []}), "statement.body._sd", "bad-digests", "non-empty"),
    ("sd-not-digest", with_(v=2, body={"_sd": ["short"]}), "statement.body._sd", "bad-digests",
     "SHA-256 digests"),
    ("sd-unsorted", with_(v=2, body={"_sd": ["B" * 43, "A" * 43]}), "statement.body._sd", "bad-digests",
     "sorted and distinct"),
    ("sd-repeated", with_(v=2, body={"_sd": ["A" * 43, "A" * 43]}), "statement.body._sd", "bad-digests",
     "sorted and distinct"),
    ("v-0", with_(v=0), "statement.v", "bad-version", "unsupported version 0"),
    ("type-int", with_(type=5), "statement.type", "wrong-type", "must be a str"),
    ("actor-null", with_(actor=None), "statement.actor", "wrong-type", "must be a str"),
    ("key-int", with_(key=123), "statement.key", "wrong-type", "must be a str"),
    ("ts-number", with_(ts=1_795_000_000), "statement.ts", "wrong-type", "must be a str"),
    ("nonce-list", with_(nonce=[NONCE]), "statement.nonce", "wrong-type", "must be a str"),
    ("nonce-bool", with_(nonce=True), "statement.nonce", "wrong-type", "must be a str"),
    ("body-list", with_(body=[]), "statement.body", "wrong-type", "must be a dict"),
    ("body-string", with_(body="{}"), "statement.body", "wrong-type", "must be a dict"),
    ("body-null", with_(body=None), "statement.body", "wrong-type", "must be a dict"),
    ("type-no-dot", with_(type="note"), "statement.type", "bad-format", "does not match"),
    ("type-upper", with_(type="Batch.register"), "statement.type", "bad-format", "does not match"),
    ("type-trailing-dot", with_(type="batch."), "statement.type", "bad-format", "does not match"),
    ("type-digit", with_(type="batch.v2"), "statement.type", "bad-format", "does not match"),
    ("type-trailing-newline", with_(type="batch.register\n"), "statement.type", "bad-format",
     "does not match"),
    ("actor-empty", with_(actor=""), "statement.actor", "bad-format", "does not match"),
    ("actor-space", with_(actor="wuchang coop"), "statement.actor", "bad-format", "does not match"),
    ("actor-slash", with_(actor="wu/chang"), "statement.actor", "bad-format", "does not match"),
    ("actor-65-chars", with_(actor="a" * 65), "statement.actor", "bad-format", "does not match"),
    ("actor-non-ascii", with_(actor="五常"), "statement.actor", "bad-format", "does not match"),
    ("actor-trailing-newline", with_(actor="wuchang-coop\n"), "statement.actor", "bad-format",
     "does not match"),
    ("key-upper-hex", with_(key=KEY_ID.upper()), "statement.key", "bad-format", "does not match"),
    ("key-63-hex", with_(key=KEY_ID[:63]), "statement.key", "bad-format", "does not match"),
    ("key-65-hex", with_(key=KEY_ID + "0"), "statement.key", "bad-format", "does not match"),
    ("key-base64", with_(key=keys.public_key_b64(KEY)), "statement.key", "bad-format",
     "does not match"),
    ("key-trailing-newline", with_(key=KEY_ID + "\n"), "statement.key", "bad-format",
     "does not match"),
    ("nonce-15-chars", with_(nonce="A" * 15), "statement.nonce", "bad-format", "does not match"),
    ("nonce-89-chars", with_(nonce="A" * 89), "statement.nonce", "bad-format", "does not match"),
    ("nonce-padded", with_(nonce=NONCE + "="), "statement.nonce", "bad-format", "does not match"),
    ("nonce-standard-base64", with_(nonce="A" * 15 + "+"), "statement.nonce", "bad-format",
     "does not match"),
    ("nonce-trailing-newline", with_(nonce=NONCE + "\n"), "statement.nonce", "bad-format",
     "does not match"),
    ("ts-space", with_(ts="2026-11-24 08:00:00Z"), "statement.ts", "bad-timestamp", "RFC 3339"),
    ("ts-offset", with_(ts="2026-11-24T08:00:00+00:00"), "statement.ts", "bad-timestamp", "RFC 3339"),
    ("ts-no-zone", with_(ts="2026-11-24T08:00:00"), "statement.ts", "bad-timestamp", "RFC 3339"),
    ("ts-lowercase-z", with_(ts="2026-11-24T08:00:00z"), "statement.ts", "bad-timestamp", "RFC 3339"),
    ("ts-date-only", with_(ts="2026-11-24"), "statement.ts", "bad-timestamp", "RFC 3339"),
    ("ts-7-fraction-digits", with_(ts="2026-11-24T08:00:00.1234567Z"), "statement.ts",
     "bad-timestamp", "RFC 3339"),
    ("ts-february-30", with_(ts="2026-02-30T08:00:00Z"), "statement.ts", "bad-timestamp",
     "not a valid time"),
    ("ts-hour-24", with_(ts="2026-11-24T24:00:00Z"), "statement.ts", "bad-timestamp",
     "not a valid time"),
    ("ts-fullwidth-digits", with_(ts="２０２６-11-24T08:00:00Z"), "statement.ts", "bad-timestamp",
     "RFC 3339|not a valid time"),
    ("ts-trailing-newline", with_(ts=TS + "\n"), "statement.ts", "bad-timestamp", "RFC 3339"),
    ("oversized", lambda: padded_to(MAX_STATEMENT_BYTES + 1), "statement", "too-large",
     f"over {MAX_STATEMENT_BYTES} bytes"),
    ("body-nan", with_(body={"x": float("nan")}), "statement", "not-canonical", "not canonicalizable"),
    ("body-int-above-2^53", with_(body={"x": 2**53}), "statement", "not-canonical",
     "not canonicalizable"),
    ("body-lone-surrogate", with_(body={"x": "\ud800"}), "statement", "not-canonical",
     "not canonicalizable"),
    ("not-an-object", lambda: [valid()], "statement", "wrong-type", "must be a JSON object"),
    ("null", lambda: None, "statement", "wrong-type", "must be a JSON object"),
    ("json-text", lambda: json.dumps(valid()), "statement", "wrong-type", "must be a JSON object"),
]


@pytest.mark.parametrize(("build", "field", "code", "match"), [row[1:] for row in STATEMENT_REFUSALS],
                         ids=[row[0] for row in STATEMENT_REFUSALS])
def test_statement_from_dict_refuses(build: Callable[[], Any], field: str | None, code: str,
                                     match: str) -> None:
    data = build()
    before = copy.deepcopy(data)
    with pytest.raises(MalformedError, match=match) as info:
        Statement.from_dict(data)
    assert info.value.code == code
    assert info.value.field == field
    if not (isinstance(data, dict) and data.get("body") == {"x": float("nan")}):  # nan != nan
        assert data == before, "from_dict mutated its input"


def test_statement_from_dict_accepts_the_largest_statement() -> None:
    data = padded_to(MAX_STATEMENT_BYTES)
    assert len(Statement.from_dict(data).canonical) == MAX_STATEMENT_BYTES


def test_statement_from_dict_reads_every_field() -> None:
    statement = Statement.from_dict(valid())
    assert (statement.v, statement.type, statement.actor, statement.key, statement.nonce) == (
        1, "batch.register", "wuchang-coop", KEY_ID, NONCE)
    assert statement.ts == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert statement.body == valid()["body"]
    assert statement.canonical == canonical_json(valid())
    assert statement.to_dict() == valid()


@pytest.mark.parametrize("ts", ["2026-11-24T08:00:00.5Z", "2026-11-24T08:00:00.123456Z",
                                "1970-01-01T00:00:00Z", "2026-02-28T23:59:59Z"],
                         ids=["tenths", "microseconds", "epoch", "end-of-february"])
def test_statement_from_dict_accepts_timestamps(ts: str) -> None:
    statement = Statement.from_dict(with_(ts=ts)())
    assert statement.ts == datetime.fromisoformat(ts[:-1]).replace(tzinfo=UTC)
    assert parse_ts(format_ts(statement.ts)) == statement.ts


def test_statement_from_dict_never_mutates_its_input() -> None:
    data = valid()
    data["body"]["nested"] = {"list": [1, {"b": 2, "a": 1}]}
    before = copy.deepcopy(data)
    Statement.from_dict(data)
    assert data == before
    assert list(data) == list(before)  # key order too: nothing was sorted in place
    assert list(data["body"]["nested"]["list"][1]) == ["b", "a"]


# --- Envelope.from_dict --------------------------------------------------------------------


def envelope_with(**changes: Any) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        data = valid_envelope()
        data.update(changes)
        return data
    return build


def envelope_without(name: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        data = valid_envelope()
        del data[name]
        return data
    return build


ENVELOPE_REFUSALS: list[tuple[str, Callable[[], Any], str | None, str, str]] = [
    ("not-an-object", lambda: [valid_envelope()], None, "wrong-type", "must be a JSON object"),
    ("null", lambda: None, None, "wrong-type", "must be a JSON object"),
    ("unknown-field", envelope_with(seq=0), "seq", "unknown-field", "unknown field 'seq'"),
    ("missing-statement", envelope_without("statement"), "statement", "missing-field", "is required"),
    ("missing-signature", envelope_without("signature"), "signature", "missing-field", "is required"),
    ("signature-bytes", envelope_with(signature=bytes(64)), "signature", "wrong-type",
     "base64url string"),
    ("signature-null", envelope_with(signature=None), "signature", "wrong-type", "base64url string"),
    ("signature-standard-base64", envelope_with(signature="+" * 86), "signature", "bad-base64",
     "not base64url"),
    ("signature-63-bytes", envelope_with(signature=b64url_encode(bytes(63))), "signature",
     "bad-length", "must decode to 64 bytes"),
    ("signature-65-bytes", envelope_with(signature=b64url_encode(bytes(65))), "signature",
     "bad-length", "must decode to 64 bytes"),
    ("statement-not-an-object", envelope_with(statement="{}"), "statement", "wrong-type",
     "must be a JSON object"),
    ("statement-bad-version", envelope_with(statement=with_(v=3)()), "statement.v", "bad-version",
     "unsupported version"),
    ("statement-unknown-field", envelope_with(statement=with_(sig="x")()), "statement.sig",
     "unknown-field", "unknown field"),
]


@pytest.mark.parametrize(("build", "field", "code", "match"), [row[1:] for row in ENVELOPE_REFUSALS],
                         ids=[row[0] for row in ENVELOPE_REFUSALS])
def test_envelope_from_dict_refuses(build: Callable[[], Any], field: str | None, code: str,
                                    match: str) -> None:
    data = build()
    before = copy.deepcopy(data)
    with pytest.raises(MalformedError, match=match) as info:
        Envelope.from_dict(data)
    assert info.value.code == code
    assert info.value.field == field
    assert data == before


def test_envelope_round_trip_and_leaf() -> None:
    data = valid_envelope()
    before = copy.deepcopy(data)
    envelope = Envelope.from_dict(data)
    assert data == before
    assert envelope.to_dict() == data
    assert envelope.leaf == envelope.signature + canonical_json(valid())
    assert len(envelope.signature) == 64


# --- from_bytes ------------------------------------------------------------------------------


def _spaced(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True).encode()


def _unsorted(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def _ascii_escaped(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


NON_CANONICAL: list[tuple[str, Callable[[], bytes]]] = [
    ("whitespace", lambda: _spaced(valid())),
    ("unsorted-keys", lambda: _unsorted(valid())),
    ("non-ascii-escaped", lambda: _ascii_escaped(valid())),
    ("escaped-ascii-letter", lambda: canonical_json(valid()).replace(b'"v"', b'"\\u0076"')),
    ("escaped-slash", lambda: canonical_json(with_(body={"p": "a/b"})()).replace(b"a/b", b"a\\/b")),
    ("trailing-newline", lambda: canonical_json(valid()) + b"\n"),
    ("leading-space", lambda: b" " + canonical_json(valid())),
    ("integer-as-exponent", lambda: canonical_json(with_(body={"n": 1000})()).replace(b"1000", b"1e3")),
]


@pytest.mark.parametrize("build", [row[1] for row in NON_CANONICAL], ids=[row[0] for row in NON_CANONICAL])
def test_from_bytes_refuses_non_canonical_bytes(build: Callable[[], bytes]) -> None:
    data = build()
    with pytest.raises(MalformedError, match="not RFC 8785 canonical") as info:
        Statement.from_bytes(data)
    assert (info.value.code, info.value.field) == ("not-canonical", "statement")


# A duplicate key never survives re-encoding, so stored bytes with one are not canonical.
@pytest.mark.parametrize(("data", "code"), [
    (canonical_json(valid()).replace(b'"v":1}', b'"v":2,"v":1}'), "not-canonical"),
    (b"not json", "malformed-json"),
    (b'{"v":NaN}', "malformed-json"),
    (canonical_json(with_(body={"x": "\u00e9"})()).replace(b"\xc3\xa9", b"\xe9"), "malformed-json"),
], ids=["duplicate-key", "not-json", "nan", "latin-1-byte"])
def test_from_bytes_refuses_malformed_json(data: bytes, code: str) -> None:
    with pytest.raises(MalformedError) as info:
        Statement.from_bytes(data)
    assert info.value.code == code


def test_from_bytes_refuses_a_byte_order_mark() -> None:
    # Refused either as malformed JSON (a strict UTF-8 parser) or as non-canonical bytes.
    with pytest.raises(MalformedError, match=r"malformed JSON|not RFC 8785 canonical") as info:
        Statement.from_bytes(b"\xef\xbb\xbf" + canonical_json(valid()))
    assert info.value.code in {"malformed-json", "not-canonical"}


def test_from_bytes_accepts_canonical_bytes() -> None:
    data = canonical_json(valid())
    statement = Statement.from_bytes(data)
    assert statement.canonical == data
    assert statement == Statement.from_dict(valid())


# --- signing -------------------------------------------------------------------------------


def test_signing_input_has_the_domain_prefix() -> None:
    statement = Statement.from_dict(valid())
    assert STATEMENT_PREFIX == b"gi-trace/v1/statement\n"
    assert statement.signing_input() == b"gi-trace/v1/statement\n" + canonical_json(valid())


def test_signature_covers_the_prefixed_canonical_bytes_only() -> None:
    envelope = sign(valid(), KEY)
    pub = keys.public_bytes(KEY)
    assert keys.verify(pub, b"gi-trace/v1/statement\n" + canonical_json(valid()), envelope.signature)
    assert not keys.verify(pub, canonical_json(valid()), envelope.signature)
    assert not keys.verify(pub, b"gi-trace/v1/label\n" + canonical_json(valid()), envelope.signature)
    assert not keys.verify(pub, b"gi-trace/v1/statement\n" + _spaced(valid()), envelope.signature)


@pytest.mark.parametrize("statement", [valid, lambda: Statement.from_dict(valid())],
                         ids=["from-dict", "from-statement"])
def test_sign_refuses_a_key_id_mismatch(statement: Callable[[], Any]) -> None:
    with pytest.raises(MalformedError, match="not the id of the signing key") as info:
        sign(statement(), OTHER_KEY)
    assert (info.value.code, info.value.field) == ("wrong-key", "statement.key")


def test_sign_accepts_a_statement_object() -> None:
    statement = Statement.from_dict(valid())
    assert sign(statement, KEY) == sign(valid(), KEY)


def test_draft_produces_a_verifiable_envelope() -> None:
    moment = datetime(2026, 11, 24, 8, 0, 0, 250_000, tzinfo=UTC)
    envelope = draft("batch.register", "wuchang-coop", KEY, {"batch": "B-1"}, ts=moment)
    statement = envelope.statement
    assert (statement.type, statement.actor, statement.key, statement.ts) == (
        "batch.register", "wuchang-coop", KEY_ID, moment)
    assert NONCE_PATTERN.fullmatch(statement.nonce)
    assert keys.verify(keys.public_bytes(KEY), statement.signing_input(), envelope.signature)
    assert statement.to_dict()["ts"] == "2026-11-24T08:00:00.250000Z"
    # What a client sends is what the server parses, byte for byte.
    wire = json.loads(json.dumps(envelope.to_dict()))
    assert Envelope.from_dict(wire) == envelope
    assert Envelope.from_dict(wire).statement.canonical == statement.canonical


def test_draft_defaults_to_now_and_a_fresh_nonce() -> None:
    before = datetime.now(UTC)
    first = draft("test.note", "coop", KEY, {})
    second = draft("test.note", "coop", KEY, {})
    assert first.statement.nonce != second.statement.nonce
    assert before - timedelta(seconds=1) <= first.statement.ts <= datetime.now(UTC)


def test_draft_with_explicit_nonce() -> None:
    envelope = draft("test.note", "coop", KEY, {}, nonce=NONCE)
    assert envelope.statement.nonce == NONCE
