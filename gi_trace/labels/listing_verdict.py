"""The verdict on a listing check: `ok`, or `infringing` with every reason found.

Judged when read, from the log's state and the scans then, so a suspension or a copied
code shows on an old listing too. A result that never raises (as the scan verdict):

- seller-not-approved: no seller credit code given, no organisation with it, or none
  approved for the listing's product in the year it was checked;
- approval-suspended: the seller is suspended for the product;
- quota-exceeded: the seller's labels for the product that year cover more than its quota;
- codes-invalid: a code that is no special sign as issued (not a Digital Link, no serial,
  unknown, its GTIN, lot or signature changed, voided, or a label of another product);
- product-recalled: a code's batch descends from a recalled batch;
- codes-copied: a code's scans look copied (labels/scans.py's judgement), or another seller
  lists it too.

A reason about a code names it by position ("code 2"), never by its serial: the codes
are confidential, the verdict is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from gi_trace.domain.label_signature import label_signature_valid
from gi_trace.domain.queries import qualifications
from gi_trace.domain.queries.listings import Listing, listed_by_another_seller
from gi_trace.labels import scans
from gi_trace.labels.digital_link import DigitalLink, DigitalLinkError, parse, path_segment
from gi_trace.labels.facts import LabelFacts, label_facts
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.statement import parse_ts

OK, INFRINGING = "ok", "infringing"
REASONS = ("seller-not-approved", "approval-suspended", "quota-exceeded", "codes-invalid",
           "product-recalled", "codes-copied")


@dataclass
class ListingVerdict:
    verdict: str = OK
    reasons: list[dict[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.verdict == OK

    def add(self, code: str, detail: str) -> None:
        self.verdict = INFRINGING
        self.reasons.append({"code": code, "detail": detail})


def _seller(conn: Connection, listing: Listing, found: ListingVerdict) -> None:
    if listing.seller_uscc is None:
        found.add("seller-not-approved", "the listing names no seller credit code")
        return
    org = qualifications.enterprise(conn, listing.seller_uscc)
    if org is None:
        found.add("seller-not-approved", f"no organisation has credit code {listing.seller_uscc}")
        return
    standing = qualifications.standing(conn, org, listing.product, listing.year)
    if standing.approval is None:
        found.add("seller-not-approved",
                  f"{org.org} is not approved for {listing.product} in {listing.year}")
        return
    if standing.suspension is not None:
        found.add("approval-suspended", f"{org.org} is suspended for {listing.product}: "
                  f"{standing.suspension.reason}")
    if standing.over_quota:
        found.add("quota-exceeded", f"{org.org}'s labels for {listing.product} in {listing.year} "
                  f"cover {standing.labels_cover}, over its quota of {standing.approval.quota}")


def _genuine(link: DigitalLink, facts: LabelFacts) -> bool:
    """The printed code is the label issued: same GTIN and lot, and its signature verifies."""
    if (link.gtin, link.lot) != (facts.gtin, facts.lot) or not link.sig:
        return False
    if link.sig == facts.sig:
        return True
    try:
        signature = b64url_decode(link.sig, field="s")
    except MalformedError:
        return False
    return label_signature_valid(facts.pub, facts.key, facts.gtin, facts.lot, facts.serial, signature)


def _label(conn: Connection, uri: str) -> tuple[LabelFacts | None, str]:
    """The label a code shows, or None and why it is none."""
    try:
        link = parse(uri)
    except DigitalLinkError as e:
        return None, f"not a Digital Link ({e})"
    if link.serial is None:
        return None, "no serial: not a special sign"
    facts = label_facts(conn, link.serial)
    if facts is None:
        return None, "no such label was issued"
    if not _genuine(link, facts):
        return None, "not the label issued (GTIN, lot or signature changed)"
    if facts.voided:
        return None, "the label was voided"
    return facts, ""


def _code(conn: Connection, listing: Listing, n: int, uri: str, policy: scans.ScanPolicy,
          found: ListingVerdict) -> None:
    facts, why = _label(conn, uri)
    if facts is None:
        found.add("codes-invalid", f"code {n}: {why}")
        return
    if facts.batch.product != listing.product:
        found.add("codes-invalid", f"code {n}: a label of {facts.batch.product}, not "
                  f"{listing.product}")
    if facts.batch.recalled:
        found.add("product-recalled", f"code {n}: batch {facts.batch.batch} is recalled: "
                  f"{facts.batch.recall_reason or ''}")
    sold_at = int(parse_ts(facts.status_ts).timestamp()) if facts.sold and facts.status_ts else None
    suspicions = scans.history(conn, facts.serial, policy, sold_at=sold_at).suspicions(policy)
    if suspicions:
        found.add("codes-copied", f"code {n}: its scans look copied ({', '.join(suspicions)})")
    if listed_by_another_seller(conn, listing, f"/21/{path_segment(facts.serial)}"):
        found.add("codes-copied", f"code {n}: another seller lists the same label")


def judge(conn: Connection, listing: Listing, policy: scans.ScanPolicy) -> ListingVerdict:
    """The verdict on `listing` now; its codes must be the stored ones (whoever reads it)."""
    found = ListingVerdict()
    _seller(conn, listing, found)
    for n, uri in enumerate(listing.codes or [], start=1):
        _code(conn, listing, n, uri, policy, found)
    return found


def as_json(verdict: ListingVerdict) -> dict[str, Any]:
    return {"verdict": verdict.verdict, "reasons": verdict.reasons}
