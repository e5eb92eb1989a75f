"""One method per GI statement type: build the body (drafts.py), sign, submit, verify.

A mixin, so the typed surface stays apart from the plumbing in client.py; it
needs only `org` and `submit_draft` from the class it is mixed into. Confidential
fields are sealed when the draft is signed (Draft.sign), never here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from . import drafts
from .drafts import Name, Portions, PublicKey, Quantity, SignedLabel
from .log import Receipt


class Actions:
    org: str

    def submit_draft(self, draft: drafts.Draft) -> Receipt:
        raise NotImplementedError

    def _send(self, draft: drafts.Draft) -> Receipt:
        return self.submit_draft(draft)

    # -- organisations and keys (regulators register; an org manages its own keys) -------
    def register_org(self, org: str, name: Name, roles: Sequence[str], keys: Sequence[PublicKey],
                     *, region: str | None = None, uscc: str | None = None) -> Receipt:
        return self._send(drafts.org_register(org, name, roles, keys, region=region, uscc=uscc))

    def add_key(self, pub: PublicKey, *, org: str | None = None, reason: str | None = None,
                label: str | None = None) -> Receipt:
        """Add a key to `org` (default: this client's own organisation)."""
        return self._send(drafts.key_add(org or self.org, pub, reason=reason, label=label))

    def revoke_key(self, key: str, *, org: str | None = None, reason: str | None = None) -> Receipt:
        """Revoke key id `key` of `org` (default: this client's own organisation)."""
        return self._send(drafts.key_revoke(org or self.org, key, reason=reason))

    # -- products and approvals (regulator) ----------------------------------------------
    def register_product(self, product: str, name: Name, *, region_name: Name,
                         region_codes: Sequence[str], unit: str, gtins: Sequence[str],
                         packs: Sequence[Quantity],
                         processes: Mapping[str, tuple[str, Quantity]] | None = None) -> Receipt:
        return self._send(drafts.product_register(product, name, region_name=region_name,
                                                  region_codes=region_codes, unit=unit,
                                                  gtins=gtins, packs=packs, processes=processes))

    def approve_producer(self, product: str, producer: str, year: int, quota: Quantity) -> Receipt:
        return self._send(drafts.producer_approve(product, producer, year, quota))

    def suspend_producer(self, product: str, producer: str, reason: str) -> Receipt:
        return self._send(drafts.producer_suspend(product, producer, reason))

    def reinstate_producer(self, product: str, producer: str, reason: str) -> Receipt:
        return self._send(drafts.producer_reinstate(product, producer, reason))

    # -- batches (producer, then whoever holds them) -------------------------------------
    def register_batch(self, batch: str, product: str, lot: str, quantity: Quantity,
                       harvested: date | str, *, plot: str | None = None,
                       lat: str | Decimal | None = None, lon: str | Decimal | None = None,
                       plot_region: str | None = None, village: Name | None = None) -> Receipt:
        return self._send(drafts.batch_register(batch, product, lot, quantity, harvested,
                                                plot=plot, lat=lat, lon=lon,
                                                plot_region=plot_region, village=village))

    def split_batch(self, from_batch: str, into: Portions) -> Receipt:
        return self._send(drafts.batch_split(from_batch, into))

    def merge_batches(self, from_batches: Sequence[str], into: str, lot: str) -> Receipt:
        return self._send(drafts.batch_merge(from_batches, into, lot))

    def process_batch(self, process: str, inputs: Portions, output: str, lot: str,
                      quantity: Quantity) -> Receipt:
        return self._send(drafts.batch_process(process, inputs, output, lot, quantity))

    def recall(self, batch: str, reason: str) -> Receipt:
        return self._send(drafts.batch_recall(batch, reason))

    # -- shipments -------------------------------------------------------------------------
    def ship(self, shipment: str, to: str, items: Portions, *, sscc: str | None = None) -> Receipt:
        return self._send(drafts.shipment_send(shipment, to, items, sscc=sscc))

    def receive(self, shipment: str, *, reason: str | None = None) -> Receipt:
        return self._send(drafts.shipment_receive(shipment, reason=reason))

    def reject(self, shipment: str, reason: str | None = None) -> Receipt:
        return self._send(drafts.shipment_reject(shipment, reason))

    # -- labels (each label is signed with gi_trace.domain.label_signature on this machine) --
    def issue_labels(self, batch: str, gtin: str, pack: Quantity,
                     labels: Sequence[SignedLabel]) -> Receipt:
        """One label.issue committing to `labels` (at most 10,000) by their Merkle root; the
        labels travel beside the statement, never in the log."""
        return self._send(drafts.label_issue(batch, gtin, pack, labels))

    def void_labels(self, serials: Sequence[str], reason: str | None = None) -> Receipt:
        return self._send(drafts.label_void(serials, reason))

    def sell_labels(self, serials: Sequence[str], reason: str | None = None) -> Receipt:
        return self._send(drafts.label_sell(serials, reason))
