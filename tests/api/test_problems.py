"""The one table from error classes to statuses and problem bodies."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from gi_trace.api.problems import TYPE_BASE, from_http_exception, from_ledger_error
from gi_trace.ledger.errors import (
    ConflictError,
    DatabaseUnavailableError,
    LedgerBusyError,
    LedgerError,
    MalformedError,
    RefusedError,
    VerificationError,
)

STATUSES = {
    "malformed": (MalformedError("x", code="bad-format"), 422),
    "malformed-json": (MalformedError("x", code="malformed-json"), 400),
    "verification": (VerificationError("x", code="bad-signature"), 400),
    "refused": (RefusedError("x", code="unknown-key"), 422),
    "not-authorized": (RefusedError("x", code="not-authorized"), 403),
    "conflict": (ConflictError("x", code="replayed-nonce"), 409),
    "busy": (LedgerBusyError(), 503),
    "database-unavailable": (DatabaseUnavailableError("x"), 503),
    "database-refused": (MalformedError("x", code="database-refused"), 422),
    "bare-ledger-error": (LedgerError("x"), 422),
}


@pytest.mark.parametrize(("error", "status"), STATUSES.values(), ids=STATUSES.keys())
def test_ledger_errors_map_to_statuses(error: LedgerError, status: int) -> None:
    problem = from_ledger_error(error)
    assert problem.status == status
    assert problem.code == error.code
    assert problem.to_dict()["type"] == TYPE_BASE + error.code


def test_field_and_index_appear_only_when_known() -> None:
    bare = from_ledger_error(MalformedError("x")).to_dict()
    assert "field" not in bare and "index" not in bare
    tagged = from_ledger_error(MalformedError("x", field="statement.ts").at(7)).to_dict()
    assert (tagged["field"], tagged["index"]) == ("statement.ts", 7)


def test_busy_says_when_to_retry() -> None:
    assert from_ledger_error(LedgerBusyError(retry_after=5)).headers == {"Retry-After": "5"}


def test_http_errors_get_codes() -> None:
    assert from_http_exception(NotFound()).code == "not-found"
    assert from_http_exception(RequestEntityTooLarge()).code == "body-too-large"
