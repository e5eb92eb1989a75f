# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""The log in the C2SP tlog-tiles layout: /checkpoint, /tile/<L>/<N>, /tile/entries/<N>.

Tools written for Certificate Transparency and Sigstore (monitors, witnesses)
read these static resources, and a CDN can carry them: a full tile never
changes, so it is cached for a year; a partial tile is replaced by its full
tile as the log grows, so it is cached briefly.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.tiles import Tile, TileReader

from .context import current_log, current_service
from .schemas import BINARY

blp = Blueprint("tiles", __name__, description="The log as C2SP tlog-tiles static resources.")

FULL_TILE_CACHE = "public, max-age=31536000, immutable"
PARTIAL_TILE_CACHE = "public, max-age=60"
# The spec asks that the checkpoint not be cached beyond a few seconds.
CHECKPOINT_CACHE = "public, max-age=5"


def _binary(description: str) -> dict[str, Any]:
    return {"responses": {"200": {"description": description, "content": {
        "application/octet-stream": {"schema": BINARY}}}}}


@blp.route("/checkpoint")
class TlogCheckpoint(MethodView):
    @blp.doc(responses={"200": {"description": "The latest checkpoint: a C2SP signed note",
                                "content": {"text/plain": {"schema": {"type": "string"}}}}})
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self) -> Response:
        """The latest signed checkpoint, as at /v1/log/checkpoint (tlog-tiles location)."""
        note = current_log().checkpoint()
        if note is None:
            raise NotFound("the log is empty: it has no checkpoint yet")
        return Response(note, mimetype="text/plain", headers={"Cache-Control": CHECKPOINT_CACHE})


@blp.route("/tile/<path:path>")
class TileResource(MethodView):
    @blp.doc(**_binary("256 (or W) concatenated 32-byte hashes, or an entry bundle"))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, path: str) -> Response:
        """A hash tile `<L>/<N>[.p/<W>]` or an entry bundle `entries/<N>[.p/<W>]`."""
        try:
            tile = Tile.parse(path)
        except MalformedError as e:
            raise NotFound(f"no such tile: {e.message}") from e
        data = TileReader(current_service().engine).read(tile)
        if data is None:
            raise NotFound("no checkpoint of the log covers this tile yet")
        cache = PARTIAL_TILE_CACHE if tile.is_partial else FULL_TILE_CACHE
        return Response(data, mimetype="application/octet-stream",
                        headers={"Cache-Control": cache})
