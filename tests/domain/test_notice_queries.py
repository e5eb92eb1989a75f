"""gi_trace.domain.queries.notices: a notice's response time and whether it is overdue, judged
against the clock the caller passes, to the second; and the summary per platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gi_trace.domain.queries import notices
from gi_trace.ledger.statement import format_ts
from gi_trace.service import Service
from tests.domain.protection import Protection
from tests.domain.test_protection_rules import checked
from tests.domain.world import World
from tests.support import Actor

SENT = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=200)
DUE = 100  # seconds after sending


@pytest.fixture(autouse=True)
def _sent_now() -> None:
    """Each test sends 200 s before it runs, inside the log's clock window (a time taken at
    collection would go stale in a long run)."""
    global SENT
    SENT = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=200)


@pytest.fixture
def loop(any_service: Service, regulator: Actor) -> Protection:
    made = Protection(World(regulator=regulator))
    any_service.log.append([*made.world.setup(), *made.setup()])
    return made


def at(offset: float) -> datetime:
    return SENT + timedelta(seconds=offset)


def send(p: Protection, service: Service, *answers: tuple[str, float]) -> None:
    """N-1 sent at SENT, due DUE seconds later, then answered `(status, seconds after SENT)`."""
    envelopes = [*checked(p), p.assoc.sign("notice.send", {
        "notice": "N-1", "platform": "mall", "listing": "L-1", "reason": "seller-not-approved",
        "evidence": {"reports": ["R-1"]}, "deadline": format_ts(at(DUE))}, ts=SENT)]
    envelopes += [p.mall.sign("notice.answer", {"notice": "N-1", "status": status,
                                                   **({"reason": "ours"} if status == "disputed" else {})},
                                 ts=at(seconds)) for status, seconds in answers]
    service.log.append(envelopes)


@pytest.mark.parametrize(("answers", "seconds", "overdue"), [
    ((), 99.9, False),
    ((), DUE + 0.9, False),  # the deadline's own second
    ((), 101, True),
    ((("acknowledged", 10),), 101, True),  # acknowledging is no takedown
    ((("removed", 120),), 150, False),  # removed late: late, but no longer overdue
    ((("acknowledged", 10), ("disputed", 50)), 150, False),
], ids=["before-deadline", "within-its-second", "past-deadline", "acknowledged-only",
        "removed", "disputed"])
def test_overdue_is_judged_against_the_clock_given(loop: Protection, any_service: Service,
                                                   answers: tuple[tuple[str, float], ...],
                                                   seconds: float, overdue: bool) -> None:
    send(loop, any_service, *answers)
    now = at(seconds)
    with any_service.engine.connect() as conn:
        (found,) = notices.list_notices(conn, now, limit=10).items
        assert found.overdue is overdue
        listed = notices.list_notices(conn, now, limit=10, overdue=overdue).items
        assert [n.notice for n in listed] == ["N-1"]  # the SQL filter agrees with the field
        assert notices.list_notices(conn, now, limit=10, overdue=not overdue).items == []


@pytest.mark.parametrize(("answers", "seconds"), [
    ((), None),
    ((("acknowledged", 30),), 30),
    ((("acknowledged", 30), ("removed", 90)), 30),
    ((("removed", 45),), 45),
], ids=["unanswered", "acknowledged", "acknowledged-then-removed", "removed-at-once"])
def test_response_time_runs_to_the_first_answer(loop: Protection, any_service: Service,
                                                answers: tuple[tuple[str, float], ...],
                                                seconds: int | None) -> None:
    send(loop, any_service, *answers)
    with any_service.engine.connect() as conn:
        found = notices.get_notice(conn, "N-1", at(300))
    assert found is not None and found.response_seconds == seconds


def test_by_platform_counts_and_takes_the_median(loop: Protection, any_service: Service) -> None:
    send(loop, any_service, ("acknowledged", 40))
    deadline = format_ts(at(150))
    any_service.log.append([
        loop.assoc.sign("notice.send", {"notice": f"N-{i}", "platform": "mall", "url": f"https://m.example/{i}",
                                        "reason": "other", "evidence": {}, "deadline": deadline},
                        ts=SENT) for i in (2, 3)] + [
        loop.mall.sign("notice.answer", {"notice": "N-2", "status": "removed"}, ts=at(20)),
        loop.mall.sign("notice.answer", {"notice": "N-3", "status": "acknowledged"}, ts=at(90))])
    with any_service.engine.connect() as conn:
        (mall,) = notices.by_platform(conn, at(120))
    # N-1 open past its deadline, N-3 acknowledged before its own; responses 20, 40, 90 s.
    assert mall == notices.PlatformNotices("mall", notices=3, open=2, overdue=1, responded=3,
                                           median_response_seconds=40)
