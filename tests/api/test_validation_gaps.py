"""Values that must not enter the log, refused at the door on SQLite and PostgreSQL alike: a
trailing newline (once let through by `^…$` under re.match, then stored forever, or too long
for a PostgreSQL column by one character), the ids "." and ".." (no URL reads them back),
coordinates off the globe. Every value that passes fits its column on both databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from tests.api.helpers import assert_problem, post_statements, serving
from tests.domain.world import (
    GTINS,
    HARVESTED,
    PADDY,
    WUCHANG,
    World,
    product_register,
    register,
    ship,
)
from tests.support import Actor

Make = Callable[[World], Envelope]
USCC = "93230184MA1ABCDE09"  # with its right check character (tests/api/reads/world.py)
ID_64 = "B" * 64


def new_org(world: World, org: str, **extra: Any) -> Envelope:
    body = {"org": org, "name": {"zh": "新", "en": "new"}, "roles": ["producer"],
            "keys": [Actor(org).pub], "region": WUCHANG, **extra}
    return world.regulator.sign("org.register", body)


def origin(**place: str) -> Make:
    return lambda w: register(w.coop_a, "A-9", "10", origin=place)


BODY = "invalid-body"  # what a body that fails its schema gets
REFUSED: dict[str, tuple[Make, str, str]] = {
    "batch-id-of-64-and-newline": (lambda w: register(w.coop_a, ID_64 + "\n", "10"), "body.batch", BODY),
    "batch-id-newline": (lambda w: register(w.coop_a, "A-9\n", "10"), "body.batch", BODY),
    "batch-id-dot": (lambda w: register(w.coop_a, ".", "10"), "body.batch", BODY),
    "batch-id-dot-dot": (lambda w: register(w.coop_a, "..", "10"), "body.batch", BODY),
    "product-id-newline": (lambda w: register(w.coop_a, "A-9", "10", product=PADDY + "\n"),
                           "body.product", BODY),
    "lot-newline": (lambda w: register(w.coop_a, "A-9", "10", lot="L9\n"), "body.lot", BODY),
    "lot-of-20-and-newline": (lambda w: register(w.coop_a, "A-9", "10", lot="L" * 20 + "\n"),
                              "body.lot", BODY),
    "harvested-newline": (lambda w: register(w.coop_a, "A-9", "10", harvested=HARVESTED + "\n"),
                          "body.harvested", BODY),
    "quantity-newline": (lambda w: register(w.coop_a, "A-9", "10\n"), "body.quantity", BODY),
    "lat-newline": (origin(lat="45.1\n"), "body.origin.lat", BODY),
    "lon-newline": (origin(lon="127.1\n"), "body.origin.lon", BODY),
    "lat-above-90": (origin(lat="90.0000001"), "body.origin.lat", BODY),
    "lat-below-minus-90": (origin(lat="-91"), "body.origin.lat", BODY),
    "lon-above-180": (origin(lon="180.5"), "body.origin.lon", BODY),
    "lon-below-minus-180": (origin(lon="-999"), "body.origin.lon", BODY),
    "plot-region-newline": (origin(region=WUCHANG + "\n"), "body.origin.region", BODY),
    "org-id-dot": (lambda w: new_org(w, "."), "body.org", "bad-format"),
    "org-uscc-newline": (lambda w: new_org(w, "coop-n", uscc=USCC + "\n"), "body.uscc", BODY),
    "org-region-newline": (lambda w: new_org(w, "coop-n", region=WUCHANG + "\n"), "body.region", BODY),
    "gtin-newline": (lambda w: product_register(w.regulator, "new-rice", "新", "new",
                                                gtins=[GTINS[PADDY][0] + "\n"]), "body.gtins[0]", BODY),
    "shipment-id-newline": (lambda w: ship(w.coop_a, "S-1\n", "mill", [("A-1", "1")]),
                            "body.shipment", BODY),
    "shipment-id-dot-dot": (lambda w: ship(w.coop_a, "..", "mill", [("A-1", "1")]),
                            "body.shipment", BODY),
}

ACCEPTED: dict[str, Make] = {
    "ids-of-64": lambda w: register(w.coop_a, ID_64, "10"),
    "lot-of-20": lambda w: register(w.coop_a, "A-9", "10", lot="L" * 20),
    "three-dots": lambda w: register(w.coop_a, "...", "10"),
    "corners-of-the-globe": origin(lat="-90", lon="180", region=WUCHANG),
    "finest-coordinates": origin(lat="-89.9999999", lon="-179.9999999"),
    "org-of-64-with-uscc": lambda w: new_org(w, "O" * 64, uscc=USCC),
}


@pytest.fixture
def world(any_service: Service, regulator: Actor) -> World:
    made = World(regulator=regulator)
    any_service.log.append(made.setup())
    return made


@pytest.fixture
def client(any_service: Service) -> Iterator[FlaskClient]:
    with serving(any_service.settings) as app:
        yield app.test_client()


@pytest.mark.parametrize(("make", "field", "code"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_naming_the_field_and_nothing_written(any_service: Service, world: World,
                                                      client: FlaskClient, make: Make,
                                                      field: str, code: str) -> None:
    size = any_service.log.size()
    assert_problem(post_statements(client, make(world).to_dict()), 422, code, field=field)
    assert any_service.log.size() == size


@pytest.mark.parametrize("make", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_the_longest_accepted_values_fit_their_columns(any_service: Service, world: World,
                                                       client: FlaskClient, make: Make) -> None:
    size = any_service.log.size()
    resp = post_statements(client, make(world).to_dict())
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert any_service.log.size() == size + 1


@pytest.mark.parametrize("actor", ["cnipa\n", ".", ".."], ids=["newline", "dot", "dot-dot"])
def test_a_statement_actor_is_an_id_too(world: World, client: FlaskClient, actor: str) -> None:
    envelope = register(world.coop_a, "A-9", "10").to_dict()
    envelope["statement"]["actor"] = actor
    assert_problem(post_statements(client, envelope), 422, "bad-format", field="statement.actor")
