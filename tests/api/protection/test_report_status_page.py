"""The reporter's status page over HTTP (SQLite): the code typed in a form shows the status,
a rewarded report's page offers the claim, a claim shows claimed; wrong, malformed and
repeated codes get the page with the reason, never a 500, and the code is never in a URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from gi_trace.service import Service
from tests.api.helpers import serving
from tests.domain.protection import Protection
from tests.domain.world import World
from tests.support import Actor


@pytest.fixture
def sent(service: Service, regulator: Actor) -> Iterator[tuple[FlaskClient, Protection, dict[str, str]]]:
    p = Protection(World(regulator=regulator))
    service.log.append([*p.world.setup(), *p.setup()])
    with serving(service.settings) as app:
        client = app.test_client()
        answer = client.post("/v1/reports", json={"where_bought": "an online shop"}).get_json()
        yield client, p, answer


def page(client: FlaskClient, url: str, **form: str) -> tuple[int, str]:
    resp = client.post(url, data=form, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert resp.headers["Cache-Control"] == "no-store"
    return resp.status_code, resp.get_data(as_text=True)


def test_the_form_asks_for_the_code_without_a_script(sent: tuple[FlaskClient, Protection,
                                                                  dict[str, str]]) -> None:
    client, _, _ = sent
    text = client.get("/reports/status?lang=en").get_data(as_text=True)
    assert 'method="post"' in text and 'name="code"' in text and "<script" not in text


def test_the_code_shows_the_status_then_the_claim(service: Service, sent: tuple[
        FlaskClient, Protection, dict[str, str]]) -> None:
    client, p, answer = sent
    status, text = page(client, "/reports/status", code=answer["receipt"].lower())
    assert status == 200 and 'data-state="received"' in text and "receipt-claim" not in text
    service.log.append([p.open(reports=[answer["id"]]), p.transfer(), p.accept(), p.close(),
                        p.reward(report=answer["id"])])
    status, text = page(client, "/reports/status", code=answer["receipt"])
    assert 'data-state="rewarded"' in text and "500 yuan (case C-1)" in text
    assert 'id="receipt-claim"' in text
    status, text = page(client, "/reports/status/claim", code=answer["receipt"],
                        payout_ref="alipay:reporter@example.com")
    assert status == 200 and 'data-state="claimed"' in text
    assert "alipay:reporter@example.com" not in text
    status, text = page(client, "/reports/status/claim", code=answer["receipt"], payout_ref="x")
    assert status == 409 and "already claimed" in text


@pytest.mark.parametrize(("form", "status", "says"), [
    ({"code": "B" * 32}, 404, "No report has this receipt code."),
    ({"code": "not a code"}, 422, "not a receipt code"),
    ({}, 422, "the receipt code is required"),
], ids=["unknown", "malformed", "missing"])
def test_what_the_page_says_of_a_bad_code(sent: tuple[FlaskClient, Protection, dict[str, str]],
                                          form: dict[str, str], status: int, says: str) -> None:
    got, text = page(sent[0], "/reports/status", **form)
    assert (got, says in text) == (status, True)


def test_the_page_counts_wrong_codes_too(sent: tuple[FlaskClient, Protection,
                                                     dict[str, str]]) -> None:
    client, _, answer = sent
    for _ in range(10):  # GI_TRACE_RECEIPT_MAX_MISSES_PER_HOUR's default
        assert page(client, "/reports/status", code="C" * 32)[0] == 404
    status, text = page(client, "/reports/status", code=answer["receipt"])
    assert status == 429 and "try again in an hour" in text
