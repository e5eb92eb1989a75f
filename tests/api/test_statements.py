"""POST /v1/statements: appends, and a named table of everything it must refuse."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger import keys
from gi_trace.ledger.canonical import canonical_json
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.log import Log
from gi_trace.ledger.merkle import leaf_hash
from gi_trace.ledger.statement import STATEMENT_PREFIX
from gi_trace.settings import Settings
from tests.api.helpers import Shared, assert_problem, post_statements, serving
from tests.api.reads.world import issue
from tests.support import Actor


def statement(actor: Actor, *, drop: tuple[str, ...] = (), **changes: Any) -> dict[str, Any]:
    """A fresh, well-formed statement by `actor` as a dict, with fields dropped or changed."""
    data = actor.note().statement.to_dict()
    for name in drop:
        del data[name]
    return {**data, **changes}


def signed(data: dict[str, Any], key: Ed25519PrivateKey, *, raw: bytes | None = None) -> dict[str, Any]:
    """An envelope over `data` (or over other `raw` bytes), signed the way clients sign."""
    message = STATEMENT_PREFIX + (canonical_json(data) if raw is None else raw)
    return {"statement": data, "signature": b64url_encode(key.sign(message))}


def group(producer: Actor, spoil: Callable[[list[Any]], Any]) -> list[Any]:
    """Five good envelopes, with item 3 replaced by what `spoil` makes of the list."""
    items: list[Any] = [producer.note(i).to_dict() for i in range(5)]
    items[3] = spoil(items)
    return items


def revoked(producer: Actor, log: Log) -> Any:
    log.append([producer.sign("key.revoke", {"org": producer.org, "key": producer.key_id,
                                             "reason": "lost"})])
    return producer.note().to_dict()


def replayed(producer: Actor, log: Log) -> Any:
    envelope = producer.note()
    log.append([envelope])
    return envelope.to_dict()


def with_body(producer: Actor, body: dict[str, Any]) -> dict[str, Any]:
    """An envelope whose statement has `body` (never signable, so the signature is a stand-in)."""
    return {**producer.note().to_dict(), "statement": statement(producer, body=body)}


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@dataclass(frozen=True)
class Bad:
    body: Callable[[Actor, Log], Any]
    status: int
    code: str
    field: str | None = None
    index: int | None = None
    content_type: str = "application/json"


def missing(name: str) -> Bad:
    return Bad(lambda p, _: signed(statement(p, drop=(name,)), p.key), 422, "missing-field",
               f"statement.{name}")


BAD: dict[str, Bad] = {
    "truncated-json": Bad(lambda p, _: b'{"statement": ', 400, "malformed-json"),
    "empty-body": Bad(lambda p, _: b"", 400, "malformed-json"),
    "nan": Bad(lambda p, _: b'{"statement": NaN}', 400, "malformed-json"),
    "not-utf8": Bad(lambda p, _: b'{"statement": "\xff"}', 400, "malformed-json"),
    "nested-too-deep": Bad(lambda p, _: b"[" * 100_000, 400, "malformed-json"),
    "duplicate-json-key": Bad(lambda p, _: b'{"signature": "", "signature": ""}', 422,
                              "duplicate-json-key"),
    "wrong-content-type": Bad(lambda p, _: p.note().to_dict(), 415, "unsupported-media-type",
                              content_type="text/plain"),
    "form-content-type": Bad(lambda p, _: p.note().to_dict(), 415, "unsupported-media-type",
                             content_type="application/x-www-form-urlencoded"),
    "envelope-not-object": Bad(lambda p, _: "hello", 422, "wrong-type"),
    "statement-not-object": Bad(lambda p, _: {**p.note().to_dict(), "statement": [1]}, 422,
                                "wrong-type", "statement"),
    "envelope-unknown-field": Bad(lambda p, _: {**p.note().to_dict(), "sig": "x"}, 422,
                                  "unknown-field", "sig"),
    "envelope-missing-statement": Bad(lambda p, _: {"signature": p.note().to_dict()["signature"]},
                                      422, "missing-field", "statement"),
    "envelope-missing-signature": Bad(lambda p, _: {"statement": statement(p)}, 422,
                                      "missing-field", "signature"),
    "empty-list": Bad(lambda p, _: [], 422, "batch-size"),
    "list-over-1000": Bad(lambda p, _: [{}] * 1001, 422, "batch-size"),
    "statement-unknown-field": Bad(lambda p, _: signed(statement(p, extra=1), p.key), 422,
                                   "unknown-field", "statement.extra"),
    **{f"missing-{name}": missing(name)
       for name in ("v", "type", "actor", "key", "ts", "nonce", "body")},
    "body-nested-too-deep": Bad(lambda p, _: with_body(p, {"x": nested(500)}), 400,
                                "malformed-json"),
    "body-lone-surrogate": Bad(lambda p, _: with_body(p, {"x": "\ud800"}), 422, "not-canonical",
                               "statement"),
    "bad-version": Bad(lambda p, _: signed(statement(p, v=3), p.key), 422, "bad-version",
                       "statement.v"),
    "v1-retired": Bad(lambda p, _: signed(statement(p, v=1), p.key), 422, "v1-retired",
                      "statement.v"),
    "unknown-type": Bad(lambda p, _: signed(statement(p, type="test.note"), p.key), 422,
                        "unknown-type", "statement.type"),
    "bad-type-shape": Bad(lambda p, _: signed(statement(p, type="Bad Type"), p.key), 422,
                          "bad-format", "statement.type"),
    "bad-timestamp": Bad(lambda p, _: signed(statement(p, ts="yesterday"), p.key), 422,
                         "bad-timestamp", "statement.ts"),
    "signature-not-base64url": Bad(lambda p, _: {"statement": statement(p), "signature": "+/=="},
                                   422, "bad-base64", "signature"),
    "signature-wrong-length": Bad(lambda p, _: {"statement": statement(p),
                                                "signature": b64url_encode(bytes(32))},
                                  422, "bad-length", "signature"),
    "signed-by-another-key": Bad(lambda p, _: signed(statement(p), keys.generate()), 400,
                                 "bad-signature", "signature"),
    "signed-non-canonical-bytes": Bad(
        lambda p, _: signed(data := statement(p), p.key, raw=json.dumps(data, indent=2).encode()),
        400, "bad-signature", "signature"),
    "unknown-key": Bad(lambda p, _: Actor(p.org).note().to_dict(), 422, "unknown-key",
                       "statement.key"),
    "revoked-key": Bad(revoked, 422, "key-revoked", "statement.key"),
    "replayed-nonce": Bad(replayed, 409, "replayed-nonce", "statement.nonce"),
    "timestamp-an-hour-ago": Bad(
        lambda p, _: p.note(ts=datetime.now(UTC) - timedelta(hours=1)).to_dict(),
        422, "stale-timestamp", "statement.ts"),
    "not-a-regulator": Bad(lambda p, _: p.register(Actor("rogue"), ["producer"]).to_dict(), 403,
                           "not-authorized", "statement.actor"),
    "group-item-3-not-object": Bad(lambda p, _: group(p, lambda items: 42), 422, "wrong-type",
                                   index=3),
    "group-item-3-malformed": Bad(
        lambda p, _: group(p, lambda items: signed(statement(p, drop=("nonce",)), p.key)),
        422, "missing-field", "statement.nonce", 3),
    "group-item-3-bad-signature": Bad(
        lambda p, _: group(p, lambda items: {**items[3], "signature": items[2]["signature"]}),
        400, "bad-signature", "signature", 3),
    "group-item-3-unknown-type": Bad(
        lambda p, _: group(p, lambda items: signed(statement(p, type="test.note"), p.key)),
        422, "unknown-type", "statement.type", 3),
    "group-item-3-replays-item-1": Bad(lambda p, _: group(p, lambda items: items[1]), 409,
                                       "replayed-nonce", "statement.nonce", 3),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_refuses_bad_input_and_writes_nothing(shared: Shared, case: Bad) -> None:
    body = case.body(shared.new_producer(), shared.log)
    before = shared.log.size()
    resp = post_statements(shared.app.test_client(), body, content_type=case.content_type)
    assert_problem(resp, case.status, case.code, field=case.field, index=case.index)
    assert shared.log.size() == before


def test_appends_one_envelope(client: Any, log: Log, producer: Actor) -> None:
    envelope = producer.note()
    before = log.size()
    resp = post_statements(client, envelope.to_dict())
    assert resp.status_code == 201
    [record] = log.entries(before, before + 1)
    assert resp.get_json() == {"seq": before, "leaf_hash": leaf_hash(envelope.leaf).hex(),
                               "record_hash": record.record_hash.hex()}
    assert record.statement == envelope.statement.canonical
    assert log.size() == before + 1


def test_appends_a_group_in_order(client: Any, log: Log, producer: Actor) -> None:
    envelopes = [producer.note(i) for i in range(3)]
    before = log.size()
    resp = post_statements(client, [e.to_dict() for e in envelopes],
                           content_type="application/json; charset=utf-8")
    assert resp.status_code == 201
    results = resp.get_json()
    assert [r["seq"] for r in results] == [before, before + 1, before + 2]
    assert [r["leaf_hash"] for r in results] == [leaf_hash(e.leaf).hex() for e in envelopes]
    assert log.size() == before + 3


def test_same_envelope_twice_is_a_replay(client: Any, log: Log, producer: Actor) -> None:
    envelope = producer.note().to_dict()
    assert post_statements(client, envelope).status_code == 201
    before = log.size()
    assert_problem(post_statements(client, envelope), 409, "replayed-nonce",
                   field="statement.nonce")
    assert log.size() == before


def test_body_over_the_size_limit_is_413(settings: Settings, service: Any, producer: Actor,
                                         tmp_path: Path) -> None:
    small = replace(settings, max_request_bytes=2048)
    with serving(small) as app:
        body = [producer.note(i).to_dict() for i in range(10)]
        before = service.log.size()
        resp = post_statements(app.test_client(), body)
        assert_problem(resp, 413, "body-too-large")
        assert service.log.size() == before


def test_labels_beside_a_label_issue_are_taken(world: Any) -> None:
    """The envelope of a label.issue carries its labels; any other field is refused."""
    gtin = world.get("/v1/products/wuchang-rice").get_json()["gtins"][0]
    envelope = issue(world.mill, "rice-1", gtin, "R2025A", "5", ["STMT00000001", "STMT00000002"])
    assert "labels" in envelope.to_dict()
    resp = post_statements(world.client(), envelope.to_dict())
    assert resp.status_code == 201, resp.get_data(as_text=True)


def test_labels_beside_another_statement_are_refused(world: Any) -> None:
    """Nothing would check them, yet they would be kept beside the log."""
    envelope = {**world.mill.note().to_dict(),
                "labels": [{"serial": "JUNK00000001", "sig": "A" * 86}]}
    before = world.log.size()
    assert_problem(post_statements(world.client(), envelope), 422, "unexpected-attachment",
                   field="labels")
    assert world.log.size() == before
