"""The protection loop's actors and statements, on top of the world of tests/domain/world.py.

| org | roles | region |
|---|---|---|
| mall | platform | 330106 (an e-commerce platform) |
| assoc | association | 230184 (the Wuchang rice association) |
| hlj | regulator | 230100 (Heilongjiang; cnipa, the world's regulator, is in Beijing 110108) |
| hlj-2 | regulator | 230100 (a second regulator of the same region) |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gi_trace.domain.uscc import check_character
from gi_trace.ledger.statement import Envelope
from tests.domain.world import PADDY, World, org_register
from tests.support import Actor

SELLER_USCC = "91230184MA12345678"[:17] + check_character("91230184MA12345678"[:17])
LISTING_URL = "https://mall.example/item/123"


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Protection:
    world: World
    mall: Actor = field(default_factory=lambda: Actor("mall"))
    assoc: Actor = field(default_factory=lambda: Actor("assoc"))
    hlj: Actor = field(default_factory=lambda: Actor("hlj"))
    hlj_2: Actor = field(default_factory=lambda: Actor("hlj-2"))

    def setup(self) -> list[Envelope]:
        reg = self.world.regulator
        return [org_register(reg, self.mall, ["platform"], region="330106"),
                org_register(reg, self.assoc, ["association"], region="230184"),
                org_register(reg, self.hlj, ["regulator"], region="230100"),
                org_register(reg, self.hlj_2, ["regulator"], region="230100")]

    # -- statements ------------------------------------------------------------------------
    def check(self, check: str = "L-1", *, by: Actor | None = None, platform: str = "mall",
              **extra: Any) -> Envelope:
        body = {"check": check, "platform": platform, "url": LISTING_URL, "shop": "Rice Shop",
                "product": PADDY, **extra}
        return (by or self.mall).sign("listing.check", body)

    def notice(self, notice: str = "N-1", *, by: Actor | None = None, listing: str | None = "L-1",
               deadline: str | None = None, **extra: Any) -> Envelope:
        body: dict[str, Any] = {"notice": notice, "platform": "mall",
                                "reason": "seller-not-approved",
                                "evidence": {"reports": ["R-1"], "photos": ["ab" * 32]},
                                "deadline": deadline or in_days(2), **extra}
        if listing is not None:
            body["listing"] = listing
        return (by or self.assoc).sign("notice.send", body)

    def answer(self, status: str, notice: str = "N-1", *, by: Actor | None = None,
               reason: str | None = None) -> Envelope:
        body = {"notice": notice, "status": status}
        if reason is not None:
            body["reason"] = reason
        return (by or self.mall).sign("notice.answer", body)

    def open(self, case: str = "C-1", *, by: Actor | None = None, **sources: list[str]) -> Envelope:
        return (by or self.world.regulator).sign("case.open", {
            "case": case, "product": PADDY, "summary": "fake bags sold online",
            "sources": {"reports": ["R-1"], **sources}})

    def transfer(self, case: str = "C-1", *, by: Actor | None = None, to: str = "hlj") -> Envelope:
        return (by or self.world.regulator).sign("case.transfer", {
            "case": case, "to": to, "reason": "the seller is in Heilongjiang"})

    def accept(self, case: str = "C-1", *, by: Actor | None = None) -> Envelope:
        return (by or self.hlj).sign("case.accept", {"case": case})

    def return_(self, case: str = "C-1", *, by: Actor | None = None) -> Envelope:
        return (by or self.hlj).sign("case.return", {"case": case, "reason": "not ours"})

    def close(self, case: str = "C-1", *, by: Actor | None = None, outcome: str = "confirmed",
              publish: bool = False) -> Envelope:
        body: dict[str, Any] = {"case": case, "outcome": outcome, "publish": publish}
        if publish:
            body["summary"] = "A shop sold fake Wuchang rice; the listing was taken down."
        return (by or self.hlj).sign("case.close", body)

    def reward(self, reward: str = "W-1", *, by: Actor | None = None, report: str = "R-1",
               case: str = "C-1") -> Envelope:
        return (by or self.hlj).sign("reward.grant", {"reward": reward, "report": report,
                                                      "case": case, "amount": "500"})

    def ack(self, by: Actor, batch: str = "A-1", withdrawn: str = "300") -> Envelope:
        return by.sign("recall.ack", {"batch": batch, "withdrawn": withdrawn, "note": "pulled"})

    def hook(self, by: Actor, webhook: str = "H-1", events: list[str] | None = None) -> Envelope:
        return by.sign("webhook.register", {"webhook": webhook, "url": "https://hooks.example/x",
                                            "events": events or ["recall", "notice"]})

    def unhook(self, by: Actor, webhook: str = "H-1") -> Envelope:
        return by.sign("webhook.remove", {"webhook": webhook})
