"""Where the time goes, for the targets that are missed: short cProfile summaries.

- HTTP appends: the server runs bench.profiled_app under gunicorn (same config,
  same workers and threads), every request profiled on its own thread's CPU
  clock; the per-worker profiles are merged here.
- Audit: `audit_log` over the database, profiled in a child process on its CPU
  clock (the signature checks of its worker processes are not in it), stopped
  after a fixed time if it has not finished.

A deterministic profiler slows small Python calls more than C code, so the
shares are a guide to where the CPU goes, not exact costs.
"""

from __future__ import annotations

import cProfile
import multiprocessing
import os
import pstats
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from gi_trace.ledger.database import make_engine
from gi_trace.ledger.genesis import load_genesis
from gi_trace.ledger.sources import DatabaseSource
from gi_trace.service import audit_log, operator_signer

from .fixtures import Instance


def _name(key: tuple[str, int, str]) -> str:
    file, line, func = key
    if file == "~":
        return func
    parts = Path(file).parts
    if "gi_trace" in parts:
        module = ".".join(parts[parts.index("gi_trace"):]).removesuffix(".py")
    elif "site-packages" in parts:
        module = ".".join(parts[parts.index("site-packages") + 1:]).removesuffix(".py")
    else:
        module = Path(file).stem
    return f"{module}:{line} {func}"


def _package(file: str) -> str:
    """Who owns a function: gi_trace, a site package, a stdlib module, or C builtins."""
    if file == "~":
        return "C builtins"
    parts = Path(file).parts
    if "gi_trace" in parts:
        return "gi_trace"
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    for index, part in enumerate(parts):
        if part.startswith("python3"):
            return "stdlib " + parts[index + 1].removesuffix(".py") if index + 1 < len(parts) else part
    return Path(file).stem


def summarise(stats: pstats.Stats, units: int, unit: str, top: int = 10) -> list[str]:
    """Own CPU time by package and by function, and gi_trace functions by cumulative time."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in table.values()) or 1e-9
    lines = [f"profiled CPU: {total:.2f} s for {units} {unit} "
             f"({1e6 * total / max(units, 1):.0f} µs per {unit.rstrip('s')}, profiler overhead included)"]
    packages: dict[str, float] = {}
    for key, row in table.items():
        packages[_package(key[0])] = packages.get(_package(key[0]), 0.0) + row[2]
    shares = sorted(packages.items(), key=lambda item: -item[1])[:8]
    lines.append("own time by package: " + ", ".join(f"{name} {100 * t / total:.0f}%" for name, t in shares))
    lines.append("own time (tottime), top functions:")
    for key, row in sorted(table.items(), key=lambda item: -item[1][2])[:top]:
        lines.append(f"  {100 * row[2] / total:5.1f}%  {row[2]:7.3f} s  {_name(key)}")
    ours = [(key, row) for key, row in table.items() if "gi_trace" in key[0]]
    lines.append("cumulative time inside gi_trace, top functions:")
    for key, row in sorted(ours, key=lambda item: -item[1][3])[:top + 6]:
        lines.append(f"  {100 * row[3] / total:5.1f}%  {row[3]:7.3f} s  {_name(key)}")
    return lines


def merge_server_profiles(directory: Path) -> pstats.Stats | None:
    files = sorted(str(p) for p in directory.glob("*.prof"))
    if not files:
        return None
    return pstats.Stats(*files)


def _profile_audit_child(instance: Instance, out: Path, seconds: float) -> None:
    """In a child process: profile the audit; at `seconds`, stop and write what there is."""
    settings = instance.settings
    profile = cProfile.Profile(time.process_time)
    done = [0]
    started = time.perf_counter()

    def finish(*signalled: Any) -> None:
        profile.disable()
        profile.dump_stats(str(out))
        out.with_suffix(".done").write_text(
            f"{done[0]} {time.perf_counter() - started:.3f} {int(bool(signalled))}")
        for child in multiprocessing.active_children():  # the audit's signature workers
            child.kill()
        os._exit(0)

    signal.signal(signal.SIGALRM, finish)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    engine = make_engine(settings.database_url)
    genesis = load_genesis(settings.regulators)
    verifier = operator_signer(settings).verifier()
    with DatabaseSource(engine) as source:
        profile.enable()
        result = audit_log(source, verifier, genesis,
                           progress=lambda size, _total: done.__setitem__(0, size))
        done[0] = result.size
        finish()


def profile_audit(instance: Instance, seconds: float) -> tuple[pstats.Stats, float, int, bool] | None:
    """Profile the audit of the instance's log in a child process, for at most `seconds`:
    (stats, wall seconds, records audited, whether it was stopped early), or None."""
    with tempfile.TemporaryDirectory(prefix="gi-trace-profile-") as scratch:
        out = Path(scratch) / "audit.prof"
        child = multiprocessing.get_context("fork").Process(
            target=_profile_audit_child, args=(instance, out, seconds))
        child.start()
        child.join(timeout=seconds + 60)
        if child.is_alive():
            child.kill()
            child.join(timeout=10)
        marker = out.with_suffix(".done")
        if not out.exists() or not marker.exists():
            return None
        records, wall, stopped = marker.read_text().split()
        stats = pstats.Stats(str(out))
        return stats, float(wall), max(int(records), replayed(stats)), stopped == "1"


def replayed(stats: pstats.Stats) -> int:
    """Records the audit replayed, counted by the profile: calls of Appender.add."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return max((row[1] for (file, _, func), row in table.items()
                if func == "add" and file.endswith(os.path.join("ledger", "appender.py"))), default=0)
