"""Build the body of every GI statement type exactly as gi_trace/domain/bodies_v2.py reads it,
and sign it as the disclosure policy says.

Each function returns a `Draft` (type, body and any attachments, unsigned), so the same
builders serve a single submit, a group submit and the demo loader. `Draft.sign` seals the
fields that gi_trace.domain.disclosure_policy makes confidential into salted disclosures
on this machine, so only their digests enter the public log. Quantities are exact: pass a
decimal string, a Decimal or an int, never a float (a float has already lost the exact
value before it gets here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gi_trace.domain import disclosure_policy
from gi_trace.domain.label_commitment import ATTACHMENT as LABELS
from gi_trace.domain.label_commitment import Label, labels_root
from gi_trace.domain.quantity import format_quantity
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.statement import Envelope

Quantity = str | Decimal | int
Name = Mapping[str, str]
"""A bilingual name: {"zh": "五常大米", "en": "Wuchang rice"}."""
Portions = Mapping[str, Quantity] | Iterable[tuple[str, Quantity]]
"""Batch id → quantity, as a mapping or as (batch, quantity) pairs."""
PublicKey = str | bytes | Ed25519PublicKey | Ed25519PrivateKey


class SignedLabel(Protocol):
    """A label as issued: its serial and the issuer's signature (the `s` of its QR)."""

    @property
    def serial(self) -> str: ...
    @property
    def sig(self) -> str: ...


class Draft(NamedTuple):
    """An unsigned statement: its type, its whole body (confidential fields included: `sign`
    seals them) and what travels beside it (a label.issue's labels)."""

    type: str
    body: dict[str, Any]
    attachments: Mapping[str, Any] | None = None

    def sign(self, actor: str, private_key: Ed25519PrivateKey, *, ts: datetime | None = None,
             nonce: str | None = None) -> Envelope:
        """A v2 statement by `actor`, its confidential fields sealed by the disclosure policy:
        fresh salts are drawn here, and the disclosures travel in the envelope."""
        return disclosure_policy.draft(self.type, actor, private_key, self.body, ts=ts,
                                       nonce=nonce, attachments=dict(self.attachments or {}))


def decimal_text(value: Quantity) -> str:
    """The wire form of a quantity; strings pass unchanged so the server judges them."""
    if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
        raise TypeError(f"a quantity is a decimal string, Decimal or int, not {type(value).__name__}")
    return value if isinstance(value, str) else format_quantity(Decimal(value))


def pairs(items: Portions) -> list[tuple[str, str]]:
    """(batch, quantity text) pairs, in the order given."""
    listed = items.items() if isinstance(items, Mapping) else items
    return [(batch, decimal_text(qty)) for batch, qty in listed]


def portions(items: Portions) -> list[dict[str, str]]:
    return [{"batch": batch, "quantity": qty} for batch, qty in pairs(items)]


def public_key(key: PublicKey) -> str:
    """base64url of the raw 32-byte public key, from whatever form the caller holds."""
    if isinstance(key, str):
        return key
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if isinstance(key, Ed25519PublicKey):
        key = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return b64url_encode(key)


def _date(value: date | str) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else value


def name(value: Name) -> dict[str, str]:
    return {"zh": value["zh"], "en": value["en"]}


def _optional(body: dict[str, Any], **values: Any) -> dict[str, Any]:
    body.update({k: v for k, v in values.items() if v is not None})
    return body


# -- organisations and keys ----------------------------------------------------------------
def org_register(org: str, org_name: Name, roles: Sequence[str], keys: Sequence[PublicKey], *,
                 region: str | None = None, uscc: str | None = None) -> Draft:
    return Draft("org.register", _optional(
        {"org": org, "name": name(org_name), "roles": list(roles),
         "keys": [public_key(k) for k in keys]}, region=region, uscc=uscc))


def key_add(org: str, pub: PublicKey, *, reason: str | None = None,
            label: str | None = None) -> Draft:
    return Draft("key.add", _optional({"org": org, "pub": public_key(pub)},
                                      reason=reason, label=label))


def key_revoke(org: str, key: str, *, reason: str | None = None) -> Draft:
    return Draft("key.revoke", _optional({"org": org, "key": key}, reason=reason))


# -- products and approvals ----------------------------------------------------------------
def product_register(product: str, product_name: Name, *, region_name: Name,
                     region_codes: Sequence[str], unit: str, gtins: Sequence[str],
                     packs: Sequence[Quantity],
                     processes: Mapping[str, tuple[str, Quantity]] | None = None) -> Draft:
    """`packs`: the net quantities (in `unit`) one label may cover, e.g. ["2.5", "5"] kg bags;
    `processes` maps a process name to (output product, max yield), e.g.
    {"milling": ("wuchang-rice", "0.70")}."""
    body: dict[str, Any] = {
        "product": product, "name": name(product_name),
        "region": {"name": name(region_name), "codes": list(region_codes)},
        "unit": unit, "gtins": list(gtins), "packs": [decimal_text(p) for p in packs]}
    if processes:
        body["processes"] = {process: {"to": to, "max_yield": decimal_text(max_yield)}
                             for process, (to, max_yield) in processes.items()}
    return Draft("product.register", body)


def producer_approve(product: str, producer: str, year: int, quota: Quantity) -> Draft:
    """Approve a special-sign user (a grower, or the mill or packer that bags the goods)."""
    return Draft("producer.approve", {"product": product, "producer": producer, "year": year,
                                      "quota": decimal_text(quota)})


def producer_suspend(product: str, producer: str, reason: str) -> Draft:
    return Draft("producer.suspend", {"product": product, "producer": producer, "reason": reason})


def producer_reinstate(product: str, producer: str, reason: str) -> Draft:
    return Draft("producer.reinstate", {"product": product, "producer": producer, "reason": reason})


# -- batches -------------------------------------------------------------------------------
def batch_register(batch: str, product: str, lot: str, quantity: Quantity,
                   harvested: date | str, *, plot: str | None = None,
                   lat: str | Decimal | None = None, lon: str | Decimal | None = None,
                   plot_region: str | None = None, village: Name | None = None) -> Draft:
    """A harvest. Confidential (sealed by `Draft.sign`): `quantity` and `origin` (plot, lat,
    lon and the plot's GB/T 2260 `plot_region`). Public: `village`, the origin a shopper sees."""
    body: dict[str, Any] = {"batch": batch, "product": product, "lot": lot,
                            "quantity": decimal_text(quantity),
                            "harvested": _date(harvested)}
    origin = _optional({}, plot=plot, lat=None if lat is None else str(lat),
                       lon=None if lon is None else str(lon), region=plot_region)
    if origin:
        body["origin"] = origin
    if village is not None:
        body["village"] = name(village)
    return Draft("batch.register", body)


def batch_split(from_batch: str, into: Portions) -> Draft:
    """Public: the parent and its children's ids; confidential: `quantities`, in their order."""
    parts = pairs(into)
    return Draft("batch.split", {"from": from_batch, "into": [batch for batch, _ in parts],
                                 "quantities": [qty for _, qty in parts]})


def batch_merge(from_batches: Sequence[str], into: str, lot: str) -> Draft:
    return Draft("batch.merge", {"from": list(from_batches), "into": {"batch": into, "lot": lot}})


def batch_process(process: str, inputs: Portions, output: str, lot: str,
                  quantity: Quantity) -> Draft:
    """Public: the process, the input ids and the output's batch and lot; confidential:
    `quantities` ({"inputs": [in the order of inputs], "output"})."""
    parts = pairs(inputs)
    return Draft("batch.process", {
        "process": process, "inputs": [batch for batch, _ in parts],
        "output": {"batch": output, "lot": lot},
        "quantities": {"inputs": [qty for _, qty in parts], "output": decimal_text(quantity)}})


def batch_recall(batch: str, reason: str) -> Draft:
    return Draft("batch.recall", {"batch": batch, "reason": reason})


# -- shipments (every field confidential: who ships what to whom is a customer list) ------
def shipment_send(shipment: str, to: str, items: Portions, *, sscc: str | None = None) -> Draft:
    """`sscc`: the GS1 SSCC on the delivery's label, for the receiver's desk to scan."""
    return Draft("shipment.send", _optional({"shipment": shipment, "to": to, "items": portions(items)},
                                            sscc=sscc))


def shipment_receive(shipment: str, *, reason: str | None = None) -> Draft:
    return Draft("shipment.receive", _optional({"shipment": shipment}, reason=reason))


def shipment_reject(shipment: str, reason: str | None = None) -> Draft:
    return Draft("shipment.reject", _optional({"shipment": shipment}, reason=reason))


# -- labels --------------------------------------------------------------------------------
def label_leaves(labels: Iterable[SignedLabel]) -> list[dict[str, str]]:
    """The `labels` attachment: each label's serial and signature, in issue order."""
    return [{"serial": label.serial, "sig": label.sig} for label in labels]


def label_issue(batch: str, gtin: str, pack: Quantity, labels: Sequence[SignedLabel]) -> Draft:
    """Labels for a batch, each covering `pack` (one of the product's packs). The statement
    commits to them by `labels_root`, the RFC 6962 tree hash over jcs({"serial", "sig"}) in
    the order given; the labels themselves travel beside it and never enter the log."""
    leaves = label_leaves(labels)
    root = labels_root([Label(leaf["serial"], leaf["sig"]) for leaf in leaves])
    return Draft("label.issue", {"batch": batch, "gtin": gtin, "pack": decimal_text(pack),
                                 "count": len(leaves), "labels_root": b64url_encode(root)},
                 {LABELS: leaves})


def label_void(serials: Sequence[str], reason: str | None = None) -> Draft:
    """Serials and reason are confidential: a serial is enough to print a label."""
    return Draft("label.void", _optional({"serials": list(serials)}, reason=reason))


def label_sell(serials: Sequence[str], reason: str | None = None) -> Draft:
    return Draft("label.sell", _optional({"serials": list(serials)}, reason=reason))
