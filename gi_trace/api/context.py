"""Where a request finds the running ledger: one Service per app, made by create_app."""

from __future__ import annotations

from flask import current_app

from gi_trace.ledger.log import Log
from gi_trace.service import Service

EXTENSION = "gi_trace"


def current_service() -> Service:
    service: Service = current_app.extensions[EXTENSION]
    return service


def current_log() -> Log:
    return current_service().log
