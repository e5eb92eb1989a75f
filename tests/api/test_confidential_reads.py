"""Confidential by default, checked from outside: every GET route of the server, asked by the
public and by each organisation, never answers with a value that asker may not see.

The values to look for come from the server's own store: every disclosure kept beside the
log (the regulator's sidecars), and what the projections derive from them (holdings, quota
used), as a regulator sees them. Every label serial and label signature is looked for too.
Routes come from the OpenAPI document and the app's URL map, each path parameter filled with
every id of the world (orgs, products, batches, shipments, SSCCs, tiles, lots, labels).

Short values ("400") would be found by chance in unrelated bytes; the world's season
(tests/api/reads/world.py, `add_season`) is made of long, odd values, and those short ones
are covered by the structural tests of the reads (test_batches.py and others).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from gi_trace.domain import tables
from tests.api.reads.world import Season, World, add_season, open_world
from tests.support import Actor, leaves
from tests.tile_client import tile_path, tile_width

ORGS = ("producer", "mill", "retailer", "distributor", "unrelated")
MIN_LENGTH = 5  # shorter values are too likely to occur by chance (a "400" in a style sheet)
EVER = "2000-01-01T00:00:00Z"


@dataclass(frozen=True)
class Answer:
    url: str
    status: int
    body: bytes


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Season]]:
    with open_world(tmp_path_factory.mktemp("confidential")) as world:
        yield world, add_season(world)


def all_orgs(world: World) -> list[str]:
    return [o["org"] for o in world.get("/v1/orgs?limit=500").get_json()["items"]]


def public_words(world: World) -> set[str]:
    """What the log and the public reads publish anyway: public fields of every statement,
    organisations and products. A confidential value equal to one of these is no secret."""
    words: set[str] = set()
    for entry in world.get(f"/v1/log/entries?end={world.log.size()}").get_json()["entries"]:
        statement = entry["statement"]
        words.update(leaves({k: v for k, v in statement.items() if k != "body"}))
        words.update(leaves({k: v for k, v in statement["body"].items() if k != "_sd"}))
    words.update(leaves(world.get("/v1/orgs?limit=500").get_json()))
    words.update(leaves(world.get("/v1/products?limit=500").get_json()))
    return words


def disclosed(world: World, who: Actor | None) -> tuple[set[str], set[str]]:
    """(values of the disclosures `who` may not read, values of those it may), from the
    server's store (`who` None: the public, which may read none)."""
    hidden: set[str] = set()
    shown: set[str] = set()
    actors = {e["seq"]: e["statement"]["actor"]
              for e in world.get(f"/v1/log/entries?end={world.log.size()}").get_json()["entries"]}
    for seq, sidecar in world.log.sidecars(0, world.log.size()).items():
        values = set(leaves([d.value for d in sidecar.disclosures]))
        readable = who is not None and who.org in (actors[seq], *sidecar.readers)
        (shown if readable else hidden).update(values)
    return hidden, shown


def derived(world: World, who: Actor | None) -> tuple[set[str], set[str]]:
    """(what the projections derive from disclosures that `who` may not see, what it may), as a
    regulator reads it: holdings, the quantities of batches made by merges and the rest, plots,
    lineage quantities, quota used."""
    hidden: set[str] = set()
    shown: set[str] = set()
    org = None if who is None else who.org
    with world.app.extensions["gi_trace"].engine.connect() as conn:
        batches = list(conn.scalars(select(tables.batches.c.batch)))
    for batch in batches:
        body = world.get(f"/v1/batches/{batch}", world.regulator).get_json()
        for holder in body["holdings"]:
            (shown if holder["org"] == org else hidden).add(holder["quantity"])
        made = set(leaves([body.get("quantity"), body.get("origin")]))
        (shown if body["created_by"] == org else hidden).update(made)
        if org is None:
            hidden.update(link["quantity"] for side in ("ancestors", "descendants")
                          for link in body[side])
    for approval in world.get("/v1/approvals?limit=500", world.regulator).get_json()["items"]:
        (shown if approval["producer"] == org else hidden).update(
            (approval["used"], approval["remaining"]))
    return hidden, shown


def secrets_for(world: World, who: Actor | None) -> set[str]:
    """The values `who` must never receive (long enough to look for)."""
    hidden, shown = disclosed(world, who)
    made_hidden, made_shown = derived(world, who)
    secrets = (hidden | made_hidden) - shown - made_shown
    # A value that is public anyway is no secret: a counterparty (`to`) is an org id, items
    # name public batch ids, a plot lies in a public region; their pairing with the rest is what
    # the structural tests check (test_batches.py, test_log_disclosures.py).
    return {s for s in secrets - public_words(world) if len(s) >= MIN_LENGTH}


def routes(world: World, season: Season) -> list[str]:
    """Every GET route of the app, each path parameter filled with every id of the world."""
    with world.app.extensions["gi_trace"].engine.connect() as conn:
        batches = sorted(conn.scalars(select(tables.batches.c.batch)))
        shipments = sorted(conn.scalars(select(tables.shipments.c.shipment)))
        lots = sorted({(row.product, row.lot) for row in conn.execute(
            select(tables.batches.c.product, tables.batches.c.lot))})
    products = {p["product"]: p for p in world.get("/v1/products").get_json()["items"]}
    size = world.log.size()
    tiles = [tile_path(size, level, n) for level in range(3) for n in range(size // 256 ** level + 1)
             if tile_width(size, level, n)]
    tiles += [tile_path(size, "entries", n) for n in range(-(-size // 256))]
    values = {"{product}": list(products), "{org}": all_orgs(world), "{batch}": batches,
              "{shipment}": shipments, "{sscc}": sorted(season.ssccs.values()),
              "{path}": [t.removeprefix("tile/") for t in tiles], "{report_id}": ["1"]}
    queries = {"/v1/log/entries": f"?start=0&end={size}",
               "/v1/log/sidecars": "?start=0",
               "/v1/log/proof/inclusion": f"?seq={size - 1}&tree_size={size}",
               "/v1/log/proof/consistency": f"?from=1&to={size}",
               "/v1/epcis/events": f"?from={EVER}&limit=500",
               "/v1/approvals": "?limit=500", "/v1/batches": "?limit=500"}
    found: list[str] = []
    paths = [p for p, ops in world.get("/v1/openapi.json").get_json()["paths"].items() if "get" in ops]
    for path in paths:
        if "{serial}" in path:
            continue  # a label's scan: below, with its own label
        expanded = [path]
        for name, options in values.items():
            expanded = [p.replace(name, option) for p in expanded for option in options] \
                if any(name in p for p in expanded) else expanded
        found += [p + queries.get(path, "") for p in expanded]
    gtins = {product: p["gtins"] for product, p in products.items()}
    found += ["/.well-known/gs1resolver", "/dashboard", "/desk", "/v1/openapi.json",
              *(f"/00/{code}" for code in season.ssccs.values()),
              *(f"/01/{g}" for gs in gtins.values() for g in gs),
              *(f"/01/{g}/10/{lot}" for product, lot in lots for g in gtins[product])]
    return found


def scan_url(world: World, season: Season) -> str:
    gtin = world.get("/v1/products/wuchang-rice").get_json()["gtins"][0]
    return f"/01/{gtin}/10/CR2025Q/21/{season.sold}?s={season.sigs[0]}"


def ask(world: World, url: str, who: Actor | None) -> list[Answer]:
    headers = world.headers(who)
    answers = []
    for accept in ("application/json", "text/html"):
        resp = world.client().get(url, headers={**headers, "Accept": accept})
        answers.append(Answer(url, resp.status_code, resp.get_data()))
        assert resp.status_code < 500, (url, resp.get_data(as_text=True))
    return answers


def found_in(answers: list[Answer], secrets: set[str]) -> dict[str, list[str]]:
    leaks: dict[str, list[str]] = {}
    patterns = {s: re.compile(rb"(?<![0-9A-Za-z_.-])" + re.escape(s.encode()) + rb"(?![0-9A-Za-z_-])")
                for s in secrets}
    for answer in answers:
        # What the caller put in its own request may come back (a 404 naming the id it asked).
        hits = sorted(s for s, pattern in patterns.items()
                      if s not in answer.url and pattern.search(answer.body))
        if hits:
            leaks.setdefault(f"{answer.url} ({answer.status})", []).extend(hits)
    return leaks


def test_the_route_walk_covers_the_whole_api(season: tuple[World, Season]) -> None:
    """A guard on the walk itself: every documented GET path, every id, tiles included."""
    world, labels = season
    urls = routes(world, labels)
    assert len(urls) > 100
    assert any(u.startswith("/tile/entries/") for u in urls)
    assert any(u.startswith("/v1/shipments/sscc/") for u in urls)
    assert "/v1/batches/conf-rice" in urls and "/v1/orgs/hlj-distribution/shipments" in urls
    secrets = secrets_for(world, None)
    season_values = {  # quantities, yields, holdings, plots, ids, SSCCs, reasons, quota used
        "7345.25", "4123.5", "3221.75", "1111.75", "4333.5", "2886.45", "1234.5", "321.25",
        "1651.95", "13457", "16543", "Qilin terrace 88", "44.9312345", "127.1754321",
        *labels.shipments, *labels.ssccs.values(), "till 7 of Chaoyang store",
        "smudged print on bag 6", "sacks damp on arrival at Harbin depot"}
    assert season_values <= secrets, season_values - secrets
    assert {"ship-1", "ship-2", "ship-3", "Longfeng 7", "127.17"} <= secrets


def test_a_public_read_of_every_route_shows_no_confidential_value(season: tuple[World, Season]) -> None:
    world, labels = season
    answers = [a for url in routes(world, labels) for a in ask(world, url, None)]
    assert found_in(answers, secrets_for(world, None)) == {}


def test_no_public_read_hands_out_a_serial_or_a_label_signature(season: tuple[World, Season]) -> None:
    """Not in entries, tiles, resolver pages or any read; a scan shows its own label only."""
    world, labels = season
    answers = [a for url in routes(world, labels) for a in ask(world, url, None)]
    assert found_in(answers, {*labels.serials, *labels.sigs}) == {}
    scanned = ask(world, scan_url(world, labels), None)
    assert {a.status for a in scanned} == {200}
    others = {*labels.serials[1:], *labels.sigs[1:]}
    assert found_in(scanned, others) == {}


@pytest.mark.parametrize("who", ORGS)
def test_an_org_reads_no_confidential_value_of_statements_it_may_not_read(
        season: tuple[World, Season], who: str) -> None:
    """Another org's shipments, plots, yields, holdings and reasons stay out of every answer to
    an organisation, whatever route it asks, with its bearer token."""
    world, labels = season
    actor: Actor = getattr(world, who)
    answers = [a for url in routes(world, labels) for a in ask(world, url, actor)]
    assert found_in(answers, secrets_for(world, actor)) == {}


@pytest.mark.parametrize(("who", "allowed"), [
    ("producer", ()), ("retailer", ("sold",)), ("distributor", ()), ("unrelated", ())])
def test_an_org_gets_no_serial_but_those_of_its_own_statements(
        season: tuple[World, Season], who: str, allowed: tuple[str, ...]) -> None:
    """The mill issued the labels (its sheet is a PDF); the retailer sold one; no one else
    ever receives one of them, nor any signature."""
    world, labels = season
    answers = [a for url in routes(world, labels) for a in ask(world, url, getattr(world, who))]
    mine = {getattr(labels, name) for name in allowed}
    assert found_in(answers, {*labels.serials, *labels.sigs} - mine) == {}


def test_tiles_hold_the_public_leaves_only(season: tuple[World, Season]) -> None:
    """The C2SP entry bundles are signature || statement: digests, never a disclosed value, a
    serial or a label signature (the labels_root commits to them)."""
    world, labels = season
    size = world.log.size()
    bundles = b"".join(world.client().get(f"/{tile_path(size, 'entries', n)}").get_data()
                       for n in range(-(-size // 256)))
    records = world.log.entries(0, size)
    assert all(r.signature + r.statement in bundles for r in records)
    leaked = found_in([Answer("tiles", 200, bundles)],
                      {*secrets_for(world, None), *labels.serials, *labels.sigs})
    assert leaked == {}
