"""What the OpenAPI document says of each path parameter, by its name across every route.

A flask rule's `<batch>` says only "a string", yet each path parameter is one of a few kinds
of value with a pattern and a length: ids (DESIGN.md: `[A-Za-z0-9._-]{1,64}`), an SSCC, a
token the server made, a Digital Link's GTIN, lot and serial, a tile's path. A client (and
Schemathesis) reads them from the document; a value outside them is never found (404) or is
no Digital Link (400).
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin
from flask_smorest import Api

from gi_trace.ledger.statement import ID_PATTERN

# Tokens the server hands out: secrets.token_urlsafe(16), 22 base64url characters.
SERVER_TOKEN = {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$",
                "description": "as the server handed it out: 22 base64url characters"}
ID = {"type": "string", "pattern": ID_PATTERN.pattern, "maxLength": 64}
# GS1 AI encodable character set 82, as labels/digital_link.py checks a lot and a serial.
CSET82_VALUE = {"type": "string", "pattern": '^[!"%-?A-Z_a-z]{1,20}$', "maxLength": 20}

SCHEMAS: dict[str, dict[str, Any]] = {
    "batch": ID,
    "check": ID,  # a listing check
    "case": ID,
    "notice": ID,
    "org": ID,
    "product": ID,
    "shipment": ID,
    "webhook": ID,
    "report_id": SERVER_TOKEN,
    "token": SERVER_TOKEN,
    "sscc": {"type": "string", "pattern": "^[0-9]{18}$",
             "description": "18 digits, the last a GS1 check digit"},
    "gtin": {"type": "string", "pattern": "^([0-9]{8}|[0-9]{12,14})$",
             "description": "GTIN-8, -12, -13 or -14 with its GS1 check digit"},
    "lot": {**CSET82_VALUE, "description": "GS1 AI 10: 1 to 20 characters of set 82"},
    "serial": {**CSET82_VALUE, "description": "GS1 AI 21: 1 to 20 characters of set 82"},
    "path": {"type": "string", "maxLength": 200,
             "pattern": r"^(entries|0|[1-9][0-9]?)/(x[0-9]{3}/)*[0-9]{3}(\.p/[1-9][0-9]{0,2})?$",
             "description": "C2SP tlog-tiles: `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`"},
}


class PathParameterPlugin(BasePlugin):
    """Runs after flask-smorest's own plugin has turned a rule's `<name>`s into parameters."""

    def path_helper(self, path: str | None = None, operations: dict[Any, Any] | None = None,
                    parameters: list[dict[Any, Any]] | None = None, **kwargs: Any) -> str | None:
        for parameter in parameters or []:
            if isinstance(parameter, dict) and parameter.get("in") == "path" \
                    and parameter["name"] in SCHEMAS:
                parameter["schema"] = dict(SCHEMAS[parameter["name"]])
        return None


def install(api: Api, plugin: BasePlugin) -> None:
    """Add an apispec plugin after flask-smorest's own; before any blueprint is registered, as
    each adds its paths then."""
    spec: APISpec = api.spec
    plugin.init_spec(spec)
    spec.plugins = [*spec.plugins, plugin]


def init_api(api: Api) -> None:
    install(api, PathParameterPlugin())
