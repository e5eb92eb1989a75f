"""gunicorn entry point for profiling runs: the real app, each request under cProfile.

Each worker thread gets its own cProfile.Profile timed with time.thread_time,
so the profile counts CPU spent by that thread (waiting on the group commit, the
database or the GIL is not counted). At worker exit every profile is written to
GI_TRACE_BENCH_PROFILE_DIR as a pstats file; bench.profiling merges them.
"""

from __future__ import annotations

import atexit
import cProfile
import marshal
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from gi_trace.api import create_app


class Profiled:
    def __init__(self, app: Callable[..., Iterable[bytes]], out_dir: Path) -> None:
        self.app = app
        self.out_dir = out_dir
        self._local = threading.local()
        self._profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def _profile(self) -> cProfile.Profile:
        profile: cProfile.Profile | None = getattr(self._local, "profile", None)
        if profile is None:
            profile = cProfile.Profile(time.thread_time)
            self._local.profile = profile
            with self._lock:
                self._profiles.append(profile)
        return profile

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        profile = self._profile()
        profile.enable()
        try:
            return list(self.app(environ, start_response))
        finally:
            profile.disable()

    def dump(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with self._lock:
            for index, profile in enumerate(self._profiles):
                profile.snapshot_stats()  # type: ignore[attr-defined]
                with open(self.out_dir / f"worker-{os.getpid()}-{index}.prof", "wb") as f:
                    marshal.dump(profile.stats, f)  # type: ignore[attr-defined]


app = Profiled(create_app(), Path(os.environ.get("GI_TRACE_BENCH_PROFILE_DIR", "bench-profile")))
atexit.register(app.dump)
