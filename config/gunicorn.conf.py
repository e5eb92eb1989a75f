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
# The app writes one JSON access line per request (GI_TRACE_ACCESS_LOG=0 turns it off), with the
# route, request id and org that gunicorn cannot know: gunicorn's own would double every line.
accesslog = None
errorlog = "-"
# Every line on stderr is JSON, gunicorn's own (worker boots, timeouts) and the app's, which
# propagate to this root handler (docs/observability.md).
logconfig_dict = {
    "root": {"level": "INFO", "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
    "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json",
                          "stream": "ext://sys.stderr"}},
    "formatters": {"json": {"()": "gi_trace.api.request_log.JsonFormatter"}},
}


def on_starting(server):
    """With PROMETHEUS_MULTIPROC_DIR, start from no counts: the last run's files would add up."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR, drop a dead worker's live gauges (its scan backlog)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
