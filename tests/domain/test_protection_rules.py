"""The protection loop's rules, on SQLite and PostgreSQL: every transition of notices and
cases, and every refusal (wrong role, wrong region, answer after close, double acceptance,
reward without a confirmed case…) names its rule and writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from gi_trace.domain import tables
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service, audit_log
from tests.domain.protection import SELLER_USCC, Protection, in_days
from tests.domain.world import (
    World,
    assert_audit_passes,
    assert_rebuild_identical,
    dump,
    operator_verifier,
    recall,
)
from tests.support import Actor

Build = Callable[[Protection], list[Envelope]]
Make = Callable[[Protection], Envelope]


@pytest.fixture
def loop(any_service: Service, regulator: Actor) -> Protection:
    """The world of tests/domain/world.py and the protection loop's actors, on this service."""
    made = Protection(World(regulator=regulator))
    any_service.log.append([*made.world.setup(), *made.setup()])
    return made


def nothing(p: Protection) -> list[Envelope]:
    return []


def checked(p: Protection) -> list[Envelope]:
    return [p.check(seller_uscc=SELLER_USCC, codes=["https://id.example/01/x"])]


def noticed(p: Protection) -> list[Envelope]:
    return [*checked(p), p.notice()]


def removed(p: Protection) -> list[Envelope]:
    return [*noticed(p), p.answer("removed")]


def opened(p: Protection) -> list[Envelope]:
    return [p.open()]


def transferring(p: Protection) -> list[Envelope]:
    return [*opened(p), p.transfer()]


def accepted(p: Protection) -> list[Envelope]:
    return [*transferring(p), p.accept()]


def confirmed(p: Protection) -> list[Envelope]:
    return [*accepted(p), p.close()]


def rewarded(p: Protection) -> list[Envelope]:
    return [*confirmed(p), p.reward()]


def recalled(p: Protection) -> list[Envelope]:
    return [recall(p.world.regulator, "A-1")]


def hooked(p: Protection) -> list[Envelope]:
    return [p.hook(p.mall)]


REFUSALS: list[tuple[str, Build, Make, str]] = [
    # listing checks
    ("listing.not-a-platform", nothing, lambda p: p.check(platform="assoc", by=p.world.regulator),
     "not-a-platform"),
    ("listing.other-platform", nothing, lambda p: p.check(by=p.assoc), "not-authorized"),
    ("listing.unknown-product", nothing, lambda p: p.check(product="nope"), "unknown-product"),
    ("listing.duplicate", checked, lambda p: p.check(), "duplicate-id"),
    ("listing.bad-uscc", nothing, lambda p: p.check(seller_uscc="91230184MA12345670"),
     "invalid-body"),
    ("listing.not-a-url", nothing, lambda p: p.check(url="javascript:alert(1)"), "invalid-body"),
    # notices
    ("notice.wrong-role", checked, lambda p: p.notice(by=p.world.coop_a), "not-authorized"),
    ("notice.platform-sends", checked, lambda p: p.notice(by=p.mall), "not-authorized"),
    ("notice.wrong-platform", lambda p: [p.world.regulator.register(Actor("mall-2"), ["platform"]),
                                         *checked(p)],
     lambda p: p.notice(platform="mall-2"), "wrong-platform"),
    ("notice.unknown-listing", nothing, lambda p: p.notice(), "unknown-listing"),
    ("notice.deadline-passed", checked, lambda p: p.notice(deadline=in_days(-1)), "deadline-passed"),
    ("notice.names-no-listing", nothing, lambda p: p.notice(listing=None), "invalid-body"),
    ("notice.duplicate", noticed, lambda p: p.notice(), "duplicate-id"),
    ("answer.unknown", nothing, lambda p: p.answer("removed"), "unknown-notice"),
    ("answer.not-the-platform", noticed, lambda p: p.answer("removed", by=p.assoc),
     "not-authorized"),
    ("answer.after-close", removed, lambda p: p.answer("acknowledged"), "notice-closed"),
    ("answer.dispute-after-removal", removed, lambda p: p.answer("disputed", reason="x"),
     "notice-closed"),
    ("answer.twice-acknowledged", lambda p: [*noticed(p), p.answer("acknowledged")],
     lambda p: p.answer("acknowledged"), "already-acknowledged"),
    ("answer.dispute-without-reason", noticed, lambda p: p.answer("disputed"), "invalid-body"),
    # cases
    ("case.wrong-role", nothing, lambda p: p.open(by=p.assoc), "not-authorized"),
    ("case.unknown-listing-source", nothing, lambda p: p.open(listings=["L-9"]), "unknown-listing"),
    ("case.duplicate", opened, lambda p: p.open(), "duplicate-id"),
    ("transfer.not-the-holder", opened, lambda p: p.transfer(by=p.hlj, to="hlj-2"),
     "not-authorized"),
    ("transfer.same-region", lambda p: [p.open(by=p.hlj)], lambda p: p.transfer(by=p.hlj, to="hlj-2"),
     "same-region"),
    ("transfer.to-itself", opened, lambda p: p.transfer(to="cnipa"), "same-region"),
    ("transfer.not-a-regulator", opened, lambda p: p.transfer(to="mall"), "not-a-regulator"),
    ("transfer.twice", transferring, lambda p: p.transfer(to="hlj-2"), "transfer-pending"),
    ("accept.wrong-regulator", transferring, lambda p: p.accept(by=p.hlj_2), "not-authorized"),
    ("accept.twice", accepted, lambda p: p.accept(), "no-transfer"),
    ("accept.nothing-pending", opened, lambda p: p.accept(), "no-transfer"),
    ("return.after-accept", accepted, lambda p: p.return_(), "no-transfer"),
    ("close.not-the-holder", accepted, lambda p: p.close(by=p.world.regulator), "not-authorized"),
    ("close.while-transferring", transferring, lambda p: p.close(by=p.world.regulator),
     "transfer-pending"),
    ("close.twice", confirmed, lambda p: p.close(), "case-closed"),
    ("transfer.after-close", confirmed, lambda p: p.transfer(by=p.hlj, to="cnipa"), "case-closed"),
    ("close.publish-without-summary", accepted,
     lambda p: p.hlj.sign("case.close", {"case": "C-1", "outcome": "confirmed", "publish": True}),
     "invalid-body"),
    # rewards
    ("reward.open-case", accepted, lambda p: p.reward(), "case-not-confirmed"),
    ("reward.unfounded-case", lambda p: [*accepted(p), p.close(outcome="unfounded")],
     lambda p: p.reward(), "case-not-confirmed"),
    ("reward.report-not-in-case", confirmed, lambda p: p.reward(report="R-2"), "report-not-in-case"),
    ("reward.twice", rewarded, lambda p: p.reward("W-2"), "already-rewarded"),
    ("reward.not-a-regulator", confirmed, lambda p: p.reward(by=p.assoc), "not-authorized"),
    ("reward.unknown-case", nothing, lambda p: p.reward(), "unknown-case"),
    # recall acknowledgements
    ("ack.not-recalled", nothing, lambda p: p.ack(p.world.coop_a), "not-recalled"),
    ("ack.not-a-holder", recalled, lambda p: p.ack(p.world.coop_b), "not-holder"),
    ("ack.too-much", recalled, lambda p: p.ack(p.world.coop_a, withdrawn="301"),
     "withdrawn-exceeds-holding"),
    ("ack.twice", lambda p: [*recalled(p), p.ack(p.world.coop_a)],
     lambda p: p.ack(p.world.coop_a, withdrawn="1"), "already-acknowledged"),
    # webhooks
    ("webhook.duplicate", hooked, lambda p: p.hook(p.assoc), "duplicate-id"),
    ("webhook.remove-others", hooked, lambda p: p.unhook(p.assoc), "not-authorized"),
    ("webhook.remove-twice", lambda p: [*hooked(p), p.unhook(p.mall)], lambda p: p.unhook(p.mall),
     "unknown-webhook"),
    ("webhook.id-stays-taken", lambda p: [*hooked(p), p.unhook(p.mall)], lambda p: p.hook(p.mall),
     "duplicate-id"),
    ("webhook.unknown-event", nothing, lambda p: p.hook(p.mall, events=["everything"]),
     "invalid-body"),
]


@pytest.mark.parametrize(("setup", "statement", "code"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_refused_and_nothing_written(any_service: Service, loop: Protection, setup: Build,
                                     statement: Make, code: str) -> None:
    first = setup(loop)
    if first:
        any_service.log.append(first)
    size, before = any_service.log.size(), dump(any_service.engine)
    with pytest.raises(LedgerError) as refused:
        any_service.log.append([statement(loop)])
    assert refused.value.code == code, refused.value.message
    assert (any_service.log.size(), dump(any_service.engine)) == (size, before)


def row(service: Service, table: tables.Table, **key: str) -> dict[str, object]:
    columns = table.c
    where = [columns[name] == value for name, value in key.items()]
    with service.engine.connect() as conn:
        found = conn.execute(select(table).where(*where)).mappings().one()
        return dict(found)


def test_a_notice_goes_open_acknowledged_removed(any_service: Service, loop: Protection) -> None:
    any_service.log.append(noticed(loop))
    assert row(any_service, tables.notices, notice="N-1")["status"] == "open"
    any_service.log.append([loop.answer("acknowledged")])
    acknowledged = row(any_service, tables.notices, notice="N-1")
    assert (acknowledged["status"], acknowledged["answered_ts"]) == ("acknowledged", None)
    assert acknowledged["acknowledged_ts"]
    any_service.log.append([loop.answer("removed")])
    assert row(any_service, tables.notices, notice="N-1")["status"] == "removed"


def test_a_platform_may_dispute_with_its_reason(any_service: Service, loop: Protection) -> None:
    any_service.log.append([*noticed(loop), loop.answer("disputed", reason="licensed reseller")])
    notice = row(any_service, tables.notices, notice="N-1")
    assert (notice["status"], notice["answer_reason"]) == ("disputed", "licensed reseller")


def test_a_case_crosses_regions_and_closes_with_a_reward(any_service: Service,
                                                         loop: Protection) -> None:
    any_service.log.append(transferring(loop))
    case = row(any_service, tables.cases, case="C-1")
    assert (case["status"], case["holder"], case["pending_to"]) == ("transferring", "cnipa", "hlj")
    any_service.log.append([loop.return_()])
    case = row(any_service, tables.cases, case="C-1")
    assert (case["status"], case["holder"], case["pending_to"]) == ("open", "cnipa", None)
    any_service.log.append([loop.transfer(), loop.accept(), loop.close(publish=True),
                            loop.reward()])
    case = row(any_service, tables.cases, case="C-1")
    assert (case["status"], case["holder"], case["outcome"], case["published"]) == \
        ("closed", "hlj", "confirmed", True)
    with any_service.engine.connect() as conn:
        steps = conn.execute(select(tables.case_events.c.type, tables.case_events.c.actor)
                             .where(tables.case_events.c.case == "C-1")
                             .order_by(tables.case_events.c.seq)).all()
    assert [tuple(s) for s in steps] == [
        ("case.open", "cnipa"), ("case.transfer", "cnipa"), ("case.return", "hlj"),
        ("case.transfer", "cnipa"), ("case.accept", "hlj"), ("case.close", "hlj")]
    assert row(any_service, tables.rewards, reward="W-1")["report"] == "R-1"


def test_holders_acknowledge_a_recall(any_service: Service, loop: Protection) -> None:
    any_service.log.append([*recalled(loop), loop.ack(loop.world.coop_a, withdrawn="250")])
    assert row(any_service, tables.recall_acks, batch="A-1", org="coop-a")["withdrawn"] == "250"


def test_the_loop_audits_and_rebuilds(service: Service, regulator: Actor) -> None:
    loop = Protection(World(regulator=regulator))
    service.log.append([*loop.world.setup(), *loop.setup(), *removed(loop), *rewarded(loop),
                        *recalled(loop), loop.ack(loop.world.coop_a), *hooked(loop)])
    assert_audit_passes(service)
    assert_rebuild_identical(service)
    with DatabaseSource(service.engine, disclosed=False) as public:  # no disclosures: public fields
        result = audit_log(public, operator_verifier(service), service.genesis)
    assert result, result.failure
    assert result.unchecked  # the codes, evidence, summaries, reasons and quantities sealed
