"""Selective disclosure (DESIGN.md "Confidential by default"): the published gi-trace v2
vectors, and every way a disclosure can fail to match its statement's `_sd`."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger import merkle
from gi_trace.ledger.canonical import canonical_json
from gi_trace.ledger.disclosure import Disclosure, parse_disclosures, reveal, seal
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.errors import MalformedError, VerificationError
from gi_trace.ledger.statement import STATEMENT_PREFIX, Envelope, Statement, sign
from tests.vectors import vectors_dir

V2 = json.loads((vectors_dir() / "gi-trace-v2" / "v2_vectors.json").read_text(encoding="utf-8"))
RFC8032 = json.loads((vectors_dir() / "ed25519-rfc8032" / "rfc8032_ed25519.json").read_text())


def _test1_key() -> Ed25519PrivateKey:
    vector = RFC8032[0] if isinstance(RFC8032, list) else RFC8032["vectors"][0]
    secret = next(v for k, v in vector.items() if "secret" in k.lower() or k.lower() in ("sk", "private"))
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret)[:32])


@pytest.mark.parametrize("case", V2["disclosures"], ids=[c["disclosure"][1] for c in V2["disclosures"]])
def test_disclosure_digest_matches_the_published_vector(case: dict[str, Any]) -> None:
    disclosure = Disclosure(*case["disclosure"])
    assert canonical_json(disclosure.to_json()).hex() == case["jcs_hex"]
    assert disclosure.digest == case["digest"]


def test_a_changed_byte_changes_the_digest() -> None:
    salt, name, value = V2["disclosures"][0]["disclosure"]
    assert Disclosure(salt, name, value + "0").digest != V2["disclosures"][0]["digest"]
    assert Disclosure(salt[:-1] + "B", name, value).digest != V2["disclosures"][0]["digest"]


def test_the_v2_statement_vector_signs_and_hashes_as_published() -> None:
    case = V2["statement"]
    statement = Statement.from_dict(case["statement"])
    assert (STATEMENT_PREFIX + statement.canonical).hex() == case["signed_bytes_hex"]
    key = _test1_key()
    envelope = sign(statement, key)
    assert envelope.signature == b64url_decode(case["signature"])
    assert merkle.leaf_hash(envelope.leaf).hex() == case["leaf_hash_hex"]
    disclosures = parse_disclosures(case["disclosures"])
    assert reveal(statement.body, disclosures) == {"quantity": "24000",
                                                   "origin": case["disclosures"][1][2]}


def test_label_roots_and_paths_match_the_published_vectors() -> None:
    labels = V2["labels"]["labels"]
    leaves = [merkle.leaf_hash(canonical_json({"serial": x["serial"], "sig": x["sig"]})) for x in labels]
    assert [leaf.hex() for leaf in leaves] == [x["leaf_hash_hex"] for x in labels]
    assert merkle.root_of(leaves).hex() == V2["labels"]["labels_root_hex"]
    for index, label in enumerate(labels):
        path = merkle.LeafTree.of(leaves).path(index)
        assert [h.hex() for h in path] == label["inclusion_path_hex"]
        assert merkle.root_from_inclusion(index, len(leaves), leaves[index], path) == merkle.root_of(leaves)


def test_leaf_tree_paths_lead_to_the_rfc_6962_root_for_every_size() -> None:
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(33)]
    for size in range(1, len(leaves) + 1):
        tree = merkle.LeafTree.of(leaves[:size])
        for index in range(size):
            path = tree.path(index)
            root = merkle.root_from_inclusion(index, size, leaves[index], path)
            assert root == merkle.root_of(leaves[:size])


def test_seal_then_reveal_gives_back_the_body() -> None:
    body = {"batch": "b1", "quantity": "10", "origin": {"plot": "p"}}
    public, disclosures = seal(body, {"quantity", "origin", "absent"})
    assert set(public) == {"batch", "_sd"} and public["_sd"] == sorted(d.digest for d in disclosures)
    assert reveal(public, disclosures) == {"quantity": "10", "origin": {"plot": "p"}}
    again, _ = seal(body, {"quantity", "origin"})
    assert again["_sd"] != public["_sd"], "fresh salts: equal values must not give equal digests"
    assert seal({"batch": "b1"}, {"quantity"})[0] == {"batch": "b1"}


def _sealed() -> tuple[dict[str, Any], tuple[Disclosure, ...]]:
    return seal({"batch": "b1", "quantity": "10", "to": "mill"}, {"quantity", "to"})


MISMATCHES = [
    ("changed-value", lambda d: (Disclosure(d[0].salt, d[0].name, "11"), d[1]), "disclosure-mismatch"),
    ("swapped-salt", lambda d: (Disclosure(d[1].salt, d[0].name, d[0].value),
                                Disclosure(d[0].salt, d[1].name, d[1].value)), "disclosure-mismatch"),
    ("renamed", lambda d: (Disclosure(d[0].salt, "other", d[0].value), d[1]), "disclosure-mismatch"),
    ("dropped", lambda d: d[:1], "disclosure-missing"),
    ("none", lambda d: (), "disclosure-missing"),
    ("repeated", lambda d: (d[0], d[0], d[1]), "disclosure-mismatch"),
    ("extra", lambda d: (*d, Disclosure("A" * 22, "extra", 1)), "disclosure-mismatch"),
]


@pytest.mark.parametrize(("change", "code"), [m[1:] for m in MISMATCHES], ids=[m[0] for m in MISMATCHES])
def test_reveal_refuses_disclosures_that_do_not_match_sd_exactly(change: Any, code: str) -> None:
    public, disclosures = _sealed()
    with pytest.raises(VerificationError) as info:
        reveal(public, change(disclosures))
    assert info.value.code == code


def test_reveal_refuses_a_field_disclosed_that_the_body_shows() -> None:
    public, disclosures = _sealed()
    shown = {**public, "quantity": "10"}
    with pytest.raises(VerificationError, match="given twice"):
        reveal(shown, disclosures)


def test_disclosures_without_sd_are_extra() -> None:
    with pytest.raises(VerificationError, match=r"not in body\._sd"):
        reveal({"batch": "b1"}, (Disclosure("A" * 22, "quantity", "1"),))


BAD_SHAPES = [
    ("not-a-list", {"x": 1}, "disclosures"),
    ("two-items", [["A" * 22, "quantity"]], "disclosures[0]"),
    ("short-salt", [["AAAA", "quantity", "1"]], "disclosures[0][0]"),
    ("name-sd", [["A" * 22, "_sd", "1"]], "disclosures[0][1]"),
    ("name-number", [["A" * 22, 5, "1"]], "disclosures[0][1]"),
]


@pytest.mark.parametrize(("data", "field"), [b[1:] for b in BAD_SHAPES], ids=[b[0] for b in BAD_SHAPES])
def test_malformed_disclosures_name_the_field(data: Any, field: str) -> None:
    with pytest.raises(MalformedError) as info:
        parse_disclosures(data)
    assert info.value.field == field


def test_an_envelope_keeps_disclosures_and_declared_attachments_only() -> None:
    key = _test1_key()
    case = V2["statement"]
    envelope = sign(Statement.from_dict(case["statement"]), key,
                    disclosures=parse_disclosures(case["disclosures"]))
    data = {**envelope.to_dict(), "labels": [{"serial": "S", "sig": "x"}]}
    parsed = Envelope.from_dict(data, attachments={"labels"})
    assert parsed.disclosures == envelope.disclosures and parsed.attachments == {"labels": data["labels"]}
    with pytest.raises(MalformedError, match="unknown field 'labels'"):
        Envelope.from_dict(data)
    assert parsed.to_dict() == data


def test_an_envelope_with_disclosures_and_attachments_pickles() -> None:
    """Audits and bulk signers hand envelopes to worker processes."""
    import pickle
    key = _test1_key()
    case = V2["statement"]
    envelope = sign(Statement.from_dict(case["statement"]), key,
                    disclosures=parse_disclosures(case["disclosures"]), attachments={"labels": []})
    again = pickle.loads(pickle.dumps(envelope))
    assert again == envelope and again.attachments == {"labels": []}
