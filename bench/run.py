"""Measure gi-trace in one run; print a table and write docs/benchmarks.md.

    python -m bench.run [--quick] [--only NAME[,NAME]] [--out docs/benchmarks.md] [--no-profile]
                        [--scale F] [--cap-factor F]

NAME is one of verify, single, bulk, audit, labels, issue, scans, scan_flood:

- verify  the Ed25519 verify limit with 2 processes, through the ledger's own
          keys.verify (libsodium): the denominator of the ratios; cryptography's
          (OpenSSL) limit is measured too, for reference;
- single  signed appends over HTTP, one statement per request, `gi-trace serve` on
          SQLite and PostgreSQL, fired by wrk (64 connections);
- bulk    lists of 1,000 pre-signed statements over HTTP, 4 concurrent clients,
          on SQLite and PostgreSQL;
- audit   a 100k-entry log built through Log.append, then `gi-trace audit verify
          --db URL` timed with its peak memory;
- labels  a PDF sheet of 10,000 labels (A4, 24 a page) written by one process:
          labels/s and peak RSS;
- issue   one label.issue of 10,000 labels end to end (signed on the client, appended
          over HTTP, its inclusion verified), SQLite and PostgreSQL (bench/label_issue.py);
- scans   scan verdicts (JSON) of the demo's labels over HTTP, `gi-trace serve` on
          SQLite and PostgreSQL loaded by `gi-trace demo`, GET by wrk (64
          connections) for a fixed time: verdicts/s, latency, the verdict mix
          (bench/scans.py);
- scan_flood  an hour-long flood of scans of one code from one client, fast-forwarded:
          rows and database bytes every ten simulated minutes, with the default scan
          limits, on SQLite (bench/scan_flood.py).

single, bulk and audit each measure two paths, as separate rows: the ledger path
(`key.add` of a fresh key by the org itself: only the ledger's identity rule; the
targets are set for it) and the GI domain path (`batch.register`: the domain rules
and projections too). The audit of the ledger path is the headline 100k entries;
the GI domain path's audit is a smaller log.

Then each figure is compared with its target, and the slowest parts of a
missed target of the ledger path are profiled. Every run is bounded in count and
in time (the caps in `Sizes`), and the optional runs (the GI domain path's audit,
the profiles) are skipped when they would overrun the time budget, so a full run
takes about 14 minutes on 2 cores even when the code under test is slow;
`--quick` uses tiny sizes to smoke-test the benchmark in a few minutes. Only
127.0.0.1 is ever contacted; PostgreSQL (127.0.0.1:5432, or
GI_TRACE_BENCH_POSTGRES_URL) gets a scratch database `gi_trace_bench`, dropped at
the end.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .audit_run import build_log, run_audit
from .fixtures import (
                       BATCH,
                       KEY_ADD,
                       KINDS,
                       Instance,
                       Postgres,
                       Refused,
                       describe_statements,
                       instance_for,
                       json_list,
                       path_name,
                       sign_json,
)
from .http_load import LoadResult, ensure_tool, run_python, run_wrk, run_wrk_paths
from .label_issue import measure as measure_label_issue
from .labels_pdf import measure as measure_labels_pdf
from .machine import describe, load_average
from .profiling import merge_server_profiles, profile_audit, summarise
from .report import (
                     AUDIT_RSS_TARGET_MB,
                     AUDIT_SECONDS_TARGET,
                     BULK_TARGET,
                     SINGLE_TARGET,
                     HttpRun,
                     Results,
                     console,
                     scans_met,
                     write,
)
from .scan_flood import measure as measure_scan_flood
from .scans import ScanRun, demo_instance, request_mix
from .scans import measure as measure_scans
from .server import first_error, running_server
from .verify_limit import measure

PHASES = ("verify", "single", "bulk", "audit", "labels", "issue", "scans", "scan_flood")
DATABASES = ("SQLite", "PostgreSQL")
WINDOW_SECONDS = 300        # GI_TRACE_CLOCK_SKEW_SECONDS: signed statements must be sent within it
WARMUP_STATEMENTS = 64
SETUP_SECONDS = 15          # allowance for an optional run's setup, beyond its caps


@dataclass(frozen=True)
class Sizes:
    verify_seconds: float
    single: int                 # statements, one per request (per path and database)
    single_cap: float           # seconds at most for one single-append run
    connections: int
    server_workers: int
    server_threads: int
    bulk_requests: int          # lists per run (per path and database)
    bulk_list: int              # statements per request
    bulk_clients: int
    bulk_cap: float
    audit_entries: int          # the ledger path's audited log (`key.add`): the headline
    build_cap: float            # seconds at most for building it
    audit_timeout: float
    gi_audit_entries: int       # the GI domain path's audited log (`batch.register`)
    gi_build_cap: float
    gi_audit_timeout: float
    budget: float               # seconds: optional runs that would end later are skipped
    profile_single: int
    profile_bulk_requests: int
    profile_cap: float          # seconds at most for each profiling run
    labels: int                 # labels on the benchmarked PDF sheet
    labels_cap: float           # seconds at most for writing it
    issue_labels: int           # labels in the benchmarked label.issue
    scans_seconds: float        # the measured scan load (per database), after a warm-up of
    scans_warmup: float         # this many seconds
    scans_floor: float          # seconds of GET /healthz after it, for reference
    scans_workers: int          # gunicorn for the scans: a read-heavy load (see report.py)
    scans_threads: int

    def scaled(self, factor: float) -> Sizes:
        """The same run with fewer (or more) statements everywhere."""
        def scale(n: int, least: int) -> int:
            return max(least, round(n * factor))
        return replace(self, single=scale(self.single, 64), bulk_requests=scale(self.bulk_requests, 4),
                       audit_entries=scale(self.audit_entries, 1000),
                       gi_audit_entries=scale(self.gi_audit_entries, 500),
                       profile_single=scale(self.profile_single, 64), labels=scale(self.labels, 240),
                       profile_bulk_requests=scale(self.profile_bulk_requests, 2))

    def patient(self, factor: float) -> Sizes:
        """The same run with every time cap (and the budget) multiplied by `factor`."""
        return replace(self, single_cap=self.single_cap * factor, bulk_cap=self.bulk_cap * factor,
                       build_cap=self.build_cap * factor, audit_timeout=self.audit_timeout * factor,
                       gi_build_cap=self.gi_build_cap * factor,
                       gi_audit_timeout=self.gi_audit_timeout * factor, budget=self.budget * factor,
                       profile_cap=self.profile_cap * factor, labels_cap=self.labels_cap * factor)


# Every run is also bounded in time, so that a slow build of the code under test still
# finishes in about 14 minutes on 2 cores: a run stopped by its cap reports the rate it reached.
# Single and bulk runs are made 4 times each (2 paths × 2 databases), about 40 s each at most;
# the 100k-entry audit of the ledger path up to 4.5 minutes (build and audit); what is left of
# `budget` goes to the optional runs (the GI domain path's audit, the profiles).
FULL = Sizes(verify_seconds=2.5, single=12_000, single_cap=25, connections=64, server_workers=2,
             server_threads=16, bulk_requests=20, bulk_list=1000, bulk_clients=4, bulk_cap=22,
             audit_entries=100_000, build_cap=120, audit_timeout=150,
             gi_audit_entries=10_000, gi_build_cap=25, gi_audit_timeout=45, budget=690,
             profile_single=1500, profile_bulk_requests=4, profile_cap=15, labels=10_000, labels_cap=60,
             issue_labels=10_000, scans_seconds=20, scans_warmup=3, scans_floor=5, scans_workers=2,
             scans_threads=4)
QUICK = Sizes(verify_seconds=0.3, single=200, single_cap=15, connections=64, server_workers=2,
              server_threads=16, bulk_requests=4, bulk_list=50, bulk_clients=4, bulk_cap=15,
              audit_entries=1000, build_cap=20, audit_timeout=40,
              gi_audit_entries=500, gi_build_cap=15, gi_audit_timeout=30, budget=400,
              profile_single=100, profile_bulk_requests=2, profile_cap=10, labels=1000, labels_cap=30,
              issue_labels=1000, scans_seconds=3, scans_warmup=1, scans_floor=1, scans_workers=2,
              scans_threads=4)


class Say:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, message: str) -> None:
        print(f"[{self.elapsed():6.1f} s] {message}", flush=True)


class Bench:
    def __init__(self, sizes: Sizes, scratch: Path, postgres: Postgres | None, wrk: str | None,
                 results: Results, say: Say, profile: bool) -> None:
        self.sizes = sizes
        self.scratch = scratch
        self.postgres = postgres
        self.wrk = wrk
        self.results = results
        self.say = say
        self.profile = profile
        self._count = 0

    def databases(self) -> list[str]:
        ok = self.postgres is not None and self.postgres.error is None
        return [db for db in DATABASES if db == "SQLite" or ok]

    def instance(self, db: str, name: str, statements: str, **kwargs: int) -> Instance:
        self._count += 1
        kind = "postgres" if db == "PostgreSQL" else "sqlite"
        directory = self.scratch / f"{self._count:02d}-{name}-{statements.replace('.', '-')}"
        instance = instance_for(kind, directory, self.postgres, statements=statements, **kwargs)
        described = describe_statements(instance)
        if described not in self.results.statements:
            self.results.statements.append(described)
            self.say(f"  measured statements: {described}")
        return instance

    # -- phases -------------------------------------------------------------------------------------------
    def verify(self) -> None:
        self.say(f"Ed25519 verify limit: {self.sizes.verify_seconds:g} s per measure, "
                 "libsodium (keys.verify) and cryptography")
        limit = measure(self.sizes.verify_seconds)
        self.results.verify = limit
        if limit.rate < limit.openssl_rate:
            self.results.notes.append(
                f"The service's verify (gi_trace.ledger.keys.verify, libsodium) ran at "
                f"{limit.rate:,.0f}/s, slower than cryptography's (OpenSSL) {limit.openssl_rate:,.0f}/s: "
                "the ratios are still to the service's own verify, the ceiling it really has.")
        self.say(f"  libsodium: {limit.rate:,.0f} verifications/s with {limit.processes} processes "
                 f"({limit.per_process:,.0f}/s with one); cryptography: {limit.openssl_rate:,.0f}/s "
                 f"({limit.openssl_per_process:,.0f}/s)")

    def single(self) -> None:
        for db in self.databases():
            for path in KINDS:
                self.say(f"single appends over HTTP, {path_name(path)}, {db}: "
                         f"{self.sizes.single:,} statements")
                with self._guard(f"single, {path_name(path)}, {db}"):
                    run = self._single(db, path, self.sizes.single)
                    self.results.single[path, db] = run
                    self._report(run)
        target = self.results.single.get((KEY_ADD, "PostgreSQL")) or \
            self.results.single.get((KEY_ADD, "SQLite"))
        if self.profile and target and target.rate < SINGLE_TARGET and \
                self._fits(self.sizes.profile_cap, f"profile of single appends, {target.db}"):
            self.say(f"  ledger path below {SINGLE_TARGET:,.0f}/s: profiling the server on {target.db}")
            with self._guard(f"profile of single appends, {target.db}"):
                self._profile_http("single", target.db)

    def bulk(self) -> None:
        s = self.sizes
        for db in self.databases():
            for path in KINDS:
                self.say(f"bulk appends over HTTP, {path_name(path)}, {db}: {s.bulk_requests} lists "
                         f"of {s.bulk_list:,}, {s.bulk_clients} clients")
                with self._guard(f"bulk, {path_name(path)}, {db}"):
                    run = self._bulk(db, path, s.bulk_requests)
                    self.results.bulk[path, db] = run
                    self._report(run)
        target = self.results.bulk.get((KEY_ADD, "PostgreSQL")) or \
            self.results.bulk.get((KEY_ADD, "SQLite"))
        if self.profile and target and target.rate < BULK_TARGET and \
                self._fits(s.profile_cap, f"profile of bulk appends, {target.db}"):
            self.say(f"  ledger path below {BULK_TARGET:,.0f}/s: profiling the server on {target.db}")
            with self._guard(f"profile of bulk appends, {target.db}"):
                self._profile_http("bulk", target.db)

    def audit(self) -> None:
        s = self.sizes
        instance: Instance | None = None
        with self._guard(f"audit, {path_name(KEY_ADD)}"):
            instance = self._audit(KEY_ADD, s.audit_entries, s.build_cap, s.audit_timeout)
        what = f"audit, {path_name(BATCH)}"
        if self._fits(s.gi_build_cap + s.gi_audit_timeout, what):
            with self._guard(what):
                self._audit(BATCH, s.gi_audit_entries, s.gi_build_cap, s.gi_audit_timeout)
        audit = self.results.audit.get(KEY_ADD)
        if instance is None or audit is None or not self.profile:
            return
        slow = not audit.ok or audit.rate < 100_000 / AUDIT_SECONDS_TARGET
        fat = audit.tree_rss_mb is not None and audit.tree_rss_mb > AUDIT_RSS_TARGET_MB
        if (slow or fat) and self._fits(s.profile_cap, "profile of the audit"):
            self.say(f"  ledger path's audit target missed: profiling it ({s.profile_cap:.0f} s at most)")
            with self._guard("profile of the audit"):
                self._profile_audit(instance)

    def labels(self) -> None:
        s = self.sizes
        self.say(f"labels to PDF: a sheet of {s.labels:,} labels in one process "
                 f"({s.labels_cap:.0f} s at most)")
        result = measure_labels_pdf(s.labels, self.scratch, cap=s.labels_cap)
        self.results.labels_pdf = result
        self.say(f"  {result.rate:,.0f} labels/s: {result.details()}")

    def scan_flood(self) -> None:
        self.say("an hour-long scan flood from one client, fast-forwarded, SQLite")
        run = measure_scan_flood("sqlite", scratch=self.scratch)
        self.results.notes.append(" ".join(line for line in run.markdown() if not line.startswith("|")))
        self.say(f"  scan rows after {run.limited[-1].minute} min: {run.limited[-1].rows:,}; "
                 f"without the limit after one: {run.unlimited.rows:,}")

    def issue(self) -> None:
        s = self.sizes
        for db in self.databases():
            self.say(f"label.issue of {s.issue_labels:,} labels end to end, {db}")
            with self._guard(f"label.issue, {db}"):
                self._count += 1
                kind = "postgres" if db == "PostgreSQL" else "sqlite"
                run = measure_label_issue(kind, self.scratch / f"{self._count:02d}-issue-{kind}",
                                          self.postgres, s.issue_labels)
                self.results.label_issue[db] = run
                self.say(f"  {run.seconds:.2f} s: {run.details()}")

    def scans(self) -> None:
        s = self.sizes
        for db in self.databases():
            self.say(f"scan verdicts over HTTP, {db}: the demo's labels as JSON, {s.connections} "
                     f"connections, {s.scans_seconds:g} s after {s.scans_warmup:g} s of warm-up")
            with self._guard(f"scans, {db}"):
                run = self._scans(db)
                self.results.scans[db] = run
                self.say(f"  {run.rate:,.0f} verdicts/s; {run.details()}")
                for sample in run.load.samples[:3]:
                    self.say(f"  non-200 sample: {sample}")
        target = self.results.scans.get("SQLite")
        if self.profile and target and not scans_met(target) and \
                self._fits(s.profile_cap + s.scans_warmup, "profile of scans, SQLite"):
            self.say("  scan targets missed: profiling the server on SQLite")
            with self._guard("profile of scans, SQLite"):
                self._profile_scans("SQLite")

    def _scans(self, db: str, profile_dir: Path | None = None) -> ScanRun:
        s = self.sizes
        self._count += 1
        kind = "postgres" if db == "PostgreSQL" else "sqlite"
        instance, groups = demo_instance(kind, self.scratch / f"{self._count:02d}-scans-{kind}",
                                         self.postgres)
        paths = request_mix(groups)

        def fire(seconds: float, get: list[str]) -> Callable[[str], LoadResult]:
            def run(base: str) -> LoadResult:
                if self.wrk:
                    return run_wrk_paths(self.wrk, base, get, seconds=seconds, connections=s.connections)
                return run_python(base, get, processes=2, connections_per_process=s.connections // 2,
                                  cap=seconds, gets=True)
            return run
        seconds = s.scans_seconds if profile_dir is None else min(s.scans_seconds, s.profile_cap)
        floor = fire(s.scans_floor, ["/healthz"]) if profile_dir is None else None
        return measure_scans(db, instance, paths, workers=s.scans_workers, threads=s.scans_threads,
                             warmup=fire(s.scans_warmup, paths), fire=fire(seconds, paths), floor=floor,
                             profile_dir=profile_dir)

    def _profile_scans(self, db: str) -> None:
        profile_dir = self.scratch / f"profile-scans-{db}"
        run = self._scans(db, profile_dir)
        stats = merge_server_profiles(profile_dir)
        if stats is None:
            self.results.notes.append(f"the scans profile on {db} wrote no data")
            return
        self.results.profiles[f"scan verdicts over HTTP, {db} (server CPU by function)"] = [
            f"{run.load.created:,} verdicts (and the warm-up's) from bench/profiled_app.py, "
            f"{run.rate:,.0f} verdicts/s while profiled",
            *summarise(stats, run.load.created, "scans")]

    def _audit(self, path: str, entries: int, build_cap: float, timeout: float) -> Instance:
        instance = self.instance("SQLite", "audit", path, clock_skew_seconds=86_400)
        self.say(f"audit, {path_name(path)}: building a {entries:,}-entry log through Log.append "
                 f"(SQLite), {build_cap:.0f} s at most")
        build = build_log(instance, entries, cap=build_cap)
        self.results.build[path] = build
        self.say(f"  built {build.size:,} entries: {build.append_rate:,.0f} entries/s in Log.append")
        self.say(f"  running gi-trace audit verify --db … ({timeout:.0f} s at most)")
        audit = run_audit(instance, build.size, timeout=timeout)
        self.results.audit[path] = audit
        self.say(f"  {'ok' if audit.ok else 'FAILED'}: {audit.seconds:.1f} s, tree RSS "
                 f"{audit.tree_rss_mb or 0:,.0f} MB: {audit.output}")
        return instance

    def _profile_audit(self, instance: Instance) -> None:
        profiled = profile_audit(instance, self.sizes.profile_cap)
        if profiled is None:
            self.results.notes.append("the audit profile wrote no data")
            return
        stats, seconds, records, stopped = profiled
        how = (f"stopped after {seconds:.0f} s, {records:,} records replayed by then" if stopped
               else f"{records:,} records in {seconds:.1f} s")
        size = self.results.build[KEY_ADD].size
        self.results.profiles[f"audit verify, {path_name(KEY_ADD)} (parent process CPU by function)"] = [
            f"audit_log over the {size:,}-entry log under cProfile ({how})",
            *summarise(stats, max(records, 1), "records")]

    # -- helpers -------------------------------------------------------------------------------------------
    def _fits(self, seconds: float, what: str) -> bool:
        """Whether an optional run of at most `seconds` (plus setup) ends within the budget;
        when not, it is recorded as skipped."""
        elapsed, budget = self.say.elapsed(), self.sizes.budget
        if elapsed + seconds + SETUP_SECONDS <= budget:
            return True
        self.results.skipped[what] = (f"skipped to keep within the time budget: {elapsed:.0f} s gone "
                                      f"of {budget:.0f} s, and it may take {seconds:.0f} s")
        self.say(f"  {what}: {self.results.skipped[what]}")
        return False

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """Record a failed run and go on with the next one."""
        try:
            yield
        except Refused as e:  # the code has no such path yet: not measured, said in the report
            self.results.skipped[what] = str(e)[:300]
            self.say(f"  not measured: {self.results.skipped[what]}")
        except Exception as e:  # one failed run must not lose the others
            traceback.print_exc()
            self.results.errors[what] = f"{type(e).__name__}: {e}".splitlines()[0][:300]
            self.say(f"  FAILED: {self.results.errors[what]}")

    def _report(self, run: HttpRun) -> None:
        self.say(f"  {run.rate:,.0f} entries/s; {run.details()}")
        for sample in run.load.samples[:3]:
            self.say(f"  non-201 sample: {sample}")
        for note in run.load.notes:
            self.say(f"  note: {note}")

    def _warm_up(self, instance: Instance, url: str) -> None:
        bodies = sign_json(instance.statements, instance.orgs, WARMUP_STATEMENTS, start=10_000_000)
        run_python(url, bodies, processes=2, connections_per_process=4, cap=60)

    def _cap(self, normal: float, profile_dir: Path | None, signed: float) -> float:
        """Seconds a run may take: its cap, and within the signatures' time window."""
        cap = normal if profile_dir is None else self.sizes.profile_cap
        return min(cap, WINDOW_SECONDS - 30 - (time.monotonic() - signed))

    def _single(self, db: str, path: str, count: int, profile_dir: Path | None = None) -> HttpRun:
        s = self.sizes
        instance = self.instance(db, "single", path)
        bodies = sign_json(instance.statements, instance.orgs, count)

        def fire(url: str, cap: float) -> LoadResult:
            if self.wrk:
                return run_wrk(self.wrk, url, bodies, connections=s.connections, threads=2, cap=cap)
            return run_python(url, bodies, processes=4, connections_per_process=s.connections // 4,
                              cap=cap)
        return self._http_run(instance, db, path, 1, s.single_cap, profile_dir, fire)

    def _bulk(self, db: str, path: str, requests: int, profile_dir: Path | None = None) -> HttpRun:
        s = self.sizes
        instance = self.instance(db, "bulk", path)
        lines = sign_json(instance.statements, instance.orgs, requests * s.bulk_list)
        lists = [json_list(lines[i:i + s.bulk_list]) for i in range(0, len(lines), s.bulk_list)]

        def fire(url: str, cap: float) -> LoadResult:
            return run_python(url, lists, processes=s.bulk_clients, connections_per_process=1, cap=cap)
        return self._http_run(instance, db, path, s.bulk_list, s.bulk_cap, profile_dir, fire)

    def _http_run(self, instance: Instance, db: str, path: str, per_request: int, cap_seconds: float,
                  profile_dir: Path | None, fire: Callable[[str, float], LoadResult]) -> HttpRun:
        """Serve `instance`, warm it up, fire the pre-signed load, and count what the log took."""
        s = self.sizes
        signed = time.monotonic()
        log = instance.directory / "server.log"
        with running_server(instance, log, workers=s.server_workers, threads=s.server_threads,
                            profile_dir=profile_dir) as base:
            url = base + "/v1/statements"
            if profile_dir is None:  # a profile should hold the measured statements only
                self._warm_up(instance, url)
            start_size, transactions = instance.log_size(), instance.transactions()
            load = fire(url, self._cap(cap_seconds, profile_dir, signed))
        return HttpRun(db, path, load, per_request, start_size, instance.log_size(),
                       instance.transactions() - transactions, first_error(log))

    def _profile_http(self, phase: str, db: str) -> None:
        """Profile the server on the ledger path (the one the targets are set for)."""
        s = self.sizes
        profile_dir = self.scratch / f"profile-{phase}-{db}"
        if phase == "single":
            run = self._single(db, KEY_ADD, s.profile_single, profile_dir)
        else:
            run = self._bulk(db, KEY_ADD, s.profile_bulk_requests, profile_dir)
        stats = merge_server_profiles(profile_dir)
        if stats is None:
            self.results.notes.append(f"the {phase} profile on {db} wrote no data")
            return
        what = "appends" if phase == "single" else "entries"
        title = (f"{'single appends' if phase == 'single' else 'bulk appends'} over HTTP, "
                 f"{path_name(KEY_ADD)}, {db} (server CPU by function)")
        self.results.profiles[title] = [
            f"{run.load.requests:,} requests ({run.entries:,} entries appended) to bench/profiled_app.py, "
            f"{run.rate:,.0f} {what}/s while profiled",
            *summarise(stats, run.entries, "statements")]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: smoke-test in a few minutes")
    parser.add_argument("--only", metavar="NAME", default=",".join(PHASES),
                        help=f"run only these, comma-separated: {', '.join(PHASES)}")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"),
                        help="where to write the results page (default docs/benchmarks.md)")
    parser.add_argument("--no-profile", action="store_true", help="do not profile missed targets")
    parser.add_argument("--cap-factor", type=float, default=1.0, metavar="F",
                        help="multiply every time cap (a run of single or bulk appends stays within "
                             "the 300 s validity of its signatures)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the number of statements of every run (e.g. 0.2 for a shorter "
                             "run of the same shape); targets are then judged on rates")
    args = parser.parse_args(argv)
    args.phases = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(args.phases) - set(PHASES))
    if unknown or not args.phases:
        parser.error(f"--only takes {', '.join(PHASES)}; got {', '.join(unknown) or 'nothing'}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.scale != 1.0:
        sizes = sizes.scaled(args.scale)
    if args.cap_factor != 1.0:
        sizes = sizes.patient(args.cap_factor)
    say = Say()
    phases = [p for p in PHASES if p in args.phases]
    say(f"gi-trace benchmark: {', '.join(phases)} ({'quick' if args.quick else 'full'} sizes)")
    load_before = load_average()
    wrk = ensure_tool("wrk", "wrk", say) if {"single", "scans"} & set(phases) else None
    postgres: Postgres | None = None
    if {"single", "bulk", "issue", "scans"} & set(phases):
        postgres = Postgres()
        if postgres.open():
            say(f"PostgreSQL: scratch database {postgres.name} created")
        else:
            say(f"PostgreSQL runs skipped: {postgres.error}")
    results = Results(args.quick, describe(postgres, wrk), load_before,
                      {k: f"{v:,}" if isinstance(v, int) else f"{v:g}" for k, v in asdict(sizes).items()
                       if not k.startswith("profile") or not args.no_profile}, scale=args.scale)
    if postgres is not None and postgres.error:
        results.notes.append(f"PostgreSQL runs skipped: {postgres.error}")
    scratch = Path(tempfile.mkdtemp(prefix="gi-trace-bench-"))
    bench = Bench(sizes, scratch, postgres, wrk, results, say, not args.no_profile)
    try:
        for phase in phases:
            with bench._guard(phase):
                getattr(bench, phase)()
    finally:
        if postgres is not None:
            postgres.close()
        shutil.rmtree(scratch, ignore_errors=True)
    results.load_after = load_average()
    results.seconds = time.monotonic() - say.started
    print()
    print(console(results))
    write(results, args.out)
    say(f"wrote {args.out}")
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
