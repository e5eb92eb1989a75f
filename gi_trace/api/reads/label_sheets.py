# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/batches/<batch>/labels.pdf: the print-ready sheet of a batch's labels, for their issuer.

Only the special-sign user that issued them (the grower, or the mill or packer that
bags the goods) may fetch them: a sheet is the special sign itself, and whoever holds
it can print genuine-looking copies. A batch's grower gets no labels a packer issued
on it, and the reverse. Streamed page by page.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.api.auth.caller import protected, require_caller
from gi_trace.api.context import current_service
from gi_trace.api.schemas import BINARY
from gi_trace.domain.queries import batches
from gi_trace.domain.queries.labels import issued_labels
from gi_trace.domain.queries.orgs import get_org
from gi_trace.domain.queries.products import get_product
from gi_trace.labels.printing import SignText, sheet_labels
from gi_trace.labels.sheet import sheet_chunks

from .access import not_found
from .connection import connection

blp = Blueprint("label_sheets", __name__, url_prefix="/v1/batches",
                description="Print-ready label sheets (A4, 3 × 8), for the labels' issuer only.")


@blp.route("/<batch>/labels.pdf")
class LabelSheet(MethodView):
    @blp.response(200, BINARY, content_type="application/pdf")
    @blp.alt_response(404, response="NOT_FOUND")
    @protected(blp)
    def get(self, batch: str) -> Response:
        """The caller's labels on the batch still to be used (not void, not sold), as a PDF sheet;
        404 when it issued none there."""
        caller = require_caller()
        conn = connection()
        found = batches.find_batch(conn, batch) or not_found("batch", batch)
        engine, base_url = current_service().engine, current_service().settings.base_url
        with engine.connect() as probe:
            if next(issued_labels(probe, batch, caller.org), None) is None:
                not_found(f"unused label issued by {caller.org} on batch", batch)
        product, issuer = get_product(conn, found.product), get_org(conn, caller.org)
        assert product is not None and issuer is not None and issuer.name is not None
        text = SignText(product.name.zh, product.name.en, issuer.name.zh, issuer.name.en,
                        issuer.uscc)

        def chunks() -> Iterator[bytes]:
            with engine.connect() as stream:
                yield from sheet_chunks(sheet_labels(issued_labels(stream, batch, caller.org),
                                                     base_url, text))

        return Response(stream_with_context(chunks()), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{batch}-labels.pdf"',
            "Cache-Control": "no-store"})
