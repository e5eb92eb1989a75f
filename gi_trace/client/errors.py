"""One root error for the client, so a caller (or the CLI) can catch everything it raises.

Four kinds of failure must stay distinguishable, because a caller reacts to
each differently: the server refused the request (ProblemError: fix the input),
the caller's own settings are wrong (SetupError: fix them here), the server could
not be reached or spoke nonsense (TransportError: retry or report), and the server
answered but its answer does not verify (VerificationError: stop trusting that server).
"""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Root of every error the client raises."""

    code = "client-error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class SetupError(ClientError):
    """What the caller configured is wrong (a malformed pinned log key, an organisation the
    server does not know for this key): fixed on this machine, not by retrying the server."""

    code = "bad-setup"


class TransportError(ClientError):
    """The server could not be reached, or answered with something that is not the API."""

    code = "transport"


class VerificationError(ClientError):
    """The server's answer does not prove what it claims: a bad checkpoint signature, a
    proof that misses the signed root, a leaf hash other than the one we signed."""

    code = "verification-failed"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class ProblemError(ClientError):
    """An RFC 9457 problem the server returned: the request was refused, nothing was written.

    `code` names the broken rule, `field` the field at fault and `index` the
    position of the statement in a group submit, exactly as the server sent them.
    """

    def __init__(self, status: int, code: str, detail: str, *, title: str = "",
                 field: str | None = None, index: int | None = None,
                 problem: dict[str, Any] | None = None) -> None:
        self.status = status
        self.detail = detail
        self.title = title
        self.field = field
        self.index = index
        self.problem = problem or {}
        where = f" [{field}]" if field else ""
        at = f" (item {index})" if index is not None else ""
        super().__init__(f"HTTP {status} {code}{where}{at}: {detail}", code=code)

    @classmethod
    def from_body(cls, status: int, body: Any, reason: str = "") -> ProblemError:
        """Read a problem document; anything else still becomes a ProblemError with the status."""
        if not isinstance(body, dict):
            return cls(status, f"http-{status}", reason or f"HTTP {status}")
        field, index = body.get("field"), body.get("index")
        return cls(status, str(body.get("code") or f"http-{status}"),
                   str(body.get("detail") or body.get("title") or reason or f"HTTP {status}"),
                   title=str(body.get("title") or ""),
                   field=field if isinstance(field, str) else None,
                   index=index if isinstance(index, int) and not isinstance(index, bool) else None,
                   problem=body)


class StatementError(ClientError):
    """The statement could not be built or signed here; nothing was sent."""

    code = "bad-statement"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        where = f" [{field}]" if field else ""
        super().__init__(f"{code or self.code}{where}: {message}", code=code)
        self.field = field
