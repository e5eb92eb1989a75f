"""The read side of the JSON API: thin views over gi_trace.domain.queries.

Public: products, orgs, approvals. Parties and regulators: batches, their EPCIS export. The org
itself and regulators: holdings, inbox, shipments.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from . import (
    approvals,
    batches,
    caching,
    connection,
    epcis,
    holdings,
    label_sheets,
    orgs,
    products,
    shipments,
)

BLUEPRINTS = (products.blp, orgs.blp, approvals.blp, batches.blp, holdings.blp, shipments.blp,
              epcis.blp, label_sheets.blp)


def init_app(app: Flask, api: Api) -> None:
    connection.init_app(app)
    caching.init_app(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
