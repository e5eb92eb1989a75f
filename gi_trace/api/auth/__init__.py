"""Organisations authenticate reads with their own Ed25519 keys: challenge, signature, token.

See protocol.py for the protocol; `init_app` derives the sealing key once, at app start.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from gi_trace.ledger import keys
from gi_trace.service import Service

from . import errors, views
from .authenticator import Authenticator
from .caller import EXTENSION, SECURITY_SCHEME
from .protocol import DESCRIPTION
from .seal import Sealer, derive_secret


def init_app(app: Flask, api: Api, service: Service) -> None:
    secret = derive_secret(keys.load_private_key(service.settings.operator_key), service.settings.origin)
    app.extensions[EXTENSION] = Authenticator(Sealer(secret), service.engine)
    errors.init_app(app)
    api.spec.components.security_scheme(SECURITY_SCHEME, {
        "type": "http", "scheme": "bearer", "description": DESCRIPTION})
    api.register_blueprint(views.blp)
