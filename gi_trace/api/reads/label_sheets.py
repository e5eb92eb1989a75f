# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/batches/<batch>/labels.pdf: the print-ready sheet of a batch's labels, for its producer.

Only the producer may fetch it: a sheet is the special sign itself, and whoever
holds it can print genuine-looking copies. Streamed page by page.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.api.auth.caller import protected, require_caller
from gi_trace.api.auth.errors import Forbidden
from gi_trace.api.context import current_service
from gi_trace.domain.queries import batches
from gi_trace.domain.queries.labels import issued_labels
from gi_trace.domain.queries.orgs import get_org
from gi_trace.domain.queries.products import get_product
from gi_trace.labels.printing import SignText, sheet_labels
from gi_trace.labels.sheet import sheet_chunks

from .access import not_found
from .connection import connection

blp = Blueprint("label_sheets", __name__, url_prefix="/v1/batches",
                description="Print-ready label sheets (A4, 3 × 8), for the batch's producer only.")


@blp.route("/<batch>/labels.pdf")
class LabelSheet(MethodView):
    @blp.response(200, content_type="application/pdf")
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, batch: str) -> Response:
        """The batch's labels that are still to be used (not void, not sold), as a PDF sheet."""
        caller = require_caller()
        conn = connection()
        found = batches.find_batch(conn, batch) or not_found("batch", batch)
        if caller.org != found.producer:
            raise Forbidden(f"only the batch's producer ({found.producer}) may print its labels")
        product, producer = get_product(conn, found.product), get_org(conn, found.producer)
        assert product is not None and producer is not None and producer.name is not None
        text = SignText(product.name.zh, product.name.en, producer.name.zh, producer.name.en,
                        producer.uscc)
        engine, base_url = current_service().engine, current_service().settings.base_url
        with engine.connect() as probe:
            if next(issued_labels(probe, batch), None) is None:
                not_found("unused label of batch", batch)

        def chunks() -> Iterator[bytes]:
            with engine.connect() as stream:
                yield from sheet_chunks(sheet_labels(issued_labels(stream, batch), base_url, text))

        return Response(stream_with_context(chunks()), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{batch}-labels.pdf"',
            "Cache-Control": "no-store"})
