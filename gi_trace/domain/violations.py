"""How the GI rules refuse a statement: the rule's name is the problem's `code`.

A broken supply-chain rule is a conflict with the state of the log (HTTP 409); a
statement signed by an organisation that may not make it is refused (HTTP 403).
"""

from __future__ import annotations

from gi_trace.ledger.errors import ConflictError, RefusedError


class RuleViolation(ConflictError):
    code = "rule-violation"


def violation(rule: str, message: str, field: str | None = None) -> RuleViolation:
    return RuleViolation(message, code=rule, field=field)


def forbidden(message: str, field: str = "statement.actor") -> RefusedError:
    return RefusedError(message, code="not-authorized", field=field)
