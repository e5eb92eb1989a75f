"""The audit benchmark: build a large log fast, then time `gi-trace audit verify --db URL`.

The log is built in-process through `Log.append`, 1,000 statements a call, on
an SQLite file (statements signed beforehand in worker processes). The audit
runs as the command a regulator would run, in a subprocess, and its memory is
watched two ways: the process tree (the command and the worker processes it
starts) is sampled every 0.1 s from /proc, summing RSS (and PSS, which does not
count pages shared after fork twice); and GNU `time -v` (or wait4 when it is
missing) reports the largest single process's peak RSS.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
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
    entries: int
    append_seconds: float      # time inside Log.append only
    sign_seconds: float

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

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else 0.0


def sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def build_log(instance: Instance, entries: int, *,
              snapshot: tuple[int, Path] | None = None) -> BuildResult:
    """Grow the instance's log to `entries` records through Log.append, 1,000 per call.

    With `snapshot` (size, path), a copy of the SQLite database is taken as soon as
    the log holds at least `size` records (for a shorter profiling run later)."""
    service = open_service(instance.settings)
    try:
        size = start_size = service.log.size()
        missing = entries - start_size
        started = time.perf_counter()
        chunks = list(signed_chunks(instance.orgs, missing, 1000, ahead=8))
        signed = time.perf_counter()
        appending = 0.0
        for chunk in chunks:
            before = time.perf_counter()
            service.log.append(chunk)
            appending += time.perf_counter() - before
            size += len(chunk)
            if snapshot is not None and size >= snapshot[0]:
                _copy_sqlite(sqlite_path(instance.settings.database_url), snapshot[1])
                snapshot = None
        size = service.log.size()
        if size != entries:
            raise RuntimeError(f"log holds {size} records, expected {entries}")
        return BuildResult(missing, appending, signed - started)
    finally:
        service.engine.dispose()


def _copy_sqlite(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


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
    else:
        message = f"exit {proc.returncode}: {(stdout + stderr).strip()[:500]}"
    shown = " ".join(["time -v"] if gnu_time else []) + " gi-trace audit verify --db sqlite:///…/gi-trace.db"
    return AuditResult(entries, seconds, ok, message,
                       peak_rss / 2**20 if peak_rss else None, peak_pss / 2**20 if peak_pss else None,
                       max_rss, len(pids), shown.strip())
