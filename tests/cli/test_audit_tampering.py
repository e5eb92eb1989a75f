"""`gi-trace audit verify` finds every kind of tampering with the stored log."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, delete, select, update

from gi_trace.cli.main import cli
from gi_trace.ledger import keys, schema
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.merkle import leaf_hash, root_of
from gi_trace.ledger.note import NoteSigner
from gi_trace.ledger.record import GENESIS_PREV
from gi_trace.service import Service
from tests.support import Actor

SIZE = 12  # genesis, one registration, ten notes, one append each: a checkpoint per size


@pytest.fixture
def filled(service: Service, regulator: Actor) -> Service:
    producer = Actor("minle-coop")
    service.log.append([regulator.register(producer, ["producer"])])
    for n in range(SIZE - 2):
        service.log.append([producer.note(n)])
    return service


def audit(runner: CliRunner, service: Service) -> tuple[int, str]:
    result = runner.invoke(cli, ["audit", "verify", "--db", service.settings.database_url])
    return result.exit_code, result.output


def rows(conn: Connection) -> list[dict[str, object]]:
    return [dict(r._mapping) for r in conn.execute(select(schema.records).order_by(schema.records.c.seq))]


def rechain(conn: Connection, edit: Callable[[list[dict[str, object]]], list[dict[str, object]]]
            = lambda stored: stored) -> None:
    """What a careful forger does: edit the rows, then renumber and recompute every link."""
    prev = GENESIS_PREV
    stored = edit(rows(conn))
    conn.execute(delete(schema.records))
    for seq, row in enumerate(stored):
        leaf = leaf_hash(bytes(row["signature"]) + bytes(row["statement"]))  # type: ignore[arg-type]
        record_hash = hashlib.sha256(prev + leaf).digest()
        conn.execute(schema.records.insert().values({**row, "seq": seq, "prev": prev,
                                                     "record_hash": record_hash}))
        prev = record_hash


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def change_statement(conn: Connection) -> None:
    original = bytes(rows(conn)[5]["statement"])  # type: ignore[arg-type]
    statement = original.replace(b'"reason":"note 3"', b'"reason":"note 4"')
    assert statement != original  # seq 5 is the note of n=3 (genesis, registration, notes 0-2)
    conn.execute(update(schema.records).where(schema.records.c.seq == 5).values(statement=statement))


def change_signature(conn: Connection) -> None:
    signature = flip(bytes(rows(conn)[5]["signature"]), 10)  # type: ignore[arg-type]
    conn.execute(update(schema.records).where(schema.records.c.seq == 5).values(signature=signature))


def change_prev(conn: Connection) -> None:
    prev = flip(bytes(rows(conn)[5]["prev"]), 0)  # type: ignore[arg-type]
    conn.execute(update(schema.records).where(schema.records.c.seq == 5).values(prev=prev))


def delete_row(conn: Connection) -> None:
    conn.execute(delete(schema.records).where(schema.records.c.seq == 5))


def swap_rows(conn: Connection) -> None:
    seq = schema.records.c.seq
    for old, new in ((5, -1), (6, 5), (-1, 6)):
        conn.execute(update(schema.records).where(seq == old).values(seq=new))


NAIVE: list[tuple[str, Callable[[Connection], None], str, int]] = [
    ("changed-statement-byte", change_statement, "bad-record-hash", 5),
    ("changed-signature-byte", change_signature, "bad-record-hash", 5),
    ("changed-prev", change_prev, "broken-chain", 5),
    ("deleted-row", delete_row, "seq-gap", 5),
    ("swapped-rows", swap_rows, "broken-chain", 5),
]


@pytest.mark.parametrize(("tamper", "code", "seq"), [case[1:] for case in NAIVE],
                         ids=[case[0] for case in NAIVE])
def test_naive_tampering_is_found(filled: Service, runner: CliRunner, tamper: Callable[[Connection], None],
                                  code: str, seq: int) -> None:
    with filled.engine.begin() as conn:
        tamper(conn)
    exit_code, output = audit(runner, filled)
    assert exit_code == 1
    assert f"FAILED at seq {seq}" in output and f"({code})" in output


Edit = Callable[[list[dict[str, object]]], list[dict[str, object]]]


def careful(tamper: Callable[[Connection], None]) -> Callable[[Connection], None]:
    def apply(conn: Connection) -> None:
        tamper(conn)
        rechain(conn)
    return apply


def edited(edit: Edit) -> Callable[[Connection], None]:
    return lambda conn: rechain(conn, edit)


CAREFUL: list[tuple[str, Callable[[Connection], None], str, int]] = [
    ("changed-statement-byte", careful(change_statement), "bad-signature", 5),
    ("changed-signature-byte", careful(change_signature), "bad-signature", 5),
    ("deleted-row", edited(lambda r: r[:5] + r[6:]), "root-mismatch", 5),
    ("swapped-rows", edited(lambda r: [*r[:5], r[6], r[5], *r[7:]]), "root-mismatch", 5),
]


@pytest.mark.parametrize(("tamper", "code", "seq"), [case[1:] for case in CAREFUL],
                         ids=[case[0] for case in CAREFUL])
def test_tampering_with_a_recomputed_chain_is_found(filled: Service, runner: CliRunner,
                                                    tamper: Callable[[Connection], None], code: str,
                                                    seq: int) -> None:
    with filled.engine.begin() as conn:
        tamper(conn)
    exit_code, output = audit(runner, filled)
    assert exit_code == 1
    assert f"FAILED at seq {seq}" in output and f"({code})" in output


def test_a_signed_statement_inserted_in_the_middle_is_found(filled: Service, runner: CliRunner,
                                                            regulator: Actor) -> None:
    envelope = regulator.note(99)  # the regulator's real key, so the signature is good

    def insert(stored: list[dict[str, object]]) -> list[dict[str, object]]:
        forged = {**stored[5], "statement": envelope.statement.canonical,
                  "signature": envelope.signature, "actor": "cnipa", "nonce": envelope.statement.nonce}
        return [*stored[:5], forged, *stored[5:]]

    with filled.engine.begin() as conn:
        rechain(conn, insert)
    exit_code, output = audit(runner, filled)
    assert exit_code == 1
    assert "FAILED at seq 5" in output and "(root-mismatch)" in output


def test_a_signed_statement_of_an_unknown_type_is_found(filled: Service, runner: CliRunner,
                                                       regulator: Actor) -> None:
    """A forger with a real key slips in a statement no rule owns, and recomputes the chain:
    the replay refuses it, as the append would have, before the roots are even compared."""
    envelope = regulator.sign("test.note", {"n": 99})  # a good signature by a registered key

    def insert(stored: list[dict[str, object]]) -> list[dict[str, object]]:
        forged = {**stored[5], "statement": envelope.statement.canonical,
                  "signature": envelope.signature, "actor": "cnipa", "nonce": envelope.statement.nonce,
                  "type": "test.note"}
        return [*stored[:5], forged, *stored[5:]]

    with filled.engine.begin() as conn:
        rechain(conn, insert)
    exit_code, output = audit(runner, filled)
    assert exit_code == 1
    assert "FAILED at seq 5" in output and "(unknown-type)" in output
    assert "test.note" in output


def test_a_truncated_tail_resigned_by_another_key_is_found(filled: Service, runner: CliRunner) -> None:
    keep = 8
    forger = NoteSigner(filled.log.origin, keys.generate())
    with filled.engine.begin() as conn:
        conn.execute(delete(schema.records).where(schema.records.c.seq >= keep))
        conn.execute(delete(schema.checkpoints).where(schema.checkpoints.c.size > keep))
        leaves = [leaf_hash(bytes(r["signature"]) + bytes(r["statement"])) for r in rows(conn)]  # type: ignore[arg-type]
        root = root_of(leaves)
        conn.execute(update(schema.checkpoints).where(schema.checkpoints.c.size == keep)
                     .values(note=Checkpoint(filled.log.origin, keep, root).sign(forger)))
    exit_code, output = audit(runner, filled)
    assert exit_code == 1
    assert "(bad-checkpoint)" in output


def test_a_truncated_tail_with_the_old_checkpoint_is_found(filled: Service, runner: CliRunner) -> None:
    with filled.engine.begin() as conn:
        conn.execute(delete(schema.records).where(schema.records.c.seq >= 8))
    exit_code, output = audit(runner, filled)
    assert exit_code == 1
    assert "FAILED at seq 8" in output and "(truncated)" in output


def test_an_untouched_log_verifies(filled: Service, runner: CliRunner) -> None:
    exit_code, output = audit(runner, filled)
    assert exit_code == 0, output
    assert f"OK: {SIZE} records verified" in output
