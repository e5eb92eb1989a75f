"""Appends from many threads share transactions, and a refused one spoils none of the others."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from gi_trace.ledger import schema
from gi_trace.ledger.errors import ConflictError, LedgerError
from gi_trace.ledger.group_commit import GroupCommit, Request
from gi_trace.ledger.log import Log
from gi_trace.ledger.record import Record
from gi_trace.service import Service
from tests.support import Actor

THREADS = 24


def test_concurrent_appends_are_grouped_and_a_refusal_stays_with_its_request(
        service: Service, producer: Actor) -> None:
    log: Log = service.log
    replayed = producer.note(0)
    log.append([replayed])
    size_before = log.size()
    bad = {3, 11, 19}
    envelopes = [replayed if i in bad else producer.note(i) for i in range(THREADS)]
    start = threading.Barrier(THREADS)

    def append(index: int) -> list[Record] | LedgerError:
        start.wait()
        try:
            return log.append([envelopes[index]])
        except LedgerError as e:
            return e

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(append, range(THREADS)))

    for index, outcome in enumerate(outcomes):
        if index in bad:
            assert isinstance(outcome, ConflictError) and outcome.code == "replayed-nonce"
        else:
            assert isinstance(outcome, list) and outcome[0].statement == envelopes[index].statement.canonical
    assert log.size() == size_before + THREADS - len(bad)
    with service.engine.connect() as conn:
        transactions = conn.scalar(select(func.count()).select_from(schema.checkpoints)
                                   .where(schema.checkpoints.c.size > size_before))
    assert transactions < THREADS - len(bad), "no two appends shared a transaction"


def test_a_failed_commit_reaches_every_waiting_request() -> None:
    def commit(group: list[Request]) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        GroupCommit(commit).submit([], [])


def test_a_commit_that_fails_after_settling_a_request_keeps_its_outcome() -> None:
    """The log settles a group in parts; a fault after one part was committed must not tell
    its requests they failed."""
    committed: list[Record] = []

    def commit(group: list[Request]) -> None:
        group[0].records = committed
        raise RuntimeError("connection lost")

    assert GroupCommit(commit).submit([], []) is committed
