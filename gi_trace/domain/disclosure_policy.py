"""Which fields of each GI statement type are confidential: DESIGN.md's default policy.

The log is public, so a v2 statement keeps these fields out of its body and signs
salted digests of them instead (`gi_trace.ledger.disclosure`). The rule is "public
what the public needs to verify, confidential what a competitor would want":

- public: organisations, keys, products, approvals with quotas, suspensions, recalls
  with their reasons, batch ids and lots, lineage (which batch came from which), the
  public village of a harvest, label counts, packs and roots;
- confidential: quantities (how much a grower harvested or a mill produced is its
  trade data), counterparties and shipment ids and SSCCs (a customer list), plots and
  coordinates, rejection reasons, voided and sold serials (a serial is a printable label).

Every client drafts through `draft` here, and the server refuses a v2 statement that
leaves one of these fields public (`gi_trace.domain.supply_chain`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.ledger import statement
from gi_trace.ledger.statement import Envelope

NONE: frozenset[str] = frozenset()

CONFIDENTIAL: dict[str, frozenset[str]] = {
    "org.register": NONE,
    "key.add": NONE,
    "key.revoke": NONE,
    "product.register": NONE,
    "producer.approve": NONE,
    "producer.suspend": NONE,
    "producer.reinstate": NONE,
    # The harvest's size and its plot (with the plot's admin code); `village` stays public.
    "batch.register": frozenset({"quantity", "origin"}),
    "batch.split": frozenset({"quantities"}),
    "batch.merge": NONE,  # it has no quantities: it merges all the author holds
    "batch.process": frozenset({"quantities"}),
    # Who ships what to whom: the whole body.
    "shipment.send": frozenset({"shipment", "to", "sscc", "items"}),
    "shipment.receive": frozenset({"shipment", "reason"}),
    "shipment.reject": frozenset({"shipment", "reason"}),
    "batch.recall": NONE,
    # Public: batch, gtin, pack, count, labels_root; the labels travel beside it.
    "label.issue": NONE,
    "label.void": frozenset({"serials", "reason"}),
    "label.sell": frozenset({"serials", "reason"}),
    # The protection loop: public what shows a platform's and a region's handling (notices,
    # answers, deadlines, cases' steps and outcomes, rewards); confidential the label codes
    # a listing shows (printable labels), a notice's evidence, a case's working summary and a
    # transfer's or a return's reasons, what a holder withdrew, and where a webhook calls.
    "listing.check": frozenset({"codes"}),
    "notice.send": frozenset({"evidence"}),
    "notice.answer": NONE,
    "case.open": frozenset({"summary"}),
    "case.transfer": frozenset({"reason"}),
    "case.accept": NONE,
    "case.return": frozenset({"reason"}),
    "case.close": NONE,
    "reward.grant": NONE,
    "recall.ack": frozenset({"withdrawn", "note"}),
    "webhook.register": frozenset({"url"}),
    "webhook.remove": NONE,
}


def draft(type_: str, actor: str, private_key: Ed25519PrivateKey, body: dict[str, Any], *,
          ts: datetime | None = None, nonce: str | None = None,
          attachments: dict[str, Any] | None = None) -> Envelope:
    """A v2 statement of `type_` signed by `actor`, its confidential fields sealed as the
    policy says (attachments, such as a label.issue's labels, travel beside it)."""
    return statement.draft(type_, actor, private_key, body, ts=ts, nonce=nonce,
                           confidential=CONFIDENTIAL[type_], attachments=attachments or {})
