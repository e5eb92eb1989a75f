"""The bodies of the protection loop's statements (v2 only): listing checks, takedown
notices, cases across regions, rewards, recall acknowledgements and webhooks.

They exist only under statement v2, so they have no v1 shape; which of their fields are
confidential is in `disclosure_policy`, who may sign them in their rules' modules.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gi_trace.domain.body_fields import USCC_PATTERN, Id, Quantity, Strict, distinct
from gi_trace.domain.full_match import FullMatch
from gi_trace.domain.uscc import valid_uscc
from gi_trace.ledger.statement import TS_PATTERN

MAX_CODES = 100  # label URIs one listing shows
MAX_SOURCES = 100
URL_LENGTH = 2000
TEXT_LENGTH = 2000

# Why a notice asks for a takedown: the reasons a listing check gives, or another one.
NOTICE_REASONS = ("seller-not-approved", "approval-suspended", "product-recalled",
                  "codes-invalid", "codes-copied", "quota-exceeded", "other")
NOTICE_ANSWERS = ("acknowledged", "removed", "disputed")
CASE_OUTCOMES = ("confirmed", "unfounded")
WEBHOOK_EVENTS = ("recall", "notice", "case", "report")


def _uscc(code: str) -> None:
    if not valid_uscc(code):
        raise ValidationError("wrong check character (GB 32100-2015)")


def Url(**kwargs: Any) -> fields.Url:
    return fields.Url(schemes={"http", "https"}, require_tld=False,
                      validate=validate.Length(1, URL_LENGTH), **kwargs)


def Text(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(1, TEXT_LENGTH), **kwargs)


def Ids(**kwargs: Any) -> fields.List:  # type: ignore[type-arg]
    return fields.List(Id(), validate=validate.Length(0, MAX_SOURCES), **kwargs)


class ListingCheck(Strict):
    """A listing seen on a platform, for the log to judge (`gi_trace.labels.listing_verdict`)."""

    check = Id(required=True)
    platform = Id(required=True)  # the platform's org id
    url = Url(required=True)
    shop = fields.String(validate=validate.Length(1, 200))
    seller_uscc = fields.String(validate=[FullMatch(USCC_PATTERN), _uscc])
    product = Id(required=True)  # the GI product the listing claims
    codes = fields.List(fields.String(validate=validate.Length(1, URL_LENGTH)),
                        validate=validate.Length(1, MAX_CODES))  # label URIs shown in its photos


class Evidence(Strict):
    reports = Ids()
    listings = Ids()
    anomalies = fields.List(fields.String(validate=validate.Length(1, 200)),
                            validate=validate.Length(0, MAX_SOURCES))
    photos = fields.List(fields.String(validate=FullMatch(r"^[0-9a-f]{64}$")),
                         validate=validate.Length(0, 20))  # SHA-256 of each photo


class NoticeSend(Strict):
    notice = Id(required=True)
    platform = Id(required=True)
    listing = Id()  # a listing.check's id
    url = Url()  # or the listing's address, when it was never checked
    reason = fields.String(required=True, validate=validate.OneOf(NOTICE_REASONS))
    detail = Text()
    evidence = fields.Nested(Evidence, required=True)
    deadline = fields.String(required=True, validate=FullMatch(TS_PATTERN.pattern))

    @validates_schema
    def _names_a_listing(self, data: dict[str, Any], **_: Any) -> None:
        if "listing" not in data and "url" not in data:
            raise ValidationError("name the listing (a check id) or its url", "listing")


class NoticeAnswer(Strict):
    notice = Id(required=True)
    status = fields.String(required=True, validate=validate.OneOf(NOTICE_ANSWERS))
    reason = Text()

    @validates_schema
    def _dispute_says_why(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("status") == "disputed" and "reason" not in data:
            raise ValidationError("a dispute gives its reason", "reason")


class CaseSources(Strict):
    reports = Ids()
    listings = Ids()
    notices = Ids()


class CaseOpen(Strict):
    case = Id(required=True)
    product = Id(required=True)
    sources = fields.Nested(CaseSources, required=True)
    summary = Text(required=True)


class CaseTransfer(Strict):
    case = Id(required=True)
    to = Id(required=True)  # a regulator of another region
    reason = Text(required=True)


class CaseAccept(Strict):
    case = Id(required=True)


class CaseReturn(Strict):
    case = Id(required=True)
    reason = Text(required=True)


class CaseClose(Strict):
    case = Id(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(CASE_OUTCOMES))
    publish = fields.Boolean(load_default=False)  # a typical case, on the public page
    summary = Text()  # what the public page says; required to publish

    @validates_schema
    def _published_says_what(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("publish") and "summary" not in data:
            raise ValidationError("a published case needs its public summary", "summary")


class RewardGrant(Strict):
    reward = Id(required=True)
    report = Id(required=True)  # the counterfeit report rewarded
    case = Id(required=True)  # the confirmed case built on it
    amount = Quantity(required=True)  # yuan


class RecallAck(Strict):
    batch = Id(required=True)  # a recalled batch the signer holds
    withdrawn = Quantity(required=True)
    note = Text()


class WebhookRegister(Strict):
    webhook = Id(required=True)
    url = Url(required=True)
    events = fields.List(fields.String(validate=validate.OneOf(WEBHOOK_EVENTS)), required=True,
                         validate=validate.Length(1, len(WEBHOOK_EVENTS)))

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        distinct(data.get("events", []), "events")


class WebhookRemove(Strict):
    webhook = Id(required=True)


BODIES: dict[str, type[Schema]] = {
    "listing.check": ListingCheck,
    "notice.send": NoticeSend,
    "notice.answer": NoticeAnswer,
    "case.open": CaseOpen,
    "case.transfer": CaseTransfer,
    "case.accept": CaseAccept,
    "case.return": CaseReturn,
    "case.close": CaseClose,
    "reward.grant": RewardGrant,
    "recall.ack": RecallAck,
    "webhook.register": WebhookRegister,
    "webhook.remove": WebhookRemove,
}
