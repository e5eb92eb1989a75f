"""gunicorn settings; every value can be overridden from the environment."""

import os

bind = os.environ.get("GI_TRACE_BIND", "127.0.0.1:8000")
# One worker a core. Scans (reads, CPU-bound in Python) gain nothing from more threads than 4:
# they only add GIL switches (bench/scans.py). Appends gain from more (GI_TRACE_THREADS=16 in the
# append benchmarks): concurrent appends of a worker share one group commit.
workers = int(os.environ.get("GI_TRACE_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GI_TRACE_THREADS", "4"))
timeout = 30
graceful_timeout = 10
accesslog = os.environ.get("GI_TRACE_ACCESS_LOG") or None
errorlog = "-"
