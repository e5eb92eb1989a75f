"""The EPCISDocument around a list of events: the JSON-LD a partner's EPCIS repository takes in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gi_trace.ledger.statement import format_ts

from .vocabulary import CONTEXT, SCHEMA_VERSION


def epcis_document(events: list[dict[str, Any]], created: datetime) -> dict[str, Any]:
    return {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": SCHEMA_VERSION,
            "creationDate": format_ts(created), "epcisBody": {"eventList": events}}
