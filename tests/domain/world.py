"""A small GI world for the supply-chain tests, and the statements its actors sign.

Wuchang paddy (稻谷) is milled into Wuchang rice at a declared yield of at most
0.70; Longjing tea is a second GI product, so that mixing products can be tried.
The actors sign v2 statements (tests/support.py seals them by the disclosure policy).

| org | roles | region | approvals (this year) | holds at the start |
|---|---|---|---|---|
| cnipa | regulator | 110108 | — | — |
| coop-a | producer | 230184 | paddy 1000, tea 100 | A-1: 300 paddy, T-1: 50 tea |
| coop-b | producer | 230184 | paddy 500.5 | B-1: 200 paddy |
| coop-c | producer | 230113 (outside Wuchang) | none | — |
| mill | processor | 230184 | — | — |
| dist | distributor | 230102 | — | — |
| shop-1, shop-2 | retailer | 110105 | — | — |

Wuchang's region is 230184; the world's tea region lists West Lake (330106) and, so
that one holder can try to merge two products, Wuchang too. Paddy comes in packs of
1 and 25 kg, rice of 1, 2.5 and 5 kg, tea of 0.25 and 1 kg.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, event, select

from gi_trace.domain.label_commitment import Label, labels_root
from gi_trace.domain.label_signature import sign_label
from gi_trace.domain.tables import metadata as domain_tables
from gi_trace.ledger import schema
from gi_trace.ledger.database import make_engine
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.keys import load_private_key
from gi_trace.ledger.note import NoteSigner, NoteVerifier
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service, audit_log, initialize, open_service, rebuild_projections
from gi_trace.settings import Settings
from tests.support import Actor, instance_settings

PADDY, RICE, TEA = "wuchang-paddy", "wuchang-rice", "longjing-tea"
# The approvals' year is the clock's: a label.issue is approved for the year of its ts, and a
# harvest may not be dated after its statement.
YEAR = datetime.now(UTC).year
HARVESTED = f"{YEAR}-01-01"
MAX_YIELD = "0.70"

# Every table the log's statements are projected into: the domain's and the ledger's identity.
PROJECTIONS: tuple[Table, ...] = (*domain_tables.sorted_tables, schema.orgs, schema.keys)


def gtin14(first13: str) -> str:
    """A GTIN-14 with its GS1 mod-10 check digit (weights 3, 1, 3… from the right)."""
    digits = [int(c) for c in first13]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return first13 + str((10 - total % 10) % 10)


GTINS = {PADDY: [gtin14("0693123400001"), gtin14("0693123400002")],
         RICE: [gtin14("1693123400010")],
         TEA: [gtin14("0693555500001")]}
PACKS = {PADDY: ["1", "25"], RICE: ["1", "2.5", "5"], TEA: ["0.25", "1"]}
WUCHANG = "230184"
REGIONS = {"cnipa": "110108", "coop-a": WUCHANG, "coop-b": WUCHANG, "coop-c": "230113",
           "mill": WUCHANG, "dist": "230102", "shop-1": "110105", "shop-2": "110105"}


@dataclass(frozen=True)
class World:
    regulator: Actor = field(default_factory=lambda: Actor("cnipa"))
    coop_a: Actor = field(default_factory=lambda: Actor("coop-a"))
    coop_b: Actor = field(default_factory=lambda: Actor("coop-b"))
    coop_c: Actor = field(default_factory=lambda: Actor("coop-c"))
    mill: Actor = field(default_factory=lambda: Actor("mill"))
    dist: Actor = field(default_factory=lambda: Actor("dist"))
    shop_1: Actor = field(default_factory=lambda: Actor("shop-1"))
    shop_2: Actor = field(default_factory=lambda: Actor("shop-2"))

    @property
    def roles(self) -> dict[str, list[str]]:
        return {"coop-a": ["producer"], "coop-b": ["producer"], "coop-c": ["producer"],
                "mill": ["processor"], "dist": ["distributor"], "shop-1": ["retailer"],
                "shop-2": ["retailer"]}

    @property
    def actors(self) -> dict[str, Actor]:
        return {a.org: a for a in (self.regulator, self.coop_a, self.coop_b, self.coop_c, self.mill,
                                   self.dist, self.shop_1, self.shop_2)}

    def setup(self) -> list[Envelope]:
        """The statements that build the world after the genesis (the regulator's own entry)."""
        reg = self.regulator
        actors = self.actors
        return [
            *(org_register(reg, actors[org], roles) for org, roles in self.roles.items()),
            product_register(reg, PADDY, "五常稻谷", "Wuchang paddy",
                             processes={"milling": {"to": RICE, "max_yield": MAX_YIELD}}),
            product_register(reg, RICE, "五常大米", "Wuchang rice"),
            product_register(reg, TEA, "西湖龙井", "Longjing tea",
                             region=("西湖", "West Lake", "330106"), codes=["330106", WUCHANG]),
            approve(reg, PADDY, "coop-a", "1000"),
            approve(reg, TEA, "coop-a", "100"),
            approve(reg, PADDY, "coop-b", "500.5"),
            register(self.coop_a, "A-1", "300"),
            register(self.coop_a, "T-1", "50", product=TEA),
            register(self.coop_b, "B-1", "200"),
        ]


# -- the world as a database file, copied for each test ------------------------------------------

def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@dataclass(frozen=True)
class Template:
    """A database file holding the world, and the settings (operator key, genesis) it goes with."""

    world: World
    settings: Settings
    path: Path

    def __repr__(self) -> str:
        return f"Template({self.path})"

    @classmethod
    def build(cls, root: Path) -> Template:
        world = World()
        settings = instance_settings(root, world.regulator.register_self(), database="template")
        initialize(settings)
        service = open_service(settings)
        try:
            service.log.append(world.setup())
        finally:
            service.engine.dispose()
        return cls(world, settings, root / "template.db")

    @contextmanager
    def copy(self, directory: Path) -> Iterator[Service]:
        """A service over a fresh copy of the world's database in `directory`."""
        target = directory / "world.db"
        source, copy = sqlite3.connect(self.path), sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        url = f"sqlite:///{target}"
        engine = make_engine(url)
        # No fsync: these tests are about the rules, not crash safety (tests/ledger has those).
        event.listen(engine, "connect", _no_fsync)
        service = open_service(replace(self.settings, database_url=url), engine)
        try:
            yield service
        finally:
            service.engine.dispose()


# -- statements, one builder per type ---------------------------------------------------------

def org_register(regulator: Actor, actor: Actor, roles: list[str], *,
                 region: str | None = None) -> Envelope:
    """An org.register with the org's seat (REGIONS, unless given)."""
    return regulator.sign("org.register", {
        "org": actor.org, "name": {"zh": actor.org, "en": actor.org}, "roles": roles,
        "keys": [actor.pub], "region": region or REGIONS.get(actor.org, WUCHANG)})


def product_register(regulator: Actor, product: str, zh: str, en: str, *,
                     region: tuple[str, str, str] = ("五常市", "Wuchang", WUCHANG),
                     codes: list[str] | None = None, gtins: list[str] | None = None,
                     packs: list[str] | None = None,
                     processes: dict[str, dict[str, str]] | None = None) -> Envelope:
    body: dict[str, Any] = {
        "product": product, "name": {"zh": zh, "en": en},
        "region": {"name": {"zh": region[0], "en": region[1]}, "codes": codes or [region[2]]},
        "unit": "kg", "gtins": gtins if gtins is not None else GTINS[product],
        "packs": packs if packs is not None else PACKS.get(product, ["1"])}
    if processes:
        body["processes"] = processes
    return regulator.sign("product.register", body)


def approve(regulator: Actor, product: str, producer: str, quota: Any, *, year: Any = YEAR) -> Envelope:
    return regulator.sign("producer.approve", {"product": product, "producer": producer,
                                               "year": year, "quota": quota})


def suspend(regulator: Actor, product: str, producer: str, *, reinstate: bool = False) -> Envelope:
    return regulator.sign("producer.reinstate" if reinstate else "producer.suspend",
                          {"product": product, "producer": producer, "reason": "inspection"})


def register(producer: Actor, batch: str, quantity: Any, *, product: str = PADDY,
             lot: str | None = None, harvested: str = HARVESTED, **extra: Any) -> Envelope:
    return producer.sign("batch.register", {"batch": batch, "product": product,
                                            "lot": lot or f"L{batch}"[:20], "quantity": quantity,
                                            "harvested": harvested, **extra})


def portions(items: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [{"batch": batch, "quantity": quantity} for batch, quantity in items]


def split(holder: Actor, parent: str, into: Sequence[tuple[str, Any]]) -> Envelope:
    return holder.sign("batch.split", {"from": parent, "into": [batch for batch, _ in into],
                                       "quantities": [quantity for _, quantity in into]})


def merge(holder: Actor, parents: Sequence[str], into: str, lot: str = "MERGED") -> Envelope:
    return holder.sign("batch.merge", {"from": list(parents), "into": {"batch": into, "lot": lot}})


def process(holder: Actor, inputs: Sequence[tuple[str, Any]], output: str, quantity: Any, *,
            name: str = "milling", lot: str = "MILLED") -> Envelope:
    return holder.sign("batch.process", {
        "process": name, "inputs": [batch for batch, _ in inputs],
        "output": {"batch": output, "lot": lot},
        "quantities": {"inputs": [q for _, q in inputs], "output": quantity}})


def ship(sender: Actor, shipment: str, to: str, items: Sequence[tuple[str, Any]]) -> Envelope:
    return sender.sign("shipment.send", {"shipment": shipment, "to": to, "items": portions(items)})


def receive(receiver: Actor, shipment: str) -> Envelope:
    return receiver.sign("shipment.receive", {"shipment": shipment})


def reject(receiver: Actor, shipment: str, reason: str = "damp sacks") -> Envelope:
    return receiver.sign("shipment.reject", {"shipment": shipment, "reason": reason})


def recall(actor: Actor, batch: str, reason: str = "cadmium above limit") -> Envelope:
    return actor.sign("batch.recall", {"batch": batch, "reason": reason})


def serials(batch: str, count: int, start: int = 0) -> list[str]:
    return [f"SN{batch}{n:010d}" for n in range(start, start + count)]


def labels_for(signer: Actor, gtin: str, lot: str, numbers: Sequence[str]) -> list[dict[str, str]]:
    """The `labels` attachment of a label.issue: each serial with its label signature."""
    return [{"serial": n, "sig": sign_label(signer.key, gtin, lot, n)} for n in numbers]


def issue(issuer: Actor, batch: str, labels: Sequence[str] | int, *, gtin: str | None = None,
          lot: str | None = None, signer: Actor | None = None, start: int = 0,
          pack: str = "1", attached: list[dict[str, str]] | None = None,
          root: str | None = None, count: int | None = None) -> Envelope:
    """label.issue v2 of `labels` (serials, or a count of fresh ones) for a batch of the world,
    each covering `pack` and signed by `signer` (default: the issuer itself); the labels go
    beside the statement, its body commits to them by their root. `attached`, `root` and
    `count` replace what would be sent, to break the commitment."""
    numbers = serials(batch, labels, start) if isinstance(labels, int) else list(labels)
    gtin = gtin or GTINS[PADDY][0]
    lot = lot or f"L{batch}"[:20]
    made = labels_for(signer or issuer, gtin, lot, numbers)
    sent = made if attached is None else attached
    body = {"batch": batch, "gtin": gtin, "pack": pack,
            "count": len(numbers) if count is None else count,
            "labels_root": root or b64url_encode(labels_root([Label(**m) for m in made]))}
    return issuer.sign("label.issue", body, attachments={"labels": sent})


def void(producer: Actor, labels: Sequence[str]) -> Envelope:
    return producer.sign("label.void", {"serials": list(labels), "reason": "misprinted"})


def sell(holder: Actor, labels: Sequence[str]) -> Envelope:
    return holder.sign("label.sell", {"serials": list(labels)})


def harvest_to_shelf(world: World) -> list[Envelope]:
    """A season of Wuchang rice after World.setup(): harvests, labels issued, voided and sold, a
    split, milling, deliveries to two shops (one refused), a pending delivery, a suspension
    lifted, and a recall."""
    a, b, reg = world.coop_a, world.coop_b, world.regulator
    return [
        register(a, "A-2", "400.125", origin={"plot": "north field", "lat": "44.9", "lon": "127.1"}),
        issue(a, "A-1", 5),
        void(a, serials("A-1", 1)),
        split(a, "A-2", [("A-2a", "200"), ("A-2b", "200.125")]),
        ship(a, "S-1", "mill", [("A-2a", "200"), ("A-1", "100")]),
        receive(world.mill, "S-1"),
        sell(world.mill, serials("A-1", 2, start=1)),
        process(world.mill, [("A-2a", "200"), ("A-1", "100")], "R-1", "210"),
        split(world.mill, "R-1", [("R-1-5kg", "105"), ("R-1-10kg", "105")]),
        ship(world.mill, "S-2", "dist", [("R-1-5kg", "105"), ("R-1-10kg", "105")]),
        receive(world.dist, "S-2"),
        ship(world.dist, "S-3", "shop-1", [("R-1-5kg", "60.5")]),
        receive(world.shop_1, "S-3"),
        ship(world.dist, "S-4", "shop-2", [("R-1-10kg", "50")]),
        reject(world.shop_2, "S-4", "torn bags"),
        suspend(reg, PADDY, "coop-b"),
        suspend(reg, PADDY, "coop-b", reinstate=True),
        register(b, "B-2", "300.5"),
        merge(b, ["B-1", "B-2"], "B-M", "B2026"),
        ship(b, "S-5", "mill", [("B-M", "500.5")]),
        approve(reg, PADDY, "coop-a", "700.125"),
        recall(a, "A-2", "pesticide residue"),
    ]


# -- reading the projections back, and checking the log -----------------------------------------

Dump = dict[str, list[tuple[Any, ...]]]


def dump(engine: Engine) -> Dump:
    """Every row of every projection table, sorted: equal dumps mean equal state."""
    with engine.connect() as conn:
        return {table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for table in PROJECTIONS}


def operator_verifier(service: Service) -> NoteVerifier:
    signer = NoteSigner(service.settings.origin, load_private_key(service.settings.operator_key))
    return NoteVerifier.from_vkey(signer.vkey())


def assert_rebuild_identical(service: Service) -> None:
    live = dump(service.engine)
    assert rebuild_projections(service) == service.log.size()
    assert dump(service.engine) == live


def assert_audit_passes(service: Service) -> None:
    with DatabaseSource(service.engine) as source:
        result = audit_log(source, operator_verifier(service), service.genesis)
    assert result, result.failure
    assert result.size == service.log.size()
