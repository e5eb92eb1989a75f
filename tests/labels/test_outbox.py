"""The webhook outbox on SQLite and PostgreSQL: events reach whom they concern, signed
(verified by tests/labels/webhook_receiver.py's own RFC 9421 verifier), retried while the
receiver is down, sent again after a sender died mid-delivery with the same idempotency key,
and never claimed by two senders at once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gi_trace.labels import outbox
from gi_trace.labels.http_signatures import TAG, WebhookSigner
from gi_trace.labels.outbox_tables import webhook_deliveries
from gi_trace.labels.reports import NewReport, submit
from gi_trace.labels.webhook_delivery import DeliveryWorker, WorkerSettings, now_ms
from gi_trace.ledger import keys
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from tests.domain.protection import LISTING_URL, Protection
from tests.domain.world import GTINS, PADDY, World, recall
from tests.labels.webhook_receiver import Receiver, free_port, serving, verify
from tests.support import Actor

ROOT = Path(__file__).resolve().parents[2]
_d = webhook_deliveries.c


def worker_settings(*, lease_ms: int = 5000, max_attempts: int = 10,
                    private_targets: bool = True) -> WorkerSettings:
    """Fast retries: 20 ms doubling to 100 ms."""
    return WorkerSettings(base_url="https://gi.example",
                          retry=outbox.Retry(base_ms=20, max_ms=100, max_attempts=max_attempts,
                                             max_age_ms=60_000),
                          poll_seconds=0.05, lease_ms=lease_ms, timeout_seconds=5,
                          private_targets=private_targets)  # the receivers are on 127.0.0.1


def new_worker(service: Service, **kwargs: Any) -> DeliveryWorker:
    signer = WebhookSigner(keys.load_private_key(service.settings.operator_key))
    return DeliveryWorker(service.engine, signer, worker_settings(**kwargs))


def operator_key(service: Service) -> bytes:
    return keys.public_bytes(keys.load_private_key(service.settings.operator_key))


@pytest.fixture
def loop(any_service: Service, regulator: Actor) -> Protection:
    made = Protection(World(regulator=regulator))
    any_service.log.append([*made.world.setup(), *made.setup()])
    return made


@pytest.fixture
def receiver() -> Receiver:
    return Receiver(free_port())


def hook(by: Actor, url: str, events: list[str], webhook: str | None = None) -> Envelope:
    return by.sign("webhook.register", {"webhook": webhook or f"H-{by.org}", "url": url,
                                        "events": events})


def deliveries(service: Service) -> list[Any]:
    with service.engine.connect() as conn:
        return list(conn.execute(select(webhook_deliveries).order_by(_d.id)))


def until(done: Callable[[], bool], worker: DeliveryWorker, seconds: float = 10) -> None:
    """Run the worker until `done`, as its thread would (no fixed sleeps)."""
    deadline = time.monotonic() + seconds
    worker.run_once()
    while not done():
        assert time.monotonic() < deadline, "not delivered in time"
        time.sleep(0.01)
        worker.run_once()


def notice_to_mall(p: Protection) -> Envelope:
    return p.notice(listing=None, url=LISTING_URL)


def test_a_notice_reaches_the_platform_signed(any_service: Service, loop: Protection,
                                              receiver: Receiver) -> None:
    any_service.log.append([hook(loop.mall, receiver.url, ["notice"])])
    [record] = any_service.log.append([notice_to_mall(loop)])
    with serving(receiver):
        worker = new_worker(any_service)
        until(lambda: len(receiver.received) == 1, worker)
    [got] = receiver.received
    params = verify(got, receiver.url, operator_key(any_service))
    assert params["tag"] == TAG and params["alg"] == "ed25519"
    assert params["keyid"] == keys.key_id(operator_key(any_service))
    assert abs(int(params["created"]) - time.time()) < 60
    payload = json.loads(got.body)
    assert payload == {"event": "notice", "id": f"log-{record.seq}", "seq": record.seq,
                       "type": "notice.send", "actor": "assoc", "ts": payload["ts"],
                       "entry": f"https://gi.example/v1/log/entries?start={record.seq}&end={record.seq + 1}",
                       "notice": "N-1", "platform": "mall", "reason": "seller-not-approved",
                       "deadline": payload["deadline"]}  # no evidence: it is confidential
    assert got.headers["idempotency-key"] == f'"log-{record.seq}:H-mall"'
    [row] = deliveries(any_service)
    assert (row.status, row.attempts, row.last_code) == ("delivered", 1, 204)


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda r: r.__class__(r.method, r.path, r.headers, r.body + b" "), id="body"),
    pytest.param(lambda r: r.__class__(r.method, r.path, {**r.headers, "idempotency-key": '"x"'},
                                       r.body), id="idempotency-key"),
    pytest.param(lambda r: r.__class__("PUT", r.path, r.headers, r.body), id="method"),
])
def test_an_altered_delivery_does_not_verify(service: Service, regulator: Actor,
                                             receiver: Receiver, tamper: Callable[[Any], Any]) -> None:
    p = Protection(World(regulator=regulator))
    service.log.append([*p.world.setup(), *p.setup(), hook(p.mall, receiver.url, ["notice"])])
    service.log.append([notice_to_mall(p)])
    with serving(receiver):
        until(lambda: len(receiver.received) == 1, new_worker(service))
    verify(receiver.received[0], receiver.url, operator_key(service))
    with pytest.raises(Exception, match="does not"):
        verify(tamper(receiver.received[0]), receiver.url, operator_key(service))


def test_a_webhook_into_the_operators_network_is_never_called(service: Service, regulator: Actor,
                                                                receiver: Receiver) -> None:
    p = Protection(World(regulator=regulator))
    service.log.append([*p.world.setup(), *p.setup(), hook(p.mall, receiver.url, ["notice"])])
    service.log.append([notice_to_mall(p)])
    with serving(receiver):
        new_worker(service, private_targets=False).run_once()
    assert receiver.received == []
    [row] = deliveries(service)
    assert row.status == "pending" and "not a public address" in row.last_error


def test_a_receiver_down_at_first_gets_it_later(any_service: Service, loop: Protection,
                                                receiver: Receiver) -> None:
    any_service.log.append([hook(loop.mall, receiver.url, ["notice"]), notice_to_mall(loop)])
    worker = new_worker(any_service)
    worker.run_once()  # nobody listens yet
    [row] = deliveries(any_service)
    assert (row.status, row.attempts, row.last_code) == ("pending", 1, None)
    assert "Connection" in row.last_error and row.next_ms > row.created_ms
    receiver.answers = [503]  # up, but not well yet
    with serving(receiver):
        until(lambda: deliveries(any_service)[0].status == "delivered", worker)
    [row] = deliveries(any_service)
    assert row.attempts == 3 and row.last_code == 204
    assert len(receiver.received) == 2 and len(set(receiver.keys_seen())) == 1


def test_a_delivery_fails_after_its_attempts(service: Service, regulator: Actor,
                                             receiver: Receiver) -> None:
    p = Protection(World(regulator=regulator))
    service.log.append([*p.world.setup(), *p.setup(), hook(p.mall, receiver.url, ["notice"]),
                        notice_to_mall(p)])
    worker = new_worker(service, max_attempts=3)
    until(lambda: deliveries(service)[0].status == "failed", worker)
    assert deliveries(service)[0].attempts == 3


def test_a_sender_that_dies_mid_delivery_is_replaced(any_service: Service, loop: Protection,
                                                     receiver: Receiver) -> None:
    """The first sender is killed while the receiver holds its request: the delivery's lease
    lapses, a new sender on the same database sends it again with the same idempotency key,
    and the receiver, dropping the duplicate by that key, has it exactly once."""
    any_service.log.append([hook(loop.mall, receiver.url, ["notice"]), notice_to_mall(loop)])
    new_worker(any_service).run_once()  # dispatch only: nobody listens, attempt 1 fails
    with any_service.engine.begin() as conn:  # due now
        conn.execute(webhook_deliveries.update().values(next_ms=0))
    receiver.hold = threading.Event()
    with serving(receiver):
        first = subprocess.Popen(
            [sys.executable, "-m", "tests.labels.webhook_worker_process",
             any_service.engine.url.render_as_string(hide_password=False),
             any_service.settings.operator_key], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            assert receiver.arrived.wait(30), "the first sender never sent"
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        receiver.hold.set()
        assert deliveries(any_service)[0].status == "sending"
        until(lambda: deliveries(any_service)[0].status == "delivered", new_worker(any_service))
    keys_seen = receiver.keys_seen()
    assert len(keys_seen) == 2 and len(set(keys_seen)) == 1  # a duplicate, recognisable
    assert deliveries(any_service)[0].attempts == 3


def test_two_senders_never_claim_one_delivery(any_service: Service, loop: Protection) -> None:
    any_service.log.append([hook(loop.mall, "http://127.0.0.1:9/x", ["notice"]),
                            notice_to_mall(loop)])
    assert outbox.dispatch(any_service.engine, "https://gi.example", now_ms()) == 1
    assert outbox.dispatch(any_service.engine, "https://gi.example", now_ms()) == 0
    now = now_ms()
    [mine] = outbox.claim(any_service.engine, now, 1000, 10)
    assert outbox.claim(any_service.engine, now, 1000, 10) == []
    [again] = outbox.claim(any_service.engine, now + 1000, 1000, 10)  # the lease lapsed
    assert (mine.id, mine.attempt, again.attempt) == (again.id, 1, 2)
    retry = outbox.Retry(base_ms=20, max_ms=100, max_attempts=5, max_age_ms=60_000)
    rng = random.Random(1)
    # the first claimer's late answer changes nothing: its claim was taken over
    outbox.finish(any_service.engine, mine, now + 1500, code=204, error=None, retry=retry, rng=rng)
    assert deliveries(any_service)[0].status == "sending"
    outbox.finish(any_service.engine, again, now + 1500, code=204, error=None, retry=retry, rng=rng)
    assert deliveries(any_service)[0].status == "delivered"


def test_webhook_registered_after_an_event_does_not_get_it(service: Service, regulator: Actor) -> None:
    p = Protection(World(regulator=regulator))
    service.log.append([*p.world.setup(), *p.setup(), notice_to_mall(p),
                        hook(p.mall, "http://127.0.0.1:9/x", ["notice"])])
    assert outbox.dispatch(service.engine, "https://gi.example", now_ms()) == 0


def _report(service: Service) -> None:
    submit(service.engine, NewReport(where_bought="a shop online", details="my phone 138…",
                                     gtin=GTINS[PADDY][0], lot="LA-1"),
           "client", limit=5, now=int(time.time()))


ROUTES: list[Any] = [  # (subscriber, events, what happens, kind, fields of the payload)
    pytest.param("mall", ["notice"], lambda p, s: s.log.append([notice_to_mall(p)]), "notice",
                 {"type": "notice.send", "notice": "N-1"}, id="notice-to-platform"),
    pytest.param("assoc", ["notice"], lambda p, s: s.log.append([notice_to_mall(p),
                                                                 p.answer("removed")]),
                 "notice", {"type": "notice.answer", "status": "removed"}, id="answer-to-sender"),
    pytest.param("hlj", ["case"], lambda p, s: s.log.append([p.open(), p.transfer()]), "case",
                 {"type": "case.transfer", "from": "cnipa", "to": "hlj"}, id="transfer-to-region"),
    pytest.param("cnipa", ["case"], lambda p, s: s.log.append([p.open(), p.transfer(), p.accept()]),
                 "case", {"type": "case.accept", "by": "hlj"}, id="accept-to-sender"),
    pytest.param("coop-a", ["recall"], lambda p, s: s.log.append([recall(p.world.regulator, "A-1")]),
                 "recall", {"batch": "A-1", "held": ["A-1"]}, id="recall-to-holder"),
    pytest.param("coop-a", ["report"], lambda p, s: _report(s), "report",
                 {"batch": "A-1", "lot": "LA-1"}, id="report-to-producer"),
]


@pytest.mark.parametrize(("org", "events", "act", "kind", "fields"), ROUTES)
def test_events_reach_whom_they_concern(service: Service, regulator: Actor, org: str,
                                        events: list[str], act: Callable[[Protection, Service], Any],
                                        kind: str, fields: dict[str, Any]) -> None:
    p = Protection(World(regulator=regulator))
    subscriber = {**p.world.actors, "mall": p.mall, "assoc": p.assoc, "hlj": p.hlj}[org]
    others = [a for a in (p.mall, p.assoc, p.hlj, p.world.coop_b) if a.org != org]
    service.log.append([*p.world.setup(), *p.setup(), hook(subscriber, "http://127.0.0.1:9/x", events),
                        *(hook(a, "http://127.0.0.1:9/y", ["recall", "notice", "case", "report"])
                          for a in others)])
    act(p, service)
    outbox.dispatch(service.engine, "https://gi.example", now_ms())
    [row] = [r for r in deliveries(service) if r.webhook == f"H-{org}"]
    payload = json.loads(row.payload)
    assert row.kind == kind and payload["event"] == kind
    assert {k: payload[k] for k in fields} == fields
    assert "details" not in payload and "where_bought" not in payload
    assert [r for r in deliveries(service) if r.webhook == "H-coop-b"] == []  # never concerned


def test_backoff_doubles_with_jitter_up_to_its_cap() -> None:
    retry = outbox.Retry(base_ms=1000, max_ms=8000, max_attempts=10, max_age_ms=10**9)
    rng = random.Random(7)
    for attempt, (low, high) in enumerate([(500, 1000), (1000, 2000), (2000, 4000), (4000, 8000),
                                           (4000, 8000)], start=1):
        delays = {retry.delay_ms(attempt, rng) for _ in range(50)}
        assert low <= min(delays) and max(delays) <= high and len(delays) > 1
