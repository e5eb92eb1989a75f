"""Challenge → signature → bearer token, over HTTP, and every way it must fail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from gi_trace.api.auth.protocol import sign_challenge
from gi_trace.api.auth.seal import Sealer
from gi_trace.ledger import keys
from gi_trace.ledger.encoding import b64url_decode, b64url_encode
from gi_trace.ledger.statement import format_ts
from tests.api.auth.conftest import Clock
from tests.api.helpers import assert_problem, serving
from tests.api.reads.world import World, obtain_token
from tests.support import Actor

PROTECTED = "/v1/orgs/{org}/holdings"


def challenge(client: FlaskClient, actor: Actor, key_id: str | None = None) -> str:
    resp = client.post("/v1/auth/challenge", json={"org": actor.org, "key": key_id or actor.key_id})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    value: str = resp.get_json()["challenge"]
    return value


def token_response(client: FlaskClient, challenge_: str, signature: str) -> TestResponse:
    return client.post("/v1/auth/token", json={"challenge": challenge_, "signature": signature})


def read_as(client: FlaskClient, actor: Actor, token: str) -> TestResponse:
    return client.get(PROTECTED.format(org=actor.org), headers={"Authorization": f"Bearer {token}"})


def assert_unauthorized(resp: TestResponse, code: str, *, token_sent: bool) -> None:
    assert_problem(resp, 401, code)
    header = resp.headers["WWW-Authenticate"]
    assert header.startswith('Bearer realm="gi-trace"')
    assert ('error="invalid_token"' in header) == token_sent


# -- the happy path ---------------------------------------------------------------------------
def test_challenge_token_and_an_authenticated_read(world: World, clock: Clock) -> None:
    client, producer = world.client(), world.producer
    resp = client.post("/v1/auth/challenge", json={"org": producer.org, "key": producer.key_id})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["expires"] == format_ts(datetime.fromtimestamp(clock.now.timestamp() + 300, UTC))
    resp = token_response(client, body["challenge"], sign_challenge(producer.key, body["challenge"]))
    assert resp.status_code == 200
    issued = resp.get_json()
    assert issued["org"] == producer.org
    assert issued["key"] == producer.key_id
    assert issued["expires"] == format_ts(datetime.fromtimestamp(clock.now.timestamp() + 3600, UTC))
    read = read_as(client, producer, issued["token"])
    assert read.status_code == 200
    assert read.get_json()["items"]


def test_a_token_is_good_until_just_before_it_expires(world: World, clock: Clock) -> None:
    token = obtain_token(world.client(), world.producer)
    clock.advance(minutes=59, seconds=59)
    assert read_as(world.client(), world.producer, token).status_code == 200
    clock.advance(seconds=1)
    assert_unauthorized(read_as(world.client(), world.producer, token), "token-expired",
                        token_sent=True)


def test_a_challenge_is_good_until_just_before_it_expires(world: World, clock: Clock) -> None:
    client, producer = world.client(), world.producer
    fresh = challenge(client, producer)
    clock.advance(minutes=4, seconds=59)
    assert token_response(client, fresh, sign_challenge(producer.key, fresh)).status_code == 200
    clock.advance(seconds=1)
    assert_unauthorized(token_response(client, fresh, sign_challenge(producer.key, fresh)),
                        "challenge-expired", token_sent=False)


def test_any_worker_with_the_operator_key_accepts_the_token(world: World, tmp_path: Path) -> None:
    """Stateless: another app (another worker, another host) checks what this one issued,
    and an app with another operator key does not."""
    token = world.token(world.producer)
    with serving(world.settings) as twin:
        assert read_as(twin.test_client(), world.producer, token).status_code == 200
    other_key = tmp_path / "other-operator.pem"
    keys.save_private_key(keys.generate(), other_key)
    with serving(replace(world.settings, operator_key=str(other_key))) as stranger:
        assert_unauthorized(read_as(stranger.test_client(), world.producer, token), "bad-token",
                            token_sent=True)


def test_every_key_of_the_org_may_authenticate(world: World) -> None:
    first, second = world.new_org(["retailer"], keys=2)
    for actor in (first, second):
        token = obtain_token(world.client(), actor)
        assert read_as(world.client(), first, token).status_code == 200


# -- revocation -------------------------------------------------------------------------------
def test_a_revoked_keys_token_stops_working_at_once(world: World) -> None:
    [org] = world.new_org(["retailer"])
    client = world.client()
    token = obtain_token(client, org)
    assert read_as(client, org, token).status_code == 200
    world.revoke(org)
    assert_unauthorized(read_as(client, org, token), "key-revoked", token_sent=True)


def test_revoking_one_key_spares_the_tokens_of_the_others(world: World) -> None:
    lost, kept = world.new_org(["retailer"], keys=2)
    client = world.client()
    lost_token, kept_token = obtain_token(client, lost), obtain_token(client, kept)
    world.revoke(lost)
    assert_unauthorized(read_as(client, lost, lost_token), "key-revoked", token_sent=True)
    assert read_as(client, kept, kept_token).status_code == 200


def test_a_key_revoked_after_the_challenge_gets_no_token(world: World) -> None:
    [org] = world.new_org(["retailer"])
    client = world.client()
    fresh = challenge(client, org)
    signature = sign_challenge(org.key, fresh)
    world.revoke(org)
    assert_unauthorized(token_response(client, fresh, signature), "key-revoked", token_sent=False)


def test_a_revoked_key_gets_no_challenge(world: World) -> None:
    [org] = world.new_org(["retailer"])
    world.revoke(org)
    resp = world.client().post("/v1/auth/challenge", json={"org": org.org, "key": org.key_id})
    assert_unauthorized(resp, "key-revoked", token_sent=False)


# -- challenge failures -----------------------------------------------------------------------
CHALLENGE_REFUSALS: dict[str, tuple[Callable[[World], dict[str, Any]], int, str, str | None]] = {
    "unknown-key": (lambda w: {"org": w.producer.org, "key": keys.key_id(b"\1" * 32)},
                    401, "unknown-key", None),
    "key-of-another-org": (lambda w: {"org": w.producer.org, "key": w.retailer.key_id},
                           401, "key-not-owned", None),
    "unknown-org": (lambda w: {"org": "nobody", "key": w.producer.key_id}, 401, "key-not-owned", None),
    "key-not-hex": (lambda w: {"org": w.producer.org, "key": "xyz"}, 422, "bad-argument", "key"),
    "org-not-an-id": (lambda w: {"org": "a b", "key": w.producer.key_id}, 422, "bad-argument", "org"),
    "org-missing": (lambda w: {"key": w.producer.key_id}, 422, "bad-argument", "org"),
}


@pytest.mark.parametrize(("body", "status", "code", "field"), CHALLENGE_REFUSALS.values(),
                         ids=CHALLENGE_REFUSALS.keys())
def test_challenge_refusals(world: World, body: Callable[[World], dict[str, Any]], status: int,
                            code: str, field: str | None) -> None:
    resp = world.client().post("/v1/auth/challenge", json=body(world))
    assert_problem(resp, status, code, field=field)
    if status == 401:
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="gi-trace"'


# -- token failures ---------------------------------------------------------------------------
def _swap_org(c: str, w: World) -> str:
    """Rewrite the challenge's org, keeping its MAC: a forgery."""
    payload, mac = c.split(".")
    text = b64url_decode(payload).replace(w.producer.org.encode(), w.retailer.org.encode())
    return f"{b64url_encode(text)}.{mac}"


TOKEN_REFUSALS: dict[str, tuple[Callable[[str, World], tuple[str, str]], int, str, str | None]] = {
    "signed-by-another-key": (lambda c, w: (c, sign_challenge(w.retailer.key, c)),
                              401, "bad-signature", None),
    "signed-without-the-prefix": (lambda c, w: (c, b64url_encode(w.producer.key.sign(c.encode()))),
                                  401, "bad-signature", None),
    "signature-of-another-challenge": (lambda c, w: (c, sign_challenge(w.producer.key, c + "x")),
                                       401, "bad-signature", None),
    "challenge-tampered": (lambda c, w: (c[:5] + ("A" if c[5] != "A" else "B") + c[6:],
                                         sign_challenge(w.producer.key, c)), 401, "bad-challenge", None),
    "challenge-org-swapped": (lambda c, w: (_swap_org(c, w), sign_challenge(w.retailer.key, _swap_org(c, w))),
                              401, "bad-challenge", None),
    "challenge-forged-with-another-secret": (
        lambda c, w: (Sealer(b"s" * 32).seal({"typ": "challenge", "org": w.producer.org,
                                              "key": w.producer.key_id, "exp": 2**40}),
                      sign_challenge(w.producer.key, c)), 401, "bad-challenge", None),
    "a-token-as-challenge": (lambda c, w: (w.token(w.producer), sign_challenge(w.producer.key,
                                                                               w.token(w.producer))),
                             401, "bad-challenge", None),
    "signature-not-base64url": (lambda c, w: (c, "not base64!"), 422, "bad-base64", "signature"),
    "signature-too-short": (lambda c, w: (c, b64url_encode(b"\0" * 32)), 422, "bad-length", "signature"),
    "signature-empty": (lambda c, w: (c, ""), 422, "bad-argument", "signature"),
}


@pytest.mark.parametrize(("mutate", "status", "code", "field"), TOKEN_REFUSALS.values(),
                         ids=TOKEN_REFUSALS.keys())
def test_token_refusals(world: World, mutate: Callable[[str, World], tuple[str, str]], status: int,
                        code: str, field: str | None) -> None:
    client = world.client()
    challenge_, signature = mutate(challenge(client, world.producer), world)
    resp = token_response(client, challenge_, signature)
    assert_problem(resp, status, code, field=field)
    if status == 401:
        assert "WWW-Authenticate" in resp.headers


# -- bearer failures --------------------------------------------------------------------------
def _tamper(token: str) -> str:
    payload, mac = token.split(".")
    return f"{payload}.{mac[:-2]}{'AA' if mac[-2:] != 'AA' else 'BB'}"


BEARER_REFUSALS: dict[str, tuple[Callable[[World], dict[str, str]], str, bool]] = {
    "no-header": (lambda w: {}, "unauthenticated", False),
    "basic-scheme": (lambda w: {"Authorization": "Basic dXNlcjpwYXNz"}, "bad-token", True),
    "bearer-without-token": (lambda w: {"Authorization": "Bearer"}, "bad-token", True),
    "garbage-token": (lambda w: {"Authorization": "Bearer garbage"}, "bad-token", True),
    "tampered-mac": (lambda w: {"Authorization": f"Bearer {_tamper(w.token(w.producer))}"},
                     "bad-token", True),
    "challenge-as-token": (lambda w: {"Authorization": f"Bearer {challenge(w.client(), w.producer)}"},
                           "bad-token", True),
    "forged-with-another-secret": (lambda w: {"Authorization": "Bearer " + Sealer(b"s" * 32).seal(
        {"typ": "token", "org": w.producer.org, "key": w.producer.key_id, "exp": 2**40})},
        "bad-token", True),
}


@pytest.mark.parametrize(("headers", "code", "token_sent"), BEARER_REFUSALS.values(),
                         ids=BEARER_REFUSALS.keys())
def test_bearer_refusals(world: World, headers: Callable[[World], dict[str, str]], code: str,
                         token_sent: bool) -> None:
    resp = world.client().get(PROTECTED.format(org=world.producer.org), headers=headers(world))
    assert_unauthorized(resp, code, token_sent=token_sent)


def test_the_scheme_name_is_case_insensitive(world: World) -> None:
    resp = world.client().get(PROTECTED.format(org=world.producer.org),
                              headers={"Authorization": f"bearer {world.token(world.producer)}"})
    assert resp.status_code == 200


def test_public_reads_ignore_the_token(world: World) -> None:
    resp = world.client().get("/v1/products", headers={"Authorization": "Bearer garbage"})
    assert resp.status_code == 200
