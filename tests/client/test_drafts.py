"""The client's body builders and the domain's schemas are one contract: every body the client
builds loads with gi_trace.domain.bodies, and every statement type has a builder."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gi_trace.client import drafts
from gi_trace.client.drafts import Draft
from gi_trace.domain.bodies import BODIES, load_body
from gi_trace.ledger import keys
from tests.domain.world import gtin14

KEY = keys.generate()
NAME = {"zh": "五常大米", "en": "Wuchang rice"}

EXAMPLES: list[Draft] = [
    drafts.org_register("minle-coop", NAME, ["producer"], [KEY], region="230184",
                        uscc="93230184MA1B2C3D0X"),
    drafts.key_add("minle-coop", KEY.public_key(), reason="laptop", label="office"),
    drafts.key_revoke("minle-coop", keys.private_key_id(KEY), reason="lost"),
    drafts.product_register("wuchang-rice-paddy", NAME, region_name=NAME, region_codes=["230184"],
                            unit="kg", gtins=[gtin14("0697123450010")],
                            processes={"milling": ("wuchang-rice", "0.70")}),
    drafts.producer_approve("wuchang-rice-paddy", "minle-coop", 2026, Decimal("60000")),
    drafts.producer_suspend("wuchang-rice-paddy", "minle-coop", "inspection"),
    drafts.producer_reinstate("wuchang-rice-paddy", "minle-coop", "re-inspected"),
    drafts.batch_register("m-1", "wuchang-rice-paddy", "MINLE2026-01", 24000, "2026-09-28",
                          plot="plot 3", lat="44.9012", lon="127.1453"),
    drafts.batch_split("m-1", {"m-1a": "14000", "m-1b": "10000"}),
    drafts.batch_merge(["m-1a", "m-1b"], "m-2", "MINLE2026-M"),
    drafts.batch_process("milling", [("m-2", "24000")], "r-1", "JH2026-1001", "16320.5"),
    drafts.shipment_send("s-1", "jinhe-mill", {"m-1a": "14000"}),
    drafts.shipment_receive("s-1", reason="weighed"),
    drafts.shipment_reject("s-1", "too wet"),
    drafts.batch_recall("m-1", "residue"),
    drafts.label_issue("r-1", gtin14("0697123450027"), ["8FEFDHWCT4ZYX9FJ"], ["A" * 86]),
    drafts.label_void(["8FEFDHWCT4ZYX9FJ"], "misprinted"),
    drafts.label_sell(["8FEFDHWCT4ZYX9FJ"]),
]


def test_every_statement_type_has_a_builder() -> None:
    assert {draft.type for draft in EXAMPLES} == set(BODIES)


@pytest.mark.parametrize("draft", EXAMPLES, ids=[d.type for d in EXAMPLES])
def test_every_built_body_loads_with_the_domain_schema(draft: Draft) -> None:
    load_body(draft.type, draft.body)


def test_optional_fields_are_left_out_not_sent_as_null() -> None:
    assert drafts.shipment_receive("s-1") == Draft("shipment.receive", {"shipment": "s-1"})
    assert "origin" not in drafts.batch_register("b", "p", "L", "1", "2026-09-28").body


@pytest.mark.parametrize(("value", "text"), [
    ("1200.50", "1200.50"), (Decimal("1200.50"), "1200.5"), (Decimal("3.000"), "3"), (12, "12"),
    (Decimal("1E+3"), "1000"),
], ids=["string-unchanged", "decimal-trailing-zero", "decimal-integral", "int", "decimal-exponent"])
def test_quantities_are_exact_decimal_text(value: drafts.Quantity, text: str) -> None:
    assert drafts.decimal_text(value) == text


@pytest.mark.parametrize("value", [1.5, True, None], ids=["float", "bool", "none"])
def test_inexact_quantities_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        drafts.decimal_text(value)  # type: ignore[arg-type]


def test_a_public_key_in_any_form_is_sent_as_base64url() -> None:
    expected = keys.public_key_b64(KEY)
    forms: list[drafts.PublicKey] = [KEY, KEY.public_key(), keys.public_bytes(KEY), expected]
    assert {drafts.public_key(form) for form in forms} == {expected}
