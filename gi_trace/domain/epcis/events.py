"""One statement of the log → one EPCIS 2.0 event, as a JSON-LD object.

| statement | event | bizStep | disposition |
|---|---|---|---|
| batch.register | ObjectEvent ADD, the lot's LGTIN | commissioning | active |
| label.issue | ObjectEvent ADD, the labels' SGTINs | commissioning | active |
| label.void | ObjectEvent DELETE, SGTINs | decommissioning | inactive |
| label.sell | ObjectEvent OBSERVE, SGTINs | retail_selling | retail_sold |
| batch.split | TransformationEvent, LGTINs in and out | (none) | |
| batch.merge / process | TransformationEvent, LGTINs in and out | creating_class_instance | |
| shipment.send | ObjectEvent OBSERVE | shipping | in_transit |
| shipment.receive / reject | ObjectEvent OBSERVE | receiving | in_progress / returned |
| batch.recall | ObjectEvent OBSERVE, every GTIN × lot of the batches it reached | holding | recalled |

Pure: what the statement's body does not say (lineage, a shipment's items, a label's
GTIN) comes in `Facts`, read from the projections by `export`.

A statement's body is what the viewer may read of it (`export`): for a statement not in
`Facts.disclosed` its public fields only, and then no quantity, plot or reason derived
from it is written; a quantity element then names its class alone. A label.issue's
labels are counted, never listed (its serials are not in the log). Shipments and voided
or sold labels reach `epcis_event` only for viewers that may read them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from gi_trace.domain.quantity import parse_quantity

from .identifiers import IdentifierError, lgtin_uri, sgtin_uri
from .vocabulary import NAMESPACE, UOM, ext

# eventID: a name-based UUID of the statement's leaf hash, so every export names an event alike.
_EVENT_IDS = uuid.uuid5(uuid.NAMESPACE_URL, NAMESPACE + "event")
TIME_ZONE_OFFSET = "+00:00"  # statements carry UTC; the log keeps no place's time zone


@dataclass(frozen=True)
class Statement:
    """A log record as the exporter reads it."""

    seq: int
    leaf_hash: bytes
    type: str
    actor: str
    ts: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Batch:
    product: str
    lot: str
    quantity: str | None  # at creation (None in a projection rebuilt without disclosures)
    unit: str | None
    gtins: tuple[str, ...]  # of its product, ascending


@dataclass(frozen=True)
class Link:
    parent: str
    child: str
    quantity: str | None  # of the parent that went into the child


@dataclass(frozen=True)
class Shipment:
    sender: str
    receiver: str
    sent_seq: int
    items: tuple[tuple[str, str], ...]  # (batch, quantity)


@dataclass
class Facts:
    """What the projections know about the statements being exported."""

    base_url: str
    prefix_length: int
    batches: dict[str, Batch] = field(default_factory=dict)
    lineage: dict[int, list[Link]] = field(default_factory=dict)  # by the seq that made them
    shipments: dict[str, Shipment] = field(default_factory=dict)
    touched: dict[int, list[str]] = field(default_factory=dict)  # batches each seq touched
    label_gtins: dict[str, str] = field(default_factory=dict)  # serial → GTIN
    disclosed: frozenset[int] = frozenset()  # seqs whose confidential values the viewer may read

    def org(self, org: str) -> str:
        """An organisation as a URI: its public record on this server (it has no GLN)."""
        return f"{self.base_url}/v1/orgs/{org}"

    def record(self, seq: int) -> str:
        """A log record as a URI: the entry this server serves, whose inclusion anyone can check."""
        return f"{self.base_url}/v1/log/entries?start={seq}&end={seq + 1}"

    def lot_class(self, batch: str) -> str:
        """A batch's class: its lot under its product's first GTIN (bulk goods have no GTIN of
        their own; the lot, not the GTIN, is what tells one batch line from another)."""
        row = self.batches[batch]
        return self.lot_uri(row.gtins[0], row.lot)

    def lot_uri(self, gtin: str, lot: str) -> str:
        """The LGTIN of a lot; its GS1 Digital Link on this server, %-escaped, for a lot that has
        no EPC form (an old log's lot with a control character, from before the validators
        matched whole values). EPCIS 2.0 takes either."""
        try:
            return lgtin_uri(gtin, lot, self.prefix_length)
        except IdentifierError:
            return f"{self.base_url}/01/{gtin}/10/{quote(lot, safe='')}"

    def item_uri(self, gtin: str, serial: str) -> str:
        """The SGTIN of a label; its Digital Link when the serial has no EPC form (as lot_uri)."""
        try:
            return sgtin_uri(gtin, serial, self.prefix_length)
        except IdentifierError:
            return f"{self.base_url}/01/{gtin}/21/{quote(serial, safe='')}"

    def quantity(self, batch: str, amount: Decimal | str | None) -> dict[str, Any]:
        """A quantity element: so much of the batch's class, in its product's unit; the class
        alone when the amount is not for this viewer."""
        if amount is None:
            return {"epcClass": self.lot_class(batch)}
        unit = self.batches[batch].unit
        return {"epcClass": self.lot_class(batch), "quantity": number(parse_quantity(str(amount))),
                **({"uom": UOM[unit]} if unit in UOM else {})}


def number(value: Decimal) -> int | float:
    """EPCIS quantities are JSON numbers; the ledger's decimals have at most 6 places, which a
    float's shortest repr writes back exactly."""
    return int(value) if value == value.to_integral_value() else float(value)


def event_id(leaf_hash: bytes) -> str:
    return f"urn:uuid:{uuid.uuid5(_EVENT_IDS, leaf_hash.hex())}"


def _common(kind: str, s: Statement) -> dict[str, Any]:
    return {"type": kind, "eventTime": s.ts, "eventTimeZoneOffset": TIME_ZONE_OFFSET,
            "eventID": event_id(s.leaf_hash)}


def _trailer(s: Statement, facts: Facts, batches: list[str]) -> dict[str, Any]:
    """gi-trace's extension: where the statement is in the log, who signed it, which batches."""
    return {ext("seq"): s.seq, ext("leafHash"): s.leaf_hash.hex(), ext("statement"): s.type,
            ext("record"): facts.record(s.seq), ext("actor"): facts.org(s.actor),
            ext("batches"): batches}


def _register(s: Statement, facts: Facts) -> dict[str, Any]:
    body = s.body
    event = {**_common("ObjectEvent", s), "action": "ADD",
             "quantityList": [facts.quantity(body["batch"], body.get("quantity"))],
             "bizStep": "commissioning", "disposition": "active"}
    origin = body.get("origin", {})  # only in a body the viewer may read
    if "lat" in origin and "lon" in origin:
        event["readPoint"] = {"id": f"geo:{origin['lat']},{origin['lon']}"}
    event["ilmd"] = {ext("product"): facts.batches[body["batch"]].product,
                     ext("harvested"): body["harvested"],
                     **({ext("village"): body["village"]} if "village" in body else {}),
                     **({ext("plot"): origin["plot"]} if "plot" in origin else {})}
    return {**event, **_trailer(s, facts, [body["batch"]])}


def _transformation(s: Statement, facts: Facts) -> dict[str, Any]:
    """Inputs and outputs of a split, merge or process: lineage is public, its quantities are
    the statement's readers' (a merge's, derived from the holder's holdings, its author's)."""
    links = facts.lineage.get(s.seq, [])
    shown = s.seq in facts.disclosed
    taken: dict[str, Decimal | None] = {}
    for link in links:
        before = taken.get(link.parent, Decimal(0))
        taken[link.parent] = None if not shown or link.quantity is None or before is None \
            else before + parse_quantity(link.quantity)
    outputs = list(dict.fromkeys(link.child for link in links))
    event = {**_common("TransformationEvent", s),
             "inputQuantityList": [facts.quantity(b, q) for b, q in taken.items()],
             "outputQuantityList": [facts.quantity(b, facts.batches[b].quantity if shown else None)
                                    for b in outputs]}
    if s.type != "batch.split":
        event["bizStep"] = "creating_class_instance"
    if s.type == "batch.process":
        event[ext("process")] = s.body["process"]
    return {**event, **_trailer(s, facts, [*taken, *outputs])}


_SHIPMENT_STEPS = {"shipment.send": ("shipping", "in_transit"),
                   "shipment.receive": ("receiving", "in_progress"),
                   "shipment.reject": ("receiving", "returned")}


def _shipment(s: Statement, facts: Facts) -> dict[str, Any]:
    shipment = facts.shipments[s.body["shipment"]]
    step, disposition = _SHIPMENT_STEPS[s.type]
    parties = ("owning_party", "possessing_party")
    event = {**_common("ObjectEvent", s), "action": "OBSERVE",
             "quantityList": [facts.quantity(b, q) for b, q in shipment.items],
             "bizStep": step, "disposition": disposition,
             "bizTransactionList": [{"type": "desadv",
                                     "bizTransaction": facts.record(shipment.sent_seq)}],
             "sourceList": [{"type": t, "source": facts.org(shipment.sender)} for t in parties],
             "destinationList": [{"type": t, "destination": facts.org(shipment.receiver)}
                                 for t in parties],
             ext("shipment"): s.body["shipment"]}
    if "reason" in s.body:
        event[ext("reason")] = s.body["reason"]
    return {**event, **_trailer(s, facts, [b for b, _ in shipment.items])}


def _recall(s: Statement, facts: Facts) -> dict[str, Any]:
    """Every GTIN of the product under each recalled lot: a partner holding bags of any size
    of those lots finds them."""
    reached = facts.touched.get(s.seq, [])
    classes = dict.fromkeys(facts.lot_uri(gtin, facts.batches[b].lot)
                            for b in reached for gtin in facts.batches[b].gtins)
    event = {**_common("ObjectEvent", s), "action": "OBSERVE",
             "quantityList": [{"epcClass": c} for c in classes],
             "bizStep": "holding", "disposition": "recalled",
             "persistentDisposition": {"set": ["recalled"]}, ext("reason"): s.body["reason"]}
    return {**event, **_trailer(s, facts, reached)}


_LABEL_STEPS = {"label.issue": ("ADD", "commissioning", "active"),
                "label.void": ("DELETE", "decommissioning", "inactive"),
                "label.sell": ("OBSERVE", "retail_selling", "retail_sold")}


def _labels(s: Statement, facts: Facts) -> dict[str, Any]:
    """Labels as SGTINs where the viewer may read their serials (a void or a sale it is party
    to, or an old v1 issue it signed); a v2 label.issue as a count of its lot's trade items."""
    action, step, disposition = _LABEL_STEPS[s.type]
    body = s.body
    event: dict[str, Any] = {**_common("ObjectEvent", s), "action": action}
    if "serials" in body and s.seq in facts.disclosed:
        gtins = facts.label_gtins if s.type != "label.issue" \
            else dict.fromkeys(body["serials"], body["gtin"])
        event["epcList"] = [facts.item_uri(gtins[serial], serial)
                            for serial in body["serials"]]
    elif s.type == "label.issue":
        lot = facts.batches[body["batch"]].lot
        count = body["count"] if "count" in body else len(body["serials"])
        event["quantityList"] = [{"epcClass": facts.lot_uri(body["gtin"], lot),
                                  "quantity": count}]
    event.update({"bizStep": step, "disposition": disposition})
    if s.type == "label.issue":
        event["ilmd"] = {ext("lot"): facts.batches[body["batch"]].lot,
                         **({ext("pack"): body["pack"]} if "pack" in body else {})}
    if "reason" in body:
        event[ext("reason")] = body["reason"]
    return {**event, **_trailer(s, facts, facts.touched.get(s.seq, []))}


MAPPERS: dict[str, Callable[[Statement, Facts], dict[str, Any]]] = {
    "batch.register": _register,
    "batch.split": _transformation,
    "batch.merge": _transformation,
    "batch.process": _transformation,
    "shipment.send": _shipment,
    "shipment.receive": _shipment,
    "shipment.reject": _shipment,
    "batch.recall": _recall,
    "label.issue": _labels,
    "label.void": _labels,
    "label.sell": _labels,
}
TYPES = frozenset(MAPPERS)


def epcis_event(statement: Statement, facts: Facts) -> dict[str, Any]:
    """The EPCIS event of a statement of one of `TYPES` (the ones that touch batches)."""
    return MAPPERS[statement.type](statement, facts)
