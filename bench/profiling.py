"""Where the time goes, for the targets that are missed: short cProfile summaries.

- HTTP appends: the server runs bench.profiled_app under gunicorn (same config,
  same workers and threads), every request profiled on its own thread's CPU
  clock; the per-worker profiles are merged here.
- Audit: `audit_log` over the database, profiled in-process on the process's
  CPU clock (the signature checks of its worker processes are not in it).

A deterministic profiler slows small Python calls more than C code, so the
shares are a guide to where the CPU goes, not exact costs.
"""

from __future__ import annotations

import cProfile
import pstats
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


def profile_audit(instance: Instance) -> tuple[pstats.Stats, float, int]:
    """Profile the audit in this process: (stats, seconds, records)."""
    settings = instance.settings
    engine = make_engine(settings.database_url)
    profile = cProfile.Profile(time.process_time)
    try:
        genesis = load_genesis(settings.regulators)
        verifier = operator_signer(settings).verifier()
        started = time.perf_counter()
        with DatabaseSource(engine) as source:
            profile.enable()
            try:
                result = audit_log(source, verifier, genesis)
            finally:
                profile.disable()
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    if not result:
        raise RuntimeError(f"profiled audit failed: {result.failure}")
    return pstats.Stats(profile), seconds, result.size
