"""The unified social credit code's check character (GB 32100-2015), against the published
vectors, and refused in a v2 org.register."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gi_trace.domain.bodies import load_body
from gi_trace.domain.uscc import ALPHABET, check_character, valid_uscc
from gi_trace.ledger.errors import MalformedError
from tests.vectors import vectors_dir

VECTORS: dict[str, Any] = json.loads(
    (vectors_dir() / "gi-trace-v2" / "v2_vectors.json").read_text(encoding="utf-8"))["uscc"]


@pytest.mark.parametrize("code", VECTORS["valid"])
def test_valid_codes_pass(code: str) -> None:
    assert valid_uscc(code)
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", VECTORS["invalid"])
def test_invalid_codes_fail(code: str) -> None:
    assert not valid_uscc(code)


@pytest.mark.parametrize("code", VECTORS["valid"])
def test_every_other_check_character_fails(code: str) -> None:
    wrong = [c for c in ALPHABET if c != code[17]]
    assert not any(valid_uscc(code[:17] + c) for c in wrong)


def test_the_alphabet_leaves_out_letters_easily_misread() -> None:
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


def org(uscc: str) -> dict[str, Any]:
    return {"org": "minle-coop", "name": {"zh": "民乐", "en": "Minle"}, "roles": ["producer"],
            "keys": ["x"], "region": "230184", "uscc": uscc}


def test_v2_org_register_refuses_a_wrong_check_character() -> None:
    load_body("org.register", org(VECTORS["valid"][1]))
    with pytest.raises(MalformedError, match="check character") as refused:
        load_body("org.register", org(VECTORS["invalid"][0]))
    assert (refused.value.code, refused.value.field) == ("invalid-body", "body.uscc")


def test_v1_org_register_keeps_its_old_rule() -> None:
    """An old log's org.register replays as it was accepted: the shape only."""
    load_body("org.register", org(VECTORS["invalid"][0]), version=1)
