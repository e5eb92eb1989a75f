"""A real HTTP server on a free loopback port, for commands that talk HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from werkzeug.serving import make_server

from gi_trace.api import create_app
from gi_trace.settings import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Serve the app over `settings` in a thread; yields its base URL."""
    app = create_app(settings)
    try:
        with serving_wsgi(app) as base:
            yield base
    finally:
        app.extensions["gi_trace"].engine.dispose()


@contextmanager
def serving_wsgi(app: WSGIApplication) -> Iterator[str]:
    """Serve any WSGI `app` in a thread until the context ends; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
