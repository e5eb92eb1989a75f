"""A statement the database refuses fails its own request, never its group's neighbours.

The poison is a value that got past every check above the database: a test rule's tag,
too long for its column (a DataError on PostgreSQL, the CHECK on SQLite) or null where
the column is NOT NULL (an IntegrityError on both), written by the rule inside the
append transaction. Real poisons of this kind were ids with a trailing newline, one
character longer than their PostgreSQL column.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import BigInteger, CheckConstraint, Column, MetaData, String, Table, select

from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.log import Log
from gi_trace.ledger.record import GENESIS_PREV, Record
from gi_trace.ledger.rules import AppendContext
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from tests.support import Actor

WRITERS = 8
ROUNDS = 12
TAG_LENGTH = 16

TAGS = Table("test_poison_tags", MetaData(),
             Column("seq", BigInteger, primary_key=True, autoincrement=False),
             Column("tag", String(TAG_LENGTH), CheckConstraint(f"length(tag) <= {TAG_LENGTH}"),
                    nullable=False))


class TagRule:
    """`test.tag`: keeps its body's `tag` in a column of TAG_LENGTH characters."""

    types = frozenset({"test.tag"})
    attachments: frozenset[str] = frozenset()

    def apply(self, ctx: AppendContext) -> None:
        if ctx.statement.type in self.types:
            ctx.conn.execute(TAGS.insert().values(seq=ctx.seq, tag=ctx.statement.body["tag"]))


@pytest.fixture
def log(any_service: Service) -> Log:
    """The service's log seen by a ledger that knows only the tag rule, on SQLite and on
    PostgreSQL."""
    TAGS.create(any_service.engine)
    base = any_service.log
    return Log(base.engine, base.signer, base.identity.roots, [TagRule()])


def tag(actor: Actor, value: Any) -> Envelope:
    return actor.sign("test.tag", {"tag": value})


def registered(log: Log, regulator: Actor, names: list[str]) -> list[Actor]:
    actors = [Actor(name) for name in names]
    log.append([regulator.register(actor, ["producer"]) for actor in actors])
    return actors


def stored_tags(log: Log) -> list[str]:
    with log.engine.connect() as conn:
        return list(conn.scalars(select(TAGS.c.tag).order_by(TAGS.c.seq)))


def assert_dense(log: Log) -> list[Record]:
    """Every record from 0 to the checkpoint's size, each linked to the one before."""
    size = log.size()
    records = log.entries(0, size)
    assert [record.seq for record in records] == list(range(size))
    assert [record.prev for record in records] == [GENESIS_PREV] + [r.record_hash for r in records[:-1]]
    return records


POISONS = [
    ("one-character-too-long", "x" * (TAG_LENGTH + 1)),
    ("id-with-trailing-newline", "wuchang-lot-0001\n"),
    ("null-in-a-not-null-column", None),
]


@pytest.mark.parametrize("poison", [p[1] for p in POISONS], ids=[p[0] for p in POISONS])
def test_a_poisoned_request_alone_is_refused_and_writes_nothing(log: Log, regulator: Actor,
                                                                poison: Any) -> None:
    (actor,) = registered(log, regulator, ["poisoner"])
    size = log.size()
    with pytest.raises(MalformedError, match="the database refused a value") as info:
        log.append([tag(actor, "fits"), tag(actor, poison)])
    assert info.value.code == "database-refused"
    assert log.size() == size and stored_tags(log) == []
    assert_dense(log)
    log.append([tag(actor, "fits")])  # the connection and the log are fine afterwards
    assert stored_tags(log) == ["fits"]


def test_eight_writers_lose_nothing_to_a_poisoner_in_their_groups(log: Log, regulator: Actor) -> None:
    """Issue 11: every valid statement is appended while one thread keeps sending a request
    whose second statement the database refuses; that request is refused whole."""
    *writers, poisoner = registered(log, regulator, [f"writer-{i}" for i in range(WRITERS)] + ["poisoner"])
    size = log.size()
    start = threading.Barrier(WRITERS + 1)

    def write(index: int) -> list[list[Record] | Exception]:
        outcomes: list[list[Record] | Exception] = []
        for n in range(ROUNDS):
            if index < WRITERS:
                envelopes = [tag(writers[index], f"w{index}-{n}")]
            else:
                envelopes = [tag(poisoner, f"p-{n}"), tag(poisoner, "x" * (TAG_LENGTH + n + 1))]
            start.wait()  # every round, all threads at once: their requests share groups
            try:
                outcomes.append(log.append(envelopes))
            except Exception as e:  # any failure is counted; none stops the rounds
                outcomes.append(e)
        return outcomes

    with ThreadPoolExecutor(WRITERS + 1) as pool:
        *written, poisoned = pool.map(write, range(WRITERS + 1))

    failed = [o for outcomes in written for o in outcomes if isinstance(o, Exception)]
    assert failed == [], f"{len(failed)} valid appends failed: {failed[:3]}"
    assert all(isinstance(o, MalformedError) and o.code == "database-refused" for o in poisoned)
    records = assert_dense(log)
    assert len(records) == size + WRITERS * ROUNDS
    assert sorted(stored_tags(log)) == sorted(f"w{i}-{n}" for i in range(WRITERS) for n in range(ROUNDS))
    acknowledged = [record for outcomes in written for appended in outcomes
                    if isinstance(appended, list) for record in appended]
    assert all(records[record.seq] == record for record in acknowledged)
