"""Scan verdicts under concurrent load: the demo's special signs scanned as JSON, as phones do.

An instance is loaded with `gi-trace demo` (the Wuchang rice season: 36 labels, of
which 21 are genuine on a shelf, 2 sold, 1 voided and 12 on rice of a recalled
harvest), served by `gi-trace serve` (gunicorn, config/gunicorn.conf.py), warmed
up, then wrk GETs the labels' Digital Links with `Accept: application/json`, 64
connections, for a fixed time. The request mix (MIX) is mostly genuine codes, with
the other kinds of the demo and a few codes that were never issued (counterfeits).

Every scan is recorded for copy detection, and the demo has only 36 labels, so in a
run each is scanned thousands of times: with the default thresholds nearly every
verdict would turn into a `scanned-too-often` (or `scanned-after-sale`) WARNING
within a second. The run raises both thresholds (GI_TRACE_SCAN_MAX_COUNT,
GI_TRACE_SCAN_MAX_AFTER_SALE) so that the verdicts are those a real population of
labels gets (GENUINE for genuine codes): the work per scan is the same either way,
the threshold only decides the verdict. The verdict mix is reported.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select

from gi_trace.cli.demo_chain import REGULATOR
from gi_trace.labels.tables import scans
from gi_trace.ledger import keys
from gi_trace.ledger.database import make_engine
from gi_trace.settings import Settings

from .fixtures import ORIGIN, Instance, Postgres, Signer
from .http_load import LoadResult
from .server import ROOT, first_error, gi_trace_command, running_server

BASE_URL = "http://scan.bench.localhost"   # the demo's URIs are written with it; only paths are sent
UNLIMITED = 1_000_000_000                  # the copy-detection thresholds in the run: never reached
UNKNOWN = "never issued"
# (kind of code, share of the requests in percent); the kinds are the groups of demo-labels.txt.
MIX = (("genuine, on the shelf", 80), ("sold", 6), ("recalled batch", 8), ("voided by the producer", 3),
       (UNKNOWN, 3))
ROUND = 400   # requests in one round of the mix; wrk goes round it
WRITTEN_WITHIN = 1.0   # seconds: a recorded scan is in gi_scans by then (buffered at most 0.1 s)


@dataclass
class ScanRun:
    db: str
    load: LoadResult
    workers: int
    threads: int
    labels: int                 # distinct label codes in the mix
    recorded: int               # rows added to gi_scans during the run (after the server stopped)
    floor: LoadResult | None = None   # GET /healthz on the same server: the framework's floor
    server_error: str | None = None

    @property
    def rate(self) -> float:
        return self.load.created / self.load.wall if self.load.wall > 0 else 0.0

    @property
    def known(self) -> int:
        """200 answers for issued labels: each must have been recorded as a scan."""
        return self.load.created - self.load.reasons.get("unknown-label", 0)

    def recorded_as_answered(self) -> bool:
        """Every answered scan of an issued label is in gi_scans; requests still in flight when
        wrk stopped may be too (the server answered them, wrk no longer listened)."""
        return self.known <= self.recorded <= self.known + self.load.unanswered

    def verdict_mix(self) -> str:
        total = sum(self.load.verdicts.values()) or 1
        return ", ".join(f"{name} {100 * count / total:.1f}%"
                         for name, count in self.load.verdicts.most_common()) or "none"

    def details(self, latency: bool = True) -> str:
        load = self.load
        parts = [f"{load.sent:,} requests in {load.wall:.1f} s, answers {load.status_text()}"]
        if latency and load.p50_ms is not None:
            parts.append(f"latency p50 {load.p50_ms:.1f} ms, p90 {load.p90_ms:.1f} ms, "
                         f"p99 {load.p99_ms:.1f} ms, max {load.max_ms:.0f} ms")
        parts.append(f"verdicts {self.verdict_mix()}")
        reasons = ", ".join(f"{code} {n:,}" for code, n in load.reasons.most_common())
        parts.append(f"reasons {reasons or 'none'}")
        parts.append(f"gi_scans grew by {self.recorded:,} " + (
            "(the answered scans of issued labels, and some of the requests still in flight when "
            "wrk stopped)" if self.recorded_as_answered() else
            f"but {self.known:,} scans of issued labels were answered "
            f"(+ {self.load.unanswered:,} in flight at the end)!"))
        parts.append(f"{self.labels} codes; gunicorn {self.workers} workers × {self.threads} threads")
        if self.floor is not None and self.floor.wall > 0:
            parts.append(f"for reference, GET /healthz (one query, no scan) on the same server and "
                         f"connections: {self.floor.created / self.floor.wall:,.0f}/s, p99 "
                         f"{self.floor.p99_ms or 0:.1f} ms")
        if self.server_error:
            parts.append(f"server error: {self.server_error}")
        return "; ".join(parts)


def demo_instance(kind: str, directory: Path,
                  postgres: Postgres | None) -> tuple[Instance, dict[str, list[str]]]:
    """A fresh instance loaded by `gi-trace demo`, and the paths of its labels by kind."""
    directory.mkdir(parents=True, exist_ok=True)
    url = postgres.reset() if kind == "postgres" and postgres else f"sqlite:///{directory}/gi-trace.db"
    settings = Settings(database_url=url, operator_key=str(directory / "operator.pem"),
                        regulators=str(directory / "regulators.json"), origin=ORIGIN, base_url=BASE_URL,
                        scan_max_count=UNLIMITED, scan_max_after_sale=UNLIMITED)
    key_dir = directory / "demo-keys"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GI_TRACE_")}
    env.update({f"GI_TRACE_{name.upper()}": str(value) for name, value in asdict(settings).items()})
    done = subprocess.run([*gi_trace_command(), "demo", "--keys-dir", str(key_dir)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"gi-trace demo failed: {(done.stderr or done.stdout).strip()[-300:]}")
    regulator = keys.load_private_key(key_dir / f"{REGULATOR.org}.pem").private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    instance = Instance(kind, settings, directory, Signer(REGULATOR.org, regulator), [], "label.issue")
    return instance, label_paths(directory / "demo-labels.txt")


def label_paths(path: Path) -> dict[str, list[str]]:
    """demo-labels.txt (`# kind` lines, then that kind's URIs) as paths by kind, plus codes
    that were never issued: genuine ones with the serial changed."""
    groups: dict[str, list[str]] = {}
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            current = groups.setdefault(line.lstrip("# ").strip(), [])
        elif line.strip():
            current.append(line.strip().removeprefix(BASE_URL))
    groups[UNKNOWN] = []
    for genuine in groups[MIX[0][0]][:5]:
        head, _, rest = genuine.partition("/21/")
        serial, _, query = rest.partition("?")
        groups[UNKNOWN].append(f"{head}/21/FAKE{serial[4:]}?{query}")
    return groups


def request_mix(groups: dict[str, list[str]], seed: int = 7) -> list[str]:
    """ROUND paths in the shares of MIX, each kind's codes taken in turn, shuffled."""
    paths: list[str] = []
    for kind, percent in MIX:
        codes = groups[kind]
        paths += [codes[i % len(codes)] for i in range(ROUND * percent // 100)]
    random.Random(seed).shuffle(paths)
    return paths


def recorded_scans(instance: Instance) -> int:
    engine = make_engine(instance.settings.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(scans)) or 0)
    finally:
        engine.dispose()


def measure(db: str, instance: Instance, paths: list[str], *, workers: int, threads: int,
            warmup: Callable[[str], object], fire: Callable[[str], LoadResult],
            floor: Callable[[str], LoadResult] | None = None, profile_dir: Path | None = None) -> ScanRun:
    """Serve the instance, warm it up, fire the load (then `floor`, the same load on /healthz);
    gi_scans is counted once the server is down (so its buffered scans are written)."""
    log = instance.directory / "server.log"
    with running_server(instance, log, workers=workers, threads=threads, profile_dir=profile_dir) as base:
        warmup(base)
        time.sleep(WRITTEN_WITHIN)  # the warm-up's scans are written by then
        before = recorded_scans(instance)
        load = fire(base)
        reference = floor(base) if floor is not None else None
    return ScanRun(db, load, workers, threads, len(set(paths)), recorded_scans(instance) - before,
                   reference, first_error(log))
