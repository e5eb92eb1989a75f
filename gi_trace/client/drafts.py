"""Build the body of every GI statement type exactly as gi_trace/domain/bodies.py reads it.

Each function returns a `Draft` (type and body, unsigned), so the same builders
serve a single submit, a group submit and the demo loader. Quantities are exact:
pass a decimal string, a Decimal or an int, never a float (a float has already
lost the exact value before it gets here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gi_trace.domain.quantity import format_quantity
from gi_trace.ledger.encoding import b64url_encode

Quantity = str | Decimal | int
Name = Mapping[str, str]
"""A bilingual name: {"zh": "五常大米", "en": "Wuchang rice"}."""
Portions = Mapping[str, Quantity] | Iterable[tuple[str, Quantity]]
"""Batch id → quantity, as a mapping or as (batch, quantity) pairs."""
PublicKey = str | bytes | Ed25519PublicKey | Ed25519PrivateKey


class Draft(NamedTuple):
    """An unsigned statement: its type and body."""

    type: str
    body: dict[str, Any]


def decimal_text(value: Quantity) -> str:
    """The wire form of a quantity; strings pass unchanged so the server judges them."""
    if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
        raise TypeError(f"a quantity is a decimal string, Decimal or int, not {type(value).__name__}")
    return value if isinstance(value, str) else format_quantity(Decimal(value))


def portions(items: Portions) -> list[dict[str, str]]:
    pairs = items.items() if isinstance(items, Mapping) else items
    return [{"batch": batch, "quantity": decimal_text(qty)} for batch, qty in pairs]


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
                     processes: Mapping[str, tuple[str, Quantity]] | None = None) -> Draft:
    """`processes` maps a process name to (output product, max yield), e.g.
    {"milling": ("wuchang-rice", "0.70")}."""
    body: dict[str, Any] = {
        "product": product, "name": name(product_name),
        "region": {"name": name(region_name), "codes": list(region_codes)},
        "unit": unit, "gtins": list(gtins)}
    if processes:
        body["processes"] = {process: {"to": to, "max_yield": decimal_text(max_yield)}
                             for process, (to, max_yield) in processes.items()}
    return Draft("product.register", body)


def producer_approve(product: str, producer: str, year: int, quota: Quantity) -> Draft:
    return Draft("producer.approve", {"product": product, "producer": producer, "year": year,
                                      "quota": decimal_text(quota)})


def producer_suspend(product: str, producer: str, reason: str) -> Draft:
    return Draft("producer.suspend", {"product": product, "producer": producer, "reason": reason})


def producer_reinstate(product: str, producer: str, reason: str) -> Draft:
    return Draft("producer.reinstate", {"product": product, "producer": producer, "reason": reason})


# -- batches -------------------------------------------------------------------------------
def batch_register(batch: str, product: str, lot: str, quantity: Quantity,
                   harvested: date | str, *, plot: str | None = None,
                   lat: str | Decimal | None = None, lon: str | Decimal | None = None) -> Draft:
    body: dict[str, Any] = {"batch": batch, "product": product, "lot": lot,
                            "quantity": decimal_text(quantity),
                            "harvested": _date(harvested)}
    origin = _optional({}, plot=plot, lat=None if lat is None else str(lat),
                       lon=None if lon is None else str(lon))
    if origin:
        body["origin"] = origin
    return Draft("batch.register", body)


def batch_split(from_batch: str, into: Portions) -> Draft:
    return Draft("batch.split", {"from": from_batch, "into": portions(into)})


def batch_merge(from_batches: Sequence[str], into: str, lot: str) -> Draft:
    return Draft("batch.merge", {"from": list(from_batches), "into": {"batch": into, "lot": lot}})


def batch_process(process: str, inputs: Portions, output: str, lot: str,
                  quantity: Quantity) -> Draft:
    return Draft("batch.process", {"process": process, "inputs": portions(inputs),
                                   "output": {"batch": output, "lot": lot,
                                              "quantity": decimal_text(quantity)}})


def batch_recall(batch: str, reason: str) -> Draft:
    return Draft("batch.recall", {"batch": batch, "reason": reason})


# -- shipments -----------------------------------------------------------------------------
def shipment_send(shipment: str, to: str, items: Portions, *, sscc: str | None = None) -> Draft:
    """`sscc`: the GS1 SSCC on the delivery's label, for the receiver's desk to scan."""
    return Draft("shipment.send", _optional({"shipment": shipment, "to": to, "items": portions(items)},
                                            sscc=sscc))


def shipment_receive(shipment: str, *, reason: str | None = None) -> Draft:
    return Draft("shipment.receive", _optional({"shipment": shipment}, reason=reason))


def shipment_reject(shipment: str, reason: str | None = None) -> Draft:
    return Draft("shipment.reject", _optional({"shipment": shipment}, reason=reason))


# -- labels --------------------------------------------------------------------------------
def label_issue(batch: str, gtin: str, serials: Sequence[str], sigs: Sequence[str]) -> Draft:
    """Labels for a batch: each serial with its label signature (the `s` printed in its QR)."""
    return Draft("label.issue", {"batch": batch, "gtin": gtin, "serials": list(serials),
                                 "sigs": list(sigs)})


def label_void(serials: Sequence[str], reason: str | None = None) -> Draft:
    return Draft("label.void", _optional({"serials": list(serials)}, reason=reason))


def label_sell(serials: Sequence[str], reason: str | None = None) -> Draft:
    return Draft("label.sell", _optional({"serials": list(serials)}, reason=reason))
