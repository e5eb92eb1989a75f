"""The GI supply chain as a ledger rule: every statement type's body, signer and effects.

The ledger calls `apply` for each statement inside the append transaction (and
again when an audit or a rebuild replays the log); a refusal rolls it all back.

A v1 statement (an old log) replays under the v1 shapes and rules. A v2 statement
must keep every field the disclosure policy makes confidential out of its public
body; its rules then read the body its author wrote (public and disclosed fields).
In a public audit the disclosures are not available: the rules see the public body
only and check what it allows (`state.public`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gi_trace.domain import (
    approvals,
    batches,
    cases,
    label_issue,
    labels,
    listings,
    notices,
    orgs,
    products,
    recall,
    recall_acks,
    rewards,
    shipments,
    webhooks,
)
from gi_trace.domain.bodies import BODIES, V1_TYPES, load_body
from gi_trace.domain.disclosure_policy import CONFIDENTIAL
from gi_trace.domain.label_commitment import ATTACHMENT
from gi_trace.ledger.disclosure import SD
from gi_trace.ledger.errors import MalformedError
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
    "label.issue": label_issue.issue,
    "label.void": labels.void,
    "label.sell": labels.sell,
    # the protection loop (v2 only)
    "listing.check": listings.check,
    "notice.send": notices.send,
    "notice.answer": notices.answer,
    "case.open": cases.open_,
    "case.transfer": cases.transfer,
    "case.accept": cases.accept,
    "case.return": cases.return_,
    "case.close": cases.close,
    "reward.grant": rewards.grant,
    "recall.ack": recall_acks.acknowledge,
    "webhook.register": webhooks.register,
    "webhook.remove": webhooks.remove,
}
V1_HANDLERS: dict[str, Handler] = {**{t: HANDLERS[t] for t in V1_TYPES},
                                   "label.issue": labels.issue}
assert HANDLERS.keys() == BODIES.keys()


def refuse_public_confidential(ctx: AppendContext) -> None:
    """A v2 statement may not leave public a field the policy makes confidential."""
    statement = ctx.statement
    for name in sorted(CONFIDENTIAL[statement.type] & statement.body.keys()):
        raise MalformedError(f"{name!r} is confidential in a {statement.type}: send it as a "
                             "disclosure, its digest in body._sd", field=f"body.{name}",
                             code="confidential-field-public")


def refuse_sealed_public(ctx: AppendContext, disclosed: dict[str, Any]) -> None:
    """Nor may it seal a field the policy makes public: a public audit checks the rules on the
    public fields (lineage, ids, approvals), and must find them all."""
    statement = ctx.statement
    for name in sorted(disclosed.keys() - CONFIDENTIAL[statement.type]):
        raise MalformedError(f"{name!r} is public in a {statement.type}: it may not be sealed",
                             field="disclosures", code="public-field-sealed")


def refuse_stray_attachments(ctx: AppendContext) -> None:
    """Labels travel only beside the v2 label.issue that commits to them: beside any other
    statement nothing would check them, yet they would be kept."""
    statement = ctx.statement
    if statement.v >= 2 and statement.type == "label.issue":
        return
    for name in sorted(ctx.attachments or {}):
        raise MalformedError(f"a {statement.type} carries no {name!r}", field=name,
                             code="unexpected-attachment")


class SupplyChain:
    """The rule of `gi_trace.domain`: checks a statement and updates the projections."""

    types = frozenset(HANDLERS)
    attachments = frozenset({ATTACHMENT})

    def apply(self, ctx: AppendContext) -> None:
        statement = ctx.statement
        refuse_stray_attachments(ctx)
        if statement.v == 1:
            if statement.type not in V1_HANDLERS:
                raise MalformedError(f"{statement.type} exists only in statement v2",
                                     field="statement.v", code="v1-retired")
            V1_HANDLERS[statement.type](ctx, load_body(statement.type, statement.body, version=1))
            return
        refuse_public_confidential(ctx)
        if ctx.disclosed is not None:
            refuse_sealed_public(ctx, ctx.disclosed)
        body = ctx.body
        if body is None:
            public = {name: value for name, value in statement.body.items() if name != SD}
            HANDLERS[statement.type](ctx, load_body(statement.type, public, public=True))
        else:
            HANDLERS[statement.type](ctx, load_body(statement.type, body))
