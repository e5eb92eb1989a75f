# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""Reads of the log: checkpoint, operator key, entries and Merkle proofs, and what is kept
beside the entries.

Everything in the tree can be checked by the client against a signed checkpoint, so
none of it needs to be trusted; the views only pass the ledger's answers on. The
entries are the public leaves: statements with their confidential fields as `_sd`
digests. With a bearer token, an entry also carries the disclosures its caller may
read (its own statements, those naming it; a regulator all), which the caller checks
against the digests; never the attachments (a label.issue's serials and signatures,
which would let anyone print the special sign). A regulator may page through every
sidecar, attachments too, to export an audit bundle with disclosures.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from gi_trace.domain.queries.visibility import Viewer, readable
from gi_trace.ledger.log import MAX_PAGE, Log
from gi_trace.ledger.record import Record

from .auth.authenticator import Caller
from .auth.caller import SECURITY_SCHEME, current_caller, protected
from .context import current_log
from .reads.access import regulator_reader
from .schemas import (
    ConsistencyArgs,
    ConsistencyProofSchema,
    EntriesArgs,
    EntriesSchema,
    InclusionArgs,
    InclusionProofSchema,
    SidecarsArgs,
    SidecarsSchema,
)

blp = Blueprint("log", __name__, url_prefix="/v1/log",
                description="The signed, Merkle-verifiable log and its proofs.")


def _plain_text(description: str) -> dict[str, Any]:
    return {"responses": {"200": {"description": description,
                                  "content": {"text/plain": {"schema": {"type": "string"}}}}}}


def _text(body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, mimetype="text/plain", headers=headers)


def _next_start(records: list[Record], size: int) -> int | None:
    """Where the next page starts, or None when the page reached the end of the log."""
    if not records or records[-1].seq + 1 >= size:
        return None
    return records[-1].seq + 1


# A response that depends on who asks must never be served from a shared cache to another.
PER_CALLER = {"Vary": "Authorization"}
PRIVATE = {**PER_CALLER, "Cache-Control": "private, no-store"}


def _entry(record: Record) -> dict[str, Any]:
    return {"seq": record.seq, "statement": record.statement, "signature": record.signature,
            "prev": record.prev, "record_hash": record.record_hash}


def _with_disclosures(log: Log, records: list[Record], caller: Caller) -> list[dict[str, Any]]:
    """The records, each with the disclosures `caller` may read (never attachments)."""
    entries = [_entry(record) for record in records]
    if not records:
        return entries
    sidecars = log.sidecars(records[0].seq, records[-1].seq + 1)
    with log.engine.connect() as conn:
        allowed = readable(conn, Viewer(caller.org, caller.is_regulator), sidecars)
    for entry, record in zip(entries, records, strict=True):
        sidecar = sidecars.get(record.seq)
        if sidecar is not None and sidecar.disclosures and record.seq in allowed:
            entry["disclosures"] = [d.to_json() for d in sidecar.disclosures]
    return entries


@blp.route("/checkpoint")
class Checkpoint(MethodView):
    @blp.doc(**_plain_text("The latest checkpoint: a C2SP signed note"))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self) -> Response:
        """The latest signed checkpoint; clients pin the log's state with it."""
        note = current_log().checkpoint()
        if note is None:
            raise NotFound("the log is empty: it has no checkpoint yet")
        return _text(note, {"Cache-Control": "no-cache"})


@blp.route("/key")
class Key(MethodView):
    @blp.doc(**_plain_text("The operator's note verifier key: name+hash+base64(0x01 || key)"))
    def get(self) -> Response:
        """The key that checkpoints are signed with, to check them against."""
        return _text(current_log().signer.vkey() + "\n")


@blp.route("/entries")
class Entries(MethodView):
    @blp.arguments(EntriesArgs, location="query", as_kwargs=True)
    @blp.response(200, EntriesSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.doc(security=[{}, {SECURITY_SCHEME: []}])
    def get(self, start: int, end: int) -> tuple[dict[str, Any], dict[str, str]]:
        """Records start <= seq < end, at most 1,000 a page: the public leaves; with a bearer
        token, each with the disclosures the caller may read."""
        caller = current_caller()
        log = current_log()
        records = log.entries(start, end)
        page = {"entries": records, "next": _next_start(records, log.size())}
        if caller is None:
            return page, PER_CALLER
        return {**page, "entries": _with_disclosures(log, records, caller)}, PRIVATE


@blp.route("/sidecars")
class Sidecars(MethodView):
    @blp.arguments(SidecarsArgs, location="query", as_kwargs=True)
    @blp.response(200, SidecarsSchema)
    @protected(blp)
    def get(self, start: int, end: int) -> tuple[dict[str, Any], dict[str, str]]:
        """For regulators: what is kept beside records start <= seq < end (a page spans at most
        1,000 records): their disclosures and attachments, as the lines of an audit bundle's
        sidecars.jsonl. Follow `next` to the end of the log."""
        regulator_reader("sidecars")
        log = current_log()
        end = min(end, start + MAX_PAGE)
        found = log.sidecars(start, end, attachments=True)
        size = log.size()
        return {"sidecars": [found[seq].to_json() for seq in sorted(found)],
                "next": end if end < size else None}, PRIVATE


@blp.route("/proof/inclusion")
class Inclusion(MethodView):
    @blp.arguments(InclusionArgs, location="query", as_kwargs=True)
    @blp.response(200, InclusionProofSchema)
    def get(self, seq: int, tree_size: int) -> dict[str, Any]:
        """The audit path of record `seq` in the tree of `tree_size` records (RFC 9162)."""
        leaf_hash, hashes, root = current_log().inclusion_proof(seq, tree_size)
        return {"seq": seq, "tree_size": tree_size, "leaf_hash": leaf_hash, "hashes": hashes,
                "root": root}


@blp.route("/proof/consistency")
class Consistency(MethodView):
    @blp.arguments(ConsistencyArgs, location="query", as_kwargs=True)
    @blp.response(200, ConsistencyProofSchema)
    def get(self, first: int, second: int) -> dict[str, Any]:
        """Proof that the tree of `from` records is a prefix of the tree of `to` (RFC 9162)."""
        return {"first": first, "second": second,
                "hashes": current_log().consistency_proof(first, second)}
