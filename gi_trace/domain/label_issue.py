"""label.issue of statement v2: labels committed to by a Merkle root, issued by an
approved special-sign user holding the goods, within mass balance.

Checked in the order of STYLE.md's layers: the labels' shape, then the rules (the
batch, its product's GTINs and packs, the issuer's approval for the product and the
year of the statement, its holding, the harvests' mass balance), then the crypto
(the root and every label's signature). Who may print is the approval alone: no one
becomes a producer by merging or processing, and a batch's growers are not asked.

In a public audit the labels are not available; the public facts are checked (the
batch, GTIN, pack, the approval) and the issue is recorded without its labels.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Row, bindparam, select

from gi_trace.domain import label_balance, state, tables
from gi_trace.domain.approvals import require_approval
from gi_trace.domain.label_commitment import ATTACHMENT, Label, labels_root, load_labels
from gi_trace.domain.label_signature import label_message
from gi_trace.domain.quantity import format_quantity, parse_quantity
from gi_trace.domain.violations import violation
from gi_trace.ledger.database import insert_rows
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.errors import VerificationError
from gi_trace.ledger.identity import stored_public_keys
from gi_trace.ledger.keys import first_bad_signature_threaded
from gi_trace.ledger.rules import AppendContext

_l, _g = tables.labels.c, tables.gtins.c
_GTIN_PRODUCT = select(_g.product).where(_g.gtin == bindparam("gtin"))
_COLUMNS = [column.name for column in tables.labels.columns]
_ISSUE = tables.label_issues.insert()


def issue(ctx: AppendContext, body: dict[str, Any]) -> None:
    statement = ctx.statement
    labels = None if state.public(ctx) else load_labels(
        (ctx.attachments or {}).get(ATTACHMENT), body["count"])
    batch = state.batch(ctx, body["batch"], "body.batch")
    product = state.product(ctx, batch.product, "body.batch")
    if ctx.conn.scalar(_GTIN_PRODUCT, {"gtin": body["gtin"]}) != batch.product:
        raise violation("gtin-not-of-product", f"GTIN {body['gtin']} is not one of product "
                        f"{batch.product}'s GTINs", "body.gtin")
    packs = [parse_quantity(p) for p in json.loads(product.packs)]
    if body["pack"] not in packs:
        raise violation("pack-not-of-product", f"{format_quantity(body['pack'])} {product.unit} is "
                        f"not one of {product.product}'s packs "
                        f"({', '.join(map(format_quantity, packs)) or 'none'})", "body.pack")
    require_approval(ctx, batch.product, statement.ts.year)
    quantity = body["pack"] * body["count"]
    if labels is not None:
        label_balance.require_unlabelled(ctx, batch, quantity, "body.count")
        label_balance.charge(ctx, batch, quantity, "body.count")
        _check_commitment(ctx, body, batch, labels)
        rows = ({"serial": label.serial, "gtin": body["gtin"], "batch": batch.batch,
                 "lot": batch.lot, "issuer": statement.actor, "key": statement.key,
                 "sig": label.sig, "status": "issued", "issue_seq": ctx.seq,
                 "issue_ts": statement.ts_text, "status_seq": None, "status_ts": None,
                 "status_by": None, "reason": None, "idx": index}
                for index, label in enumerate(labels))
        insert_rows(ctx.conn, tables.labels, [tuple(row[name] for name in _COLUMNS) for row in rows])
    ctx.conn.execute(_ISSUE, {"seq": ctx.seq, "batch": batch.batch, "issuer": statement.actor,
                              "gtin": body["gtin"], "pack": format_quantity(body["pack"]),
                              "count": body["count"], "labels_root": body["labels_root"]})
    state.event(ctx, batch.batch, gtin=body["gtin"], count=body["count"], pack=body["pack"])


def _check_commitment(ctx: AppendContext, body: dict[str, Any], batch: Row[Any],
                      labels: list[Label]) -> None:
    """The labels beside the statement are the ones its root commits to, each signed by the
    statement's key, and none was issued before."""
    if labels_root(labels) != b64url_decode(body["labels_root"], length=32):
        raise VerificationError("the labels sent with the statement do not hash to its "
                                "labels_root", field="body.labels_root", code="labels-root-mismatch")
    key = ctx.statement.key
    pub = stored_public_keys(ctx.conn, [key])[key]
    items = [(pub, label_message(body["gtin"], batch.lot, label.serial, key),
              b64url_decode(label.sig, field=f"{ATTACHMENT}[{i}].sig"))
             for i, label in enumerate(labels)]
    bad = first_bad_signature_threaded(items)
    if bad is not None:
        raise violation("bad-label-signature", f"the signature of serial {labels[bad].serial} "
                        f"does not verify with key {key}", f"{ATTACHMENT}[{bad}].sig")
    serials = [label.serial for label in labels]
    taken = {row.serial for row in ctx.conn.execute(select(_l.serial).where(_l.serial.in_(serials)))}
    if taken:
        index = next(i for i, serial in enumerate(serials) if serial in taken)
        raise violation("duplicate-serial", f"serial {serials[index]} was issued before",
                        f"{ATTACHMENT}[{index}].serial")
