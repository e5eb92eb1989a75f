"""The HTTP API of gi-trace: an app factory, so nothing happens at import time."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from gi_trace.migrate import require_current
from gi_trace.service import open_service
from gi_trace.settings import Settings

from . import (
    api_docs,
    auth,
    cosignatures,
    dashboard,
    desk,
    health,
    json_body,
    landing,
    log,
    metrics,
    path_params,
    problems,
    reads,
    reports,
    request_log,
    resolver,
    scan,
    security_headers,
    statements,
    tiles,
    uri_limit,
)
from .context import EXTENSION
from .openapi import make_api
from .protection import cases as protection_cases
from .protection import listings as protection_listings
from .protection import notices as protection_notices
from .protection import platform_console, report_status
from .protection import qualifications as protection_qualifications
from .protection import recalls as protection_recalls
from .protection import rewards as protection_rewards
from .protection import webhooks as protection_webhooks
from .reads import deliveries, oversight


def create_app(settings: Settings | None = None) -> Flask:
    """Open the ledger named by `settings` (default: the environment) and serve it.

    The database must already exist: `gi-trace init` (service.initialize) makes it.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    if settings.proxy_hops:  # request.remote_addr is then the client's, from X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)  # type: ignore[method-assign]
    service = app.extensions[EXTENSION] = open_service(settings)
    require_current(service.engine)
    request_log.init_app(app, enabled=bool(settings.access_log))
    problems.init_app(app)
    json_body.init_app(app)
    api = make_api(app)
    path_params.init_api(api)  # before any blueprint adds its paths
    uri_limit.init_app(app, api)
    for blueprint in (health.blp, statements.blp, log.blp, cosignatures.blp, tiles.blp):
        api.register_blueprint(blueprint)
    auth.init_app(app, api, service)
    reads.init_app(app, api)
    scan.init_app(app, api)
    metrics.init_app(app, service)
    reports.init_app(app, api, service)
    resolver.init_app(app)
    for blueprint in (oversight.blp, deliveries.blp):
        api.register_blueprint(blueprint)
    protection_webhooks.init_app(app, api, service)
    protection_cases.init_app(app, api)
    protection_notices.init_app(app, api)
    platform_console.init_app(app)
    protection_listings.init_app(app, api)
    protection_qualifications.init_app(app, api)
    protection_recalls.init_app(app, api)
    report_status.init_app(app)
    protection_rewards.init_app(app, api)
    dashboard.init_app(app)
    desk.init_app(app)
    landing.init_app(app)
    api_docs.init_app(app)
    security_headers.init_app(app)
    return app
