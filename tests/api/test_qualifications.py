"""GET /v1/qualifications on SQLite and PostgreSQL: the verdict for a credit code and product, and
its evidence checked by a verifier written here from DESIGN.md and RFC 9162 alone (hashlib and
cryptography, nothing of gi-trace): each entry's leaf hash, its statement's signature by the
regulator, its inclusion path to the root, and the operator's signature on the checkpoint."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask.testing import FlaskClient

from gi_trace.domain.uscc import check_character
from gi_trace.service import Service
from tests.api.helpers import assert_problem, serving
from tests.domain.world import PADDY, TEA, WUCHANG, YEAR, World, approve, issue, register, suspend
from tests.support import Actor

USCC = "91230184MA1Q2W3E4"[:17] + check_character("91230184MA1Q2W3E4"[:17])
OTHER_USCC = "91110108MA1Y9Y8X7"[:17] + check_character("91110108MA1Y9Y8X7"[:17])
HARVEST = "432.125"  # coop-q's harvest: confidential, never in an answer


class Rejected(Exception):
    """The evidence does not verify; the message says where."""


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise Rejected(what)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _ed25519(pub: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _root(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """The root an RFC 9162 §2.1.3.2 inclusion path leads to from leaf `index` of `size`."""
    _require(0 <= index < size, "index outside the tree")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        _require(sn != 0 and len(p) == 32, "path too long")
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    _require(sn == 0, "path too short")
    return r


def _vkey_parts(vkey: str) -> tuple[str, bytes, bytes]:
    """A C2SP signed-note verifier key: name+hex(key hash)+base64(0x01 || Ed25519 public key)."""
    name, key_hash, typed = vkey.split("+", 2)
    raw = base64.b64decode(typed)
    _require(raw[:1] == b"\x01" and len(raw) == 33, "operator key type")
    _require(hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == key_hash,
             "operator key hash")
    return name, bytes.fromhex(key_hash), raw[1:]


def verify_evidence(answer: dict[str, Any], operator_vkey: str,
                    signers: dict[str, bytes]) -> list[dict[str, Any]]:
    """Raise Rejected unless every entry of the answer is signed by its actor (a key in
    `signers`), included in the tree of the checkpoint, and the checkpoint is signed by the
    operator key `operator_vkey`; return the entries' statements."""
    evidence = answer["evidence"]
    _require(evidence["operator_key"] == operator_vkey, "not the operator key trusted")
    name, key_hash, operator = _vkey_parts(operator_vkey)
    text, signatures = evidence["checkpoint"].split("\n\n", 1)
    origin, size, root_b64 = text.split("\n")[:3]
    _require(origin == name, "checkpoint origin")
    root = base64.b64decode(root_b64)
    _require(int(size) == evidence["tree_size"] and root.hex() == evidence["root"], "checkpoint tree")
    signed = [base64.b64decode(line.split(" ")[2]) for line in signatures.splitlines()
              if line.startswith(f"\u2014 {name} ")]
    _require(any(s[:4] == key_hash and _ed25519(operator, s[4:], (text + "\n").encode())
                 for s in signed), "checkpoint signature")
    statements = []
    for entry in evidence["entries"]:
        statement_bytes, signature = _b64url(entry["statement"]), _b64url(entry["signature"])
        statement = json.loads(statement_bytes)
        _require(statement["type"] == entry["type"], "entry type")
        pub = signers.get(statement["actor"])
        _require(pub is not None and hashlib.sha256(pub).hexdigest() == statement["key"], "signer")
        assert pub is not None
        _require(_ed25519(pub, signature, b"gi-trace/v1/statement\n" + statement_bytes),
                 "statement signature")
        leaf = hashlib.sha256(b"\x00" + signature + statement_bytes).digest()
        _require(leaf.hex() == entry["leaf_hash"], "leaf hash")
        path = [bytes.fromhex(h) for h in entry["hashes"]]
        _require(_root(entry["seq"], int(size), leaf, path) == root, "inclusion")
        statements.append(statement)
    return statements


def operator_vkey(service: Service) -> str:
    """The operator's verifier key, made here from its key file (as its holder would publish it)."""
    key = serialization.load_pem_private_key(Path(service.settings.operator_key).read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    raw = b"\x01" + key.public_key().public_bytes(serialization.Encoding.Raw,
                                                  serialization.PublicFormat.Raw)
    name = service.settings.origin
    key_hash = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex()
    return f"{name}+{key_hash}+{base64.b64encode(raw).decode()}"


# -- the world ------------------------------------------------------------------------------

class Quali:
    """The world of tests/domain/world.py, and coop-q: a Wuchang producer with a credit code."""

    def __init__(self, service: Service, regulator: Actor) -> None:
        self.service, self.world, self.coop = service, World(regulator=regulator), Actor("coop-q")
        reg = self.world.regulator
        service.log.append([*self.world.setup(), reg.sign("org.register", {
            "org": "coop-q", "name": {"zh": "五常合作社", "en": "Wuchang Coop Q"},
            "roles": ["producer"], "keys": [self.coop.pub], "region": WUCHANG, "uscc": USCC})])

    @property
    def signers(self) -> dict[str, bytes]:
        return {"cnipa": _b64url(self.world.regulator.pub)}

    def append(self, *made: Any) -> None:
        self.service.log.append(list(made))

    def approved(self) -> None:
        reg = self.world.regulator
        self.append(approve(reg, PADDY, "coop-q", "900"))
        self.append(register(self.coop, "Q-1", HARVEST))
        self.append(issue(self.coop, "Q-1", 3, pack="25"))


@pytest.fixture
def quali(any_service: Service, regulator: Actor) -> Quali:
    return Quali(any_service, regulator)


@pytest.fixture
def client(any_service: Service) -> Iterator[FlaskClient]:
    with serving(any_service.settings) as app:
        yield app.test_client()


def ask(client: FlaskClient, uscc: str = USCC, product: str = PADDY, **more: Any) -> Any:
    resp = client.get("/v1/qualifications", query_string={"uscc": uscc, "product": product, **more})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp


def checked(quali: Quali, client: FlaskClient, **query: Any) -> tuple[dict[str, Any], list[str]]:
    """The answer, its evidence verified; and the types of the entries it proved."""
    answer = ask(client, **query).get_json()
    statements = verify_evidence(answer, operator_vkey(quali.service), quali.signers)
    return answer, [s["type"] for s in statements]


# -- the tests ------------------------------------------------------------------------------

def test_an_approved_enterprise_with_its_approval_and_labels_proven(quali: Quali,
                                                                     client: FlaskClient) -> None:
    quali.approved()
    answer, types = checked(quali, client)
    assert answer["verdict"] == "approved"
    assert answer["org"] == {"org": "coop-q", "name": {"zh": "五常合作社", "en": "Wuchang Coop Q"},
                             "region": WUCHANG}
    assert answer["approval"]["quota"] == "900" and answer["approval"]["year"] == YEAR
    assert answer["suspension"] is None
    assert answer["labels"] == {"issued": 3, "cover": "75"}
    assert types == ["org.register", "producer.approve"]


def test_the_evidence_names_the_code_and_the_quota_it_proves(quali: Quali,
                                                             client: FlaskClient) -> None:
    quali.approved()
    answer = ask(client).get_json()
    register_, approval = verify_evidence(answer, operator_vkey(quali.service), quali.signers)
    assert register_["body"]["uscc"] == USCC and register_["body"]["org"] == "coop-q"
    assert approval["body"] == {"product": PADDY, "producer": "coop-q", "year": YEAR, "quota": "900"}
    assert answer["approval"]["seq"] == answer["evidence"]["entries"][1]["seq"]


def test_a_suspended_enterprise_with_the_suspension_proven(quali: Quali, client: FlaskClient) -> None:
    quali.approved()
    quali.append(suspend(quali.world.regulator, PADDY, "coop-q"))
    answer, types = checked(quali, client)
    assert answer["verdict"] == "suspended"
    assert answer["suspension"]["reason"] == "inspection"
    assert types == ["org.register", "producer.approve", "producer.suspend"]


def test_a_reinstated_enterprise_is_approved_again(quali: Quali, client: FlaskClient) -> None:
    quali.approved()
    reg = quali.world.regulator
    quali.append(suspend(reg, PADDY, "coop-q"), suspend(reg, PADDY, "coop-q", reinstate=True))
    answer, types = checked(quali, client)
    assert answer["verdict"] == "approved" and answer["suspension"] is None
    assert types == ["org.register", "producer.approve"]


NOT_APPROVED = [
    pytest.param({"product": TEA}, id="another-product"),
    pytest.param({"year": YEAR + 1}, id="another-year"),
    pytest.param({"product": "no-such-product"}, id="unknown-product"),
]


@pytest.mark.parametrize("query", NOT_APPROVED)
def test_not_approved_for_that_product_or_year(quali: Quali, client: FlaskClient,
                                               query: dict[str, Any]) -> None:
    quali.approved()
    answer, types = checked(quali, client, **query)
    assert answer["verdict"] == "not-approved"
    assert answer["approval"] is None and answer["labels"]["issued"] == 0
    assert types == ["org.register"]


def test_an_unknown_credit_code(quali: Quali, client: FlaskClient) -> None:
    answer, types = checked(quali, client, uscc=OTHER_USCC)
    assert answer["verdict"] == "unknown-enterprise"
    assert answer["org"] is answer["approval"] is answer["labels"] is None
    assert types == []


def test_recalls_of_its_batches_show(quali: Quali, client: FlaskClient) -> None:
    quali.approved()
    quali.append(quali.coop.sign("batch.recall", {"batch": "Q-1", "reason": "mould"}))
    recalls = ask(client).get_json()["recalls"]
    assert recalls["count"] == 1
    assert [(r["batch"], r["reason"]) for r in recalls["latest"]] == [("Q-1", "mould")]


def test_what_it_used_of_its_quota_never_shows(quali: Quali, client: FlaskClient) -> None:
    quali.approved()
    text = ask(client).get_data(as_text=True)
    assert HARVEST not in text and '"used"' not in text and '"remaining"' not in text


BAD_USCC = [
    pytest.param(USCC[:17] + ("0" if USCC[17] != "0" else "1"), id="wrong-check-character"),
    pytest.param(USCC[:16], id="too-short"),
    pytest.param(USCC.lower(), id="lower-case"),
    pytest.param(USCC[:17] + "I", id="letter-not-in-alphabet"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("uscc", BAD_USCC)
def test_a_bad_credit_code_is_a_problem_naming_it(quali: Quali, client: FlaskClient,
                                                  uscc: str) -> None:
    resp = client.get("/v1/qualifications", query_string={"uscc": uscc, "product": PADDY})
    assert_problem(resp, 422, "bad-argument", field="uscc")


MISSING = [pytest.param({"product": PADDY}, "uscc", id="no-uscc"),
           pytest.param({"uscc": USCC}, "product", id="no-product"),
           pytest.param({"uscc": USCC, "product": PADDY, "year": "1999"}, "year", id="year-too-old")]


@pytest.mark.parametrize(("query", "field"), MISSING)
def test_a_missing_or_bad_argument_is_named(quali: Quali, client: FlaskClient,
                                            query: dict[str, str], field: str) -> None:
    assert_problem(client.get("/v1/qualifications", query_string=query), 422, "bad-argument",
                   field=field)


def test_public_and_cached_until_the_log_grows(quali: Quali, client: FlaskClient) -> None:
    quali.approved()
    first = ask(client, year=YEAR)
    assert first.cache_control.public and first.cache_control.max_age == 60
    etag = first.headers["ETag"]
    assert etag == f'"{first.get_json()["evidence"]["tree_size"]}-{YEAR}"'
    again = client.get("/v1/qualifications", headers={"If-None-Match": etag},
                       query_string={"uscc": USCC, "product": PADDY, "year": YEAR})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    quali.append(suspend(quali.world.regulator, PADDY, "coop-q"))
    changed = client.get("/v1/qualifications", headers={"If-None-Match": etag},
                         query_string={"uscc": USCC, "product": PADDY, "year": YEAR})
    assert changed.status_code == 200 and changed.get_json()["verdict"] == "suspended"
    assert changed.headers["ETag"] != etag


def test_the_same_public_answer_to_a_bearer_token(quali: Quali, client: FlaskClient) -> None:
    quali.approved()
    resp = client.get("/v1/qualifications", query_string={"uscc": USCC, "product": PADDY},
                      headers={"Authorization": "Bearer whatever"})
    assert resp.status_code == 200 and resp.cache_control.public


def _flip(text: str) -> str:
    return ("1" if text[0] == "0" else "0") + text[1:]


def _first(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda answer: edit(answer["evidence"]["entries"][-1])


TAMPERING: list[Any] = [
    pytest.param(_first(lambda e: e.update(leaf_hash=_flip(e["leaf_hash"]))), id="leaf-hash"),
    pytest.param(_first(lambda e: e["hashes"].__setitem__(0, _flip(e["hashes"][0]))), id="path"),
    pytest.param(_first(lambda e: e["hashes"].pop()), id="path-short"),
    pytest.param(_first(lambda e: e.update(seq=e["seq"] - 1)), id="seq"),
    pytest.param(_first(lambda e: e.update(signature=_flip(e["signature"]))), id="signature"),
    pytest.param(_first(lambda e: e.update(statement=base64.urlsafe_b64encode(
        _b64url(e["statement"]).replace(b'"900"', b'"9000"')).decode().rstrip("="))), id="quota"),
    pytest.param(lambda a: a["evidence"].update(root=_flip(a["evidence"]["root"])), id="root"),
    pytest.param(lambda a: a["evidence"].update(checkpoint=a["evidence"]["checkpoint"].replace(
        f"\n{a['evidence']['tree_size']}\n", "\n999\n", 1)), id="checkpoint-size"),
    pytest.param(lambda a: a["evidence"].update(operator_key="x+00000000+" + base64.b64encode(
        b"\x01" + bytes(32)).decode()), id="operator-key"),
]


@pytest.mark.parametrize("tamper", TAMPERING)
def test_the_verifier_rejects_tampered_evidence(quali: Quali, client: FlaskClient,
                                                tamper: Callable[[dict[str, Any]], None]) -> None:
    quali.approved()
    answer = ask(client).get_json()
    verify_evidence(answer, operator_vkey(quali.service), quali.signers)
    tamper(answer)
    with pytest.raises((Rejected, ValueError)):
        verify_evidence(answer, operator_vkey(quali.service), quali.signers)
