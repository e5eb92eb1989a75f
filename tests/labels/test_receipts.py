"""Receipt codes without HTTP: their form and entropy, what a typed code may look like, and
the limit on wrong codes per client (on SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from gi_trace.labels import receipts
from gi_trace.labels.reports import new_report, submit
from gi_trace.ledger.errors import MalformedError
from gi_trace.service import Service

NOW = 1_800_000_000
GUESSER, OTHER = "a" * 64, "b" * 64


def test_a_code_is_160_random_bits_in_groups_of_four() -> None:
    codes = {receipts.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4] * 8
        assert len(base64.b32decode("".join(groups))) * 8 == 160


@pytest.mark.parametrize("typed", [
    "{code}", "{lower}", "  {spaced}  ", "{plain}",
], ids=["as-shown", "lower-case", "spaces-between-groups", "no-dashes"])
def test_a_code_typed_loosely_is_the_same_code(typed: str) -> None:
    code = receipts.new_code()
    text = typed.format(code=code, lower=code.lower(), spaced=code.replace("-", " "),
                        plain=code.replace("-", ""))
    assert receipts.code_hash(text) == hashlib.sha256(code.replace("-", "").encode()).hexdigest()


@pytest.mark.parametrize(("typed", "code"), [
    (None, "missing-field"),
    ("   ", "missing-field"),
    (12345, "missing-field"),
    ("ABCD-EFGH", "bad-receipt-code"),
    ("A" * 33, "bad-receipt-code"),
    ("0" * 32, "bad-receipt-code"),
    ("Ä" * 32, "bad-receipt-code"),
], ids=["absent", "blank", "not-text", "too-short", "too-long", "not-base32", "not-ascii"])
def test_what_is_not_a_code(typed: object, code: str) -> None:
    with pytest.raises(MalformedError, match="receipt code") as caught:
        receipts.canonical(typed)
    assert (caught.value.code, caught.value.field) == (code, "code")


# -- finding a report, and the limit on wrong codes ------------------------------------------
@pytest.fixture
def code(any_service: Service) -> str:
    code = receipts.new_code()
    submit(any_service.engine, new_report({"where_bought": "online"}, None, max_photo_bytes=1),
           "c" * 64, limit=5, now=NOW, receipt_hash=receipts.code_hash(code))
    return code


def find(service: Service, code: str, client: str = GUESSER, now: int = NOW) -> str | None:
    return receipts.find_report(service.engine, code, client, limit=3, now=now)


def test_the_right_code_finds_its_report(any_service: Service, code: str) -> None:
    assert find(any_service, code) is not None
    assert find(any_service, code.lower().replace("-", "")) == find(any_service, code)


def test_wrong_codes_are_limited_per_client_for_an_hour(any_service: Service, code: str) -> None:
    for i in range(3):
        assert find(any_service, receipts.new_code(), now=NOW + i) is None
    with pytest.raises(receipts.TooManyMisses) as caught:
        find(any_service, code, now=NOW + 600)  # even the right code, once past the limit
    assert caught.value.retry_after == 3600 - 600
    assert find(any_service, code, client=OTHER, now=NOW + 600) is not None
    assert find(any_service, code, now=NOW + 3600) is not None  # the first miss has left


def test_right_codes_are_not_counted(any_service: Service, code: str) -> None:
    for i in range(10):
        assert find(any_service, code, now=NOW + i) is not None


def test_a_malformed_code_is_not_counted(any_service: Service, code: str) -> None:
    for _ in range(5):
        with pytest.raises(MalformedError):
            find(any_service, "not a code")
    assert find(any_service, code) is not None
