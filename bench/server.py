"""Run the service as production runs it: `gi-trace serve` (gunicorn, config/gunicorn.conf.py).

The server listens on a free port of 127.0.0.1 only, gets the instance's
settings through the GI_TRACE_* environment, and is stopped (SIGTERM, then
SIGKILL to its own process group if it hangs) when the block ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .fixtures import Instance

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.conf.py"


def gi_trace_command() -> list[str]:
    """The `gi-trace` console script of this interpreter's environment."""
    beside = Path(sys.executable).with_name("gi-trace")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("gi-trace")
    if found:
        return [found]
    return [sys.executable, "-c", "from gi_trace.cli.main import main; main()"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_env(instance: Instance, bind: str, workers: int, threads: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GI_TRACE_", "GUNICORN_"))}
    env.update(instance.env())
    env.update(GI_TRACE_BIND=bind, GI_TRACE_WORKERS=str(workers), GI_TRACE_THREADS=str(threads))
    return env


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not answering {base}/healthz after {timeout:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=25)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the server's own session, started below
        proc.wait(timeout=10)


@contextmanager
def running_server(instance: Instance, log_path: Path, *, workers: int = 2, threads: int = 16,
                   profile_dir: Path | None = None) -> Iterator[str]:
    """Serve `instance`; yields the base URL. With `profile_dir`, gunicorn serves
    bench.profiled_app instead (the same app, each request under cProfile)."""
    port = free_port()
    bind = f"127.0.0.1:{port}"
    env = server_env(instance, bind, workers, threads)
    if profile_dir is None:
        command = [*gi_trace_command(), "serve"]
    else:
        env["GI_TRACE_BENCH_PROFILE_DIR"] = str(profile_dir)
        command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG),
                   "bench.profiled_app:app"]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://{bind}"
    try:
        _wait_ready(base, proc, 60)
        yield base
    except BaseException:
        tail = log_path.read_text(errors="replace").splitlines()[-15:]
        print("server log (last lines):\n  " + "\n  ".join(tail), file=sys.stderr)
        raise
    finally:
        _stop(proc)


def first_error(log_path: Path) -> str | None:
    """The exception of the first traceback in a server log (or its first ERROR line)."""
    lines = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            for follow in lines[index + 1:index + 300]:
                if follow and not follow.startswith((" ", "Traceback", "During handling", "The above")):
                    return follow.strip()[:300]
    errors = [line for line in lines if "[ERROR]" in line]
    return errors[0][:300] if errors else None
