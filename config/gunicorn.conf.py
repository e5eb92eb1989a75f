"""gunicorn settings; every value can be overridden from the environment."""

import os

bind = os.environ.get("GI_TRACE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GI_TRACE_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GI_TRACE_THREADS", "4"))
timeout = 30
graceful_timeout = 10
accesslog = os.environ.get("GI_TRACE_ACCESS_LOG") or None
errorlog = "-"
