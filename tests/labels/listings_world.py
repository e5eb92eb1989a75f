"""A world for listing verdicts: the protection loop's (tests/domain/protection.py) and coop-q, a
Wuchang producer with a credit code, approved for paddy, whose harvest Q-1 carries 3 labels.

| org | roles | credit code | approved |
|---|---|---|---|
| coop-q | producer | SELLER | paddy 900 (harvest Q-1: 432.125, 3 labels of 25 kg) |
| mill-q | processor | MILL | rice 10 (and no more: see `over_quota`) |
| coop-r | producer | UNAPPROVED | — |
"""

from __future__ import annotations

from typing import Any

from gi_trace.domain.uscc import check_character
from gi_trace.labels.digital_link import label_link
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from tests.domain.protection import Protection
from tests.domain.world import (
    GTINS,
    PADDY,
    RICE,
    WUCHANG,
    World,
    approve,
    issue,
    labels_for,
    process,
    receive,
    register,
    serials,
    ship,
)
from tests.support import Actor


def uscc(first17: str) -> str:
    return first17 + check_character(first17)


SELLER, MILL, UNAPPROVED = uscc("91230184MA1Q2W3E4"), uscc("91230184MA1M7L6K5"), \
    uscc("92230184MA1R8T6U5")
NOBODY = uscc("91110108MA1Y9Y8X7")
BASE = "https://gi.example"


def enterprise(regulator: Actor, actor: Actor, roles: list[str], code: str) -> Envelope:
    """An org.register of a Wuchang organisation with its credit code."""
    return regulator.sign("org.register", {
        "org": actor.org, "name": {"zh": actor.org, "en": actor.org}, "roles": roles,
        "keys": [actor.pub], "region": WUCHANG, "uscc": code})


class Sellers:
    def __init__(self, service: Service, regulator: Actor) -> None:
        self.service = service
        self.loop = Protection(World(regulator=regulator))
        self.coop, self.mill, self.coop_r = Actor("coop-q"), Actor("mill-q"), Actor("coop-r")
        reg = regulator
        self.append(*self.loop.world.setup(), *self.loop.setup(),
                    enterprise(reg, self.coop, ["producer"], SELLER),
                    enterprise(reg, self.mill, ["processor"], MILL),
                    enterprise(reg, self.coop_r, ["producer"], UNAPPROVED),
                    approve(reg, PADDY, "coop-q", "900"), approve(reg, RICE, "mill-q", "10"))
        self.append(register(self.coop, "Q-1", "432.125"))
        self.append(issue(self.coop, "Q-1", 3, pack="25"))

    def append(self, *made: Envelope) -> None:
        self.service.log.append(list(made))

    def code(self, n: int = 0, *, batch: str = "Q-1", signer: Actor | None = None,
             gtin: str | None = None, lot: str | None = None) -> str:
        """The URI printed on label `n` of `batch` (as issued, unless told otherwise)."""
        gtin = gtin or GTINS[PADDY][0]
        lot = lot or f"L{batch}"
        serial = serials(batch, n + 1)[n]
        sig = labels_for(signer or self.coop, gtin, lot, [serial])[0]["sig"]
        return label_link(BASE, gtin, lot, serial, sig)

    def listed(self, check: str = "L-1", *, by: Actor | None = None, **body: Any) -> str:
        self.append(self.loop.check(check, by=by, **body))
        return check

    def over_quota(self) -> None:
        """mill-q mills 200 kg of coop-q's paddy into 100 kg of rice and labels 25 kg of it, over
        its rice quota of 10: labels are bound by the harvests milled, not by the mill's quota."""
        self.append(ship(self.coop, "S-Q", "mill-q", [("Q-1", "200")]))
        self.append(receive(self.mill, "S-Q"))
        self.append(process(self.mill, [("Q-1", "200")], "R-Q", "100", lot="LR-Q"))
        self.append(issue(self.mill, "R-Q", 5, gtin=GTINS[RICE][0], lot="LR-Q", pack="5"))
