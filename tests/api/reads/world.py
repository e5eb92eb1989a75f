"""A small, realistic Wuchang rice chain built once per test module through the real rules,
signed as statement v2 (tests/support.py seals the confidential fields by the policy).

    cnipa (regulator) registers paddy and rice, approves wuchang-coop and other-coop to
    harvest (2025) and label (this year), and wuchang-mill to label rice (this year)
    wuchang-coop harvests paddy-1 (5000 kg), splits it into paddy-1a (3000) and paddy-1b (2000)
    paddy-1a ──ship-1──▶ wuchang-mill (received) ──mill──▶ rice-1 (2000 kg)
    rice-1 ──ship-2 (1500)──▶ retailer-bj (received); ──ship-3 (400)──▶ distributor (pending)
    paddy-1b is recalled by wuchang-coop; other-coop harvests other-1 (1000), alone
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from gi_trace.api.auth.protocol import sign_challenge
from gi_trace.api.context import EXTENSION
from gi_trace.domain.label_commitment import Label, labels_root
from gi_trace.domain.label_signature import sign_label
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.log import Log
from gi_trace.ledger.statement import Envelope
from gi_trace.service import initialize
from gi_trace.settings import Settings
from tests.api.helpers import serving
from tests.support import Actor, instance_settings

YEAR = 2025
HARVESTED = f"{YEAR}-10-01"
# Labels are issued under the approval for the year of their statement's ts: this year.
LABEL_YEAR = datetime.now(UTC).year
WUCHANG = "230184"
USCC = "93230184MA1ABCDE09"  # a unified social credit code with its right check character


def gtin(first13: str) -> str:
    """A GTIN-14 with its GS1 check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first13)))
    return first13 + str((10 - total % 10) % 10)


def org_body(actor: Actor, roles: list[str], zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"org": actor.org, "name": {"zh": zh, "en": en}, "roles": roles, "keys": [actor.pub],
            **extra}


PADDY = {"product": "wuchang-paddy", "name": {"zh": "五常稻谷", "en": "Wuchang paddy"},
         "region": {"name": {"zh": "黑龙江省五常市", "en": "Wuchang, Heilongjiang"},
                    "codes": [WUCHANG]},
         "unit": "kg", "gtins": [gtin("0690000000001"), gtin("0690000000002")],
         "packs": ["1", "25"], "processes": {"mill": {"to": "wuchang-rice", "max_yield": "0.7"}}}
RICE = {"product": "wuchang-rice", "name": {"zh": "五常大米", "en": "Wuchang rice"},
        "region": PADDY["region"], "unit": "kg", "gtins": [gtin("0690000000010")],
        "packs": ["2.5", "5"]}
TEA = {"product": "longjing-tea", "name": {"zh": "西湖龙井", "en": "Longjing tea"},
       "region": {"name": {"zh": "浙江省杭州市西湖区", "en": "West Lake, Hangzhou"},
                  "codes": ["330106"]},
       "unit": "kg", "gtins": [gtin("0690000000020")], "packs": ["0.25"]}


def split(holder: Actor, parent: str, into: Sequence[tuple[str, str]]) -> Envelope:
    """batch.split v2: the children's ids public, their quantities sealed."""
    return holder.sign("batch.split", {"from": parent, "into": [b for b, _ in into],
                                       "quantities": [q for _, q in into]})


def process(holder: Actor, name: str, inputs: Sequence[tuple[str, str]], output: str, lot: str,
            quantity: str) -> Envelope:
    """batch.process v2: inputs and output public, their quantities sealed."""
    return holder.sign("batch.process", {
        "process": name, "inputs": [b for b, _ in inputs], "output": {"batch": output, "lot": lot},
        "quantities": {"inputs": [q for _, q in inputs], "output": quantity}})


def ship(sender: Actor, shipment: str, to: Actor, items: Sequence[tuple[str, str]],
         **extra: str) -> Envelope:
    return sender.sign("shipment.send", {"shipment": shipment, "to": to.org, **extra,
                                         "items": [{"batch": b, "quantity": q} for b, q in items]})


def issue(issuer: Actor, batch: str, gtin: str, lot: str, pack: str, serials: Sequence[str]) -> Envelope:
    """label.issue v2: the body commits to the labels by their root; they travel beside it."""
    labels = [Label(serial, sign_label(issuer.key, gtin, lot, serial)) for serial in serials]
    return issuer.sign("label.issue", {
        "batch": batch, "gtin": gtin, "pack": pack, "count": len(labels),
        "labels_root": b64url_encode(labels_root(labels))},
        attachments={"labels": [{"serial": label.serial, "sig": label.sig} for label in labels]})


@dataclass
class World:
    app: Flask
    log: Log
    settings: Settings
    regulator: Actor
    producer: Actor = field(default_factory=lambda: Actor("wuchang-coop"))
    mill: Actor = field(default_factory=lambda: Actor("wuchang-mill"))
    distributor: Actor = field(default_factory=lambda: Actor("hlj-distribution"))
    retailer: Actor = field(default_factory=lambda: Actor("retailer-bj"))
    unrelated: Actor = field(default_factory=lambda: Actor("other-coop"))
    suspended: Actor = field(default_factory=lambda: Actor("lazy-coop"))
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def append(self, *envelopes: Envelope) -> None:
        self.log.append(list(envelopes))

    def token(self, actor: Actor) -> str:
        """A bearer token for `actor`, got through the auth endpoints (cached per world)."""
        if actor.org not in self.tokens:
            self.tokens[actor.org] = obtain_token(self.client(), actor)
        return self.tokens[actor.org]

    def headers(self, actor: Actor | None) -> dict[str, str]:
        return {} if actor is None else {"Authorization": f"Bearer {self.token(actor)}"}

    def get(self, url: str, actor: Actor | None = None) -> Any:
        return self.client().get(url, headers=self.headers(actor))

    def register(self, actor: Actor, roles: list[str], zh: str, en: str, **extra: Any) -> Envelope:
        return self.regulator.sign("org.register", org_body(actor, roles, zh, en, **extra))

    def new_org(self, roles: list[str], *, keys: int = 1) -> list[Actor]:
        """A fresh organisation (one Actor per key) seated in Wuchang, so a test that revokes
        harms no other and a regulator may approve it."""
        actors = [Actor(f"org-{secrets.token_hex(4)}")]
        actors += [Actor(actors[0].org) for _ in range(keys - 1)]
        body = org_body(actors[0], roles, "测试", "Test org", region=WUCHANG)
        body["keys"] = [a.pub for a in actors]
        self.append(self.regulator.sign("org.register", body))
        return actors

    def issue_other_label(self, gtin: str, serial: str) -> None:
        """One label (a 1 kg pack) of other-coop's batch other-1 (lot X2025), signed as issued."""
        self.append(issue(self.unrelated, "other-1", gtin, "X2025", "1", [serial]))

    def revoke(self, actor: Actor) -> None:
        self.append(actor.sign("key.revoke", {"org": actor.org, "key": actor.key_id,
                                              "reason": "lost handheld"}))

    def build(self) -> World:
        reg, coop, mill = self.regulator, self.producer, self.mill
        self.append(
            self.register(coop, ["producer"], "五常市稻花香合作社", "Wuchang Daohuaxiang Co-op",
                          region=WUCHANG, uscc=USCC),
            self.register(mill, ["processor"], "五常米业", "Wuchang Rice Mill", region=WUCHANG),
            self.register(self.distributor, ["distributor"], "黑龙江粮食物流", "HLJ Grain Logistics"),
            self.register(self.retailer, ["retailer"], "北京超市", "Beijing Supermarket",
                          region="110105"),
            self.register(self.unrelated, ["producer"], "另一个合作社", "Another Co-op",
                          region=WUCHANG),
            self.register(self.suspended, ["producer"], "懒合作社", "Lazy Co-op", region=WUCHANG),
            reg.sign("product.register", PADDY),
            reg.sign("product.register", RICE),
            reg.sign("product.register", TEA),
            *(reg.sign("producer.approve", {"product": "wuchang-paddy", "producer": org.org,
                                            "year": YEAR, "quota": quota})
              for org, quota in ((coop, "10000"), (self.unrelated, "3000"), (self.suspended, "500"))),
            reg.sign("producer.approve", {"product": "wuchang-paddy", "producer": coop.org,
                                          "year": YEAR + 1, "quota": "12000.5"}),
            *(reg.sign("producer.approve", {"product": product, "producer": org.org,
                                            "year": LABEL_YEAR, "quota": "1000"})
              for product, org in (("wuchang-rice", mill), ("wuchang-paddy", self.unrelated))),
            reg.sign("producer.suspend", {"product": "wuchang-paddy", "producer": self.suspended.org,
                                          "reason": "special sign misused"}),
        )
        self.append(
            coop.sign("batch.register", {"batch": "paddy-1", "product": "wuchang-paddy", "lot": "L2025A",
                                         "quantity": "5000", "harvested": HARVESTED,
                                         "village": {"zh": "龙凤山村", "en": "Longfengshan"},
                                         "origin": {"plot": "Longfeng 7", "lat": "44.93",
                                                    "lon": "127.17", "region": WUCHANG}}),
            split(coop, "paddy-1", [("paddy-1a", "3000"), ("paddy-1b", "2000")]),
            ship(coop, "ship-1", mill, [("paddy-1a", "3000")]),
            mill.sign("shipment.receive", {"shipment": "ship-1"}),
            process(mill, "mill", [("paddy-1a", "3000")], "rice-1", "R2025A", "2000"),
            ship(mill, "ship-2", self.retailer, [("rice-1", "1500")]),
            self.retailer.sign("shipment.receive", {"shipment": "ship-2"}),
            ship(mill, "ship-3", self.distributor, [("rice-1", "400")]),
            coop.sign("batch.recall", {"batch": "paddy-1b", "reason": "moisture above 15.5%"}),
            self.unrelated.sign("batch.register", {"batch": "other-1", "product": "wuchang-paddy",
                                                   "lot": "X2025", "quantity": "1000",
                                                   "harvested": HARVESTED}),
        )
        return self


def obtain_token(client: FlaskClient, actor: Actor) -> str:
    resp = client.post("/v1/auth/challenge", json={"org": actor.org, "key": actor.key_id})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    challenge = resp.get_json()["challenge"]
    resp = client.post("/v1/auth/token", json={"challenge": challenge,
                                                "signature": sign_challenge(actor.key, challenge)})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    token: str = resp.get_json()["token"]
    return token


def world_settings(root: Path, regulator: Actor, database_url: str | None = None) -> Settings:
    genesis = regulator.sign("org.register", org_body(regulator, ["regulator"], "国家知识产权局",
                                                      "CNIPA"))
    settings = instance_settings(root, genesis, database_url=database_url)
    initialize(settings)
    return settings


@contextmanager
def open_world(root: Path, database_url: str | None = None) -> Iterator[World]:
    """The world, served while the context lasts; SQLite by default."""
    regulator = Actor("cnipa")
    settings = world_settings(root, regulator, database_url)
    with serving(settings) as app:
        yield World(app, app.extensions[EXTENSION].log, settings, regulator).build()


def sscc(serial: str) -> str:
    """An SSCC (GS1 AI 00) of the world's company prefix with its check digit."""
    first17 = "0690000" + serial.rjust(10, "0")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first17)))
    return first17 + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Season:
    """A second harvest of wuchang-coop through every confidential step, with values found
    nowhere else (quantities with odd decimals, a named plot, distinct reasons), so that a
    test can look for them in everything the server serves."""

    serials: list[str]  # the mill's labels on conf-rice, in issue order
    sigs: list[str]
    sold: str  # sold by retailer-bj
    voided: str  # voided by wuchang-mill
    ssccs: dict[str, str]  # shipment → SSCC
    shipments: tuple[str, ...] = ("consignment-7a1", "consignment-7b2", "consignment-7c3")


def add_season(world: World) -> Season:
    """conf-1 (7345.25 kg) is split, half shipped to the mill and milled into conf-rice; the mill
    labels 6 bags of it, ships to retailer-bj (which sells a bag) and to hlj-distribution (which
    rejects them); it voids a bag; the co-op merges the other half with conf-2."""
    reg, coop, mill = world.regulator, world.producer, world.mill
    retailer, distributor = world.retailer, world.distributor
    ssccs = {"consignment-7a1": sscc("7310001"), "consignment-7b2": sscc("7310002"),
             "consignment-7c3": sscc("7310003")}
    gtin_ = RICE["gtins"][0]  # type: ignore[index]
    serials = [f"QX{secrets.token_hex(7).upper()}" for _ in range(6)]
    labels = [Label(s, sign_label(mill.key, gtin_, "CR2025Q", s)) for s in serials]
    world.append(
        reg.sign("producer.approve", {"product": "wuchang-paddy", "producer": coop.org,
                                      "year": YEAR, "quota": "30000"}),
        coop.sign("batch.register", {"batch": "conf-1", "product": "wuchang-paddy", "lot": "Q2025A",
                                     "quantity": "7345.25", "harvested": HARVESTED,
                                     "village": {"zh": "麒麟村", "en": "Qilin"},
                                     "origin": {"plot": "Qilin terrace 88", "lat": "44.9312345",
                                                "lon": "127.1754321", "region": WUCHANG}}),
        coop.sign("batch.register", {"batch": "conf-2", "product": "wuchang-paddy", "lot": "Q2025B",
                                     "quantity": "1111.75", "harvested": HARVESTED}),
        split(coop, "conf-1", [("conf-1a", "4123.5"), ("conf-1b", "3221.75")]),
        coop.sign("batch.merge", {"from": ["conf-1b", "conf-2"],
                                  "into": {"batch": "conf-m", "lot": "Q2025M"}}),
        ship(coop, "consignment-7a1", mill, [("conf-1a", "4123.5")],
             sscc=ssccs["consignment-7a1"]),
        mill.sign("shipment.receive", {"shipment": "consignment-7a1"}),
        process(mill, "mill", [("conf-1a", "4123.5")], "conf-rice", "CR2025Q", "2886.45"),
        mill.sign("label.issue", {
            "batch": "conf-rice", "gtin": gtin_, "pack": "5", "count": len(labels),
            "labels_root": b64url_encode(labels_root(labels))},
            attachments={"labels": [{"serial": lab.serial, "sig": lab.sig} for lab in labels]}),
        ship(mill, "consignment-7b2", retailer, [("conf-rice", "1234.5")],
             sscc=ssccs["consignment-7b2"]),
        retailer.sign("shipment.receive", {"shipment": "consignment-7b2"}),
        retailer.sign("label.sell", {"serials": [serials[0]], "reason": "till 7 of Chaoyang store"}),
        mill.sign("label.void", {"serials": [serials[5]], "reason": "smudged print on bag 6"}),
        ship(mill, "consignment-7c3", distributor, [("conf-rice", "321.25")],
             sscc=ssccs["consignment-7c3"]),
        distributor.sign("shipment.reject", {"shipment": "consignment-7c3",
                                             "reason": "sacks damp on arrival at Harbin depot"}),
    )
    return Season([lab.serial for lab in labels], [lab.sig for lab in labels], serials[0],
                  serials[5], ssccs)
