"""What travels beside the log (DESIGN.md "Confidential by default"): disclosures and
attachments are checked at append, kept beside the records and never in them, replayed
by a rebuild, and audited with every digest when a source has them, or counted as
unchecked when it does not. The rule here is a stand-in: the ledger knows no GI types."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from gi_trace.ledger import keys, schema
from gi_trace.ledger.audit import AuditResult, audit
from gi_trace.ledger.bundle import SIDECARS, BundleSource, export_bundle
from gi_trace.ledger.database import make_engine, make_scratch_engine, write_transaction
from gi_trace.ledger.errors import MalformedError, RefusedError, VerificationError
from gi_trace.ledger.identity import TrustRoots
from gi_trace.ledger.log import Log
from gi_trace.ledger.note import NoteSigner
from gi_trace.ledger.replay import rebuild
from gi_trace.ledger.rules import AppendContext
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.ledger.statement import draft
from gi_trace.migrate import upgrade
from tests.support import Actor


class NoteRule:
    """`test.note`: public `n`, confidential `secret` and `to` (who may read it), and an
    attachment `blob` committed to by the public `blob_sha256`."""

    types = frozenset({"test.note"})
    attachments = frozenset({"blob"})

    def __init__(self) -> None:
        self.seen: list[tuple[int, dict[str, Any] | None]] = []

    def apply(self, ctx: AppendContext) -> None:
        if ctx.statement.type not in self.types:
            return
        self.seen.append((ctx.seq, ctx.body))
        if ctx.body is None or ctx.attachments is None:
            return
        blob = ctx.attachments.get("blob", "")
        if hashlib.sha256(blob.encode()).hexdigest() != ctx.body["blob_sha256"]:
            raise RefusedError("blob does not match its commitment", code="bad-blob")
        ctx.readers.add(ctx.body["to"])


ROOT = Actor("cnipa")
SIGNER = NoteSigner("test.gi-trace/log", keys.generate())


def note(actor: Actor, n: int, secret: str, to: str, blob: str = "b") -> Any:
    body = {"n": n, "secret": secret, "to": to, "blob_sha256": hashlib.sha256(blob.encode()).hexdigest()}
    return draft("test.note", actor.org, actor.key, body, confidential={"secret", "to"},
                 attachments={"blob": blob})


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[Log, NoteRule, Actor]]:
    engine = make_engine(database_url)
    upgrade(engine)
    rule = NoteRule()
    genesis = [ROOT.register_self()]
    log = Log(engine, SIGNER, TrustRoots.from_genesis(genesis), [rule])
    coop = Actor("coop")
    log.append([*genesis, ROOT.register(coop, ["producer"])])
    log.append([note(coop, 1, "harvest was 24 t", "mill"), note(coop, 2, "sold to wumart", "shop")])
    yield log, rule, coop
    engine.dispose()


def test_disclosures_are_kept_beside_the_records_never_in_them(world: Any) -> None:
    log, rule, _ = world
    assert [body["secret"] for _, body in rule.seen if body] == ["harvest was 24 t", "sold to wumart"]
    served = b"".join(r.statement + r.signature for r in log.entries(0, 10))
    assert b"24 t" not in served and b"wumart" not in served and b"mill" not in served
    sidecars = log.sidecars(0, 10, attachments=True)
    assert sorted(sidecars) == [2, 3]
    assert {d.name: d.value for d in sidecars[2].disclosures} == {"secret": "harvest was 24 t", "to": "mill"}
    assert sidecars[2].attachments == {"blob": "b"} and sidecars[2].readers == {"mill"}
    assert log.sidecars(0, 10)[2].attachments == {}, "attachments only when asked for"


REFUSED = [
    ("no-disclosures", lambda e: type(e)(e.statement, e.signature, (), e.attachments), "disclosure-missing"),
    ("one-dropped", lambda e: type(e)(e.statement, e.signature, e.disclosures[:1], e.attachments),
     "disclosure-missing"),
    ("changed", lambda e: type(e)(e.statement, e.signature, (type(e.disclosures[0])(
        e.disclosures[0].salt, e.disclosures[0].name, "other"), e.disclosures[1]), e.attachments),
     "disclosure-mismatch"),
    ("bad-attachment", lambda e: type(e)(e.statement, e.signature, e.disclosures, {"blob": "c"}), "bad-blob"),
]


@pytest.mark.parametrize(("change", "code"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_an_append_whose_sidecar_does_not_match_is_refused_whole(world: Any, change: Any, code: str) -> None:
    log, _, coop = world
    size = log.size()
    with pytest.raises((VerificationError, RefusedError)) as info:
        log.append([note(coop, 3, "fine", "mill"), change(note(coop, 4, "x", "y"))])
    assert (info.value.code, info.value.index) == (code, 1)
    assert log.size() == size and sorted(log.sidecars(0, 100)) == [2, 3]


def test_a_v1_statement_is_retired_at_append(world: Any) -> None:
    log, _, coop = world
    envelope = coop.note()
    data = envelope.statement.to_dict()
    v1 = coop.sign("key.add", data["body"])
    v1_statement = {**v1.statement.to_dict(), "v": 1}
    from gi_trace.ledger.statement import sign
    with pytest.raises(MalformedError) as info:
        log.append([sign(v1_statement, coop.key)])
    assert info.value.code == "v1-retired"


def test_a_rebuild_replays_with_the_disclosures(world: Any) -> None:
    log, rule, _ = world
    rule.seen.clear()
    with write_transaction(log.engine) as conn:
        rebuild(conn, log.identity, log.rules, [])
    assert [body["to"] for _, body in rule.seen if body] == ["mill", "shop"]
    assert log.sidecars(3, 4)[3].readers == {"shop"}


def _audit(source: Any, log: Log, tmp_path: Path) -> AuditResult:
    scratch = make_scratch_engine(tmp_path / f"scratch-{id(source)}.db")
    upgrade(scratch)
    try:
        return audit(source, SIGNER.verifier(), log.identity.roots, [NoteRule()], scratch)
    finally:
        scratch.dispose()


def test_an_audit_checks_every_digest_with_disclosures_and_counts_them_without(
        world: Any, tmp_path: Path) -> None:
    log, _, _ = world
    with DatabaseSource(log.engine) as source:
        full = _audit(source, log, tmp_path)
    assert full and full.disclosed and full.unchecked == 0
    with DatabaseSource(log.engine, disclosed=False) as source:
        public = _audit(source, log, tmp_path)
    assert public and not public.disclosed and public.unchecked == 4


def _bundle(log: Log, tmp_path: Path, *, disclosed: bool) -> Path:
    out = tmp_path / ("full" if disclosed else "public")
    with DatabaseSource(log.engine, disclosed=disclosed) as source:
        export_bundle(source, out, SIGNER.vkey())
    return out


def test_a_public_bundle_has_no_sidecars_and_a_regulators_bundle_does(world: Any, tmp_path: Path) -> None:
    log, _, _ = world
    public, full = _bundle(log, tmp_path, disclosed=False), _bundle(log, tmp_path, disclosed=True)
    assert not (public / SIDECARS).exists()
    assert b"24 t" not in b"".join(p.read_bytes() for p in public.iterdir())
    assert _audit(BundleSource(public), log, tmp_path).unchecked == 4
    assert _audit(BundleSource(full), log, tmp_path).disclosed


def _tamper(path: Path, change: Any) -> None:
    lines = [json.loads(line) for line in (path / SIDECARS).read_text().splitlines()]
    change(lines)
    (path / SIDECARS).write_text("".join(json.dumps(line) + "\n" for line in lines))


def _swap_salts(disclosures: list[list[Any]]) -> None:
    disclosures[0][0], disclosures[1][0] = disclosures[1][0], disclosures[0][0]


TAMPERINGS = [
    ("changed-disclosure", lambda ls: ls[0]["disclosures"][0].__setitem__(2, "harvest was 2 t"), 2,
     "disclosure-mismatch"),
    ("dropped-disclosure", lambda ls: ls[0]["disclosures"].pop(), 2, "disclosure-missing"),
    ("swapped-salt", lambda ls: _swap_salts(ls[1]["disclosures"]), 3, "disclosure-mismatch"),
    ("dropped-sidecar", lambda ls: ls.pop(0), 2, "disclosure-missing"),
    ("moved-sidecar", lambda ls: ls[0].__setitem__("seq", 1), 1, "disclosure-mismatch"),
    ("changed-attachment", lambda ls: ls[1]["attachments"].__setitem__("blob", "z"), 3, "bad-blob"),
    ("malformed", lambda ls: ls[0].__setitem__("disclosures", [["x"]]), None, "bad-disclosure"),
]


@pytest.mark.parametrize(("change", "seq", "code"), [t[1:] for t in TAMPERINGS],
                         ids=[t[0] for t in TAMPERINGS])
def test_every_tampering_of_the_sidecars_is_caught_at_its_seq(world: Any, tmp_path: Path, change: Any,
                                                                seq: int | None, code: str) -> None:
    log, _, _ = world
    full = _bundle(log, tmp_path, disclosed=True)
    _tamper(full, change)
    result = _audit(BundleSource(full), log, tmp_path)
    assert result.failure is not None
    assert (result.failure.seq, result.failure.code) == (seq, code)


def test_the_database_engine_fixture_is_not_left_holding(world: Any) -> None:
    """Sanity: sidecars sit in their own tables, keyed by seq."""
    log, _, _ = world
    engine: Engine = log.engine
    with engine.connect() as conn:
        assert conn.execute(schema.sidecars.select()).all()
