"""Prometheus metrics at GET /metrics (prometheus_client), one registry per app.

Requests are counted by route (the URL rule, a bounded set) and status; the
ledger's group commit reports each group through its observer hook (the ledger
knows neither Flask nor Prometheus); database errors are counted where
SQLAlchemy raises them, whatever handles them after, background scan writes
included. The log's size and checkpoint age are read from the database at each
scrape, so every process reports the same.

Under gunicorn each worker counts its own requests: with PROMETHEUS_MULTIPROC_DIR
set (an empty directory, before the server starts) the workers write their
values there and any worker's /metrics adds them up (config/gunicorn.conf.py
clears a dead worker's gauges). Without it, a scrape sees one worker's counts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence

from flask import Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import SQLAlchemyError

from gi_trace.labels.scan_buffer import ScanBuffer
from gi_trace.ledger.group_commit import Request
from gi_trace.service import Service

from .health import checkpoint_age
from .request_log import elapsed, route
from .scan import SCANNER

EXTENSION = "gi_trace.metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# scan.py puts a scan's verdict (GENUINE, RECALLED, WARNING, INVALID) here for the counter.
VERDICT_ENVIRON = "gi_trace.verdict"
BACKLOG_EVERY = 1.0  # seconds between two readings of the scan buffer by one process's requests
_GROUP_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000)


class LedgerCollector(Collector):
    """The log's size and the age of its latest checkpoint, read at each scrape."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Nothing while the database fails: the scrape still shows the process's counters, the
        database errors among them, when they matter most."""
        try:
            with self.service.engine.connect() as conn:
                age = checkpoint_age(conn, time.time())
                size = self.service.log.size()
        except SQLAlchemyError:
            return
        yield GaugeMetricFamily("gi_trace_log_size", "Records in the log (its latest checkpoint's "
                                "tree size).", value=size)
        if age is not None:
            yield GaugeMetricFamily("gi_trace_checkpoint_age_seconds", "Seconds since the latest "
                                    "checkpoint was written.", value=age)


class Metrics:
    def __init__(self, service: Service, buffer: ScanBuffer) -> None:
        self.registry = CollectorRegistry()
        self.ledger = LedgerCollector(service)
        self.registry.register(self.ledger)
        self.buffer = buffer
        self._backlog_read = 0.0
        r = self.registry
        self.requests = Counter("gi_trace_http_requests", "HTTP requests answered.",
                                ["route", "method", "status"], registry=r)
        self.latency = Histogram("gi_trace_http_request_duration_seconds",
                                 "Time to answer a request.", ["route", "method"], registry=r)
        self.group_requests = Histogram("gi_trace_append_group_requests", "Append requests "
                                        "committed together by one group commit.",
                                        buckets=_GROUP_BUCKETS, registry=r)
        self.group_statements = Histogram("gi_trace_append_group_statements", "Statements in "
                                          "one group commit.", buckets=_GROUP_BUCKETS, registry=r)
        self.commit_seconds = Histogram("gi_trace_append_commit_seconds", "Time to commit one "
                                        "append group (rule checks, writes, checkpoint).",
                                        registry=r)
        self.verdicts = Counter("gi_trace_scan_verdicts", "Scan verdicts given.", ["verdict"],
                                registry=r)
        self.backlog = Gauge("gi_trace_scan_buffer_backlog", "Scans held in memory, not yet "
                             "written.", multiprocess_mode="livesum", registry=r)
        self.database_errors = Counter("gi_trace_database_errors", "Errors the database "
                                       "raised.", ["kind"], registry=r)

    def observe_group(self, group: Sequence[Request], seconds: float) -> None:
        self.group_requests.observe(len(group))
        self.group_statements.observe(sum(len(r.envelopes) for r in group))
        self.commit_seconds.observe(seconds)

    def count_database_error(self, context: ExceptionContext) -> None:
        self.database_errors.labels(type(context.sqlalchemy_exception).__name__).inc()

    def read_backlog(self) -> None:
        self._backlog_read = time.monotonic()
        self.backlog.set(self.buffer.backlog())

    def count_request(self, response: Response) -> Response:
        seconds, rule = elapsed(), route()
        self.requests.labels(rule, request.method, str(response.status_code)).inc()
        self.latency.labels(rule, request.method).observe(seconds)
        verdict = request.environ.get(VERDICT_ENVIRON)
        if verdict is not None:
            self.verdicts.labels(verdict).inc()
        if time.monotonic() - self._backlog_read >= BACKLOG_EVERY:
            self.read_backlog()
        return response

    def exposition(self) -> bytes:
        """Every metric in the text format: this process's, or all workers' in multiprocess
        mode."""
        self.read_backlog()
        if MULTIPROC_ENV not in os.environ:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(self.ledger)
        return generate_latest(registry)


def current_metrics() -> Metrics:
    found: Metrics = current_app.extensions[EXTENSION]
    return found


def _scrape() -> Response:
    return Response(current_metrics().exposition(), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask, service: Service) -> None:
    """Count requests (call after request_log.init_app: its clock times them), hook the group
    commit and the engine, and serve /metrics. After scan.init_app (its scan buffer)."""
    metrics = app.extensions[EXTENSION] = Metrics(service, app.extensions[SCANNER].buffer)
    service.log.group_commit.observer = metrics.observe_group
    event.listen(service.engine, "handle_error", metrics.count_database_error)
    app.after_request(metrics.count_request)
    app.add_url_rule("/metrics", "metrics", _scrape)
