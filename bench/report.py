"""Results of one run: the console table and docs/benchmarks.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .audit_run import AuditResult, BuildResult
from .http_load import LoadResult
from .verify_limit import VerifyLimit

SINGLE_TARGET = 2000.0          # appends/s, one statement per request, PostgreSQL
BULK_TARGET = 8000.0            # entries/s, lists of 1,000
AUDIT_ENTRIES = 100_000
AUDIT_SECONDS_TARGET = 6.0
AUDIT_RSS_TARGET_MB = 200.0


@dataclass
class HttpRun:
    db: str
    load: LoadResult
    per_request: int
    start_size: int
    end_size: int
    transactions: int = 0               # append transactions (group commits) during the run
    server_error: str | None = None     # first exception in the server log, if any

    @property
    def entries(self) -> int:
        return self.load.created * self.per_request

    @property
    def rate(self) -> float:
        return self.entries / self.load.wall if self.load.wall > 0 else 0.0

    @property
    def grew(self) -> int:
        return self.end_size - self.start_size

    def details(self) -> str:
        load = self.load
        unit = "requests" if self.per_request == 1 else f"lists of {self.per_request:,}"
        parts = [f"{load.requests:,} {unit}, answers {load.status_text()}"]
        if load.unsent:
            parts.append(f"{load.unsent:,} not sent: {', '.join(load.notes) or 'stopped'}")
        if load.unanswered:
            parts.append(f"{load.unanswered:,} sent but unanswered at the end")
        parts.append(f"{load.wall:.2f} s")
        if load.p50_ms is not None:
            parts.append(f"latency p50 {load.p50_ms:,.0f} ms, p99 {load.p99_ms:,.0f} ms")
        check = "= entries appended" if self.grew == self.entries else f"≠ {self.entries:,} appended!"
        parts.append(f"log grew by {self.grew:,} {check}")
        if self.transactions:
            parts.append(f"{self.transactions:,} append transactions "
                         f"({self.grew / self.transactions:,.1f} statements per group commit)")
        if self.server_error:
            parts.append(f"server error: {self.server_error}")
        return "; ".join(parts)


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None
    ratio: float | None = None


@dataclass
class Results:
    quick: bool
    machine: dict[str, str]
    load_before: str
    sizes: dict[str, str]
    scale: float = 1.0
    load_after: str = ""
    seconds: float = 0.0
    verify: VerifyLimit | None = None
    single: dict[str, HttpRun] = field(default_factory=dict)
    bulk: dict[str, HttpRun] = field(default_factory=dict)
    build: BuildResult | None = None
    audit: AuditResult | None = None
    profiles: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)   # what the measured statements were
    errors: dict[str, str] = field(default_factory=dict)

    def ratio(self, rate: float) -> float | None:
        return rate / self.verify.rate if self.verify and self.verify.rate else None

    # -- targets --------------------------------------------------------------------------------------
    def targets(self) -> list[Target]:
        found: list[Target] = []
        single = self.single.get("PostgreSQL")
        found.append(Target("single appends over HTTP, PostgreSQL", f"≥ {SINGLE_TARGET:,.0f} /s",
                            f"{single.rate:,.0f} /s" if single else "not run",
                            single.rate >= SINGLE_TARGET if single else None,
                            self.ratio(single.rate) if single else None))
        for db in ("PostgreSQL", "SQLite"):
            bulk = self.bulk.get(db)
            size = bulk.per_request if bulk else 1000
            found.append(Target(f"bulk appends (lists of {size:,}), {db}", f"≥ {BULK_TARGET:,.0f} /s",
                                f"{bulk.rate:,.0f} /s" if bulk else "not run",
                                bulk.rate >= BULK_TARGET if bulk else None,
                                self.ratio(bulk.rate) if bulk else None))
        audit = self.audit
        if audit is not None and audit.timed_out:
            found.append(Target("audit of 100k entries, time", f"≤ {AUDIT_SECONDS_TARGET:.0f} s",
                                f"> {audit.timeout:.0f} s for {audit.entries:,} entries, i.e. < "
                                f"{audit.entries / audit.timeout:,.0f} entries/s (stopped)", False,
                                self.ratio(audit.entries / audit.timeout)))
            found.append(Target("audit peak RSS until stopped (process tree)",
                                f"≤ {AUDIT_RSS_TARGET_MB:.0f} MB", _mb(audit.tree_rss_mb),
                                audit.tree_rss_mb <= AUDIT_RSS_TARGET_MB
                                if audit.tree_rss_mb is not None else None))
            return found
        if audit is None or not audit.ok:
            found.append(Target("audit of 100k entries, time", f"≤ {AUDIT_SECONDS_TARGET:.0f} s",
                                "failed" if audit else "not run", False if audit else None))
            found.append(Target("audit of 100k entries, peak RSS", f"≤ {AUDIT_RSS_TARGET_MB:.0f} MB",
                                "failed" if audit else "not run", False if audit else None))
            return found
        if audit.entries == AUDIT_ENTRIES:
            found.append(Target("audit of 100k entries, time", f"≤ {AUDIT_SECONDS_TARGET:.0f} s",
                                f"{audit.seconds:.1f} s", audit.seconds <= AUDIT_SECONDS_TARGET,
                                self.ratio(audit.rate)))
        else:
            needed = AUDIT_ENTRIES / AUDIT_SECONDS_TARGET
            found.append(Target(f"audit time (scaled: {audit.entries:,} entries, not 100k)",
                                f"≥ {needed:,.0f} entries/s", f"{audit.rate:,.0f} entries/s",
                                audit.rate >= needed, self.ratio(audit.rate)))
        rss = audit.tree_rss_mb
        label = "audit of 100k entries, peak RSS" if audit.entries == AUDIT_ENTRIES else \
            f"audit peak RSS ({audit.entries:,} entries, not 100k)"
        found.append(Target(label + " (process tree)", f"≤ {AUDIT_RSS_TARGET_MB:.0f} MB",
                            f"{rss:,.0f} MB" if rss is not None else "unknown",
                            rss <= AUDIT_RSS_TARGET_MB if rss is not None else None))
        return found

    # -- rows ---------------------------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, str, str]]:
        rows: list[tuple[str, str, str]] = []
        if self.verify:
            v = self.verify
            rows.append((f"Ed25519 verify limit, {v.processes} processes", f"{v.rate:,.0f} /s",
                         f"1 process {v.per_process:,.0f}/s; through the ledger's own "
                         f"gi_trace.ledger.keys.verify, {v.processes} processes: "
                         f"{v.ledger_path_rate:,.0f}/s; {v.statement_bytes}-byte "
                         f"statements, {v.seconds:g} s per measure"))
        for db, run in self.single.items():
            rows.append((f"single signed appends over HTTP, {db}", f"{run.rate:,.0f} /s",
                         run.details() + f"; {run.load.tool}"))
        for db, run in self.bulk.items():
            rows.append((f"bulk appends over HTTP (lists of {run.per_request:,}), {db}",
                         f"{run.rate:,.0f} entries/s", run.details() + f"; {run.load.tool}"))
        if self.build:
            b = self.build
            capped = (f"; only {b.entries:,} of {b.requested:,} within the {b.cap:.0f} s build cap"
                      if b.capped else "")
            rows.append(("build: Log.append in-process, 1,000 per call, SQLite",
                         f"{b.append_rate:,.0f} entries/s",
                         f"{b.entries:,} entries in {b.append_seconds:.1f} s inside Log.append, log of "
                         f"{b.size:,} records{capped}"))
        if self.audit:
            a = self.audit
            memory = (f"peak RSS of the process tree {_mb(a.tree_rss_mb)} (PSS {_mb(a.tree_pss_mb)}, "
                      f"{a.processes} processes), largest single process {_mb(a.max_process_rss_mb)}")
            if a.ok:
                value = f"{a.seconds:.1f} s ({a.rate:,.0f} entries/s)"
            elif a.timed_out:
                value = f"> {a.timeout:.0f} s (stopped)"
            else:
                value = "FAILED"
            rows.append((f"audit verify of {a.entries:,} entries, SQLite", value, f"{memory}; {a.output}"))
        for phase, message in self.errors.items():
            rows.append((f"{phase}: ERROR", "—", message))
        return rows


def _mb(value: float | None) -> str:
    return f"{value:,.0f} MB" if value is not None else "unknown"


def _ratio(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "—"


def _met(value: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "—"}[value]


# -- console ----------------------------------------------------------------------------------------------
def console(results: Results) -> str:
    kind = "QUICK: tiny sizes, not a measurement" if results.quick else "full run"
    if results.scale != 1.0:
        kind += f", sizes scaled by {results.scale:g}"
    lines = [f"gi-trace benchmark ({kind})",
             f"{results.machine.get('CPU')}, {results.machine.get('cores')} cores, "
             f"{results.machine.get('RAM')}; load average before {results.load_before}",
             *[f"measured statements: {text}" for text in results.statements], ""]
    rows = results.rows()
    width = max((len(r[0]) for r in rows), default=10)
    value_width = max((len(r[1]) for r in rows), default=10)
    for name, value, detail in rows:
        lines.append(f"{name:<{width}}  {value:>{value_width}}  {detail}")
    lines += ["", "targets:"]
    targets = results.targets()
    width = max(len(t.name) for t in targets)
    for t in targets:
        met = {True: "met", False: "MISSED", None: "-"}[t.met]
        lines.append(f"  {t.name:<{width}}  {t.goal:>16}  {t.measured:>18}  {met:<6}  "
                     f"× verify limit {_ratio(t.ratio)}")
    for name, profile in results.profiles.items():
        lines += ["", f"profile: {name}", *profile]
    for note in results.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


# -- docs/benchmarks.md ----------------------------------------------------------------------------------
HOW_MEASURED = """\
- **Ed25519 verify limit** (the denominator of every ratio): worker processes verify
  the same signed statements (canonical JSON of about 400 bytes, 16 authors, with the
  `gi-trace/v1/statement` prefix) in a loop for a fixed time with `cryptography`'s
  `Ed25519PublicKey.verify`, keys loaded once. Two processes, one per core, is what
  the machine can verify at most; every append and every audited record needs one.
- **Statements**: what producers sign most, `batch.register` (about 400 bytes; a GI
  product registered and all 16 producers approved for it beforehand, with a quota that
  is never the limit). Where the code under test refuses batch registrations (the
  domain rules not there yet), `key.add` statements instead: each producer adds a fresh
  key of its own. The table above says which were used.
- **Single appends**: a fresh instance per database (`service.initialize`, a genesis of
  one regulator, 16 producers registered), served by `gi-trace serve` (gunicorn
  `config/gunicorn.conf.py`, gthread, `GI_TRACE_WORKERS=2`, `GI_TRACE_THREADS=16`) on
  127.0.0.1. The statements are signed beforehand (not timed, each by one of the 16
  producers, `ts` = signing time) and each is POSTed exactly once by `wrk`
  (`bench/post_once.lua`: every wrk thread takes a disjoint slice of the bodies) over
  64 keep-alive connections. appends/s = 201 answers ÷ (last answer − first request).
  Latency percentiles are wrk's (with its coordinated-omission correction). After the
  run the log size must have grown by exactly the number of 201s. The load generator
  and the server share the machine's cores.
- **Bulk appends**: the same server; lists of 1,000 pre-signed envelopes POSTed by 4
  client processes (Python `http.client`, one keep-alive connection each, back to
  back). entries/s = 1,000 × 201 answers ÷ wall time.
- **Audit**: a log built in-process through `Log.append` (1,000 statements a call) on
  an SQLite file, then `gi-trace audit verify --db sqlite:///…` run as a subprocess;
  the time includes starting the interpreter. Memory: the process tree (the command
  and its signature-checking worker processes) sampled every 0.1 s from /proc, RSS
  summed (PSS too, which counts pages shared after fork once); GNU `time -v` gives the
  largest single process. The RSS target is judged on the summed tree RSS.
- **Time caps**: every run is also bounded in time (see `*_cap` and `audit_timeout` in
  the sizes above), so that the whole benchmark ends in about 10 minutes even when the
  code under test is slow. A run stopped by its cap reports the rate it reached over
  what it did; a log whose build was capped is audited at the size it reached, and the
  audit target is then judged on its rate.
- **Ratios**: measured rate ÷ verify limit, i.e. the fraction of the machine's pure
  signature-checking capacity that the whole path reaches.
- **Profiles** (only for missed targets): the server runs `bench/profiled_app.py`
  under the same gunicorn settings, every request under cProfile on its thread's CPU
  clock; the audit is profiled in-process on the process CPU clock. Shares include
  profiler overhead (which inflates small Python calls).
"""


def markdown(results: Results) -> str:
    m = results.machine
    out = ["# Benchmarks", ""]
    out.append(f"Produced by `{m.get('command')}` on {m.get('date')}"
               f" ({results.seconds / 60:.1f} min). Run `make bench` (or the command above) to "
               "measure again; this page is rewritten by every run.")
    out += ["", "`make bench` runs `python -m bench.run` at full sizes (about 10 minutes on 2 cores). "
            "Options: `--quick` (tiny sizes, a smoke test in a minute or two), "
            "`--only verify,single,bulk,audit`, `--scale F` (fewer statements, same shape), "
            "`--cap-factor F` (longer time caps), "
            "`--no-profile`, `--out FILE`. It needs PostgreSQL on 127.0.0.1:5432 (user postgres; "
            "it creates and drops the database `gi_trace_bench`; without it the PostgreSQL runs are "
            "skipped) and uses `wrk` (installs the Debian package when missing and run as root, "
            "else falls back to a Python client).", ""]
    if results.quick:
        out += ["> **--quick run: tiny sizes, a smoke test of the benchmark itself. These numbers "
                "are not measurements;** run `make bench` for real figures.", ""]
    elif results.scale != 1.0:
        out += [f"> Sizes scaled by {results.scale:g} (`--scale`): the targets are judged on rates, "
                "and memory figures are for the smaller log.", ""]
    out += ["## Machine", "", "| | |", "|---|---|"]
    for key in ("CPU", "cores", "RAM", "OS", "Python", "PostgreSQL", "SQLite", "packages",
                "load generator", "code"):
        if key in m:
            out.append(f"| {key} | {m[key]} |")
    out.append(f"| load average (1/5/15 min) | before {results.load_before}; after {results.load_after} |")
    out.append(f"| measured statements | {'; '.join(results.statements) or '—'} |")
    out.append(f"| sizes | {'; '.join(f'{k} {v}' for k, v in results.sizes.items())} |")
    out += ["", "## Results", "", "| benchmark | result | details |", "|---|---:|---|"]
    for name, value, detail in results.rows():
        out.append(f"| {name} | {value} | {detail} |")
    out += ["", "## Targets", "",
            "| target | goal | measured | met | × verify limit |", "|---|---|---:|---|---:|"]
    for t in results.targets():
        out.append(f"| {t.name} | {t.goal} | {t.measured} | {_met(t.met)} | {_ratio(t.ratio)} |")
    if results.notes:
        out += ["", *[f"- {note}" for note in results.notes]]
    out += ["", "## How measured", "", HOW_MEASURED.rstrip()]
    if results.profiles:
        out += ["", "## Profiles of the missed targets", ""]
        for name, profile in results.profiles.items():
            out += [f"### {name}", "", "```", *profile, "```", ""]
    return "\n".join(out).rstrip() + "\n"


def write(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(results), encoding="utf-8")
