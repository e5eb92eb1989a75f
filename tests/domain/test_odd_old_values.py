"""A log written before the validators matched whole values may hold a lot with a trailing
newline. Reading it must still answer, on SQLite and PostgreSQL: the EPCIS export escapes or
leaves out what it cannot name, the resolver's redirects escape it, and the audit names the
entry at fault instead of raising."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from marshmallow import validate

from gi_trace.domain.full_match import FullMatch
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.service import Service, audit_log
from tests.api.helpers import serving
from tests.api.reads.world import obtain_token
from tests.domain.world import World, operator_verifier, register
from tests.support import Actor

ODD = {"lot-newline": ("A-9", "L9\n")}  # what `$` under re.match let through


@pytest.fixture
def world(any_service: Service, regulator: Actor) -> World:
    made = World(regulator=regulator)
    any_service.log.append(made.setup())
    return made


@pytest.fixture(params=ODD.values(), ids=ODD.keys())
def odd_batch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
              any_service: Service, world: World) -> str:
    """A batch registered under the old validators (re.match), then the new ones back."""
    batch, lot = request.param
    with monkeypatch.context() as old:
        old.setattr(FullMatch, "__call__", validate.Regexp.__call__)
        any_service.log.append([register(world.coop_a, batch, "10", lot=lot)])
    return str(batch)


@pytest.fixture
def client(any_service: Service) -> Iterator[FlaskClient]:
    with serving(any_service.settings) as app:
        yield app.test_client()


def test_the_epcis_journey_answers(client: FlaskClient, world: World, odd_batch: str) -> None:
    token = obtain_token(client, world.coop_a)
    resp = client.get(f"/v1/epcis/batches/{odd_batch}", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert "/10/L9%0A" in resp.get_data(as_text=True)  # its lot, escaped in a Digital Link


def test_the_epcis_events_answer(client: FlaskClient, world: World, odd_batch: str) -> None:
    token = obtain_token(client, world.regulator)
    start = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    resp = client.get(f"/v1/epcis/events?from={start}",
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert "/10/L9%0A" in resp.get_data(as_text=True)  # its lot, escaped in a Digital Link


def test_the_audit_names_the_entry(any_service: Service, odd_batch: str) -> None:
    with DatabaseSource(any_service.engine) as source:
        result = audit_log(source, operator_verifier(any_service), any_service.genesis)
    assert result.failure is not None
    assert (result.failure.seq, result.failure.code) == (any_service.log.size() - 1, "invalid-body")
