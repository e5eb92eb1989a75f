"""GET /v1/notices, /v1/notices/{notice} and /v1/platform-notices on SQLite and PostgreSQL:
public fields for everyone, a notice's evidence only to its sender, its platform and regulators,
the response time from the log's times, and overdue judged by the server's clock at read time.

The notices are signed up to 250 s in the past (inside the log's clock window), so N-3's
deadline has really passed when the test reads it: no clock is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from gi_trace.ledger.statement import format_ts
from gi_trace.service import Service
from tests.api.helpers import assert_problem, serving
from tests.api.reads.world import obtain_token
from tests.domain.protection import Protection, in_days
from tests.domain.test_protection_rules import checked
from tests.domain.world import World, org_register
from tests.support import Actor

EVIDENCE = {"reports": ["R-1"], "photos": ["ab" * 32]}


def sent_now() -> datetime:
    """When the notices were sent: 250 s ago, inside the clock window when they are appended
    (so each test signs its own: a time taken at collection goes stale in a long run)."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=250)


@dataclass
class Notices:
    """assoc sent N-1 to mall (acknowledged after 60 s, removed after 150 s); hlj sent N-2 to
    mall-2 (unanswered, due in two days) and N-3 to mall (unanswered, due 50 s after sending:
    overdue)."""

    client: FlaskClient
    tokens: dict[str, str]
    sent: datetime

    def later(self, seconds: int) -> datetime:
        return self.sent + timedelta(seconds=seconds)

    def get(self, url: str, who: str | None = None) -> Any:
        headers = {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.get(url, headers=headers)

    def items(self, url: str, who: str | None = None) -> dict[str, dict[str, Any]]:
        resp = self.get(url, who)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return {n["notice"]: n for n in resp.get_json()["items"]}


@pytest.fixture
def loop(any_service: Service, regulator: Actor) -> Iterator[Notices]:
    p = Protection(World(regulator=regulator))
    mall_2 = Actor("mall-2")
    sent = sent_now()

    def later(seconds: int) -> datetime:
        return sent + timedelta(seconds=seconds)

    any_service.log.append([*p.world.setup(), *p.setup(),
                            org_register(regulator, mall_2, ["platform"], region="110108")])
    any_service.log.append([
        *checked(p),
        p.assoc.sign("notice.send", {"notice": "N-1", "platform": "mall", "listing": "L-1",
                                     "reason": "seller-not-approved", "evidence": EVIDENCE,
                                     "deadline": in_days(2)}, ts=sent),
        p.hlj.sign("notice.send", {"notice": "N-2", "platform": "mall-2",
                                   "url": "https://mall-2.example/i/9", "reason": "codes-copied",
                                   "evidence": {"anomalies": ["copied serial QX1"]},
                                   "deadline": in_days(2)}, ts=sent),
        p.hlj.sign("notice.send", {"notice": "N-3", "platform": "mall",
                                   "url": "https://mall.example/item/456", "reason": "other",
                                   "detail": "same seller, second shop", "evidence": EVIDENCE,
                                   "deadline": format_ts(later(50))}, ts=sent),
        p.mall.sign("notice.answer", {"notice": "N-1", "status": "acknowledged"}, ts=later(60)),
        p.mall.sign("notice.answer", {"notice": "N-1", "status": "removed"}, ts=later(150)),
    ])
    actors = [p.world.regulator, p.world.coop_a, p.mall, mall_2, p.assoc, p.hlj]
    with serving(any_service.settings) as app:
        client = app.test_client()
        yield Notices(client, {a.org: obtain_token(client, a) for a in actors}, sent)


PUBLIC_FIELDS = {"notice", "platform", "listing", "url", "reason", "detail", "deadline", "sender",
                 "sent_ts", "seq", "status", "acknowledged_ts", "answered_ts", "answer_reason",
                 "answer_seq", "response_seconds", "overdue"}

# Who reads N-1's evidence (assoc sent it to mall) and N-2's (hlj sent it to mall-2).
READERS = [
    (None, False, False),
    ("coop-a", False, False),
    ("assoc", True, False),
    ("mall", True, False),
    ("mall-2", False, True),
    ("hlj", True, True),
    ("cnipa", True, True),
]


@pytest.mark.parametrize(("who", "reads_n1", "reads_n2"), READERS,
                         ids=["public", "a-producer", "the-sender", "the-platform",
                              "another-platform", "another-regulator", "a-regulator"])
def test_evidence_only_to_its_readers(loop: Notices, who: str | None, reads_n1: bool,
                                      reads_n2: bool) -> None:
    listed = loop.items("/v1/notices", who)
    assert set(listed) == {"N-1", "N-2", "N-3"}
    for notice, reads in (("N-1", reads_n1), ("N-2", reads_n2)):
        for found in (listed[notice], loop.get(f"/v1/notices/{notice}", who).get_json()):
            assert set(found) == PUBLIC_FIELDS | ({"evidence"} if reads else set())
            if reads:
                assert found["evidence"] == (EVIDENCE if notice == "N-1"
                                             else {"anomalies": ["copied serial QX1"]})


def test_a_notice_reads_with_its_answer_and_response_time(loop: Notices) -> None:
    found = loop.get("/v1/notices/N-1").get_json()
    assert {k: found[k] for k in ("platform", "listing", "url", "reason", "sender", "sent_ts",
                                  "status", "acknowledged_ts", "answered_ts", "answer_reason")} == {
        "platform": "mall", "listing": "L-1", "url": None, "reason": "seller-not-approved",
        "sender": "assoc", "sent_ts": format_ts(loop.sent), "status": "removed",
        "acknowledged_ts": format_ts(loop.later(60)), "answered_ts": format_ts(loop.later(150)),
        "answer_reason": None}
    assert found["response_seconds"] == 60 and found["overdue"] is False
    assert found["answer_seq"] > found["seq"]


def test_overdue_by_the_servers_clock(loop: Notices) -> None:
    listed = loop.items("/v1/notices")
    assert {n: listed[n]["overdue"] for n in listed} == {"N-1": False, "N-2": False, "N-3": True}
    assert listed["N-3"]["response_seconds"] is None


@pytest.mark.parametrize(("query", "expected"), [
    ("platform=mall", {"N-1", "N-3"}),
    ("platform=mall-2", {"N-2"}),
    ("sender=hlj", {"N-2", "N-3"}),
    ("status=removed", {"N-1"}),
    ("status=open", {"N-2", "N-3"}),
    ("settled=false", {"N-2", "N-3"}),
    ("settled=true", {"N-1"}),
    ("overdue=true", {"N-3"}),
    ("overdue=false", {"N-1", "N-2"}),
    ("platform=mall&overdue=false", {"N-1"}),
    ("platform=nobody", set()),
], ids=lambda value: value if isinstance(value, str) else None)
def test_filters(loop: Notices, query: str, expected: set[str]) -> None:
    assert set(loop.items(f"/v1/notices?{query}")) == expected


def test_pages_follow_the_ids(loop: Notices) -> None:
    first = loop.get("/v1/notices?limit=2").get_json()
    assert [n["notice"] for n in first["items"]] == ["N-1", "N-2"] and first["next"] == "N-2"
    rest = loop.get(f"/v1/notices?limit=2&after={first['next']}").get_json()
    assert [n["notice"] for n in rest["items"]] == ["N-3"] and rest["next"] is None


@pytest.mark.parametrize(("url", "status", "code", "field"), [
    ("/v1/notices/N-9", 404, "not-found", None),
    ("/v1/notices?status=gone", 422, "bad-argument", "status"),
    ("/v1/notices?overdue=maybe", 422, "bad-argument", "overdue"),
    ("/v1/notices?platform=a%20b", 422, "bad-argument", "platform"),
    ("/v1/notices?limit=0", 422, "bad-argument", "limit"),
], ids=["unknown-notice", "bad-status", "bad-overdue", "bad-platform", "bad-limit"])
def test_bad_reads_are_problems(loop: Notices, url: str, status: int, code: str,
                                field: str | None) -> None:
    assert_problem(loop.get(url), status, code, field=field)


def test_per_platform_counts_and_median_response(loop: Notices) -> None:
    resp = loop.get("/v1/platform-notices")
    assert resp.status_code == 200
    assert resp.get_json()["items"] == [
        {"platform": "mall", "notices": 2, "open": 1, "overdue": 1, "responded": 1,
         "median_response_seconds": 60},
        {"platform": "mall-2", "notices": 1, "open": 1, "overdue": 0, "responded": 0,
         "median_response_seconds": None}]


def test_an_answer_to_a_token_is_private(loop: Notices) -> None:
    assert loop.get("/v1/notices/N-1", "mall").headers["Cache-Control"] == "private, no-store"
