# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""Witness cosignatures: collect them (POST) and serve the cosigned checkpoint (GET).

A witness proves nothing to the log by posting; the log checks the cosignature
against its list of witnesses and keeps it only over a checkpoint it issued.
Clients check the cosigned note against the witness keys they trust.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import NotFound

from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.note import MAX_SIGNATURES

from .context import current_service

blp = Blueprint("cosignatures", __name__, url_prefix="/v1/log",
                description="Witness cosignatures of the log's checkpoints (C2SP "
                            "tlog-cosignature).")


# A checkpoint with the most signature lines a note may carry fits many times over.
MAX_NOTE = 65_536


class CosignedNoteSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(1, MAX_NOTE), metadata={
        "pattern": r"\n$",
        "description": "the checkpoint note as the log signed it, followed by the witness's "
                       "cosignature line(s): `— <witness name> base64(key id || timestamp || "
                       f"signature)`; at most {MAX_SIGNATURES} signature lines, ending in a "
                       "newline"})


class WitnessedSchema(Schema):
    witness = fields.String(required=True)
    cosigned_at = fields.Integer(required=True, metadata={"description": "POSIX seconds"})


class CosignaturesKeptSchema(Schema):
    tree_size = fields.Integer(required=True)
    cosignatures = fields.List(fields.Nested(WitnessedSchema), required=True)


@blp.route("/cosignatures")
class Cosignatures(MethodView):
    @blp.arguments(CosignedNoteSchema)
    @blp.response(201, CosignaturesKeptSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Keep a listed witness's cosignature of a checkpoint this log issued."""
        try:
            checkpoint, kept = current_service().cosignatures.add(body["note"])
        except LedgerError as e:
            e.field = "note"  # whatever is wrong, it is inside the one field of the body
            raise
        return {"tree_size": checkpoint.size,
                "cosignatures": [{"witness": c.name, "cosigned_at": c.timestamp} for c in kept]}


@blp.route("/checkpoint/cosigned")
class CosignedCheckpoint(MethodView):
    @blp.doc(responses={"200": {
        "description": "The latest cosigned checkpoint: the log's signature line, then one "
                       "cosignature line per listed witness",
        "content": {"text/plain": {"schema": {"type": "string"}}}}})
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self) -> Response:
        """The latest checkpoint that witnesses cosigned, with every cosignature appended."""
        note = current_service().cosignatures.cosigned_note()
        if note is None:
            raise NotFound("no listed witness has cosigned a checkpoint of this log yet")
        return Response(note, mimetype="text/plain", headers={"Cache-Control": "no-cache"})
