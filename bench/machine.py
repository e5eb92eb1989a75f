"""What the numbers were measured on: CPU, cores, memory, versions, date, command."""

from __future__ import annotations

import contextlib
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .fixtures import Postgres
from .http_load import wrk_version

ROOT = Path(__file__).resolve().parent.parent


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False, cwd=ROOT)
    except OSError:
        return ""
    return done.stdout.strip()


def cpu_model() -> str:
    for line in _run(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    return 0.0


def command_line() -> str:
    python = sys.executable
    with contextlib.suppress(ValueError):
        python = str(Path(python).relative_to(Path.cwd()))
    return shlex.join([python, "-m", "bench.run", *sys.argv[1:]])


def describe(postgres: Postgres | None, wrk: str | None) -> dict[str, str]:
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command_line(),
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "RAM": f"{memory_gib():.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
    }
    if postgres is not None and postgres.error is None:
        try:
            info["PostgreSQL"] = (f"{postgres.query('SHOW server_version')} "
                                  f"(fsync {postgres.query('SHOW fsync')}, synchronous_commit "
                                  f"{postgres.query('SHOW synchronous_commit')})")
        except Exception as e:  # the version is only reported
            info["PostgreSQL"] = f"unknown ({e})".splitlines()[0]
    else:
        info["PostgreSQL"] = "not used" if postgres is None else f"unavailable: {postgres.error}"
    packages = []
    for name in ("gunicorn", "Flask", "SQLAlchemy", "cryptography", "psycopg"):
        try:
            packages.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    info["packages"] = ", ".join(packages)
    info["load generator"] = wrk_version(wrk) if wrk else "Python http.client (wrk unavailable)"
    revision = _run(["git", "rev-parse", "--short", "HEAD"])
    if revision:
        dirty = _run(["git", "status", "--porcelain", "--untracked-files=no"])
        info["code"] = f"git {revision}" + (" + uncommitted changes" if dirty else "")
    return info


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"
