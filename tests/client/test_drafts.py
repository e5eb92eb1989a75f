"""The client's body builders and the domain's schemas are one contract: every body the client
builds loads with gi_trace.domain.bodies (v2), every statement type has a builder, and signing
a draft seals exactly the fields the disclosure policy makes confidential.

The digests and the labels' root are checked here with hashlib alone, from DESIGN.md's
definitions, not with the project's own code."""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest

from gi_trace.client import drafts
from gi_trace.client import protection_drafts as protection
from gi_trace.client.drafts import Draft
from gi_trace.domain.bodies import BODIES, load_body
from gi_trace.domain.disclosure_policy import CONFIDENTIAL
from gi_trace.labels.issuing import new_labels
from gi_trace.ledger import keys
from tests.domain.world import gtin14

KEY = keys.generate()
NAME = {"zh": "五常大米", "en": "Wuchang rice"}
RICE_GTIN = gtin14("0697123450027")
LABELS = new_labels(KEY, RICE_GTIN, "JH2026-1001", 5)
SERIAL = LABELS[0].serial

EXAMPLES: list[Draft] = [
    drafts.org_register("minle-coop", NAME, ["producer"], [KEY], region="230184",
                        uscc="93230184MA1B2C3D85"),
    drafts.key_add("minle-coop", KEY.public_key(), reason="laptop", label="office"),
    drafts.key_revoke("minle-coop", keys.private_key_id(KEY), reason="lost"),
    drafts.product_register("wuchang-rice-paddy", NAME, region_name=NAME, region_codes=["230184"],
                            unit="kg", gtins=[gtin14("0697123450010")], packs=["25", Decimal("50")],
                            processes={"milling": ("wuchang-rice", "0.70")}),
    drafts.producer_approve("wuchang-rice-paddy", "minle-coop", 2026, Decimal("60000")),
    drafts.producer_suspend("wuchang-rice-paddy", "minle-coop", "inspection"),
    drafts.producer_reinstate("wuchang-rice-paddy", "minle-coop", "re-inspected"),
    drafts.batch_register("m-1", "wuchang-rice-paddy", "MINLE2026-01", 24000, "2026-09-28",
                          plot="plot 3", lat="44.9012", lon="127.1453", plot_region="230184",
                          village={"zh": "红光村", "en": "Hongguang village"}),
    drafts.batch_split("m-1", {"m-1a": "14000", "m-1b": "10000"}),
    drafts.batch_merge(["m-1a", "m-1b"], "m-2", "MINLE2026-M"),
    drafts.batch_process("milling", [("m-2", "24000")], "r-1", "JH2026-1001", "16320.5"),
    drafts.shipment_send("s-1", "jinhe-mill", {"m-1a": "14000"}, sscc="006971232026000035"),
    drafts.shipment_receive("s-1", reason="weighed"),
    drafts.shipment_reject("s-1", "too wet"),
    drafts.batch_recall("m-1", "residue"),
    drafts.label_issue("r-1", RICE_GTIN, "5", LABELS),
    drafts.label_void([SERIAL], "misprinted"),
    drafts.label_sell([SERIAL]),
    protection.listing_check("l-1", "mall", "https://mall.example/item/1", "wuchang-rice",
                             shop="Rice Shop", seller_uscc="93230184MA1B2C3D85",
                             codes=["https://id.example/01/x"]),
    protection.notice_send("n-1", "mall", "seller-not-approved", "2026-12-31T00:00:00Z",
                           listing="l-1", evidence={"reports": ["r-1"]}),
    protection.notice_answer("n-1", "disputed", "licensed reseller"),
    protection.case_open("c-1", "wuchang-rice", "fake bags", sources={"reports": ["r-1"]}),
    protection.case_transfer("c-1", "hlj", "seller in Heilongjiang"),
    protection.case_accept("c-1"),
    protection.case_return("c-1", "not ours"),
    protection.case_close("c-1", "confirmed", publish=True, summary="taken down"),
    protection.reward_grant("w-1", "r-1", "c-1", "500"),
    protection.recall_ack("m-1", "14000", "pulled from shelves"),
    protection.webhook_register("h-1", "https://hooks.example/gi", ["recall", "notice"]),
    protection.webhook_remove("h-1"),
]
IDS = [d.type for d in EXAMPLES]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jcs(value: Any) -> bytes:
    """RFC 8785 for what statements hold (strings, integers, lists, objects): sorted keys,
    no whitespace, UTF-8 (keys here are ASCII, so code-unit order is byte order)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(disclosure: list[Any]) -> str:
    return b64url(hashlib.sha256(b"gi-trace/v2/disclosure\n" + jcs(disclosure)).digest())


def rfc6962_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 Merkle Tree Hash, written out from the RFC."""
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    split = 1
    while split * 2 < len(leaves):
        split *= 2
    return hashlib.sha256(b"\x01" + rfc6962_root(leaves[:split])
                          + rfc6962_root(leaves[split:])).digest()


def test_every_statement_type_has_a_builder() -> None:
    assert {draft.type for draft in EXAMPLES} == set(BODIES)


@pytest.mark.parametrize("draft", EXAMPLES, ids=IDS)
def test_every_built_body_loads_with_the_v2_schema(draft: Draft) -> None:
    load_body(draft.type, draft.body)


@pytest.mark.parametrize("draft", EXAMPLES, ids=IDS)
def test_a_signed_draft_shows_only_public_fields_and_discloses_the_rest(draft: Draft) -> None:
    envelope = draft.sign("minle-coop", KEY)
    sent = envelope.to_dict()
    statement = sent["statement"]
    assert statement["v"] == 2
    confidential = CONFIDENTIAL[draft.type] & draft.body.keys()
    public = {k: v for k, v in statement["body"].items() if k != "_sd"}
    assert public == {k: v for k, v in draft.body.items() if k not in confidential}
    disclosed = sent.get("disclosures", [])
    assert {name: value for _, name, value in disclosed} == {
        name: draft.body[name] for name in confidential}
    if confidential:
        assert statement["body"]["_sd"] == sorted(digest(d) for d in disclosed)
        assert all(len(base64.urlsafe_b64decode(salt + "==")) == 16 for salt, _, _ in disclosed)
    else:
        assert "_sd" not in statement["body"] and "disclosures" not in sent
    # No confidential value is anywhere in what the public log stores (the signed statement).
    signed = jcs(statement).decode()
    for name in confidential:
        assert jcs(draft.body[name]).decode() not in signed


def test_every_signing_draws_fresh_salts() -> None:
    draft = drafts.shipment_send("s-1", "jinhe-mill", {"m-1a": "14000"})
    first, second = (draft.sign("minle-coop", KEY).to_dict() for _ in range(2))
    assert {d[0] for d in first["disclosures"]}.isdisjoint(d[0] for d in second["disclosures"])
    assert first["statement"]["body"]["_sd"] != second["statement"]["body"]["_sd"]


def test_split_and_process_keep_lineage_public_and_quantities_in_order() -> None:
    split = drafts.batch_split("m-1", [("m-1b", "10000"), ("m-1a", Decimal("14000.50"))])
    assert split.body == {"from": "m-1", "into": ["m-1b", "m-1a"],
                          "quantities": ["10000", "14000.5"]}
    process = drafts.batch_process("milling", {"m-2": 100, "m-3": "50"}, "r-1", "L1", "100")
    assert process.body == {"process": "milling", "inputs": ["m-2", "m-3"],
                            "output": {"batch": "r-1", "lot": "L1"},
                            "quantities": {"inputs": ["100", "50"], "output": "100"}}


def test_a_label_issue_commits_to_its_labels_and_carries_them_beside_the_statement() -> None:
    draft = drafts.label_issue("r-1", RICE_GTIN, Decimal("5.0"), LABELS)
    leaves = [{"serial": x.serial, "sig": x.sig} for x in LABELS]
    assert draft.body == {"batch": "r-1", "gtin": RICE_GTIN, "pack": "5", "count": 5,
                          "labels_root": b64url(rfc6962_root([jcs(leaf) for leaf in leaves]))}
    sent = draft.sign("jinhe-mill", KEY).to_dict()
    assert sent["labels"] == leaves
    assert all(x.serial not in json.dumps(sent["statement"]) for x in LABELS)
    assert all(x.sig not in json.dumps(sent["statement"]) for x in LABELS)


def test_optional_fields_are_left_out_not_sent_as_null() -> None:
    assert drafts.shipment_receive("s-1") == Draft("shipment.receive", {"shipment": "s-1"})
    body = drafts.batch_register("b", "p", "L", "1", "2026-09-28").body
    assert "origin" not in body and "village" not in body


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
