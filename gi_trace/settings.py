"""Settings from the environment (`GI_TRACE_*`), with the defaults of DESIGN.md.

Per-environment values live in `config/*.env`; the process environment wins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///instance/gi-trace.db"
    operator_key: str = "instance/operator.pem"
    origin: str = "gi-trace.localhost/log"
    base_url: str = "http://127.0.0.1:8000"
    regulators: str = "instance/regulators.json"
    # One cosignature/v1 vkey per line: the witnesses whose cosignatures the log accepts.
    witnesses: str = "instance/witnesses.txt"
    clock_skew_seconds: int = 300
    max_request_bytes: int = 8 * 1024 * 1024
    # Digits of the GS1 company prefix at the head of the GTINs, for EPC URIs (EPCIS export);
    # GS1 assigns 6 to 12, and no GTIN says which.
    gs1_company_prefix_length: int = 7
    # Copy detection on scans (see gi_trace/labels/scans.py): a label gets WARNING when it was
    # scanned more than `scan_max_count` times, more than `scan_max_after_sale` times after its
    # sale, or at two places further apart than `scan_max_speed_kmh` allows (past the coarse
    # place's own uncertainty, `scan_min_distance_km`).
    scan_max_count: int = 50
    scan_max_after_sale: int = 5
    scan_max_speed_kmh: int = 300
    scan_min_distance_km: int = 50
    # Counterfeit reports: how many one client may send an hour, and the largest photo.
    report_max_per_hour: int = 5
    report_max_photo_bytes: int = 5 * 1024 * 1024
    # ... and its most pixels, read from the header before anything is decoded.
    report_max_photo_pixels: int = 16_000_000
    # Receipt codes (gi_trace/labels/receipts.py): how many wrong codes one client may try an hour.
    receipt_max_misses_per_hour: int = 10
    # Anonymous scans (see gi_trace/labels/scan_limit.py): one client's scans recorded a minute
    # and a day per worker process; past either, the verdict still answers but the scan is not
    # recorded. Scans older than `scan_retention_days` are folded into per-label daily counts.
    scan_limit_per_minute: int = 60
    scan_limit_per_day: int = 1000
    scan_retention_days: int = 30
    # Reverse proxies in front of the app that append the client to X-Forwarded-For (0: none,
    # the app is reached directly). Rate limits key on the address the nearest trusted one saw.
    proxy_hops: int = 0
    # Observability (docs/observability.md): one JSON access line per request (0: none), and the
    # age past which /readyz calls the latest checkpoint stale (0: not checked; checkpoints are
    # written by appends only, so a quiet log ages: set it where appends come all day).
    access_log: int = 1
    ready_max_checkpoint_age_seconds: int = 0
    # Webhooks (gi_trace/labels/webhook_delivery.py): each app process runs a delivery worker
    # (0: none) that looks at the log every `webhook_poll_ms` (and after each append), sends
    # what is due, waits `webhook_backoff_ms` doubling to `webhook_backoff_max_ms` (with jitter)
    # between attempts, and gives up after `webhook_max_attempts` or `webhook_max_age_seconds`.
    # A claim lasts `webhook_lease_ms`, longer than a request's `webhook_timeout_ms`.
    webhook_worker: int = 1
    webhook_poll_ms: int = 1000
    webhook_backoff_ms: int = 5000
    webhook_backoff_max_ms: int = 3_600_000
    webhook_max_attempts: int = 15
    webhook_max_age_seconds: int = 3 * 86400
    webhook_lease_ms: int = 60_000
    webhook_timeout_ms: int = 10_000
    # Deliver to hosts on private, loopback or link-local addresses too (off: see
    # gi_trace/labels/webhook_targets.py).
    webhook_private_targets: int = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"GI_TRACE_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = int(raw) if f.type == "int" else raw
        return replace(cls(**values), **overrides)
