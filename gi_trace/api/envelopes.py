"""Read envelopes from a request body with the ledger's strict JSON (json_body), not Flask's
get_json.

A signer and the log must never disagree about what was signed, so duplicate
keys and NaN are refused here exactly as the ledger refuses them, and the
errors keep the ledger's codes, fields and the position in a group append.

Beside its statement an envelope may carry the disclosures of its confidential
fields and the attachments the rules declare (a label.issue's `labels`); any
other field is refused.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask import Request
from werkzeug.exceptions import UnsupportedMediaType

from gi_trace.ledger.errors import LedgerError, MalformedError
from gi_trace.ledger.log import MAX_BATCH
from gi_trace.ledger.statement import Envelope

from .context import current_log
from .json_body import request_json

JSON = "application/json"


def _envelope(item: Any, index: int | None, attachments: Collection[str]) -> Envelope:
    try:
        return Envelope.from_dict(item, attachments=attachments)
    except LedgerError as e:
        if index is not None:
            e.at(index)
        raise


def read_envelopes(request: Request) -> tuple[list[Envelope], bool]:
    """The envelopes of a POST /v1/statements body, and whether it was a list."""
    if request.mimetype != JSON:
        raise UnsupportedMediaType(f"send the envelopes as {JSON}")
    data = request_json()
    attachments = current_log().attachments
    if not isinstance(data, list):
        return [_envelope(data, None, attachments)], False
    if not 1 <= len(data) <= MAX_BATCH:
        raise MalformedError(f"send 1 to {MAX_BATCH} envelopes at a time", code="batch-size")
    return [_envelope(item, i, attachments) for i, item in enumerate(data)], True
