"""What the multi-process tests share: starting writer processes, reading their
acknowledgements, and checking a log from the outside after they are gone."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, select

from gi_trace.ledger import keys, schema
from gi_trace.ledger.audit import AuditResult
from gi_trace.ledger.checkpoint import open_checkpoint
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.log import Log
from gi_trace.ledger.merkle import Frontier
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.record import GENESIS_PREV, Record
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.ledger.statement import Envelope, Statement
from gi_trace.service import audit_log
from gi_trace.settings import Settings
from tests.support import Actor

WORKER = Path(__file__).with_name("append_worker.py")
ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Ack:
    """One record a worker was told was appended (what it printed after `Log.append`)."""

    seq: int
    record_hash: bytes
    statement: bytes
    signature: bytes


@dataclass(frozen=True)
class StoredRecord:
    record: Record
    actor: str
    nonce: str


def parse_acks(lines: Iterable[str]) -> list[Ack]:
    """The `ack` lines among a worker's output; a line cut short by a kill is not one."""
    acks = []
    for line in lines:
        if not line.startswith("ack ") or not line.endswith("\n"):
            continue
        _, seq, record_hash, statement, signature = line.split()
        acks.append(Ack(int(seq), bytes.fromhex(record_hash), b64url_decode(statement),
                        b64url_decode(signature)))
    return acks


def summary(lines: Iterable[str]) -> dict[str, Any]:
    done = [line for line in lines if line.startswith("done ") and line.endswith("\n")]
    assert len(done) == 1, f"expected one `done` line, got {done!r}"
    result: dict[str, Any] = json.loads(done[0].removeprefix("done "))
    return result


def register_writers(log: Log, regulator: Actor, names: Sequence[str], key_dir: Path) -> dict[str, Path]:
    """Register one producer org per writer in a single group append; their keys on disk."""
    actors = [Actor(name) for name in names]
    log.append([regulator.register(actor, ["producer"]) for actor in actors])
    paths = {}
    for actor in actors:
        path = key_dir / f"{actor.org}.pem"
        keys.save_private_key(actor.key, path)
        paths[actor.org] = path
    return paths


def start_worker(settings: Settings, org: str, key: Path, *, count: int = 0, group: int = 1,
                 wait_for_go: bool = False, stderr: IO[bytes] | int | None = None,
                 env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A writer in its own OS process, with its own engine and service built from `settings`."""
    config = {"settings": dataclasses.asdict(settings), "org": org, "key": str(key),
              "count": count, "group": group, "wait_for_go": wait_for_go}
    return subprocess.Popen([sys.executable, str(WORKER), json.dumps(config)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE if stderr is None else stderr, text=True,
                            env=env)


@contextmanager
def reaped(procs: Iterable[subprocess.Popen[str]]) -> Iterator[None]:
    """On the way out, kill any worker still running (a failed test) and close its pipes."""
    procs = list(procs)
    try:
        yield
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None:
                    with suppress(BrokenPipeError):  # a killed worker's unread stdin
                        pipe.close()
            proc.wait()


def read_records(engine: Engine) -> list[StoredRecord]:
    r = schema.records.c
    with engine.connect() as conn:
        rows = conn.execute(select(r.seq, r.statement, r.signature, r.prev, r.record_hash, r.actor,
                                   r.nonce).order_by(r.seq)).all()
    return [StoredRecord(Record(row.seq, bytes(row.statement), bytes(row.signature), bytes(row.prev),
                                bytes(row.record_hash)), row.actor, row.nonce) for row in rows]


def assert_one_dense_chain(stored: Sequence[StoredRecord]) -> None:
    """seq is 0..N-1, each prev is the record hash before it, each hash recomputes, none repeats."""
    records = [s.record for s in stored]
    assert [r.seq for r in records] == list(range(len(records)))
    prev = GENESIS_PREV
    for record in records:
        assert record.prev == prev, f"seq {record.seq}: prev is not the record hash of seq - 1"
        rebuilt = Record.build(record.seq, record.statement, record.signature, record.prev)
        assert record.record_hash == rebuilt.record_hash, f"seq {record.seq}: bad record hash"
        prev = record.record_hash
    assert len({r.prev for r in records}) == len(records)
    assert len({r.record_hash for r in records}) == len(records)
    pairs = [(s.actor, s.nonce) for s in stored]
    assert len(set(pairs)) == len(pairs)
    for s in stored:
        statement = Statement.from_bytes(s.record.statement)
        assert (statement.actor, statement.nonce) == (s.actor, s.nonce)


def assert_acknowledged_present(stored: Sequence[StoredRecord], acks: Iterable[Ack]) -> None:
    """Every acknowledged record is in the log at its seq, with the very bytes acknowledged."""
    for ack in acks:
        assert ack.seq < len(stored), f"acknowledged seq {ack.seq} is missing (log size {len(stored)})"
        record = stored[ack.seq].record
        assert record.statement == ack.statement, f"seq {ack.seq}: statement bytes differ"
        assert record.signature == ack.signature, f"seq {ack.seq}: signature differs"
        assert record.record_hash == ack.record_hash, f"seq {ack.seq}: record hash differs"


def operator_verifier(settings: Settings) -> NoteVerifier:
    """The operator key as an auditor gets it out of band."""
    return NoteVerifier(settings.origin, keys.public_bytes(keys.load_private_key(settings.operator_key)))


def audit_database(engine: Engine, settings: Settings, genesis: list[Envelope]) -> AuditResult:
    with DatabaseSource(engine) as source:
        return audit_log(source, operator_verifier(settings), genesis)


def assert_checkpoints_sign_every_prefix(engine: Engine, settings: Settings,
                                         stored: Sequence[StoredRecord]) -> list[int]:
    """Each stored checkpoint is signed by the operator over the root of its prefix; their sizes."""
    c = schema.checkpoints.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.size, c.root, c.note).order_by(c.size)).all()
    roots: dict[int, bytes] = {}
    frontier = Frontier()
    for s in stored:
        frontier.append(s.record.leaf_hash)
        roots[frontier.size] = frontier.root()
    verifier = operator_verifier(settings)
    for row in rows:
        checkpoint = open_checkpoint(row.note, verifier, origin=settings.origin)
        assert checkpoint.size == row.size
        assert checkpoint.root_hash == bytes(row.root) == roots[row.size], \
            f"checkpoint of size {row.size} does not sign the root of that prefix"
    return [row.size for row in rows]


def assert_nodes_complete(engine: Engine, size: int) -> None:
    """The node table holds exactly the complete subtrees of a tree of `size` leaves."""
    n = schema.nodes.c
    with engine.connect() as conn:
        stored = {(row.level, row.idx) for row in conn.execute(select(n.level, n.idx))}
    expected = {(level, idx) for level in range(size.bit_length())
                for idx in range(size >> level)}
    assert stored == expected
