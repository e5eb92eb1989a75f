"""Cases across regions read back, on SQLite and PostgreSQL: who reads which case, what a
regulator's list holds (its region's cases, transfers in and out), one case's history and
transfers with their confidential reasons, and the typical cases the public reads (JSON and
the /cases/ page) — never a working summary, a source or a reason.

Decision (issue 12): regulators read every case by id, summary and reasons included (a
regulator reads every disclosure); a regulator's list holds only the cases its region
touched; platforms, associations and the public read typical cases only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from gi_trace.service import Service
from tests.api.helpers import assert_problem, serving
from tests.api.reads.world import obtain_token
from tests.domain.protection import Protection
from tests.domain.world import World, org_register
from tests.support import Actor

WORKING_SUMMARY = "fake bags sold online"  # tests/domain/protection.py's case.open
TRANSFER_REASON = "the seller is in Heilongjiang"
RETURN_REASON = "not ours"
PUBLIC_SUMMARY = "A shop sold fake Wuchang rice; the listing was taken down."


@dataclass
class Cases:
    """cnipa (Beijing) opened C-1, transferred it to hlj (Heilongjiang), who returned it once,
    then accepted a second transfer and closed it published; cnipa holds C-2, transferring to
    hlj; hlj closed C-3 unpublished. zj, Zhejiang's regulator, touched none."""

    client: FlaskClient
    loop: Protection
    zj: Actor
    tokens: dict[str, str]

    def get(self, url: str, who: str | None = None) -> tuple[int, object]:
        headers = {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}
        resp = self.client.get(url, headers=headers)
        return resp.status_code, resp.get_json(silent=True)


@pytest.fixture
def cases(any_service: Service, regulator: Actor) -> Iterator[Cases]:
    p = Protection(World(regulator=regulator))
    zj = Actor("zj")
    any_service.log.append([*p.world.setup(), *p.setup(),
                            org_register(regulator, zj, ["regulator"], region="330106")])
    any_service.log.append([p.open(), p.transfer(), p.return_(), p.transfer(), p.accept(),
                            p.close(publish=True),
                            p.open("C-2"), p.transfer("C-2"),
                            p.open("C-3", by=p.hlj), p.close("C-3", outcome="unfounded")])
    with serving(any_service.settings) as app:
        client = app.test_client()
        tokens = {a.org: obtain_token(client, a)
                  for a in (regulator, p.hlj, p.hlj_2, zj, p.mall, p.assoc)}
        yield Cases(client, p, zj, tokens)


@pytest.mark.parametrize(("url", "who", "status", "code", "field"), [
    ("/v1/cases", None, 401, "unauthenticated", None),
    ("/v1/cases", "mall", 403, "not-a-regulator", None),
    ("/v1/cases", "assoc", 403, "not-a-regulator", None),
    ("/v1/cases/C-1", None, 401, "unauthenticated", None),
    ("/v1/cases/C-1", "mall", 403, "not-a-regulator", None),
    ("/v1/cases/no-such-case", "hlj", 404, "not-found", None),
    ("/v1/cases?status=pending", "hlj", 422, "bad-argument", "status"),
], ids=["list-anonymous", "list-platform", "list-association", "case-anonymous",
        "case-platform", "unknown-case", "unknown-status"])
def test_who_may_not_read_cases(cases: Cases, url: str, who: str | None, status: int,
                                code: str, field: str | None) -> None:
    headers = {} if who is None else {"Authorization": f"Bearer {cases.tokens[who]}"}
    assert_problem(cases.client.get(url, headers=headers), status, code, field=field)


@pytest.mark.parametrize(("who", "listed"), [
    ("cnipa", {"C-1": None, "C-2": "out"}),
    ("hlj", {"C-1": None, "C-2": "in", "C-3": None}),
    ("hlj-2", {"C-1": None, "C-2": "in", "C-3": None}),  # hlj's region
    ("zj", {}),
], ids=["beijing", "heilongjiang", "same-region", "third-region"])
def test_a_regulator_lists_its_regions_cases(cases: Cases, who: str,
                                             listed: dict[str, str | None]) -> None:
    status, page = cases.get("/v1/cases", who)
    assert status == 200
    assert {c["case"]: c["direction"] for c in page["items"]} == listed  # type: ignore[index]


def test_the_list_filters_by_status_and_pages(cases: Cases) -> None:
    _, closed = cases.get("/v1/cases?status=closed", "hlj")
    assert [c["case"] for c in closed["items"]] == ["C-1", "C-3"]  # type: ignore[index]
    _, first = cases.get("/v1/cases?limit=2", "hlj")
    _, rest = cases.get(f"/v1/cases?limit=2&after={first['next']}", "hlj")  # type: ignore[index]
    assert [c["case"] for c in first["items"] + rest["items"]] == ["C-1", "C-2", "C-3"]  # type: ignore[index]
    assert rest["next"] is None  # type: ignore[index]


@pytest.mark.parametrize("who", ["cnipa", "hlj", "zj"], ids=["opener", "holder", "third-region"])
def test_a_regulator_reads_a_case_with_its_history(cases: Cases, who: str) -> None:
    status, case = cases.get("/v1/cases/C-1", who)
    assert status == 200
    assert case == {**case, "status": "closed", "outcome": "confirmed", "holder": "hlj",  # type: ignore[dict-item]
                    "opened_by": "cnipa", "pending_to": None, "published": True,
                    "summary": WORKING_SUMMARY, "public_summary": PUBLIC_SUMMARY,
                    "sources": {"reports": ["R-1"]}}
    steps = [(s["type"], s["actor"], s["to"], s["reason"]) for s in case["history"]]  # type: ignore[index]
    assert steps == [("case.open", "cnipa", None, None),
                     ("case.transfer", "cnipa", "hlj", TRANSFER_REASON),
                     ("case.return", "hlj", "cnipa", RETURN_REASON),
                     ("case.transfer", "cnipa", "hlj", TRANSFER_REASON),
                     ("case.accept", "hlj", None, None),
                     ("case.close", "hlj", None, None)]
    transfers = [(t["from"], t["to"], t["answer"]) for t in case["transfers"]]  # type: ignore[index]
    assert transfers == [("cnipa", "hlj", "returned"), ("cnipa", "hlj", "accepted")]


def test_a_pending_transfer_is_pending(cases: Cases) -> None:
    _, case = cases.get("/v1/cases/C-2", "hlj")
    assert (case["status"], case["holder"], case["pending_to"]) == ("transferring", "cnipa", "hlj")  # type: ignore[index]
    assert [(t["answer"], t["answered_ts"]) for t in case["transfers"]] == [("pending", None)]  # type: ignore[index]


def test_the_public_reads_typical_cases_only(cases: Cases) -> None:
    resp = cases.client.get("/v1/typical-cases")
    assert resp.status_code == 200
    (typical,) = resp.get_json()["items"]
    assert set(typical) == {"case", "product", "outcome", "summary", "opened_ts", "closed_ts",
                            "regions", "regulators"}
    assert (typical["case"], typical["outcome"], typical["summary"]) == (
        "C-1", "confirmed", PUBLIC_SUMMARY)
    assert typical["regions"] == ["230100"]  # hlj's; this world's genesis gives cnipa no region
    assert typical["regulators"] == ["cnipa", "hlj"]
    body = resp.get_data(as_text=True)
    assert WORKING_SUMMARY not in body and TRANSFER_REASON not in body and "R-1" not in body


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["Typical cases", "Confirmed", "Handled by"]),
    ("zh", ["典型案例", "查实", "办案部门"]),
], ids=["en", "zh"])
def test_the_typical_cases_page(cases: Cases, lang: str, words: list[str]) -> None:
    resp = cases.client.get(f"/cases/?lang={lang}")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert "script-src" in resp.headers["Content-Security-Policy"]
    page = resp.get_data(as_text=True)
    assert all(word in page for word in words)
    assert 'data-case="C-1"' in page and PUBLIC_SUMMARY in page
    assert 'data-case="C-3"' not in page and WORKING_SUMMARY not in page
    assert TRANSFER_REASON not in page
