"""GET /v1/webhooks…: a subscriber reads its own webhooks and their delivery log; the signing
key is public; and the app's own worker delivers what an append concerns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gi_trace.api.protection.webhooks import WORKER, new_worker
from gi_trace.ledger import keys
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.service import Service
from gi_trace.settings import Settings
from tests.api.helpers import assert_problem, post_statements, serving
from tests.api.reads.world import obtain_token
from tests.domain.protection import LISTING_URL, Protection
from tests.domain.world import World
from tests.labels.test_outbox import hook
from tests.labels.webhook_receiver import Receiver, free_port, verify
from tests.labels.webhook_receiver import serving as receiving
from tests.support import Actor


@pytest.fixture
def loop(service: Service, regulator: Actor) -> Protection:
    made = Protection(World(regulator=regulator))
    service.log.append([*made.world.setup(), *made.setup()])
    return made


@pytest.fixture
def receiver() -> Receiver:
    return Receiver(free_port())


@pytest.fixture
def quiet_app(settings: Settings, service: Service) -> Iterator[Flask]:
    """The API without its delivery worker: the tests run the worker themselves."""
    with serving(replace(settings, webhook_worker=0)) as app:
        yield app


def get(client: FlaskClient, url: str, actor: Actor | None) -> Any:
    headers = {} if actor is None else {"Authorization": f"Bearer {obtain_token(client, actor)}"}
    return client.get(url, headers=headers)


def test_a_subscriber_reads_its_own_webhooks(quiet_app: Flask, service: Service, loop: Protection,
                                             receiver: Receiver) -> None:
    service.log.append([hook(loop.mall, receiver.url, ["notice", "case"]),
                        hook(loop.assoc, "https://assoc.example/hook", ["notice"])])
    resp = get(quiet_app.test_client(), "/v1/webhooks", loop.mall)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "private, no-store"
    [item] = resp.get_json()["items"]
    assert item == {"webhook": "H-mall", "url": receiver.url, "events": ["case", "notice"],
                    "seq": item["seq"], "removed_seq": None}


def test_the_delivery_log_shows_attempts_and_the_next_retry(quiet_app: Flask, service: Service,
                                                            loop: Protection,
                                                            receiver: Receiver) -> None:
    service.log.append([hook(loop.mall, receiver.url, ["notice"]),
                        loop.notice(listing=None, url=LISTING_URL)])
    worker = new_worker(replace(service, settings=replace(service.settings, webhook_private_targets=1)))
    worker.run_once()  # the receiver is down
    client = quiet_app.test_client()
    [pending] = get(client, "/v1/webhooks/H-mall/deliveries", loop.mall).get_json()["items"]
    assert pending["status"] == "pending" and pending["next_attempt"] > pending["created"]
    [attempt] = pending["attempts"]
    assert attempt["attempt"] == 1 and attempt["code"] is None and "Connection" in attempt["error"]
    with receiving(receiver):
        with service.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE gi_webhook_deliveries SET next_ms = 0")
        worker.run_once()
    page = get(client, "/v1/webhooks/H-mall/deliveries?limit=1", loop.mall).get_json()
    [done] = page["items"]
    assert page["next"] is None
    assert (done["status"], done["last_code"], done["next_attempt"]) == ("delivered", 204, None)
    assert [a["code"] for a in done["attempts"]] == [None, 204]


@pytest.mark.parametrize(("who", "webhook", "status", "code"), [
    pytest.param(None, "H-mall", 401, "unauthenticated", id="no-token"),
    pytest.param("assoc", "H-mall", 403, "not-yours", id="another-org"),
    pytest.param("cnipa", "H-mall", 403, "not-yours", id="a-regulator"),
    pytest.param("mall", "H-nobody", 404, "not-found", id="unknown"),
])
def test_only_the_subscriber_reads_a_delivery_log(quiet_app: Flask, service: Service,
                                                  loop: Protection, who: str | None, webhook: str,
                                                  status: int, code: str) -> None:
    service.log.append([hook(loop.mall, "https://mall.example/hook", ["notice"])])
    actors = {"assoc": loop.assoc, "cnipa": loop.world.regulator, "mall": loop.mall}
    resp = get(quiet_app.test_client(), f"/v1/webhooks/{webhook}/deliveries",
               None if who is None else actors[who])
    assert_problem(resp, status, code)


def test_the_signing_key_is_the_operators(quiet_app: Flask, service: Service) -> None:
    key = quiet_app.test_client().get("/v1/webhooks/signing-key").get_json()
    public = keys.public_bytes(keys.load_private_key(service.settings.operator_key))
    assert b64url_decode(key["public_key"]) == public and key["keyid"] == keys.key_id(public)
    assert (key["alg"], key["tag"]) == ("ed25519", "gi-trace-webhook")


def test_the_apps_worker_delivers_after_an_append(settings: Settings, service: Service,
                                                  loop: Protection, receiver: Receiver) -> None:
    service.log.append([hook(loop.mall, receiver.url, ["notice"])])
    with receiving(receiver), serving(replace(settings, webhook_worker=1, webhook_poll_ms=60_000,
                                                             webhook_private_targets=1)) as app:
        notice = loop.notice(listing=None, url=LISTING_URL)
        assert post_statements(app.test_client(), notice.to_dict()).status_code == 201
        assert receiver.arrived.wait(10), "the append did not wake the worker"
        worker = app.extensions[WORKER]
    public = keys.public_bytes(keys.load_private_key(service.settings.operator_key))
    verify(receiver.received[0], receiver.url, public)
    assert json.loads(receiver.received[0].body)["notice"] == "N-1"
    assert not worker.running  # stopped with the app's engine
