"""Scale out on PostgreSQL: two independent app servers (separate gunicorn masters) on one
database, appended to and scanned through at once, keep one dense log with no fork.

Each server's Log caches the head its own last append left; the other server moves the log
under it. The append re-reads the head under the cross-process advisory lock, so a stale
cache is never written on: every acknowledged append is in the log, and no client sees a
refusal it did not earn.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gi_trace.labels.tables import scans
from gi_trace.ledger import schema
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.service import audit_log, initialize, open_service, operator_signer
from gi_trace.settings import Settings
from tests.api.test_scan_journey import chain, rice_link
from tests.cli.test_serve import free_port
from tests.domain.world import World, serials
from tests.live_writer import assert_consistent, checkpoint, request, writing
from tests.support import instance_settings

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[1]
APPENDS_PER_WRITER = 15
SCANS_PER_SERVER = 20
LABELS = serials("R-1", 4)


@pytest.fixture
def world_on_postgres(postgres_url: str, tmp_path: Path) -> tuple[World, Settings]:
    """The scan journey's world (four issued labels of milled rice) on the scratch database."""
    world = World()
    settings = replace(instance_settings(tmp_path, world.regulator.register_self()),
                       database_url=postgres_url)
    initialize(settings)
    service = open_service(settings)
    try:
        service.log.append([*world.setup(), *chain(world)])
    finally:
        service.engine.dispose()
    return world, settings


@contextmanager
def gunicorn(settings: Settings) -> Iterator[str]:
    """A gunicorn master of its own (two workers) over `settings`; yields its base URL. A
    SIGTERM at the end lets its workers write their scan buffers, as in production."""
    port = free_port()
    env = {**os.environ, **{f"GI_TRACE_{k.upper()}": str(v) for k, v in asdict(settings).items()},
           "GI_TRACE_WORKERS": "2", "GI_TRACE_THREADS": "4",
           # this test's one client scans more than a phone would; every scan must be recorded
           "GI_TRACE_SCAN_LIMIT_PER_MINUTE": "100000", "GI_TRACE_SCAN_LIMIT_PER_DAY": "100000"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py",
                                "--bind", f"127.0.0.1:{port}", "gi_trace.api:create_app()"],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while request_or_none(f"{base}/healthz") != 200:
            assert process.poll() is None, process.communicate()[0].decode()
            assert time.monotonic() < deadline, "gunicorn did not come up in 60 s"
            time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):  # a master that failed to boot is gone
            os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
        assert "Traceback" not in output, output


def request_or_none(url: str) -> int | None:
    try:
        return request(url)[0]
    except OSError:
        return None


class Scanner(threading.Thread):
    """Scans the issued labels in turn through one server, as phones would."""

    def __init__(self, base: str, world: World) -> None:
        super().__init__(daemon=True)
        self.base, self.world = base, world
        self.answers: list[int] = []

    def run(self) -> None:
        for n in range(SCANS_PER_SERVER):
            link = rice_link(self.world, LABELS[n % len(LABELS)])
            self.answers.append(request(self.base + link, accept="application/json")[0])


class Watcher(threading.Thread):
    """Reads both servers' checkpoints over and over until stopped."""

    def __init__(self, bases: list[str], settings: Settings) -> None:
        super().__init__(daemon=True)
        self.bases, self.operator = bases, operator_signer(settings).verifier()
        self.seen: list[tuple[str, Checkpoint]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for base in self.bases:
                self.seen.append((base, checkpoint(base, self.operator)))
            time.sleep(0.05)


def test_two_gunicorn_masters_on_one_postgres_keep_one_log(world_on_postgres: Any) -> None:
    world, settings = world_on_postgres
    writers_by_server = [(world.coop_a, world.mill), (world.shop_1, world.shop_2)]
    with gunicorn(settings) as one, gunicorn(settings) as two:
        bases = [one, two]
        watcher = Watcher(bases, settings)
        scanners = [Scanner(base, world) for base in bases]
        with ExitStack() as stack:
            writers = [stack.enter_context(writing(base, actor))
                       for base, actors in zip(bases, writers_by_server, strict=True)
                       for actor in actors]
            watcher.start()
            for scanner in scanners:
                scanner.start()
            for writer in writers:
                writer.wait_for(APPENDS_PER_WRITER)
            for scanner in scanners:
                scanner.join(timeout=120)
            watcher.stopping.set()
            watcher.join(timeout=30)
        # no fork: every checkpoint either server served extends every smaller one
        ordered = sorted({(cp.size, cp.root_hash): (base, cp) for base, cp in watcher.seen}.values(),
                         key=lambda seen: seen[1].size)
        for (_, older), (base, newer) in itertools.pairwise(ordered):
            assert_consistent(base, older, newer)
        assert len({cp.size for _, cp in ordered}) == len(ordered), "two roots for one size"
    # the servers are stopped: their scan buffers are written
    for writer in writers:
        assert not writer.refused, writer.refused[:3]
    for scanner in scanners:
        assert scanner.answers == [200] * SCANS_PER_SERVER

    service = open_service(settings)
    try:
        with service.engine.connect() as conn:
            seqs = list(conn.scalars(select(schema.records.c.seq).order_by(schema.records.c.seq)))
            recorded = conn.scalar(select(func.count()).select_from(scans)
                                   .where(scans.c.serial.in_(LABELS)))
        assert seqs == list(range(service.log.size())), "the log is not dense"
        acked = [entry for writer in writers for entry in writer.acked]
        assert len({entry["seq"] for entry in acked}) == len(acked)
        # the servers took turns, so each often appended on a head the other had moved
        server_of = {entry["seq"]: writer.base for writer in writers for entry in writer.acked}
        turns = [server_of[seq] for seq in sorted(server_of)]
        switches = sum(a != b for a, b in itertools.pairwise(turns))
        assert switches >= 3, f"the servers took {switches} turns: {turns}"
        for entry in acked:
            record = service.log.entries(entry["seq"], entry["seq"] + 1)[0]
            assert record.record_hash.hex() == entry["record_hash"]
        assert recorded == SCANS_PER_SERVER * len(bases)
        with DatabaseSource(service.engine) as source:
            result = audit_log(source, operator_signer(settings).verifier(), service.genesis)
        assert result, result.failure
        assert result.size == service.log.size()
    finally:
        service.engine.dispose()
