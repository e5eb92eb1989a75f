"""Who may read what, beyond the public reads: parties to a batch, the org itself, regulators.

Order of answers: 401 without a valid token, 404 for an unknown id, 403 when the
caller may not see it — unless the id itself is confidential (a shipment's id or
SSCC): then a caller that may not see it gets the 404 of an unknown one, so that
probing ids tells nothing.
"""

from __future__ import annotations

from typing import NoReturn

from sqlalchemy import Connection
from werkzeug.exceptions import NotFound

from gi_trace.api.auth.authenticator import Caller
from gi_trace.api.auth.caller import current_caller, require_caller
from gi_trace.api.auth.errors import Forbidden
from gi_trace.domain.queries import batches, orgs
from gi_trace.domain.queries.visibility import PUBLIC, Viewer


def viewer_of(caller: Caller | None) -> Viewer:
    """Whose confidential values a caller may see: a regulator all, an org its own, anonymous none."""
    return PUBLIC if caller is None else Viewer(caller.org, caller.is_regulator)


def current_viewer() -> Viewer:
    """The viewer of a read that anyone may make: who the bearer token says, or the public."""
    return viewer_of(current_caller())


def not_found(what: str, ident: str) -> NoReturn:
    raise NotFound(f"no {what} {ident!r}")


def batch_reader(conn: Connection, batch: str) -> Caller:
    """The caller, if a regulator or a party to `batch`."""
    caller = require_caller()
    if not batches.batch_exists(conn, batch):
        not_found("batch", batch)
    if not caller.is_regulator and caller.org not in batches.parties(conn, batch):
        raise Forbidden(f"{caller.org} is not a party to batch {batch}", code="not-a-party")
    return caller


def org_reader(conn: Connection, org: str) -> Caller:
    """The caller, if it is `org` itself or a regulator."""
    caller = require_caller()
    if not orgs.org_exists(conn, org):
        not_found("organisation", org)
    if caller.org != org and not caller.is_regulator:
        raise Forbidden(f"only {org} itself or a regulator may read this")
    return caller


def regulator_reader(what: str) -> Caller:
    """The caller, if a regulator: `what` (e.g. "oversight reads") is for regulators only."""
    caller = require_caller()
    if not caller.is_regulator:
        raise Forbidden(f"{caller.org} is not a regulator: {what} are for regulators only",
                        code="not-a-regulator")
    return caller
