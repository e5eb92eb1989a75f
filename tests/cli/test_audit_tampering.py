"""`gi-trace audit verify --db` finds every kind of tampering with the stored log."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, delete

from gi_trace.cli.main import cli
from gi_trace.ledger import schema
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.note import parse_note
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.ledger.statement import Statement
from gi_trace.service import Service
from tests.support import Actor
from tests.tampering import SIZE, TAMPERINGS, Stored, Tampering, fill


@pytest.fixture
def filled(service: Service, regulator: Actor) -> Service:
    return fill(service, regulator)


def audit(runner: CliRunner, service: Service, *extra: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["audit", "verify", "--db", service.settings.database_url, *extra])
    return result.exit_code, result.output


def read(engine: Engine) -> Stored:
    with DatabaseSource(engine) as source:
        return Stored(list(source.records()), list(source.checkpoints()))


def write(engine: Engine, stored: Stored) -> None:
    """Put the edited log back in the tables, as someone with write access to them would."""
    with engine.begin() as conn:
        conn.execute(delete(schema.records))
        conn.execute(delete(schema.checkpoints))
        for record in stored.records:
            statement = Statement.from_bytes(record.statement)
            conn.execute(schema.records.insert().values(
                seq=record.seq, statement=record.statement, signature=record.signature,
                prev=record.prev, record_hash=record.record_hash, actor=statement.actor,
                nonce=statement.nonce, type=statement.type, ts=statement.ts_text))
        for size, note in stored.checkpoints:
            root = Checkpoint.from_text(parse_note(note).text).root_hash
            conn.execute(schema.checkpoints.insert().values(size=size, root=root, note=note))


@pytest.mark.parametrize("mode", [(), ("--public",)], ids=["with-disclosures", "public"])
@pytest.mark.parametrize("tampering", TAMPERINGS, ids=[t.name for t in TAMPERINGS])
def test_tampering_with_the_tables_is_found(filled: Service, runner: CliRunner, regulator: Actor,
                                            tampering: Tampering, mode: tuple[str, ...]) -> None:
    """Caught alike by a regulator's audit and by the public's: the records need no secret."""
    write(filled.engine, tampering.edit(read(filled.engine), regulator))
    exit_code, output = audit(runner, filled, *mode)
    assert exit_code == 1
    assert tampering.expected(output), output


def test_an_untouched_log_verifies(filled: Service, runner: CliRunner) -> None:
    write(filled.engine, read(filled.engine))  # reading and writing back changes nothing
    exit_code, output = audit(runner, filled)
    assert exit_code == 0, output
    assert f"OK: {SIZE} records verified" in output
