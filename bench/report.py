"""Results of one run: the console table and docs/benchmarks.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .audit_run import AuditResult, BuildResult
from .fixtures import KEY_ADD, KINDS, PATHS, path_name
from .http_load import LoadResult
from .label_issue import TARGET_SECONDS as ISSUE_TARGET_SECONDS
from .label_issue import LabelIssueRun
from .labels_pdf import LabelsPdfResult
from .scans import MIX, ScanRun
from .verify_limit import VerifyLimit

SINGLE_TARGET = 2000.0          # appends/s, one statement per request, PostgreSQL
BULK_TARGET = 8000.0            # entries/s, lists of 1,000
AUDIT_ENTRIES = 100_000
AUDIT_SECONDS_TARGET = 6.0
AUDIT_RSS_TARGET_MB = 200.0
LABELS_TARGET = 1000.0          # labels/s written to a PDF sheet
SCANS_TARGET = 3000.0           # scan verdicts (JSON) /s on the demo data
SCANS_P99_TARGET_MS = 20.0      # their p99 latency, under the same load


@dataclass
class HttpRun:
    db: str
    statements: str                     # the kind of statement measured (KEY_ADD or BATCH)
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
        parts = [f"{load.requests:,} {unit} signed, answers {load.status_text()}"]
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
    path: str                   # the kind of statement measured
    measured: str
    met: bool | None
    ratio: float | None = None          # ÷ the libsodium verify limit (the service's verify)
    openssl_ratio: float | None = None  # ÷ cryptography's verify limit, for reference

    @property
    def judged(self) -> bool:
        """The targets are set for the ledger path; the GI domain path is shown beside them."""
        return self.path == KEY_ADD


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
    single: dict[tuple[str, str], HttpRun] = field(default_factory=dict)   # (statements, db)
    bulk: dict[tuple[str, str], HttpRun] = field(default_factory=dict)
    build: dict[str, BuildResult] = field(default_factory=dict)           # by statements
    audit: dict[str, AuditResult] = field(default_factory=dict)
    labels_pdf: LabelsPdfResult | None = None
    label_issue: dict[str, LabelIssueRun] = field(default_factory=dict)  # by database
    scans: dict[str, ScanRun] = field(default_factory=dict)              # by database
    profiles: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)   # what the measured statements were
    skipped: dict[str, str] = field(default_factory=dict)  # run → why it was not measured
    errors: dict[str, str] = field(default_factory=dict)

    def ratio(self, rate: float) -> float | None:
        """rate ÷ the verify limit of libsodium, the library the service verifies with."""
        return rate / self.verify.rate if self.verify and self.verify.rate else None

    def openssl_ratio(self, rate: float) -> float | None:
        return rate / self.verify.openssl_rate if self.verify and self.verify.openssl_rate else None

    def _target(self, name: str, goal: str, path: str, measured: str, met: bool | None,
                rate: float | None = None) -> Target:
        return Target(name, goal, path, measured, met,
                      self.ratio(rate) if rate is not None else None,
                      self.openssl_ratio(rate) if rate is not None else None)

    # -- targets --------------------------------------------------------------------------------------
    def targets(self) -> list[Target]:
        """Each target for the ledger path (judged), then the GI domain path (shown, not judged)."""
        found: list[Target] = []
        for path in KINDS:
            single = self.single.get((path, "PostgreSQL"))
            found.append(self._target(
                "single appends over HTTP, PostgreSQL", f"≥ {SINGLE_TARGET:,.0f} /s", path,
                f"{single.rate:,.0f} /s" if single else "not run",
                single.rate >= SINGLE_TARGET if single else None, single.rate if single else None))
        for db in ("PostgreSQL", "SQLite"):
            for path in KINDS:
                bulk = self.bulk.get((path, db))
                size = bulk.per_request if bulk else 1000
                found.append(self._target(
                    f"bulk appends (lists of {size:,}), {db}", f"≥ {BULK_TARGET:,.0f} /s", path,
                    f"{bulk.rate:,.0f} /s" if bulk else "not run",
                    bulk.rate >= BULK_TARGET if bulk else None, bulk.rate if bulk else None))
        audits = [(path, self._audit_targets(path)) for path in KINDS]
        for index in range(2):  # time, then memory
            found += [rows[index] for _, rows in audits]
        return found

    def _audit_targets(self, path: str) -> tuple[Target, Target]:
        audit = self.audit.get(path)
        time_goal, rss_goal = f"≤ {AUDIT_SECONDS_TARGET:.0f} s", f"≤ {AUDIT_RSS_TARGET_MB:.0f} MB"
        if audit is not None and audit.timed_out:
            rate = audit.entries / audit.timeout
            return (self._target(f"audit time ({audit.entries:,} entries)", time_goal, path,
                                 f"> {audit.timeout:.0f} s (stopped), i.e. < {rate:,.0f} entries/s",
                                 False, rate),
                    self._target(f"audit peak RSS until stopped ({audit.entries:,} entries, "
                                 "process tree)", rss_goal, path, _mb(audit.tree_rss_mb),
                                 audit.tree_rss_mb <= AUDIT_RSS_TARGET_MB
                                 if audit.tree_rss_mb is not None else None))
        if audit is None or not audit.ok:
            measured = "failed" if audit else "not run"
            met = False if audit else None
            size = "100k entries" if path == KEY_ADD else "a smaller log"
            return (self._target(f"audit of {size}, time", time_goal, path, measured, met),
                    self._target(f"audit of {size}, peak RSS", rss_goal, path, measured, met))
        if audit.entries == AUDIT_ENTRIES:
            timed = self._target("audit of 100k entries, time", time_goal, path,
                                 f"{audit.seconds:.1f} s", audit.seconds <= AUDIT_SECONDS_TARGET,
                                 audit.rate)
            label = "audit of 100k entries, peak RSS"
        else:
            needed = AUDIT_ENTRIES / AUDIT_SECONDS_TARGET
            timed = self._target(f"audit time ({audit.entries:,} entries, not 100k: judged on rate)",
                                 f"≥ {needed:,.0f} entries/s", path,
                                 f"{audit.rate:,.0f} entries/s ({audit.seconds:.1f} s)",
                                 audit.rate >= needed, audit.rate)
            label = f"audit peak RSS ({audit.entries:,} entries, not 100k)"
        rss = audit.tree_rss_mb
        return timed, self._target(label + " (process tree)", rss_goal, path, _mb(rss),
                                   rss <= AUDIT_RSS_TARGET_MB if rss is not None else None)

    # -- rows ---------------------------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, str, str]]:
        rows: list[tuple[str, str, str]] = []
        if self.verify:
            v = self.verify
            sizes = " and ".join(f"`{kind}` {size} bytes" for kind, size in v.statement_bytes.items())
            rows.append((f"Ed25519 verify limit, libsodium (the service's keys.verify), "
                         f"{v.processes} processes", f"{v.rate:,.0f} /s",
                         f"1 process {v.per_process:,.0f}/s; for reference cryptography (OpenSSL) "
                         f"Ed25519PublicKey.verify, keys loaded once: {v.processes} processes "
                         f"{v.openssl_rate:,.0f}/s, 1 process {v.openssl_per_process:,.0f}/s; "
                         f"statements {sizes}; {v.seconds:g} s per measure"))
        for (path, db), run in self.single.items():
            rows.append((f"single signed appends over HTTP, {path_name(path)}, {db}",
                         f"{run.rate:,.0f} /s", run.details() + f"; {run.load.tool}"))
        for (path, db), run in self.bulk.items():
            rows.append((f"bulk appends over HTTP (lists of {run.per_request:,}), {path_name(path)}, {db}",
                         f"{run.rate:,.0f} entries/s", run.details() + f"; {run.load.tool}"))
        for path in KINDS:
            b = self.build.get(path)
            if b:
                capped = (f"; only {b.entries:,} of {b.requested:,} within the {b.cap:.0f} s build cap"
                          if b.capped else "")
                rows.append((f"build: Log.append in-process, 1,000 per call, {path_name(path)}, SQLite",
                             f"{b.append_rate:,.0f} entries/s",
                             f"{b.entries:,} entries in {b.append_seconds:.1f} s inside Log.append, "
                             f"log of {b.size:,} records{capped}"))
            a = self.audit.get(path)
            if a:
                memory = (f"peak RSS of the process tree {_mb(a.tree_rss_mb)} (PSS {_mb(a.tree_pss_mb)}, "
                          f"{a.processes} processes), largest single process {_mb(a.max_process_rss_mb)}")
                if a.ok:
                    value = f"{a.seconds:.1f} s ({a.rate:,.0f} entries/s)"
                elif a.timed_out:
                    value = f"> {a.timeout:.0f} s (stopped)"
                else:
                    value = "FAILED"
                rows.append((f"audit verify of {a.entries:,} entries, {path_name(path)}, SQLite", value,
                             f"{memory}; {a.output}"))
        for what, why in self.skipped.items():
            rows.append((what, "not measured", why))
        for phase, message in self.errors.items():
            rows.append((f"{phase}: ERROR", "—", message))
        return rows


def scans_met(run: ScanRun) -> bool:
    """Both scan targets at once: the rate and the p99 latency under that load."""
    return run.rate >= SCANS_TARGET and run.load.p99_ms is not None and \
        run.load.p99_ms <= SCANS_P99_TARGET_MS


def _mb(value: float | None) -> str:
    return f"{value:,.0f} MB" if value is not None else "unknown"


def _ratio(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "—"


def _met(target: Target, markdown: bool = True) -> str:
    if not target.judged:
        return "— (reference)" if markdown else "(ref.)"
    if markdown:
        return {True: "yes", False: "**no**", None: "—"}[target.met]
    return {True: "met", False: "MISSED", None: "-"}[target.met]


def _path_cell(path: str) -> str:
    return path_name(path) + ("" if path == KEY_ADD else ", for reference")


# -- console ----------------------------------------------------------------------------------------------
def console(results: Results) -> str:
    kind = "QUICK: tiny sizes, not a measurement" if results.quick else "full run"
    if results.scale != 1.0:
        kind += f", sizes scaled by {results.scale:g}"
    lines = [f"gi-trace benchmark ({kind}, {results.seconds / 60:.1f} min)",
             f"{results.machine.get('CPU')}, {results.machine.get('cores')} cores, "
             f"{results.machine.get('RAM')}; load average before {results.load_before}, "
             f"after {results.load_after}",
             *[f"measured statements: {text}" for text in results.statements], ""]
    rows = results.rows()
    width = max((len(r[0]) for r in rows), default=10)
    value_width = max((len(r[1]) for r in rows), default=10)
    for name, value, detail in rows:
        lines.append(f"{name:<{width}}  {value:>{value_width}}  {detail}")
    lines += ["", "targets (set for the ledger path; the GI domain path is shown for reference; "
              "× = ÷ verify limit of libsodium / of cryptography):"]
    targets = results.targets()
    width = max(len(t.name) for t in targets)
    path_width = max(len(PATHS[t.path]) for t in targets)
    measured_width = max(len(t.measured) for t in targets)
    for t in targets:
        lines.append(f"  {t.name:<{width}}  {PATHS[t.path]:<{path_width}}  {t.goal:>18}  "
                     f"{t.measured:>{measured_width}}  {_met(t, markdown=False):<6}  "
                     + (f"× {_ratio(t.ratio)} / {_ratio(t.openssl_ratio)}" if t.ratio is not None
                        else ""))
    if results.labels_pdf:
        met = "met" if results.labels_pdf.rate >= LABELS_TARGET else "MISSED"
        lines.append(f"  labels to PDF  ≥ {LABELS_TARGET:,.0f} /s  {results.labels_pdf.rate:,.0f} /s  {met}")
    for db, issued in results.label_issue.items():
        met = "met" if issued.seconds <= ISSUE_TARGET_SECONDS else "MISSED"
        lines.append(f"  label.issue of {issued.labels:,}, {db}  ≤ {ISSUE_TARGET_SECONDS:g} s  "
                     f"{issued.seconds:.2f} s  {met}")
    for db, run in results.scans.items():
        p99 = f"{run.load.p99_ms:.1f} ms" if run.load.p99_ms is not None else "?"
        lines.append(f"  scan verdicts, {db}  ≥ {SCANS_TARGET:,.0f} /s, p99 ≤ {SCANS_P99_TARGET_MS:.0f} ms  "
                     f"{run.rate:,.0f} /s, p99 {p99}  {'met' if scans_met(run) else 'MISSED'}")
        lines.append(f"    {run.details()}; {run.load.tool}")
    for name, profile in results.profiles.items():
        lines += ["", f"profile: {name}", *profile]
    for note in results.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


# -- docs/benchmarks.md ----------------------------------------------------------------------------------
HOW_MEASURED = """\
- **Two paths, measured side by side** in every phase, each on its own fresh instance:
  the *ledger path*, `key.add` (each of the 16 producers adds a fresh key of its own:
  only the ledger's identity rule checks it; the targets are set for this path), and
  the *GI domain path*, `batch.register` (what producers sign most: a GI product
  registered and all 16 producers approved for it beforehand, with a quota that is
  never the limit; the domain rules and projections add about five SQL statements per
  append). The GI domain path is shown beside each target for reference, not judged.
  Where the code under test refuses `batch.register`, its rows say so.
- **Ed25519 verify limit** (the denominator of every ratio): worker processes verify
  the same signed statements (both kinds, canonical JSON of about 300–400 bytes, 16
  authors, with the `gi-trace/v1/statement` prefix) in a loop for a fixed time with
  `gi_trace.ledger.keys.verify`, the function the log and the audit call (libsodium's
  `crypto_sign_open`). Two processes, one per core, is what the machine can verify at
  most; every append and every audited record needs one. `cryptography`'s
  `Ed25519PublicKey.verify` (OpenSSL, keys loaded once) is measured the same way and
  shown for reference (second ratio).
- **Single appends**: a fresh instance per path and database (`service.initialize`, a
  genesis of one regulator, 16 producers registered), served by `gi-trace serve`
  (gunicorn `config/gunicorn.conf.py`, gthread, `GI_TRACE_WORKERS=2`,
  `GI_TRACE_THREADS=16`) on 127.0.0.1. The statements are signed beforehand (not
  timed, each by one of the 16 producers, `ts` = signing time) and each is POSTed
  exactly once by `wrk` (`bench/post_once.lua`: every wrk thread takes a disjoint
  slice of the bodies) over 64 keep-alive connections. appends/s = 201 answers ÷
  (last answer − first request). Latency percentiles are wrk's (with its
  coordinated-omission correction). After the run the log size must have grown by
  exactly the number of 201s. The load generator and the server share the machine's
  cores.
- **Bulk appends**: the same server; lists of 1,000 pre-signed envelopes POSTed by 4
  client processes (Python `http.client`, one keep-alive connection each, back to
  back). entries/s = 1,000 × 201 answers ÷ wall time.
- **Audit**: per path, a log built in-process through `Log.append` (1,000 statements a
  call) on an SQLite file (100k entries of `key.add` for the ledger path, the
  headline; a smaller log of `batch.register` for the GI domain path, when the time
  budget allows), then `gi-trace audit verify --db sqlite:///…` run as a subprocess;
  the time includes starting the interpreter. Memory: the process tree (the command
  and its signature-checking worker processes) sampled every 0.1 s from /proc, RSS
  summed (PSS too, which counts pages shared after fork once); GNU `time -v` gives the
  largest single process. The RSS target is judged on the summed tree RSS. An audit of
  fewer than 100k entries is judged on its rate.
- **Sizes and time caps**: every run is bounded in count and in time (see the sizes
  above: `single`, `bulk_requests` × `bulk_list`, `audit_entries` (ledger path),
  `gi_audit_entries` (GI domain path), the `*_cap` and `*_timeout` values), so that
  the whole benchmark ends in about 14 minutes on 2 cores even when the code under
  test is slow; the optional runs (the GI domain path's audit, the profiles) are
  skipped, and say so, when they would overrun `budget` seconds. A run stopped by its
  cap reports the rate it reached over what it did; a log whose build was capped is
  audited at the size it reached, and the audit target is then judged on its rate.
- **Ratios**: measured rate ÷ verify limit, i.e. the fraction of the machine's pure
  signature-checking capacity that the whole path reaches.
- **Profiles** (only for missed targets, of the ledger path): the server runs
  `bench/profiled_app.py` under the same gunicorn settings, every request under
  cProfile on its thread's CPU clock; the audit is profiled in-process on the process
  CPU clock. Shares include profiler overhead (which inflates small Python calls).
"""


def labels_section(labels: LabelsPdfResult) -> list[str]:
    met = "yes" if labels.rate >= LABELS_TARGET else "**no**"
    return ["## Label sheets to PDF", "",
            "| benchmark | goal | measured | met | details |", "|---|---|---:|---|---|",
            f"| labels to a PDF sheet (`gi_trace.labels.sheet.write_sheet`) | ≥ {LABELS_TARGET:,.0f} /s "
            f"| {labels.rate:,.0f} /s | {met} | {labels.details()} |", "",
            "Measured in a child process (`python -m bench.labels_pdf COUNT FILE CAP`) that makes the "
            "labels one at a time as the sheet asks for them (URIs of the real length, random bytes in "
            "place of signatures) and writes the PDF to a file; the time covers the QR codes, the page "
            "contents, their compression and the writes. Peak RSS is the child's VmHWM; the RSS "
            "before the first label (the interpreter and its imports) shows what the sheet adds."]


def label_issue_section(runs: dict[str, LabelIssueRun]) -> list[str]:
    out = ["## One label.issue of 10,000 labels, end to end", "",
           "| database | goal | measured | met | details |", "|---|---|---:|---|---|"]
    for db, run in runs.items():
        met = "yes" if run.seconds <= ISSUE_TARGET_SECONDS else "**no**"
        out.append(f"| {db} | ≤ {ISSUE_TARGET_SECONDS:g} s | {run.seconds:.2f} s | {met} | {run.details()} |")
    return [*out, "", "What `gi-trace labels issue` does before it prints (bench/label_issue.py): the "
                  "packer's machine makes and signs the labels, builds their labels_root and signs "
                  "the statement; one POST carries the labels beside it; the server verifies every "
                  "label signature and the root, applies mass balance and stores the labels; the "
                  "client verifies the statement's inclusion in a signed checkpoint. `gi-trace serve` "
                  "with 1 worker; the client runs in the benchmark's process."]


def scans_section(runs: dict[str, ScanRun]) -> list[str]:
    out = ["## Scan verdicts", "",
           "| benchmark | goal | verdicts/s | p50 | p90 | p99 | max | non-200 | met | details |",
           "|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for db, run in runs.items():
        load = run.load

        def ms(value: float | None) -> str:
            return f"{value:.1f} ms" if value is not None else "—"
        out.append(f"| scan verdicts (JSON) over HTTP, demo data, {db} | ≥ {SCANS_TARGET:,.0f} /s with "
                   f"p99 ≤ {SCANS_P99_TARGET_MS:.0f} ms | {run.rate:,.0f} | {ms(load.p50_ms)} "
                   f"| {ms(load.p90_ms)} | {ms(load.p99_ms)} | {ms(load.max_ms)} | {load.failed:,} "
                   f"| {'yes' if scans_met(run) else '**no**'} | {run.details(latency=False)}; {load.tool} |")
    mix = ", ".join(f"{kind} {share}%" for kind, share in MIX)
    out += ["", "Measured on an instance loaded by `gi-trace demo` (36 special-sign labels) and served "
            "by `gi-trace serve` (gunicorn, `config/gunicorn.conf.py`, with the workers and threads "
            "shown). After a warm-up, wrk (`bench/get_paths.lua`) GETs the labels' Digital Links "
            "(`/01/{gtin}/10/{lot}/21/{serial}?s=…`) with `Accept: application/json` round robin over "
            f"64 keep-alive connections for a fixed time; the mix of codes is: {mix} (the never-issued "
            "codes are genuine ones with the serial changed). verdicts/s = 200 answers ÷ (last answer − "
            "first request); latencies are wrk's; the verdict and reason counts are read from the "
            "answers. Every scan of an issued label is recorded for copy detection, and after the run "
            "(the server stopped, so its buffered scans are written) gi_scans must have grown by "
            "the answered scans of issued labels, plus at most the requests still in flight when wrk "
            "stopped. gunicorn runs 2 workers (one a core) × 4 threads, the default of "
            "`config/gunicorn.conf.py`: the scan is CPU-bound Python, and more threads or workers "
            "only added GIL switches and CPU per request on 2 cores. A second, shorter run on the "
            "same server GETs `/healthz` (one query, no scan): the floor of gunicorn and Flask on "
            "this machine, for reference. With 36 labels, each is scanned thousands of times in a run, so "
            "the copy-detection thresholds are raised out of reach (GI_TRACE_SCAN_MAX_COUNT and "
            "GI_TRACE_SCAN_MAX_AFTER_SALE = 10⁹): the verdicts are then those of the label kinds "
            "(GENUINE, RECALLED, WARNING `sold`, INVALID `voided` / `unknown-label`), as a real population "
            "of labels scanned a few times each gets them; the work per scan is the same either way. "
            "At 64 connections a p99 of 20 ms needs about 64 ÷ 0.02 s = 3,200 verdicts/s even with no "
            "spread at all (Little's law), so the two targets are one. Load generator and server "
            "share the two cores."]
    return out


def markdown(results: Results) -> str:
    m = results.machine
    out = ["# Benchmarks", ""]
    out.append(f"Produced by `{m.get('command')}` on {m.get('date')}"
               f" ({results.seconds / 60:.1f} min). Run `make bench` (or the command above) to "
               "measure again; this page is rewritten by every run.")
    out += ["", "`make bench` runs `python -m bench.run` at full sizes (about 14 minutes on 2 cores). "
            "Options: `--quick` (tiny sizes, a smoke test in a few minutes), "
            "`--only verify,single,bulk,audit,labels,scans`, `--scale F` (fewer statements, same shape), "
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
            "The targets are set for the ledger path (`key.add`); the GI domain path "
            "(`batch.register`) is measured the same way and shown under each for reference. "
            "Ratios are to the verify limit of libsodium, which the service verifies with "
            "(`gi_trace.ledger.keys.verify`); the ratio to cryptography's (OpenSSL) limit is "
            "given for reference.", "",
            "| target | goal | path | measured | met | × verify limit (libsodium) "
            "| × cryptography limit |", "|---|---|---|---:|---|---:|---:|"]
    for t in results.targets():
        out.append(f"| {t.name} | {t.goal} | {_path_cell(t.path)} | {t.measured} | {_met(t)} "
                   f"| {_ratio(t.ratio)} | {_ratio(t.openssl_ratio)} |")
    if results.notes:
        out += ["", *[f"- {note}" for note in results.notes]]
    if results.labels_pdf:
        out += ["", *labels_section(results.labels_pdf)]
    if results.label_issue:
        out += ["", *label_issue_section(results.label_issue)]
    if results.scans:
        out += ["", *scans_section(results.scans)]
    out += ["", "## How measured", "", HOW_MEASURED.rstrip()]
    if results.profiles:
        out += ["", "## Profiles of the missed targets", ""]
        for name, profile in results.profiles.items():
            out += [f"### {name}", "", "```", *profile, "```", ""]
    return "\n".join(out).rstrip() + "\n"


def write(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(results), encoding="utf-8")
