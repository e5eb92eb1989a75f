"""Property-based: random sequences of valid and invalid statements keep the books.

After every statement: the log accepts exactly what the model of DESIGN.md accepts; a
refused statement changes nothing; holdings equal the model's; no holding is zero or
negative; mass is conserved per batch (created = held + in transit + passed on to
children) and per GI product (harvested + produced − consumed by processing = held + in
transit). At the end, projections rebuilt from the log equal the live ones and the audit
passes.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from gi_trace.domain import tables
from gi_trace.ledger.errors import LedgerError
from tests.domain.model import Model, draw_step
from tests.domain.world import Template, assert_audit_passes, assert_rebuild_identical, dump

RANDOM = settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_books(engine: Engine, model: Model) -> None:
    b, h, g = tables.batches.c, tables.holdings.c, tables.lineage.c
    s, i = tables.shipments.c, tables.shipment_items.c
    with engine.connect() as conn:
        batches = {row.batch: row for row in conn.execute(select(b.batch, b.product, b.quantity,
                                                                 b.recalled))}
        held = {(row.org, row.batch): Decimal(row.quantity)
                for row in conn.execute(select(h.org, h.batch, h.quantity))}
        moving = [(row.batch, Decimal(row.quantity)) for row in conn.execute(
            select(i.batch, i.quantity).join(tables.shipments, s.shipment == i.shipment)
            .where(s.status == "pending"))]
        passed_on = [(row.parent, Decimal(row.quantity)) for row in conn.execute(
            select(g.parent, g.quantity))]
        statuses = {row.shipment: row.status for row in conn.execute(select(s.shipment, s.status))}

    assert held == model.holdings
    assert all(q > 0 for q in held.values())
    # Per batch: everything it was created with is held, travelling, or went into a child.
    accounted: dict[str, Decimal] = defaultdict(Decimal)
    for (_, batch), q in [*held.items()]:
        accounted[batch] += q
    for batch, q in [*moving, *passed_on]:
        accounted[batch] += q
    assert {k: v for k, v in accounted.items() if v} == {
        k: Decimal(row.quantity) for k, row in batches.items()}
    # Per GI product: harvested + produced − consumed = held + travelling.
    present: dict[str, Decimal] = defaultdict(Decimal)
    for (_, batch), q in held.items():
        present[batches[batch].product] += q
    for batch, q in moving:
        present[batches[batch].product] += q
    expected = {p: model.created[p] - model.consumed[p] for p in model.created}
    assert {p: q for p, q in present.items() if q} == {p: q for p, q in expected.items() if q}
    assert statuses == {sid: shipment.status for sid, shipment in model.shipments.items()}
    assert {k for k, row in batches.items() if row.recalled} == {
        k for k, batch in model.batches.items() if batch.recalled}


@RANDOM
@given(data=st.data())
def test_random_statements_keep_the_books(template: Template, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="gi-trace-prop-") as tmp, \
            template.copy(Path(tmp)) as service:
        model = Model.of(template.world)
        check_books(service.engine, model)
        for _ in range(data.draw(st.integers(4, 20), label="steps")):
            step = draw_step(data, model, template.world)
            # A statement the model refuses must leave everything as it was.
            size, before = service.log.size(), None if step.valid else dump(service.engine)
            try:
                service.log.append([step.envelope])
                refused = None
            except LedgerError as e:
                refused = e
            note(f"{step!r} → {refused.code if refused else 'appended'}")
            assert (refused is None) == step.valid, f"{step!r}: {refused!r}"
            if refused is not None:
                assert (service.log.size(), dump(service.engine)) == (size, before)
            if step.valid:
                step.apply()
            check_books(service.engine, model)

        assert_rebuild_identical(service)
        assert_audit_passes(service)
