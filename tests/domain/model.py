"""A model of the supply chain, written from DESIGN.md and independent of gi_trace.domain, and
random statements drawn against it for the property-based tests.

Each `Step` is one signed statement, whether the model expects the log to accept it, and
what it does to the model if accepted. Steps are drawn mostly valid (the holder ships what
it holds) with a good share of invalid ones (too much, not held, wrong signer, recalled…).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from hypothesis import strategies as st

from gi_trace.ledger.statement import Envelope
from tests.domain import world as w
from tests.domain.world import PADDY, RICE, TEA, YEAR, World

MICRO = Decimal("0.000001")
RECEIVING = {"producer", "processor", "distributor", "retailer"}
PROCESSES = {PADDY: {"milling": (RICE, Decimal(w.MAX_YIELD))}}


def text(q: Decimal) -> str:
    """A decimal as the wire wants it: no exponent ("3E+2" → "300")."""
    return format(q.normalize(), "f")


def well_formed(q: Any) -> bool:
    """What a body's quantity may be: a positive decimal string, ≤ 15 + 6 digits."""
    if not isinstance(q, Decimal) or q <= 0 or q != q.quantize(MICRO):
        return False
    return q < 10 ** 15


@dataclass
class Batch:
    product: str
    producers: frozenset[str]  # the growers of its root harvests: no one else becomes one
    recalled: bool = False


@dataclass
class Shipment:
    sender: str
    receiver: str
    items: list[tuple[str, Decimal]]
    status: str = "pending"


@dataclass
class Model:
    roles: dict[str, set[str]]
    approvals: dict[tuple[str, str, int], list[Decimal]]  # (product, producer, year) → [quota, used]
    suspended: set[tuple[str, str]] = field(default_factory=set)
    batches: dict[str, Batch] = field(default_factory=dict)
    children: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    holdings: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    # Mass balance per GI product: what came into existence (harvests, process outputs) and
    # what was consumed (process inputs).
    created: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    consumed: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    serial: int = 0

    @classmethod
    def of(cls, world: World) -> Model:
        """The state that World.setup() leaves."""
        model = cls(roles={org: set(roles) for org, roles in world.roles.items()} | {
            "cnipa": {"regulator"}},
            approvals={(PADDY, "coop-a", YEAR): [Decimal(1000), Decimal(0)],
                       (TEA, "coop-a", YEAR): [Decimal(100), Decimal(0)],
                       (PADDY, "coop-b", YEAR): [Decimal("500.5"), Decimal(0)]})
        for batch, producer, product, quantity in (("A-1", "coop-a", PADDY, "300"),
                                                   ("T-1", "coop-a", TEA, "50"),
                                                   ("B-1", "coop-b", PADDY, "200")):
            model.harvest(producer, batch, product, YEAR, Decimal(quantity))
        return model

    # -- reading -----------------------------------------------------------------------------
    def held(self, org: str, batch: str) -> Decimal:
        return self.holdings.get((org, batch), Decimal(0))

    def usable(self, batch: str) -> bool:
        return batch in self.batches and not self.batches[batch].recalled

    def fresh(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    def in_transit(self) -> dict[tuple[str, str], Decimal]:
        """(shipment, batch) → quantity, for pending shipments."""
        return {(sid, batch): q for sid, s in self.shipments.items() if s.status == "pending"
                for batch, q in s.items}

    def descendants(self, batch: str) -> set[str]:
        found: set[str] = set()
        frontier = {batch}
        while frontier:
            frontier = {c for b in frontier for c in self.children.get(b, ())} - found
            found |= frontier
        return found

    # -- writing -----------------------------------------------------------------------------
    def give(self, org: str, batch: str, q: Decimal) -> None:
        self.holdings[(org, batch)] = self.held(org, batch) + q

    def take(self, org: str, batch: str, q: Decimal) -> None:
        left = self.held(org, batch) - q
        assert left >= 0
        if left:
            self.holdings[(org, batch)] = left
        else:
            del self.holdings[(org, batch)]

    def harvest(self, producer: str, batch: str, product: str, year: int, q: Decimal) -> None:
        self.approvals[(product, producer, year)][1] += q
        self.batches[batch] = Batch(product, frozenset({producer}))
        self.give(producer, batch, q)
        self.created[product] += q


@dataclass(frozen=True)
class Step:
    name: str
    envelope: Envelope
    valid: bool
    apply: Callable[[], None]

    def __repr__(self) -> str:
        s = self.envelope.statement
        return f"Step({self.name}, {s.actor}, {s.body}, valid={self.valid})"


# -- drawing ----------------------------------------------------------------------------------

ORGS = ("cnipa", "coop-a", "coop-b", "coop-c", "mill", "dist", "shop-1", "shop-2")


QUANTITY_MODES = ["part"] * 10 + ["all"] * 3 + ["over"] * 2 + ["small"] * 2 + ["bad"]


def draw_quantity(data: st.DataObject, available: Decimal) -> Any:
    """Mostly a valid part of `available`, sometimes all of it, a millionth more, or garbage
    (of nothing available, a part of 10: what the signer does not hold)."""
    available = available or Decimal(10)
    mode = data.draw(st.sampled_from(QUANTITY_MODES))
    if mode == "all":
        return available
    if mode == "part":
        per_mille = data.draw(st.integers(1, 999))
        return (available * per_mille / 1000).quantize(MICRO, rounding=ROUND_DOWN)
    if mode == "over":
        return available + MICRO
    if mode == "small":
        return Decimal(data.draw(st.integers(1, 5000))) / 100
    return data.draw(st.sampled_from(["1.0000001", "-1", "0", 1, "1e2"]))


def wire(q: Any) -> Any:
    return text(q) if isinstance(q, Decimal) else q


def draw_holding(data: st.DataObject, model: Model, product: str | None = None) -> tuple[str, str]:
    """(org, batch): mostly something the org holds (of `product`, if it is held at all),
    sometimes any org and any batch."""
    if model.holdings and data.draw(st.integers(0, 9)) < 8:
        held = sorted(model.holdings)
        preferred = [(o, b) for o, b in held if model.batches[b].product == product]
        return data.draw(st.sampled_from(preferred or held))
    return (data.draw(st.sampled_from(ORGS)),
            data.draw(st.sampled_from([*sorted(model.batches), "nope"])))


def draw_partner(data: st.DataObject, model: Model, org: str, first: str) -> str | None:
    """A second batch for a merge, process or shipment: mostly one the org holds of the same
    product, sometimes any other it holds, sometimes any batch at all."""
    mine = sorted(b for (o, b) in model.holdings if o == org and b != first)
    same = [b for b in mine if first in model.batches and model.batches[b].product
            == model.batches[first].product]
    choice = data.draw(st.integers(0, 9))
    if same and choice < 7:
        return data.draw(st.sampled_from(same))
    if mine and choice < 9:
        return data.draw(st.sampled_from(mine))
    others = [b for b in [*sorted(model.batches), "nope"] if b != first]
    return data.draw(st.sampled_from(others)) if choice == 9 else None


def draw_new_id(data: st.DataObject, model: Model, prefix: str, existing: list[str]) -> str:
    if existing and data.draw(st.integers(0, 19)) == 19:
        return data.draw(st.sampled_from(sorted(existing)))  # a duplicate id
    return model.fresh(prefix)


def plan_register(data: st.DataObject, model: Model, world: World) -> Step:
    org = data.draw(st.sampled_from(["coop-a"] * 4 + ["coop-b"] * 4 + ["coop-c", "shop-1"]))
    product = data.draw(st.sampled_from([PADDY] * 6 + [TEA, RICE]))
    year = data.draw(st.sampled_from([YEAR] * 9 + [YEAR - 1]))
    batch = draw_new_id(data, model, "H", list(model.batches))
    approval = model.approvals.get((product, org, year))
    q = draw_quantity(data, approval[0] - approval[1] if approval else Decimal(10))
    valid = ("producer" in model.roles[org] and batch not in model.batches and well_formed(q)
             and (product, org) not in model.suspended and approval is not None
             and approval[1] + q <= approval[0])
    envelope = w.register(world.actors[org], batch, wire(q), product=product, harvested=f"{year}-01-01")
    return Step("register", envelope, valid, lambda: model.harvest(org, batch, product, year, q))


def plan_split(data: st.DataObject, model: Model, world: World) -> Step:
    org, parent = draw_holding(data, model)
    n = data.draw(st.integers(1, 3))
    total = draw_quantity(data, model.held(org, parent))
    parts: list[Any] = []
    if isinstance(total, Decimal) and n > 1:
        first = (total / n).quantize(MICRO, rounding=ROUND_DOWN)
        parts = [first] * (n - 1) + [total - first * (n - 1)]
    else:
        parts = [total]
    children = [draw_new_id(data, model, "P", list(model.batches)) for _ in parts]
    valid = (model.usable(parent) and all(well_formed(q) for q in parts)
             and len(set(children)) == len(children) and not set(children) & model.batches.keys()
             and sum(parts, Decimal(0)) <= model.held(org, parent))

    def apply() -> None:
        source = model.batches[parent]
        for child, q in zip(children, parts, strict=True):
            model.take(org, parent, q)
            model.batches[child] = Batch(source.product, source.producers)
            model.children[parent].add(child)
            model.give(org, child, q)

    into = [(child, wire(q)) for child, q in zip(children, parts, strict=True)]
    envelope = w.split(world.actors[org], parent, into)
    return Step("split", envelope, valid, apply)


def plan_merge(data: st.DataObject, model: Model, world: World) -> Step:
    pairs = [(o, b1, b2) for (o, b1) in sorted(model.holdings) for (o2, b2) in sorted(model.holdings)
             if o == o2 and b1 < b2 and model.batches[b1].product == model.batches[b2].product]
    if pairs and data.draw(st.integers(0, 9)) < 7:
        org, *parents = data.draw(st.sampled_from(pairs))
    else:
        org, first = draw_holding(data, model)
        parents = [first, draw_partner(data, model, org, first) or first]
    into = draw_new_id(data, model, "M", list(model.batches))
    valid = (len(set(parents)) == 2 and all(model.usable(p) for p in parents)
             and len({model.batches[p].product for p in parents}) == 1
             and all(model.held(org, p) > 0 for p in parents) and into not in model.batches)

    def apply() -> None:
        amounts = [model.held(org, p) for p in parents]
        for p, q in zip(parents, amounts, strict=True):
            model.take(org, p, q)
            model.children[p].add(into)
        model.batches[into] = Batch(model.batches[parents[0]].product,
                                    frozenset().union(*(model.batches[p].producers for p in parents)))
        model.give(org, into, sum(amounts, Decimal(0)))

    return Step("merge", w.merge(world.actors[org], parents, into), valid, apply)


def plan_process(data: st.DataObject, model: Model, world: World) -> Step:
    org, first = draw_holding(data, model, PADDY)
    second = draw_partner(data, model, org, first) if data.draw(st.booleans()) else None
    batches = [first, *([second] if second else [])]
    inputs = [(b, draw_quantity(data, model.held(org, b))) for b in batches]
    name = data.draw(st.sampled_from(["milling", "milling", "milling", "polishing"]))
    total = sum((q for _, q in inputs if isinstance(q, Decimal)), Decimal(0))
    limit = total * Decimal(w.MAX_YIELD)
    out_mode = data.draw(st.sampled_from(["at-yield", "at-yield", "below", "below", "over"]))
    out_q = limit.quantize(MICRO, rounding=ROUND_DOWN)
    if out_mode == "below":
        out_q = (out_q / 2).quantize(MICRO, rounding=ROUND_DOWN)
    elif out_mode == "over":
        out_q += MICRO
    output = draw_new_id(data, model, "R", list(model.batches))
    products = {model.batches[b].product for b, _ in inputs if b in model.batches}
    product = next(iter(products)) if len(products) == 1 else None
    declared = PROCESSES.get(product or "", {}).get(name)
    valid = (all(model.usable(b) for b, _ in inputs) and len(products) == 1 and declared is not None
             and all(well_formed(q) for _, q in inputs) and well_formed(out_q)
             and out_q <= total * declared[1]
             and all(q <= model.held(org, b) for b, q in inputs) and output not in model.batches)

    def apply() -> None:
        assert product is not None and declared is not None
        producers = frozenset().union(*(model.batches[b].producers for b, _ in inputs))
        for b, q in inputs:
            model.take(org, b, q)
            model.children[b].add(output)
            model.consumed[product] += q
        model.batches[output] = Batch(declared[0], producers)
        model.give(org, output, out_q)
        model.created[declared[0]] += out_q

    envelope = w.process(world.actors[org], [(b, wire(q)) for b, q in inputs], output, wire(out_q),
                         name=name)
    return Step("process", envelope, valid, apply)


def plan_ship(data: st.DataObject, model: Model, world: World) -> Step:
    org, first = draw_holding(data, model)
    second = draw_partner(data, model, org, first) if data.draw(st.booleans()) else None
    batches = [first, *([second] if second else [])]
    items = [(b, draw_quantity(data, model.held(org, b))) for b in batches]
    to = data.draw(st.sampled_from(["mill"] * 3 + ["dist"] * 2 + ["shop-1", "shop-2", "coop-a", "coop-b",
                                                                   "cnipa", "nobody"]))
    sid = draw_new_id(data, model, "S", list(model.shipments))
    valid = (sid not in model.shipments and to in model.roles and to != org
             and bool(model.roles[to] & RECEIVING) and all(model.usable(b) for b, _ in items)
             and all(well_formed(q) and q <= model.held(org, b) for b, q in items))

    def apply() -> None:
        for b, q in items:
            model.take(org, b, q)
        model.shipments[sid] = Shipment(org, to, list(items))

    envelope = w.ship(world.actors[org], sid, to, [(b, wire(q)) for b, q in items])
    return Step("ship", envelope, valid, apply)


def plan_settle(data: st.DataObject, model: Model, world: World) -> Step:
    receive = data.draw(st.sampled_from(["receive", "receive", "reject"])) == "receive"
    pending = sorted(sid for sid, s in model.shipments.items() if s.status == "pending")
    pool = pending if pending and data.draw(st.integers(0, 4)) < 4 else [*sorted(model.shipments), "S-none"]
    sid = data.draw(st.sampled_from(pool))
    shipment = model.shipments.get(sid)
    org = (shipment.receiver if shipment and data.draw(st.integers(0, 4)) < 4
           else data.draw(st.sampled_from(ORGS)))
    valid = shipment is not None and shipment.receiver == org and shipment.status == "pending"

    def apply() -> None:
        assert shipment is not None
        shipment.status = "received" if receive else "rejected"
        for b, q in shipment.items:
            model.give(shipment.receiver if receive else shipment.sender, b, q)

    actor = world.actors[org]
    envelope = w.receive(actor, sid) if receive else w.reject(actor, sid)
    return Step("receive" if receive else "reject", envelope, valid, apply)


def plan_recall(data: st.DataObject, model: Model, world: World) -> Step:
    batch = data.draw(st.sampled_from([*sorted(model.batches), "nope"]))
    known = model.batches.get(batch)
    org = (data.draw(st.sampled_from(sorted(known.producers))) if known and data.draw(st.booleans())
           else data.draw(st.sampled_from(["cnipa", *ORGS])))
    valid = known is not None and not known.recalled and ("regulator" in model.roles[org]
                                                          or org in known.producers)

    def apply() -> None:
        for b in {batch, *model.descendants(batch)}:
            model.batches[b].recalled = True

    return Step("recall", w.recall(world.actors[org], batch), valid, apply)


def plan_oversight(data: st.DataObject, model: Model, world: World) -> Step:
    """The regulator (or, wrongly, a producer) suspending, reinstating or re-approving."""
    org = data.draw(st.sampled_from(["cnipa", "cnipa", "cnipa", "coop-a"]))
    producer = data.draw(st.sampled_from(["coop-a", "coop-b"]))
    kind = data.draw(st.sampled_from(["suspend", "reinstate", "approve"]))
    regulator = "regulator" in model.roles[org]
    if kind == "approve":
        current = model.approvals.get((PADDY, producer, YEAR), [Decimal(0), Decimal(0)])
        quota = draw_quantity(data, current[1]) if data.draw(st.booleans()) else current[0] + 100
        valid = regulator and well_formed(quota) and quota >= current[1]

        def approve() -> None:
            model.approvals.setdefault((PADDY, producer, YEAR), [Decimal(0), Decimal(0)])[0] = quota

        return Step("approve", w.approve(world.actors[org], PADDY, producer, wire(quota)), valid, approve)
    key = (PADDY, producer)
    reinstate = kind == "reinstate"
    valid = regulator and (key in model.suspended) == reinstate
    envelope = w.suspend(world.actors[org], PADDY, producer, reinstate=reinstate)
    return Step(kind, envelope, valid,
                lambda: model.suspended.discard(key) if reinstate else model.suspended.add(key))


PLANS = (plan_register, plan_register, plan_split, plan_split, plan_merge, plan_process, plan_process,
         plan_ship, plan_ship, plan_ship, plan_settle, plan_recall, plan_oversight)


def draw_step(data: st.DataObject, model: Model, world: World) -> Step:
    """The next statement: often settling a pending shipment when there is one."""
    pending = any(s.status == "pending" for s in model.shipments.values())
    if pending and data.draw(st.integers(0, 2)) == 0:
        return plan_settle(data, model, world)
    plan = data.draw(st.sampled_from(PLANS))
    return plan(data, model, world)
