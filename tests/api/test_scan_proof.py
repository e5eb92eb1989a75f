"""A scan's offline proof, checked by a verifier written here from DESIGN.md alone: plain
hashlib, json and cryptography, nothing of gi-trace. It follows one label from its leaf to the
operator's signature: leaf JCS({"serial", "sig"}) → labels_root of the label.issue statement →
the statement's signature → the entry's leaf hash → its inclusion in the tree → the signed
checkpoint. And the proof discloses that one label: no other serial or signature."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import update

from gi_trace.domain import tables
from gi_trace.domain.label_signature import sign_label
from gi_trace.ledger.log import Log
from gi_trace.ledger.statement import format_ts, new_nonce, sign
from tests.api.test_scan import link, scanning, template, verdict
from tests.domain.world import GTINS, PADDY, approve, issue, register, serials

__all__ = ["scanning", "template"]


class Rejected(Exception):
    """The proof does not verify; the message says where."""


def _b64url(text: Any) -> bytes:
    if not isinstance(text, str):
        raise Rejected("not base64url text")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise Rejected(what)


def _signed(pub: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _jcs(value: dict[str, str]) -> bytes:
    """JCS of an object of ASCII strings: sorted keys, no spaces (RFC 8785 agrees for these)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=True).encode()


def _root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2, written out again here on purpose."""
    _require(isinstance(index, int) and isinstance(size, int) and 0 <= index < size, "index")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        _require(sn != 0 and len(p) == 32, "path too long")
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    _require(sn == 0, "path too short")
    return r


def verify_scan_proof(data: dict[str, Any]) -> None:
    """Raise Rejected unless the verdict's proof shows, for the printed label, every link from
    its leaf to the checkpoint signed by the operator key the proof names."""
    proof, printed = data["proof"], data["link"]
    _require(proof is not None and proof["statement"] is not None, "no v2 proof")
    pub = _b64url(proof["key"]["pub"])
    _require(hashlib.sha256(pub).hexdigest() == proof["key"]["id"], "key id")
    # The label: the printed code's signature (DESIGN.md "Labels").
    message = b"gi-trace/v1/label\n" + _jcs({"gtin": printed["gtin"], "key": proof["key"]["id"],
                                             "lot": printed["lot"], "serial": printed["serial"]})
    _require(_signed(pub, _b64url(printed["s"]), message), "label signature")
    # The label.issue statement, signed by the same key.
    statement_bytes, signature = _b64url(proof["statement"]), _b64url(proof["signature"])
    _require(_signed(pub, signature, b"gi-trace/v1/statement\n" + statement_bytes), "statement signature")
    statement = json.loads(statement_bytes)
    body = statement["body"]
    _require(statement["v"] == 2 and statement["type"] == "label.issue"
             and statement["key"] == proof["key"]["id"], "statement kind")
    _require(set(body) == {"batch", "gtin", "pack", "count", "labels_root"}, "statement fields")
    _require(body["gtin"] == printed["gtin"], "statement gtin")
    # The label's leaf and its path to labels_root.
    label = proof["label"]
    _require(label["serial"] == printed["serial"] and label["sig"] == printed["s"], "leaf is the label")
    leaf = hashlib.sha256(b"\x00" + _jcs({"serial": label["serial"], "sig": label["sig"]})).digest()
    labels_root = _root_from_inclusion(label["index"], body["count"], leaf,
                                       [bytes.fromhex(h) for h in label["hashes"]])
    _require(labels_root == _b64url(body["labels_root"]), "labels_root")
    # The entry: leaf = signature || JCS(statement), its inclusion in the tree.
    entry = hashlib.sha256(b"\x00" + signature + statement_bytes).digest()
    _require(entry.hex() == proof["leaf_hash"], "entry leaf hash")
    inclusion = proof["inclusion"]
    root = _root_from_inclusion(proof["seq"], inclusion["tree_size"], entry,
                                [bytes.fromhex(h) for h in inclusion["hashes"]])
    _require(root.hex() == inclusion["root"], "tree root")
    # The checkpoint: a C2SP signed note of that size and root, signed by the operator.
    text, signatures = proof["checkpoint"].split("\n\n", 1)
    _origin, size, root_b64 = text.split("\n")[:3]
    _require(int(size) == inclusion["tree_size"] and base64.b64decode(root_b64) == root, "checkpoint tree")
    name, key_hash, typed = proof["operator_key"].split("+", 2)  # base64 may hold "+"
    operator = base64.b64decode(typed)
    _require(operator[:1] == b"\x01" and len(operator) == 33, "operator key type")
    _require(hashlib.sha256(name.encode() + b"\n" + operator).digest()[:4].hex() == key_hash,
             "operator key hash")
    lines = [x for x in signatures.splitlines() if x.startswith(f"\u2014 {name} ")]
    _require(any(_operator_signed(line, operator[1:], bytes.fromhex(key_hash), text) for line in lines),
             "checkpoint signature")


def _operator_signed(line: str, pub: bytes, key_hash: bytes, text: str) -> bool:
    raw = base64.b64decode(line.split(" ")[2])
    return raw[:4] == key_hash and _signed(pub, raw[4:], (text + "\n").encode())


def independently_verified(data: dict[str, Any]) -> bool:
    try:
        verify_scan_proof(data)
    except (Rejected, KeyError, TypeError, ValueError, IndexError) as e:  # malformed is a failure too
        print("rejected:", e)
        return False
    return True


# -- the tests --------------------------------------------------------------------------------------

def scanned(scanning: Any, number: int = 3) -> dict[str, Any]:
    world, service, client = scanning
    service.log.append([world.coop_b.note(n) for n in range(6)])  # the label is not the last leaf
    return verdict(client, link(serials("A-1", 1, number)[0], signer=world.coop_a))


@pytest.mark.parametrize("number", [0, 3, 4])
def test_the_proof_verifies_with_hashlib_and_cryptography_alone(scanning: Any, number: int) -> None:
    data = scanned(scanning, number)
    assert data["verdict"] == "GENUINE"
    verify_scan_proof(data)
    assert {"inclusion", "label-path"} <= set(data["checked"])


def test_the_proof_discloses_the_scanned_label_and_no_other(scanning: Any) -> None:
    world, _, client = scanning
    data = scanned(scanning)
    text = json.dumps(data) + client.get(link(serials("A-1", 1, 3)[0], signer=world.coop_a),
                                         headers={"Accept": "text/html"}).get_data(as_text=True)
    others = [s for s in serials("A-1", 5) if s != data["link"]["serial"]]
    assert not [serial for serial in others if serial in text]
    statement = json.loads(_b64url(data["proof"]["statement"]))
    assert "serials" not in statement["body"] and "sigs" not in statement["body"]


def _flip(hex_text: str) -> str:
    return ("1" if hex_text[0] == "0" else "0") + hex_text[1:]


def _statement(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        statement = json.loads(_b64url(data["proof"]["statement"]))
        edit(statement)
        text = json.dumps(statement, separators=(",", ":"), sort_keys=True).encode()
        data["proof"]["statement"] = base64.urlsafe_b64encode(text).decode().rstrip("=")
    return change


TAMPERING: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("printed-lot", lambda d: d["link"].update(lot=d["link"]["lot"] + "X")),
    ("printed-serial", lambda d: d["link"].update(serial="SNX" + d["link"]["serial"][3:])),
    ("leaf-serial", lambda d: d["proof"]["label"].update(serial="SNX" + d["proof"]["label"]["serial"][3:])),
    ("leaf-signature", lambda d: d["proof"]["label"].update(sig=d["proof"]["signature"])),
    ("leaf-index", lambda d: d["proof"]["label"].update(index=d["proof"]["label"]["index"] ^ 1)),
    ("label-path-hash", lambda d: d["proof"]["label"]["hashes"].__setitem__(
        0, _flip(d["proof"]["label"]["hashes"][0]))),
    ("label-path-order", lambda d: d["proof"]["label"]["hashes"].reverse()),
    ("label-path-short", lambda d: d["proof"]["label"]["hashes"].pop()),
    ("labels-root", _statement(lambda s: s["body"].update(labels_root="A" * 43))),
    ("count", _statement(lambda s: s["body"].update(count=s["body"]["count"] + 1))),
    ("statement-serials", _statement(lambda s: s["body"].update(serials=[]))),
    ("statement-signature", lambda d: d["proof"].update(signature=d["link"]["s"])),
    ("entry-leaf-hash", lambda d: d["proof"].update(leaf_hash=_flip(d["proof"]["leaf_hash"]))),
    ("entry-index", lambda d: d["proof"].update(seq=d["proof"]["seq"] - 1)),
    ("inclusion-order", lambda d: d["proof"]["inclusion"]["hashes"].reverse()),
    ("tree-root", lambda d: d["proof"]["inclusion"].update(root=_flip(d["proof"]["inclusion"]["root"]))),
    ("checkpoint-size", lambda d: d["proof"].update(checkpoint=d["proof"]["checkpoint"].replace(
        "\n" + str(d["proof"]["inclusion"]["tree_size"]) + "\n", "\n999\n", 1))),
    ("checkpoint-signer", lambda d: d["proof"].update(checkpoint=d["proof"]["checkpoint"].replace(
        "\n\n\u2014 ", "\n\n\u2014 x", 1))),
    ("key", lambda d: d["proof"]["key"].update(id=_flip(d["proof"]["key"]["id"]))),
]


@pytest.mark.parametrize("tamper", [t for _, t in TAMPERING], ids=[name for name, _ in TAMPERING])
def test_the_independent_verifier_rejects_a_tampered_proof(scanning: Any,
                                                          tamper: Callable[[dict[str, Any]], None]) -> None:
    data = scanned(scanning)
    assert independently_verified(data)
    changed = copy.deepcopy(data)
    tamper(changed)
    assert changed != data
    assert not independently_verified(changed)


# -- a label of an old (v1) log -----------------------------------------------------------------

def _v1_issue(world: Any, numbers: list[str]) -> Any:
    """A v1 label.issue as the last v1 release signed it: serials and signatures in the body."""
    lot, gtin, coop = "LA-1", GTINS[PADDY][0], world.coop_a
    return sign({"v": 1, "type": "label.issue", "actor": coop.org, "key": coop.key_id,
                 "ts": format_ts(datetime.now(UTC)), "nonce": new_nonce(),
                 "body": {"batch": "A-1", "gtin": gtin, "serials": numbers,
                          "sigs": [sign_label(coop.key, gtin, lot, n) for n in numbers]}}, coop.key)


def test_a_v1_label_gets_its_entrys_proof_without_the_statement_that_lists_the_others(
        scanning: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A v1 label.issue lists every serial and signature it issued: sending it would hand out
    the other labels. Its labels keep a proof that the entry is in the signed tree."""
    world, service, client = scanning
    numbers = [f"SNV1{n:012d}" for n in range(3)]
    monkeypatch.setattr(Log, "_check_version", lambda self, envelope: None)  # as an old log holds
    service.log.append([_v1_issue(world, numbers)])
    data = verdict(client, link(numbers[1], signer=world.coop_a))
    assert data["verdict"] == "GENUINE" and "label-path" not in data["checked"]
    proof = data["proof"]
    assert (proof["statement"], proof["signature"], proof["label"]) == (None, None, None)
    assert not [n for n in (numbers[0], numbers[2]) if n in json.dumps(data)]
    inclusion = proof["inclusion"]
    root = _root_from_inclusion(proof["seq"], inclusion["tree_size"], bytes.fromhex(proof["leaf_hash"]),
                                [bytes.fromhex(h) for h in inclusion["hashes"]])
    assert root.hex() == inclusion["root"]
    assert not independently_verified(data)  # the whole chain needs a v2 label
    page = client.get(link(numbers[1], signer=world.coop_a), headers={"Accept": "text/html"})
    assert 'id="proof-v1"' in page.get_data(as_text=True)


def test_the_labels_of_an_issue_of_10000_each_get_their_proof_fast(scanning: Any) -> None:
    """One label.issue may commit to 10,000 labels: the first scan builds the issue's tree once,
    the others only cut their path from it."""
    world, service, client = scanning
    reg, coop = world.regulator, world.coop_a
    service.log.append([approve(reg, PADDY, "coop-a", "20000"), register(coop, "BIG-1", "12000"),
                        issue(coop, "BIG-1", 10_000)])
    numbers = serials("BIG-1", 10_000)
    started = time.perf_counter()
    first = verdict(client, link(numbers[9_999], lot="LBIG-1", signer=coop))
    assert time.perf_counter() - started < 2.0
    verify_scan_proof(first)
    assert first["proof"]["label"]["index"] == 9_999 and len(first["proof"]["label"]["hashes"]) <= 14
    started = time.perf_counter()
    for number in numbers[:20]:
        verify_scan_proof(verdict(client, link(number, lot="LBIG-1", signer=coop)))
    assert (time.perf_counter() - started) / 20 < 0.1
    assert len(first["proof"]["statement"]) < 600  # the statement stays small: a root, not labels


def test_labels_that_no_longer_make_their_root_get_no_path_and_the_server_says_so(
        scanning: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A projection that drifted from the log (a label's row changed) must not yield a path the
    browser would then reject as a forgery: the proof goes without it, and the operator is told."""
    world, service, client = scanning
    with service.engine.begin() as conn:
        conn.execute(update(tables.labels).where(tables.labels.c.serial == serials("A-1", 1, 4)[0])
                     .values(sig="A" * 86))
    data = verdict(client, link(serials("A-1", 1, 2)[0], signer=world.coop_a))
    assert data["proof"]["label"] is None and data["proof"]["statement"] is None
    assert "do not make its labels_root" in caplog.text
