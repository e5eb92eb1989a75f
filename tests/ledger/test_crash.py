"""A writer killed with SIGKILL in the middle of its stream loses nothing it acknowledged.

The writer (tests/ledger/workers/append_worker.py) appends in a loop and prints
each record once `Log.append` has returned: that line is the client's "201".
The test kills it without warning after a number of acknowledgements, so the
kill lands wherever the writer happens to be (signing, waiting for the lock,
inside the write transaction, committing or printing). Then, as after a
restart: every acknowledged record is in the log with the same bytes, the
chain is dense and whole, a group append is all or nothing, the audit passes,
and a new Log appends right after the last record. Four kills per test, two of
them while the writer is seen holding the writer lock (inside its transaction).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from gi_trace.ledger.database import APPEND_LOCK_KEY
from gi_trace.service import initialize, open_service
from gi_trace.settings import Settings
from tests.ledger.workers.harness import (
    Ack,
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
)
from tests.support import Actor

pytestmark = pytest.mark.slow

WRITER = "crash-writer"
# Per kill: how many records must be acknowledged first (whole groups when group > 1), and
# when to kill then: at once ("ack"), after a random fraction of one more append ("delay"),
# or as soon as the writer is seen holding the writer lock, i.e. inside its transaction ("lock").
KILLS = {1: (("ack", 50), ("lock", 50), ("delay", 70), ("lock", 80)),
         100: (("ack", 200), ("lock", 200), ("delay", 300), ("lock", 300))}
APPEND_SECONDS = {1: 0.015, 100: 0.08}  # about one append here, for the random delay
LOCK_WAIT_SECONDS = 10


def writer_lock_held(settings: Settings) -> bool:
    """Whether some process holds the log's writer lock right now (probed from outside)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(url.database or "", timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            assert "locked" in str(e) or "busy" in str(e), e
            return True
        finally:
            probe.close()  # rolls back the probe's own transaction, if it got one
        return False
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as conn:
        held = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid = %s AND objid = %s",
            (APPEND_LOCK_KEY >> 32, APPEND_LOCK_KEY & 0xFFFFFFFF)).fetchone()
    return bool(held and held[0])


def run_until_killed(settings: Settings, key: Path, group: int, when: str,
                     kill_after: int) -> tuple[list[Ack], bool]:
    """Start a writer, SIGKILL it as `when` says; all it acknowledged, and if the lock was seen held."""
    proc = start_worker(settings, WRITER, key, group=group)
    with reaped([proc]):
        assert proc.stdout is not None and proc.stderr is not None
        stdout = proc.stdout
        lines: list[str] = []
        enough = threading.Event()

        def read() -> None:  # keep the pipe drained, so printing never blocks the writer
            acknowledged = 0
            for line in stdout:
                lines.append(line)
                if line.startswith("ack ") and line.endswith("\n"):
                    acknowledged += 1
                    if acknowledged >= kill_after:
                        enough.set()
            enough.set()

        reader = threading.Thread(target=read)
        reader.start()
        enough.wait()
        assert proc.poll() is None, f"the writer stopped on its own:\n{proc.stderr.read()}"
        in_lock = False
        if when == "delay":
            time.sleep(random.uniform(0, APPEND_SECONDS[group]))
        elif when == "lock":
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while not (in_lock := writer_lock_held(settings)):
                assert time.monotonic() < deadline, "never saw the writer hold the lock"
        os.kill(proc.pid, signal.SIGKILL)
        reader.join()  # what it printed before dying counts too
        assert proc.wait() == -signal.SIGKILL
    return parse_acks(lines), in_lock


@pytest.mark.parametrize("group", [1, 100], ids=["one-at-a-time", "groups-of-100"])
def test_sigkilled_writer_loses_no_acknowledged_append(settings: Settings, regulator: Actor,
                                                       database_url: str, tmp_path: Path,
                                                       group: int) -> None:
    settings = replace(settings, database_url=database_url)
    initialize(settings)
    setup = open_service(settings)
    try:
        key = register_writers(setup.log, regulator, [WRITER], tmp_path)[WRITER]
        genesis = setup.genesis
    finally:
        setup.engine.dispose()

    acknowledged: list[Ack] = []
    unacknowledged: list[int] = []
    continued = 0
    kills_in_lock = 0
    for round_, (when, kill_after) in enumerate(KILLS[group]):
        acks, in_lock = run_until_killed(settings, key, group, when, kill_after)
        assert len(acks) >= kill_after
        kills_in_lock += in_lock
        acknowledged += acks

        service = open_service(settings)  # a new engine and Log, as after a restart
        try:
            stored = read_records(service.engine)
            assert_one_dense_chain(stored)
            assert_acknowledged_present(stored, acknowledged)
            mine = [s for s in stored if s.actor == WRITER]
            assert {s.record.seq for s in mine} >= {ack.seq for ack in acknowledged}
            # Committed but killed before it could print: allowed, and audited like the rest.
            unacknowledged.append(len(mine) - len(acknowledged))
            if group > 1:
                assert len(mine) % group == 0, "a group append was cut in two by the kill"
            sizes = assert_checkpoints_sign_every_prefix(service.engine, settings, stored)
            assert sizes[-1] == len(stored) == service.log.size()
            assert_nodes_complete(service.engine, len(stored))

            result = audit_database(service.engine, settings, genesis)
            assert bool(result), result.failure
            assert result.size == len(stored)

            # The chain continues right after the last record, lock free again.
            head = stored[-1].record
            [record] = service.log.append([regulator.note(round_)])
            continued += 1
            assert (record.seq, record.prev) == (head.seq + 1, head.record_hash)
            assert service.log.size() == len(stored) + 1
        finally:
            service.engine.dispose()

    service = open_service(settings)
    try:
        stored = read_records(service.engine)
        assert_one_dense_chain(stored)
        assert_acknowledged_present(stored, acknowledged)
        writer_records = len(acknowledged) + unacknowledged[-1]
        assert len(stored) == len(genesis) + 1 + writer_records + continued
        result = audit_database(service.engine, settings, genesis)
        assert bool(result), result.failure
    finally:
        service.engine.dispose()
    print(f"\n{make_url(database_url).get_backend_name()} group={group}: "
          f"{len(acknowledged)} acknowledged over {len(KILLS[group])} kills "
          f"({kills_in_lock} while holding the writer lock), committed but "
          f"unacknowledged after each kill (cumulative): {unacknowledged}")
