"""Many OS processes append to one log at once: one dense chain, nothing acknowledged lost.

DESIGN.md, "Append": one writer at a time per log, whatever the number of
processes (`BEGIN IMMEDIATE` on SQLite, `pg_advisory_xact_lock` on PostgreSQL).
Each worker (tests/ledger/workers/append_worker.py) is its own registered
organisation with its own engine and service, appends one statement per
transaction, retries on `LedgerBusyError` and prints every record it is given.
An audit also runs while they append, and must see one consistent snapshot.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from gi_trace.ledger.database import WRITE_WAIT_SECONDS, write_transaction
from gi_trace.ledger.statement import Statement
from gi_trace.service import initialize, open_service
from gi_trace.settings import Settings
from tests.ledger.workers.harness import (
    assert_acknowledged_present,
    assert_checkpoints_sign_every_prefix,
    assert_nodes_complete,
    assert_one_dense_chain,
    audit_database,
    parse_acks,
    read_records,
    reaped,
    register_writers,
    start_worker,
    summary,
)
from tests.support import Actor

pytestmark = pytest.mark.slow

WORKERS = 8
PER_WORKER = 500
WORKER_TIMEOUT = 600
MIDWAY = 1000


def test_eight_processes_append_one_dense_chain(settings: Settings, regulator: Actor,
                                               database_url: str, tmp_path: Path) -> None:
    settings = replace(settings, database_url=database_url)
    initialize(settings)
    service = open_service(settings)
    try:
        names = [f"writer-{i}" for i in range(WORKERS)]
        key_paths = register_writers(service.log, regulator, names, tmp_path)
        base = service.log.size()
        assert base == len(service.genesis) + WORKERS
        total = base + WORKERS * PER_WORKER

        workers = {name: start_worker(settings, name, key_paths[name], count=PER_WORKER,
                                      wait_for_go=True) for name in names}
        with reaped(workers.values()):
            for name, proc in workers.items():
                assert proc.stdout is not None and proc.stderr is not None
                line = proc.stdout.readline()
                assert line == "ready\n", f"{name} did not start: {line!r} {proc.stderr.read()}"
            outputs: dict[str, list[str]] = {}
            errors: dict[str, str] = {}

            def drain(name: str) -> None:
                proc = workers[name]
                assert proc.stdout is not None and proc.stderr is not None
                stderr = proc.stderr
                err = threading.Thread(target=lambda: errors.__setitem__(name, stderr.read()))
                err.start()
                outputs[name] = proc.stdout.readlines()
                err.join()

            readers = [threading.Thread(target=drain, args=(name,)) for name in names]
            started = time.perf_counter()
            for reader in readers:
                reader.start()
            for proc in workers.values():
                assert proc.stdin is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()

            # An audit while they append reads one snapshot: it passes, at some size in between.
            deadline = time.monotonic() + WORKER_TIMEOUT
            while service.log.size() < base + MIDWAY and time.monotonic() < deadline:
                time.sleep(0.1)
            midway = audit_database(service.engine, settings, service.genesis)
            grown_to = service.log.size()
            assert bool(midway), midway.failure
            assert base + MIDWAY <= midway.size <= grown_to <= total

            for proc in workers.values():
                proc.wait(timeout=WORKER_TIMEOUT)
            for reader in readers:
                reader.join()
            elapsed = time.perf_counter() - started
            for name, proc in workers.items():
                assert proc.returncode == 0, f"{name} failed:\n{errors[name]}"

        summaries = {name: summary(outputs[name]) for name in names}
        acks = {name: parse_acks(outputs[name]) for name in names}
        stored = read_records(service.engine)

        # One dense chain of exactly the expected size, every acknowledgement kept.
        assert len(stored) == total
        assert_one_dense_chain(stored)
        assert service.log.size() == total
        for name in names:
            assert summaries[name]["appended"] == PER_WORKER
            assert len(acks[name]) == PER_WORKER
            assert_acknowledged_present(stored, acks[name])
        acked = sorted(ack.seq for name in names for ack in acks[name])
        assert acked == list(range(base, total)), "two workers were given the same seq"

        # Each worker's statements are its acknowledged ones, in the order it appended them.
        for name in names:
            mine = [s for s in stored if s.actor == name]
            assert [s.record.seq for s in mine] == [ack.seq for ack in acks[name]]
            assert [Statement.from_bytes(s.record.statement).body["reason"] for s in mine] == \
                [f"note {n}" for n in range(PER_WORKER)]

        # One signed checkpoint per append transaction, each over the root of its prefix.
        sizes = assert_checkpoints_sign_every_prefix(service.engine, settings, stored)
        assert sizes == [len(service.genesis), *range(base, total + 1)]
        assert_nodes_complete(service.engine, total)

        # The processes really ran at the same time: their records interleave.
        switches = sum(1 for a, b in pairwise(stored[base:])
                       if a.actor != b.actor)
        overlap = max(min(ack.seq for ack in acks[name]) for name in names) < \
            min(max(ack.seq for ack in acks[name]) for name in names)
        assert overlap and switches >= WORKERS, f"workers barely overlapped ({switches} switches)"

        result = audit_database(service.engine, settings, service.genesis)
        assert bool(result), result.failure
        assert result.size == total

        retries = {name: summaries[name]["retries"] for name in names}
        slowest = max(summaries[name]["slowest_append_seconds"] for name in names)
        print(f"\n{make_url(database_url).get_backend_name()}: {WORKERS}x{PER_WORKER} appends in "
              f"{elapsed:.1f} s ({WORKERS * PER_WORKER / elapsed:.0f}/s), {switches} actor switches, "
              f"LedgerBusyError retries {sum(retries.values())} {retries}, "
              f"slowest append {slowest:.2f} s; audit midway at size {midway.size}, log then at "
              f"{grown_to}")
    finally:
        service.engine.dispose()


BLOCKED_WORKERS = 4
BLOCKED_APPENDS = 25


def test_writers_kept_waiting_past_the_lock_wait_get_busy_and_retry_safely(
        settings: Settings, regulator: Actor, database_url: str, tmp_path: Path) -> None:
    """A LedgerBusyError appends nothing: the same envelopes, retried, go in exactly once."""
    settings = replace(settings, database_url=database_url)
    initialize(settings)
    service = open_service(settings)
    try:
        names = [f"blocked-{i}" for i in range(BLOCKED_WORKERS)]
        key_paths = register_writers(service.log, regulator, names, tmp_path)
        base = service.log.size()
        workers = {name: start_worker(settings, name, key_paths[name], count=BLOCKED_APPENDS,
                                      wait_for_go=True) for name in names}
        with reaped(workers.values()):
            for name, proc in workers.items():
                assert proc.stdout is not None and proc.stderr is not None
                line = proc.stdout.readline()
                assert line == "ready\n", f"{name} did not start: {line!r} {proc.stderr.read()}"
            # Hold the writer lock, the same way an append takes it, past every worker's wait.
            with write_transaction(service.engine):
                for proc in workers.values():
                    assert proc.stdin is not None
                    proc.stdin.write("go\n")
                    proc.stdin.flush()
                time.sleep(WRITE_WAIT_SECONDS + 2)
            results = {name: proc.communicate(timeout=WORKER_TIMEOUT) for name, proc in workers.items()}
            for name, proc in workers.items():
                assert proc.returncode == 0, f"{name} failed:\n{results[name][1]}"

        outputs = {name: results[name][0].splitlines(keepends=True) for name in names}
        retries = {name: summary(outputs[name])["retries"] for name in names}
        assert all(count >= 1 for count in retries.values()), retries
        stored = read_records(service.engine)
        assert len(stored) == base + BLOCKED_WORKERS * BLOCKED_APPENDS
        assert_one_dense_chain(stored)
        for name in names:
            acks = parse_acks(outputs[name])
            assert len(acks) == BLOCKED_APPENDS
            assert_acknowledged_present(stored, acks)
            assert [s.record.seq for s in stored if s.actor == name] == [ack.seq for ack in acks]
        result = audit_database(service.engine, settings, service.genesis)
        assert bool(result), result.failure
        print(f"\n{make_url(database_url).get_backend_name()}: lock held {WRITE_WAIT_SECONDS + 2} s, "
              f"LedgerBusyError retries {retries}")
    finally:
        service.engine.dispose()


def last_error(stderr: str) -> str:
    """The exception line of a worker's traceback."""
    lines = [line for line in stderr.splitlines()
             if line and not line.startswith((" ", "(", "[", "HINT:", "DETAIL:"))]
    return lines[-1] if lines else stderr


ISOLATED_WORKERS = 4
ISOLATED_APPENDS = 50


@pytest.mark.postgres
@pytest.mark.parametrize("isolation", ["repeatable read", "serializable"])
def test_appends_serialise_whatever_the_servers_default_isolation(
        settings: Settings, regulator: Actor, postgres_url: str, tmp_path: Path, isolation: str) -> None:
    """A server (or role, or database) set to a stricter default isolation must not break appends.

    The append reads the head after taking the advisory lock; that read must see the
    transaction that released the lock, which only READ COMMITTED guarantees (under
    REPEATABLE READ the snapshot is taken by the very statement that waits for the lock).
    """
    settings = replace(settings, database_url=postgres_url)
    initialize(settings)
    service = open_service(settings)
    env = {**os.environ, "PGOPTIONS": "-c default_transaction_isolation=" + isolation.replace(" ", "\\ ")}
    shown = subprocess.run(
        [sys.executable, "-c", "import psycopg, sys; print(psycopg.connect(sys.argv[1]).execute("
         "'SHOW default_transaction_isolation').fetchone()[0])",
         make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)],
        env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == isolation  # the workers' sessions really run under it
    try:
        names = [f"isolated-{i}" for i in range(ISOLATED_WORKERS)]
        key_paths = register_writers(service.log, regulator, names, tmp_path)
        base = service.log.size()
        workers = {name: start_worker(settings, name, key_paths[name], count=ISOLATED_APPENDS,
                                      wait_for_go=True, env=env) for name in names}
        with reaped(workers.values()):
            for name, proc in workers.items():
                assert proc.stdout is not None and proc.stderr is not None
                line = proc.stdout.readline()
                assert line == "ready\n", f"{name} did not start: {line!r} {proc.stderr.read()}"
            for proc in workers.values():
                assert proc.stdin is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
            results = {name: proc.communicate(timeout=WORKER_TIMEOUT) for name, proc in workers.items()}
        failed = {name: last_error(results[name][1]) for name, proc in workers.items()
                  if proc.returncode != 0}
        assert not failed, f"appends refused under default_transaction_isolation={isolation!r}: {failed}"
        stored = read_records(service.engine)
        assert len(stored) == base + ISOLATED_WORKERS * ISOLATED_APPENDS
        assert_one_dense_chain(stored)
        for name in names:
            assert_acknowledged_present(stored, parse_acks(results[name][0].splitlines(keepends=True)))
        result = audit_database(service.engine, settings, service.genesis)
        assert bool(result), result.failure
    finally:
        service.engine.dispose()
