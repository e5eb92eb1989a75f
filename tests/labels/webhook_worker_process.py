"""A delivery worker in a process of its own, for the restart test: `python -m
tests.labels.webhook_worker_process DATABASE_URL OPERATOR_KEY` sends what is due once."""

from __future__ import annotations

import sys

from gi_trace.labels.http_signatures import WebhookSigner
from gi_trace.labels.webhook_delivery import DeliveryWorker
from gi_trace.ledger.database import make_engine
from gi_trace.ledger.keys import load_private_key
from tests.labels.test_outbox import worker_settings

if __name__ == "__main__":
    url, key = sys.argv[1:3]
    DeliveryWorker(make_engine(url), WebhookSigner(load_private_key(key)),
                   worker_settings(lease_ms=1000)).run_once()
