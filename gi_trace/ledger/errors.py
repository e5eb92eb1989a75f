"""One root error for the ledger, so callers can map every failure to a response.

Each error carries a machine-readable ``code`` (the rule that was broken), the
``field`` at fault when there is one, and ``index``: the position of the
statement in a group append, so a client knows which of a thousand failed.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Root of every error the ledger raises."""

    code = "ledger-error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.index = index

    def at(self, index: int) -> LedgerError:
        """Tag the error with the position of the statement in a group append."""
        self.index = index
        return self


class MalformedError(LedgerError):
    """The input is not a well-formed statement, envelope, key or proof."""

    code = "malformed"


class VerificationError(LedgerError):
    """A signature, hash chain, proof or checkpoint does not verify."""

    code = "verification-failed"


class RefusedError(LedgerError):
    """Well-formed and signed, but a rule of the log refuses it (replay, key, authority…)."""

    code = "refused"


class ConflictError(RefusedError):
    """Refused because of the current state of the log (an id or nonce already taken)."""

    code = "conflict"


class LedgerBusyError(LedgerError):
    """The log cannot take the request now (the writer lock was not free in time); the
    client should retry after `retry_after` seconds."""

    code = "busy"

    def __init__(self, message: str = "the log is busy, retry shortly", *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DatabaseUnavailableError(LedgerBusyError):
    """The database, not the request, failed: a lost connection, a read-only or full disk,
    a missing privilege. Nothing was written; the same request may succeed later."""

    code = "database-unavailable"

    def __init__(self, message: str = "the database is unavailable, retry later", *,
                 retry_after: int = 5) -> None:
        super().__init__(message, retry_after=retry_after)
