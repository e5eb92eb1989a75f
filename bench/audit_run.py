"""The audit benchmark: build a large log fast, then time `gi-trace audit verify --db URL`.

The log is built in-process through `Log.append`, 1,000 statements a call, on
an SQLite file (statements signed in worker processes a little ahead; only the
time inside Log.append counts), for at most a fixed time. The audit
runs as the command a regulator would run, in a subprocess, and its memory is
watched two ways: the process tree (the command and the worker processes it
starts) is sampled every 0.1 s from /proc, summing RSS (and PSS, which does not
count pages shared after fork twice); and GNU `time -v` (or wait4 when it is
missing) reports the largest single process's peak RSS.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gi_trace.service import open_service

from .fixtures import Instance, signed_chunks
from .server import ROOT, gi_trace_command

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.1


@dataclass
class BuildResult:
    entries: int               # statements appended here
    append_seconds: float      # time inside Log.append only
    sign_seconds: float        # waiting for signatures between appends (not counted)
    requested: int = 0
    size: int = 0              # records in the log at the end
    capped: bool = False       # stopped by the time cap before `requested`
    cap: float = 0.0

    @property
    def append_rate(self) -> float:
        return self.entries / self.append_seconds if self.append_seconds else 0.0


@dataclass
class AuditResult:
    entries: int
    seconds: float
    ok: bool
    output: str
    tree_rss_mb: float | None
    tree_pss_mb: float | None
    max_process_rss_mb: float | None
    processes: int
    command: str
    timed_out: bool = False
    timeout: float = 0.0

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else 0.0


def build_log(instance: Instance, entries: int, *, cap: float) -> BuildResult:
    """Grow the instance's log to `entries` records through Log.append, 1,000 per call,
    for at most `cap` seconds (a slower log is audited at the size it reached)."""
    service = open_service(instance.settings)
    try:
        start_size = service.log.size()
        missing = entries - start_size
        deadline = time.perf_counter() + cap
        appending = signing = 0.0
        appended = 0
        waited = time.perf_counter()
        for chunk in signed_chunks(instance.statements, instance.orgs, missing, 1000, ahead=2):
            before = time.perf_counter()
            signing += before - waited
            service.log.append(chunk)
            waited = time.perf_counter()
            appending += waited - before
            appended += len(chunk)
            if waited > deadline:
                break
        size = service.log.size()
        if size != start_size + appended:
            raise RuntimeError(f"log holds {size} records, expected {start_size + appended}")
        return BuildResult(appended, appending, signing, requested=missing, size=size,
                           capped=appended < missing, cap=cap)
    finally:
        service.engine.dispose()


# -- memory of a process tree ------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _tree(root: int, include_root: bool) -> list[int]:
    children = _children()
    found: list[int] = []
    todo, seen = [root], {root}
    while todo:
        pid = todo.pop()
        if pid != root or include_root:
            found.append(pid)
        for child in children.get(pid, []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return found


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes; zeros for a process that is gone."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            rss = int(f.read().split()[1]) * PAGE
        pss = 0
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                    break
        return rss, pss
    except (OSError, ValueError, IndexError):
        return 0, 0


def _gnu_time_max_rss(stderr: str) -> float | None:
    for line in stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1]) / 1024
    return None


def run_audit(instance: Instance, entries: int, *, timeout: float) -> AuditResult:
    """Time `gi-trace audit verify --db URL` on the instance's database."""
    audit = [*gi_trace_command(), "audit", "verify", "--db", instance.settings.database_url]
    gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else shutil.which("time")
    command = [gnu_time, "-v", *audit] if gnu_time else audit
    env = {k: v for k, v in os.environ.items() if not k.startswith("GI_TRACE_")}
    env.update(instance.env())
    peak_rss = peak_pss = 0
    pids: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="gi-trace-audit-out-") as scratch:
        out_path, err_path = Path(scratch) / "out", Path(scratch) / "err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
            deadline = started + timeout
            next_sample = started
            timed_out = False
            status: Any = None
            while time.perf_counter() < deadline:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                now = time.perf_counter()
                if now >= next_sample:
                    tree = _tree(proc.pid, include_root=gnu_time is None)
                    pids.update(tree)
                    sizes = [_memory(p) for p in tree]
                    peak_rss = max(peak_rss, sum(r for r, _ in sizes))
                    peak_pss = max(peak_pss, sum(p for _, p in sizes))
                    next_sample = now + SAMPLE_EVERY
                time.sleep(0.01)
            else:
                timed_out = True
                for descendant in _tree(proc.pid, include_root=False):  # the audit and its workers
                    with contextlib.suppress(OSError):
                        os.kill(descendant, signal.SIGKILL)
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
        stdout = out_path.read_text(errors="replace")
        stderr = err_path.read_text(errors="replace")
    max_rss = _gnu_time_max_rss(stderr) if gnu_time else usage.ru_maxrss / 1024
    ok = proc.returncode == 0 and f"OK: {entries} records verified" in stdout
    if ok:
        message = stdout.strip().splitlines()[-1]
    elif timed_out:
        message = f"did not finish within {timeout:.0f} s (stopped)"
    else:
        message = f"exit {proc.returncode}: {(stdout + stderr).strip()[:500]}"
    shown = " ".join(["time -v"] if gnu_time else []) + " gi-trace audit verify --db sqlite:///…/gi-trace.db"
    return AuditResult(entries, seconds, ok, message,
                       peak_rss / 2**20 if peak_rss else None, peak_pss / 2**20 if peak_pss else None,
                       max_rss, len(pids), shown.strip(), timed_out, timeout)
