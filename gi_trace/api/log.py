# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""Reads of the log: checkpoint, operator key, entries and Merkle proofs.

Everything here can be checked by the client against a signed checkpoint, so
none of it needs to be trusted; the views only pass the ledger's answers on.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from gi_trace.ledger.record import Record

from .context import current_log
from .schemas import (
    ConsistencyArgs,
    ConsistencyProofSchema,
    EntriesArgs,
    EntriesSchema,
    InclusionArgs,
    InclusionProofSchema,
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
    def get(self, start: int, end: int) -> dict[str, Any]:
        """Records start <= seq < end, at most 1,000 a page."""
        log = current_log()
        records = log.entries(start, end)
        return {"entries": records, "next": _next_start(records, log.size())}


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
