"""Reporter receipts and rewards over HTTP, on SQLite and PostgreSQL: a report's receipt code
(never stored in clear), the status it shows as the report goes into a case, is rewarded and
claimed, a claim accepted once, wrong codes limited per client, and who lists rewards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from gi_trace.labels.tables import reports
from gi_trace.service import Service
from tests.api.helpers import assert_problem, serving
from tests.api.reads.world import obtain_token
from tests.domain.protection import Protection
from tests.domain.world import World
from tests.support import Actor

MISSES = 3  # GI_TRACE_RECEIPT_MAX_MISSES_PER_HOUR in these tests
ALIPAY = "reporter@example.com"


@dataclass
class Loop:
    client: FlaskClient
    service: Service
    p: Protection
    report: str  # sent by the public; its receipt code:
    code: str

    def status(self, code: str | None = None) -> TestResponse:
        return self.client.get("/v1/reports/receipt", headers={"Receipt-Code": code or self.code})

    def claim(self, code: str | None = None, payout: str = ALIPAY) -> TestResponse:
        return self.client.post("/v1/reports/receipt/claim",
                                json={"code": code or self.code, "payout_ref": payout})

    def append(self, *statements: Any) -> None:
        self.service.log.append(list(statements))

    def confirm_and_reward(self) -> None:
        """C-1 built on the report, transferred to hlj, accepted, closed confirmed; rewarded."""
        p = self.p
        self.append(p.open(reports=[self.report]), p.transfer(), p.accept(), p.close(),
                    p.reward(report=self.report))


@pytest.fixture
def loop(any_service: Service, regulator: Actor) -> Iterator[Loop]:
    p = Protection(World(regulator=regulator))
    any_service.log.append([*p.world.setup(), *p.setup()])
    with serving(replace(any_service.settings, receipt_max_misses_per_hour=MISSES)) as app:
        client = app.test_client()
        resp = client.post("/v1/reports", json={"where_bought": "an online shop"})
        assert resp.status_code == 201, resp.get_data(as_text=True)
        sent = resp.get_json()
        yield Loop(client, any_service, p, sent["id"], sent["receipt"])


def test_the_code_is_never_stored_in_clear(loop: Loop) -> None:
    with loop.service.engine.connect() as conn:
        row = conn.execute(select(reports).where(reports.c.id == loop.report)).one()
    plain = loop.code.replace("-", "")
    stored = " ".join(str(value) for value in row)
    assert loop.code not in stored and plain not in stored and plain.lower() not in stored
    assert row.receipt_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert "receipt" not in loop.client.get(  # nor shown to regulators in the queue
        f"/v1/reports/{loop.report}",
        headers={"Authorization": f"Bearer {obtain_token(loop.client, loop.p.hlj)}"}).get_json()


def test_the_status_follows_the_report_from_received_to_claimed(loop: Loop) -> None:
    got = loop.status()
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    assert got.get_json()["state"] == "received" and got.get_json()["reward"] is None
    p = loop.p
    loop.append(p.open(reports=[loop.report]))
    in_case = loop.status().get_json()
    assert in_case["state"] == "in-case"
    assert [(c["case"], c["status"], c["holder"]) for c in in_case["cases"]] == [
        ("C-1", "open", "cnipa")]
    assert "fake bags sold online" not in loop.status().get_data(as_text=True)  # working summary
    loop.append(p.transfer(), p.accept(), p.close(), p.reward(report=loop.report))
    rewarded = loop.status().get_json()
    assert rewarded["state"] == "rewarded"
    assert [(c["status"], c["outcome"], c["holder"]) for c in rewarded["cases"]] == [
        ("closed", "confirmed", "hlj")]
    assert {k: rewarded["reward"][k] for k in ("reward", "case", "amount", "claimed_at")} == {
        "reward": "W-1", "case": "C-1", "amount": "500", "claimed_at": None}
    claimed = loop.claim()
    assert claimed.status_code == 201 and claimed.get_json()["claimed_at"]
    assert loop.status().get_json()["state"] == "claimed"
    assert ALIPAY not in loop.status().get_data(as_text=True)


def test_a_reward_is_claimed_once(loop: Loop) -> None:
    loop.confirm_and_reward()
    assert loop.claim(loop.code.lower()).status_code == 201
    assert_problem(loop.claim(payout="someone-else@example.com"), 409, "already-claimed",
                   field="code")


def test_nothing_to_claim_before_a_reward(loop: Loop) -> None:
    assert_problem(loop.claim(), 409, "not-rewarded", field="code")
    loop.append(loop.p.open(reports=[loop.report]))
    assert_problem(loop.claim(), 409, "not-rewarded", field="code")


@pytest.mark.parametrize(("request_", "status", "code", "field"), [
    (lambda c: c.get("/v1/reports/receipt"), 422, "bad-argument", "Receipt-Code"),
    (lambda c: c.get("/v1/reports/receipt", headers={"Receipt-Code": "ABCD"}), 422,
     "bad-receipt-code", "code"),
    (lambda c: c.get("/v1/reports/receipt?code=" + "A" * 32), 422, "bad-argument",
     "Receipt-Code"),
    (lambda c: c.post("/v1/reports/receipt/claim", json={"payout_ref": ALIPAY}), 422,
     "bad-argument", "code"),
    (lambda c: c.post("/v1/reports/receipt/claim", json={"code": "A" * 32}), 422,
     "bad-argument", "payout_ref"),
    (lambda c: c.post("/v1/reports/receipt/claim",
                      json={"code": "A" * 32, "payout_ref": "x" * 201}), 422, "bad-argument",
     "payout_ref"),
    (lambda c: c.get("/v1/reports/receipt", headers={"Receipt-Code": "A" * 32}), 404,
     "not-found", None),
], ids=["no-header", "not-a-code", "code-in-url-ignored", "claim-without-code",
        "claim-without-payout", "payout-too-long", "unknown-code"])
def test_bad_receipt_requests(loop: Loop, request_: Any, status: int, code: str,
                              field: str | None) -> None:
    assert_problem(request_(loop.client), status, code, field=field)


def test_wrong_codes_are_limited_per_client(loop: Loop) -> None:
    for _ in range(MISSES):
        assert_problem(loop.status("B" * 32), 404, "not-found")
    problem = loop.status()  # the right code too, until the hour has passed
    assert_problem(problem, 429, "rate-limited")
    assert int(problem.headers["Retry-After"]) > 3500
    assert_problem(loop.claim(), 429, "rate-limited")
    other = loop.client.get("/v1/reports/receipt", headers={"Receipt-Code": loop.code},
                            environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 200


@pytest.mark.parametrize(("who", "status", "code"), [
    (None, 401, "unauthenticated"), ("mall", 403, "not-a-regulator"),
    ("assoc", 403, "not-a-regulator"),
], ids=["anonymous", "platform", "association"])
def test_only_regulators_list_rewards(loop: Loop, who: str | None, status: int,
                                      code: str) -> None:
    headers = {} if who is None else {
        "Authorization": f"Bearer {obtain_token(loop.client, getattr(loop.p, who))}"}
    assert_problem(loop.client.get("/v1/rewards", headers=headers), status, code)


def test_a_regulator_lists_rewards_and_claims(loop: Loop) -> None:
    loop.confirm_and_reward()
    headers = {"Authorization": f"Bearer {obtain_token(loop.client, loop.p.hlj)}"}

    def listed(query: str = "") -> list[tuple[Any, ...]]:
        page = loop.client.get(f"/v1/rewards{query}", headers=headers).get_json()
        return [(r["reward"], r["report"], r["amount"], r["regulator"], r["payout_ref"])
                for r in page["items"]]

    assert listed() == [("W-1", loop.report, "500", "hlj", None)]
    loop.claim()
    assert listed("?claimed=true") == [("W-1", loop.report, "500", "hlj", ALIPAY)]
    assert listed("?claimed=false") == []
