"""The GI supply chain as a ledger rule: every statement type's body, signer and effects.

The ledger calls `apply` for each statement inside the append transaction (and
again when an audit or a rebuild replays the log); a refusal rolls it all back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gi_trace.domain import approvals, batches, labels, orgs, products, recall, shipments
from gi_trace.domain.bodies import BODIES, load_body
from gi_trace.ledger.rules import AppendContext

Handler = Callable[[AppendContext, dict[str, Any]], None]

HANDLERS: dict[str, Handler] = {
    "org.register": orgs.register,
    "key.add": orgs.keys_changed,
    "key.revoke": orgs.keys_changed,
    "product.register": products.register,
    "producer.approve": approvals.approve,
    "producer.suspend": approvals.suspend,
    "producer.reinstate": approvals.reinstate,
    "batch.register": batches.register,
    "batch.split": batches.split,
    "batch.merge": batches.merge,
    "batch.process": batches.process,
    "shipment.send": shipments.send,
    "shipment.receive": shipments.receive,
    "shipment.reject": shipments.reject,
    "batch.recall": recall.recall,
    "label.issue": labels.issue,
    "label.void": labels.void,
    "label.sell": labels.sell,
}
assert HANDLERS.keys() == BODIES.keys()


class SupplyChain:
    """The rule of `gi_trace.domain`: checks a statement and updates the projections."""

    types = frozenset(HANDLERS)

    def apply(self, ctx: AppendContext) -> None:
        statement = ctx.statement
        HANDLERS[statement.type](ctx, load_body(statement.type, statement.body))
