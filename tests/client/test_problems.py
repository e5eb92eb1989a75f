"""Refusals come back as ProblemError with the server's status, code, field, detail and index;
failures to talk to the server as TransportError; a statement that cannot be built as
StatementError, before anything is sent."""

from __future__ import annotations

import email.message
import io
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from gi_trace.client import (
    Client,
    ClientError,
    ProblemError,
    Receipt,
    StatementError,
    TransportError,
)
from gi_trace.ledger import keys
from tests.client.shared import Shared
from tests.domain.world import PADDY

Call = Callable[[Shared], Receipt]

REFUSALS: list[tuple[str, Call, int, str, str]] = [
    ("quota-exceeded-by-a-tenth", lambda s: s.connect(s.world.coop_b).register_batch(
        "B-9", PADDY, "LB-9", "300.6", "2026-10-01"), 409, "quota-exceeded", "body.quantity"),
    ("not-approved", lambda s: s.connect(s.world.coop_c).register_batch(
        "C-1", PADDY, "LC-1", "1", "2026-10-01"), 409, "not-approved", "statement.actor"),
    ("wrong-role", lambda s: s.connect(s.world.coop_a).approve_producer(
        PADDY, "coop-a", 2026, "99999"), 403, "not-authorized", "statement.actor"),
    ("malformed-body", lambda s: s.connect(s.world.coop_a).register_batch(
        "A-9", PADDY, "L" * 21, "1", "2026-10-01"), 422, "invalid-body", "body.lot"),
    ("ships-more-than-held", lambda s: s.connect(s.world.coop_a).ship(
        "S-9", "mill", {"A-1": "300.000001"}), 409, "insufficient-holding", "body.items[0].quantity"),
    ("receives-an-unknown-shipment", lambda s: s.connect(s.world.mill).receive("S-404"),
     409, "unknown-shipment", "body.shipment"),
]


@pytest.mark.parametrize(("call", "status", "code", "field"), [case[1:] for case in REFUSALS],
                         ids=[case[0] for case in REFUSALS])
def test_a_refusal_is_a_problem_error_and_writes_nothing(shared: Shared, call: Call, status: int,
                                                         code: str, field: str) -> None:
    size = shared.service.log.size()
    with pytest.raises(ProblemError) as caught:
        call(shared)
    error = caught.value
    assert (error.status, error.code, error.field, error.index) == (status, code, field, None)
    assert error.detail and error.problem["status"] == status
    assert str(error).startswith(f"HTTP {status} {code} [{field}]: ")
    assert shared.service.log.size() == size


def test_a_group_is_refused_whole_and_names_the_statement_at_fault(shared: Shared) -> None:
    size = shared.service.log.size()
    client = shared.connect(shared.world.coop_a)
    with pytest.raises(ProblemError) as caught:
        client.submit_many([
            ("batch.register", {"batch": "A-7", "product": PADDY, "lot": "LA-7", "quantity": "5",
                                "harvested": "2026-10-01"}),
            ("shipment.send", {"shipment": "S-7", "to": "mill",
                               "items": [{"batch": "A-7", "quantity": "6"}]}),
        ])
    assert (caught.value.code, caught.value.index) == ("insufficient-holding", 1)
    assert "(item 1)" in str(caught.value)
    assert shared.service.log.size() == size


def test_sending_the_same_signed_statement_twice_is_a_replay(shared: Shared) -> None:
    client = shared.connect(shared.world.coop_a)
    envelope = client.sign("key.add", {"org": "coop-a", "pub": keys.public_key_b64(keys.generate())})
    client.append([envelope])
    with pytest.raises(ProblemError) as caught:
        client.append([envelope])
    assert (caught.value.status, caught.value.code) == (409, "replayed-nonce")


def test_a_read_of_a_missing_resource_is_a_problem(shared: Shared) -> None:
    with pytest.raises(ProblemError) as caught:
        shared.connect(shared.world.coop_a).get("/v1/no-such-thing", auth=False)
    assert caught.value.status == 404


def test_an_unreachable_server_is_a_transport_error() -> None:
    client = Client("http://127.0.0.1:9", "coop-a", keys.generate(), timeout=2)
    with pytest.raises(TransportError, match="cannot reach") as caught:
        client.add_key(keys.generate())
    assert caught.value.code == "unreachable" and isinstance(caught.value, ClientError)


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(TransportError, match="not an http"):
        Client("ftp://example.org", "coop-a", keys.generate())


def test_a_statement_that_cannot_be_built_is_refused_before_sending(shared: Shared) -> None:
    client = Client(shared.url, "not an id!", keys.generate(), log_key=shared.log_key)
    size = shared.service.log.size()
    with pytest.raises(StatementError) as caught:
        client.add_key(keys.generate())
    assert caught.value.field == "statement.actor"
    assert shared.service.log.size() == size


def test_a_float_quantity_is_refused(shared: Shared) -> None:
    with pytest.raises(TypeError, match="not float"):
        shared.connect(shared.world.coop_a).register_batch("A-8", PADDY, "LA-8", 1.5,  # type: ignore[arg-type]
                                                           "2026-10-01")


def busy(url: str) -> urllib.error.HTTPError:
    headers = email.message.Message()
    headers["Retry-After"] = "0"
    body = json.dumps({"status": 503, "code": "busy", "detail": "the log is busy"}).encode()
    return urllib.error.HTTPError(url, 503, "Service Unavailable", headers, io.BytesIO(body))


def answer_busy(monkeypatch: pytest.MonkeyPatch, times: int) -> list[str]:
    """The first `times` POSTs meet a busy writer lock (503, Retry-After: 0)."""
    real = urllib.request.urlopen
    posts: list[str] = []

    def urlopen(request: urllib.request.Request, **kwargs: Any) -> Any:
        if request.get_method() == "POST":
            posts.append(request.full_url)
            if len(posts) <= times:
                raise busy(request.full_url)
        return real(request, **kwargs)
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)  # what gi_trace.client.http calls
    return posts


def test_a_busy_log_is_retried_after_retry_after(shared: Shared,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    posts = answer_busy(monkeypatch, 2)
    receipt = shared.connect(shared.world.coop_a).add_key(keys.generate())
    assert len(posts) == 3 and receipt.seq == shared.service.log.size() - 1


def test_a_log_that_stays_busy_is_reported(shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    answer_busy(monkeypatch, 10)
    with pytest.raises(ProblemError) as caught:
        shared.connect(shared.world.coop_a).add_key(keys.generate())
    assert (caught.value.status, caught.value.code) == (503, "busy")
