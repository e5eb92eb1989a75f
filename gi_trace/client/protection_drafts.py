"""Builders for the protection loop's statements (listing checks, takedown notices, cases,
rewards, recall acknowledgements, webhooks), as gi_trace/domain/bodies_protection.py reads
them; they sign like every other draft (`gi_trace.client.drafts.Draft`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from gi_trace.client.drafts import Draft, Quantity, _optional, decimal_text

NO_SOURCES: dict[str, list[str]] = {}


def _ts(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def listing_check(check: str, platform: str, url: str, product: str, *, shop: str | None = None,
                  seller_uscc: str | None = None, codes: Sequence[str] | None = None) -> Draft:
    return Draft("listing.check", _optional(
        {"check": check, "platform": platform, "url": url, "product": product}, shop=shop,
        seller_uscc=seller_uscc, codes=list(codes) if codes else None))


def notice_send(notice: str, platform: str, reason: str, deadline: datetime | str, *,
                listing: str | None = None, url: str | None = None, detail: str | None = None,
                evidence: dict[str, list[str]] | None = None) -> Draft:
    return Draft("notice.send", _optional(
        {"notice": notice, "platform": platform, "reason": reason, "deadline": _ts(deadline),
         "evidence": dict(evidence or NO_SOURCES)}, listing=listing, url=url, detail=detail))


def notice_answer(notice: str, status: str, reason: str | None = None) -> Draft:
    return Draft("notice.answer", _optional({"notice": notice, "status": status}, reason=reason))


def case_open(case: str, product: str, summary: str, *,
              sources: dict[str, list[str]] | None = None) -> Draft:
    return Draft("case.open", {"case": case, "product": product, "summary": summary,
                               "sources": dict(sources or NO_SOURCES)})


def case_transfer(case: str, to: str, reason: str) -> Draft:
    return Draft("case.transfer", {"case": case, "to": to, "reason": reason})


def case_accept(case: str) -> Draft:
    return Draft("case.accept", {"case": case})


def case_return(case: str, reason: str) -> Draft:
    return Draft("case.return", {"case": case, "reason": reason})


def case_close(case: str, outcome: str, *, publish: bool = False,
               summary: str | None = None) -> Draft:
    body: dict[str, Any] = {"case": case, "outcome": outcome, "publish": publish}
    return Draft("case.close", _optional(body, summary=summary))


def reward_grant(reward: str, report: str, case: str, amount: Quantity) -> Draft:
    return Draft("reward.grant", {"reward": reward, "report": report, "case": case,
                                  "amount": decimal_text(amount)})


def recall_ack(batch: str, withdrawn: Quantity, note: str | None = None) -> Draft:
    return Draft("recall.ack", _optional({"batch": batch, "withdrawn": decimal_text(withdrawn)},
                                         note=note))


def webhook_register(webhook: str, url: str, events: Sequence[str]) -> Draft:
    return Draft("webhook.register", {"webhook": webhook, "url": url, "events": list(events)})


def webhook_remove(webhook: str) -> Draft:
    return Draft("webhook.remove", {"webhook": webhook})
