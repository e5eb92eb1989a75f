"""Property-based: whatever random lineage is built (harvests split, merged, milled, shipped,
labelled and voided), the labelled quantity that descends from any harvest never exceeds what
that harvest can yield.

The check is computed apart from the rules: each batch's share of each harvest is derived
from the lineage (the quantity of each parent that went into it, over its own quantity) and
every live label is charged at its batch's share. The rules' own bookkeeping (`charged`,
holdings' `labelled`) must agree with it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, event, given, note, settings, target
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from gi_trace.domain import tables
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.statement import Envelope
from gi_trace.service import Service
from tests.domain import world as w
from tests.domain.world import GTINS, PACKS, PADDY, RICE, Template, World

RANDOM = settings(max_examples=40, deadline=None, database=None, phases=[Phase.generate, Phase.shrink],
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LABELLERS = ("coop-a", "coop-b", "mill")
# What a refused label.issue may be refused for in these lineages.
LABEL_REFUSALS = {"labels-exceed-holding", "labels-exceed-harvest", "not-holder", "not-approved",
                  "batch-recalled", "pack-not-of-product"}


def more_approvals(world: World) -> list[Envelope]:
    """Every labeller approved for paddy and rice: only mass balance may stop them."""
    reg = world.regulator
    return [w.approve(reg, product, org, "1") for org in ("mill",) for product in (PADDY, RICE)] + [
        w.approve(reg, RICE, org, "1") for org in ("coop-a", "coop-b")]


@dataclass
class Books:
    batches: dict[str, Any]
    links: list[Any]
    holdings: dict[tuple[str, str], Any]
    live: list[tuple[str, Decimal, int]]  # (batch, pack, live labels) per label.issue


def read(engine: Engine) -> Books:
    g, lab, i = tables.lineage.c, tables.labels.c, tables.label_issues.c
    with engine.connect() as conn:
        live = conn.execute(
            select(i.batch, i.pack, func.count(lab.serial))
            .select_from(tables.label_issues.join(tables.labels, lab.issue_seq == i.seq))
            .where(lab.status != "void").group_by(i.seq, i.batch, i.pack)).all()
        return Books({row.batch: row for row in conn.execute(select(tables.batches))},
                     conn.execute(select(g.parent, g.child, g.quantity)).all(),
                     {(row.org, row.batch): row for row in conn.execute(select(tables.holdings))},
                     [(row.batch, Decimal(row.pack), row[2]) for row in live])


def shares(books: Books) -> dict[str, dict[str, Fraction]]:
    """How much of each harvest one unit of each batch consumed, from the lineage alone."""
    parents: dict[str, list[tuple[str, Fraction]]] = {}
    for link in books.links:
        parents.setdefault(link.child, []).append((link.parent, Fraction(Decimal(link.quantity))))
    found: dict[str, dict[str, Fraction]] = {}

    def share(batch: str) -> dict[str, Fraction]:
        if batch not in found:
            if batch not in parents:
                found[batch] = {batch: Fraction(1)}
            else:
                total: dict[str, Fraction] = {}
                for parent, amount in parents[batch]:
                    for root, part in share(parent).items():
                        total[root] = total.get(root, Fraction(0)) + part * amount
                made = Fraction(Decimal(books.batches[batch].quantity))
                found[batch] = {root: part / made for root, part in total.items()}
        return found[batch]

    return {batch: share(batch) for batch in books.batches}


def check(engine: Engine) -> Fraction:
    """The invariants; the labelled quantity in all, to steer the search toward more labels."""
    books = read(engine)
    per_unit = shares(books)
    labelled: dict[str, Fraction] = {}
    for batch, pack, count in books.live:
        for root, part in per_unit[batch].items():
            labelled[root] = labelled.get(root, Fraction(0)) + part * Fraction(pack) * count
    for root, row in books.batches.items():
        if row.origin != "register":
            continue
        harvested = Fraction(Decimal(row.quantity))
        assert labelled.get(root, Fraction(0)) <= harvested, (root, labelled[root], harvested)
        assert Fraction(row.charged) == labelled.get(root, Fraction(0)), root
    for key, row in books.holdings.items():
        assert Decimal(0) <= Decimal(row.labelled) <= Decimal(row.quantity), key
    return sum(labelled.values(), Fraction(0))


def holdings(engine: Engine) -> list[tuple[str, str, Decimal, Decimal, str, str]]:
    """(org, batch, quantity, labelled, product, lot) of every holding, in order."""
    h, b = tables.holdings.c, tables.batches.c
    with engine.connect() as conn:
        rows = conn.execute(select(h.org, h.batch, h.quantity, h.labelled, b.product, b.lot)
                            .join(tables.batches, b.batch == h.batch)
                            .where(~b.recalled).order_by(h.org, h.batch)).all()
    return [(r.org, r.batch, Decimal(r.quantity), Decimal(r.labelled), r.product, r.lot) for r in rows]


def live_serials(engine: Engine, issuer: str) -> list[str]:
    lab = tables.labels.c
    with engine.connect() as conn:
        return list(conn.scalars(select(lab.serial).where(
            (lab.issuer == issuer) & (lab.status == "issued")).order_by(lab.serial)))


class Steps:
    """Draws the next statement from the state of the log."""

    def __init__(self, data: st.DataObject, world: World, service: Service) -> None:
        self.data, self.world, self.service, self.n = data, world, service, 0

    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def part(self, available: Decimal) -> Decimal:
        per_mille = self.data.draw(st.sampled_from([1000, 1000, 500, 250, 100, 1]))
        return max(Decimal("0.001"), (available * per_mille / 1000).quantize(Decimal("0.001")))

    def next(self) -> tuple[str, Envelope]:
        held = holdings(self.service.engine)
        kind = self.data.draw(st.sampled_from(
            ["register", "split", "merge", "process", "ship", "label", "label", "label", "void"]))
        actors = self.world.actors
        if kind == "register" or not held:
            org = self.data.draw(st.sampled_from(["coop-a", "coop-b"]))
            quantity = Decimal(self.data.draw(st.integers(1, 40)))
            return "register", w.register(actors[org], self.fresh("H"), str(quantity))
        # Most often the holdings where over-issue would hide: labelled paddy to mill again,
        # unlabelled goods of a labeller to label.
        preferred = {"process": [h for h in held if h[4] == PADDY and h[3] > 0],
                     "label": [h for h in held if h[0] in LABELLERS and h[2] > h[3]]}.get(kind)
        pool = preferred if preferred and self.data.draw(st.integers(0, 3)) else held
        org, batch, quantity, labelled, product, lot = self.data.draw(st.sampled_from(pool))
        actor = actors[org]
        if kind == "split":
            amount = self.part(quantity)
            return kind, w.split(actor, batch, [(self.fresh("P"), str(amount))])
        if kind == "merge":
            mine = [h for h in held if h[0] == org and h[4] == product and h[1] != batch]
            if mine:
                other = self.data.draw(st.sampled_from(mine))[1]
                return kind, w.merge(actor, [batch, other], self.fresh("M"))
        if kind == "process" and product == PADDY:
            amount = self.part(quantity)
            ratio = self.data.draw(st.sampled_from([Decimal("0.7"), Decimal("0.65"), Decimal("0.5")]))
            return kind, w.process(actor, [(batch, str(amount))], self.fresh("R"),
                                   str((amount * ratio).quantize(Decimal("0.000001"))))
        if kind == "void":
            serials = live_serials(self.service.engine, org)
            if serials:
                return kind, w.void(actor, serials[:self.data.draw(st.integers(1, 3))])
        if kind == "label" and org in LABELLERS:
            pack = Decimal(self.data.draw(st.sampled_from(PACKS[product])))
            fits = int((quantity - labelled) / pack)
            count = self.data.draw(st.sampled_from([fits, fits, fits + 1, 1, max(1, fits // 2)]))
            return kind, w.issue(actor, batch, max(1, count), start=int(self.fresh("")) * 1000,
                                 gtin=GTINS[product][0], lot=lot, pack=str(pack))
        # Otherwise ship it on, through the mill: the receipt is its own step.
        to = "mill" if org != "mill" else self.data.draw(st.sampled_from(["coop-a", "coop-b", "dist"]))
        sid = self.fresh("S")
        amount = self.part(quantity)
        return "ship", w.ship(actor, sid, to, [(batch, str(amount))])

    def receipt(self, envelope: Envelope) -> Envelope | None:
        """The receipt of a shipment just sent (its body is sealed: read its disclosures)."""
        if envelope.statement.type != "shipment.send":
            return None
        sent = {d.name: d.value for d in envelope.disclosures or ()}
        return w.receive(self.world.actors[sent["to"]], sent["shipment"])


@RANDOM
@given(data=st.data())
def test_labels_never_exceed_what_a_harvest_can_yield(template: Template, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="gi-trace-labels-") as tmp, \
            template.copy(Path(tmp)) as service:
        service.log.append(more_approvals(template.world))
        steps = Steps(data, template.world, service)
        issued = 0
        for _ in range(data.draw(st.integers(5, 25), label="steps")):
            kind, envelope = steps.next()
            try:
                service.log.append([envelope])
                outcome = "appended"
                issued += kind == "label"
                receipt = steps.receipt(envelope)
                if receipt is not None:
                    service.log.append([receipt])
            except LedgerError as e:
                outcome = e.code
                if kind == "label":
                    assert e.code in LABEL_REFUSALS, e
            note(f"{kind} {envelope.statement.body} → {outcome}")
            total = check(service.engine)
        event(f"label.issue accepted: {min(issued, 3)}{'+' if issued >= 3 else ''}")
        target(float(total), label="labelled quantity")
