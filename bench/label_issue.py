"""One label.issue of 10,000 labels, end to end, as a packer's machine and the server do it.

A fresh instance (SQLite or PostgreSQL) holds an approved grower's harvest big enough for
the labels at the product's 2.5 kg pack; `gi-trace serve` serves it. The clock then
covers what `gi-trace labels issue` does before printing: make and sign 10,000 labels
locally, build their labels_root, sign the statement, POST it with the labels beside it
(the server checks every label signature and the root, applies mass balance and stores
the labels), and verify the statement's inclusion in a signed checkpoint. Each part is
timed too, so a regression names its place.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from gi_trace.client import Client, drafts
from gi_trace.domain.disclosure_policy import draft
from gi_trace.domain.quantity import format_quantity
from gi_trace.labels.issuing import new_labels
from gi_trace.service import open_service

from .fixtures import GTIN, PACK, PRODUCT, Instance, Postgres, harvest_date, instance_for
from .server import running_server

TARGET_SECONDS = 2.0


@dataclass(frozen=True)
class LabelIssueRun:
    labels: int
    sign_seconds: float      # labels made and signed, root built, statement signed (client)
    submit_seconds: float    # POST, append, inclusion proof verified
    request_bytes: int

    @property
    def seconds(self) -> float:
        return self.sign_seconds + self.submit_seconds

    def details(self) -> str:
        return (f"{self.labels:,} labels: signed and committed on the client in {self.sign_seconds:.2f} s, "
                f"appended and its inclusion verified in {self.submit_seconds:.2f} s; "
                f"request {self.request_bytes / 1e6:.1f} MB")


def _with_harvest(instance: Instance, count: int) -> str:
    """A harvest of exactly `count` packs held by the first producer; its batch id."""
    producer = instance.orgs[0]
    batch = "bench-label-harvest"
    service = open_service(instance.settings)
    try:
        service.log.append([draft("batch.register", producer.org, producer.key(), {
            "batch": batch, "product": PRODUCT, "lot": "BENCH-LABELS",
            "quantity": format_quantity(Decimal(PACK) * count), "harvested": harvest_date()})])
    finally:
        service.engine.dispose()
    return batch


def measure(kind: str, directory: Path, postgres: Postgres | None, count: int) -> LabelIssueRun:
    instance = instance_for(kind, directory, postgres, statements="batch.register", orgs=1)
    batch = _with_harvest(instance, count)
    producer = instance.orgs[0]
    with running_server(instance, directory / "server.log", workers=1, threads=4) as base:
        client = Client(base, producer.org, producer.key(), timeout=120)
        client.log_key()  # the operator key, fetched once before the clock starts
        started = time.perf_counter()
        labels = new_labels(producer.key(), GTIN, "BENCH-LABELS", count)
        envelope = client.sign_draft(drafts.label_issue(batch, GTIN, PACK, labels))
        signed = time.perf_counter()
        client.append([envelope], many=False)
        done = time.perf_counter()
    return LabelIssueRun(count, signed - started, done - signed,
                         len(json.dumps(envelope.to_dict()).encode()))
