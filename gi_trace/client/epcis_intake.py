"""EPCIS 2.0 JSON-LD events → statements: the inverse of gi_trace.domain.epcis.events, for a
partner whose system speaks EPCIS.

| event | statement |
|---|---|
| ObjectEvent ADD, commissioning, a lot's LGTIN with its quantity | batch.register |
| TransformationEvent, LGTINs in and one LGTIN out, with quantities | batch.process |
| ObjectEvent shipping, LGTINs with quantities, a destination | shipment.send |
| ObjectEvent receiving (disposition returned: a rejection) | shipment.receive / reject |

Identifiers are read with the exporter's own parsers (LGTIN, SSCC); CBV words may be bare
("shipping") or URIs. EPCIS names lots, not gi-trace's batch ids, so a batch is the one
registered earlier in the same document with that lot, else the one the server knows under
that product and lot (`Lookup`), else a new batch takes the exporter's `gitrace:batches` id
or its lot. Organisations are their gi-trace URIs (`…/v1/orgs/{org}`) or bare ids.
Quantities are read as exact decimals (parse with `load`, never a float). Labels are not
imported: `gi-trace labels issue` signs each label and prints it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from gi_trace.domain.epcis.identifiers import IdentifierError, parse_lgtin
from gi_trace.domain.epcis.vocabulary import UOM, ext
from gi_trace.domain.quantity import format_quantity
from gi_trace.ledger.statement import ID_PATTERN

from . import drafts
from .client import Client
from .drafts import Draft
from .errors import ProblemError
from .intake import Refusal, Row
from .sscc import SsccError, sscc_of


@dataclass(frozen=True)
class Product:
    product: str
    unit: str
    processes: tuple[str, ...]


Item = tuple[Product, str, str]
"""A quantity element read: the product, the lot, the exact quantity text."""


class Lookup(Protocol):
    """What the server knows that an event does not say."""

    def product(self, gtin: str) -> Product | None: ...
    def batch(self, product: str, lot: str) -> str | None: ...
    def shipment(self, sscc: str) -> str | None: ...


class EventError(ValueError):
    def __init__(self, field: str, message: str, code: str = "bad-event") -> None:
        super().__init__(message)
        self.field, self.code = field, code


def load(text: str) -> Any:
    """The document, its numbers as exact Decimals."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def events_of(document: Any) -> list[Any]:
    """The events of an EPCISDocument (or of a bare list of events)."""
    if isinstance(document, list):
        return document
    body = document.get("epcisBody") if isinstance(document, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list):
        raise ValueError("not an EPCISDocument: no epcisBody.eventList")
    return events


def word(value: Any) -> str:
    """A CBV value as its bare word: `shipping` from `urn:epcglobal:cbv:bizstep:shipping` or
    `https://ref.gs1.org/cbv/BizStep-shipping`."""
    return str(value or "").rsplit(":", 1)[-1].rsplit("/", 1)[-1].rsplit("-", 1)[-1]


class Reader:
    """Maps a document's events in order, remembering the batches it registers."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.registered: dict[tuple[str, str], str] = {}  # (product, lot) → batch

    def read(self, document: Any) -> tuple[list[Row], list[Refusal]]:
        rows: list[Row] = []
        refused: list[Refusal] = []
        for number, event in enumerate(events_of(document), start=1):
            try:
                rows.append(Row(number, self.statement(event)))
            except EventError as e:
                refused.append(Refusal(number, e.code, e.field, str(e)))
        return rows, refused

    def statement(self, event: Any) -> Draft:
        if not isinstance(event, dict):
            raise EventError("event", "an event is a JSON object")
        kind, step = event.get("type"), word(event.get("bizStep"))
        mappers: dict[tuple[Any, str], Callable[[dict[str, Any]], Draft]] = {
            ("ObjectEvent", "commissioning"): self._register,
            ("TransformationEvent", step): self._process,
            ("ObjectEvent", "shipping"): self._ship,
            ("ObjectEvent", "receiving"): self._receive,
        }
        mapper = mappers.get((kind, step))
        if mapper is None:
            raise EventError("type", f"no statement for a {kind} with bizStep {step or 'none'!r}",
                             "not-mapped")
        return mapper(event)

    # -- the four mappings -------------------------------------------------------------------
    def _register(self, event: dict[str, Any]) -> Draft:
        if event.get("action") != "ADD":
            raise EventError("action", "a commissioning ObjectEvent registers a batch with ADD")
        if event.get("epcList"):
            raise EventError("epcList", "labels are issued with `gi-trace labels issue`, which "
                                        "signs and prints them", "not-mapped")
        ((found, lot, quantity),) = self._items(event, "quantityList", exactly_one=True)
        product = found.product
        given = event.get("ilmd")
        ilmd: dict[str, Any] = given if isinstance(given, dict) else {}
        batch = _listed_id(event, 0) or _id_from_lot(lot, "quantityList[0].epcClass")
        harvested = ilmd.get(ext("harvested")) or str(event.get("eventTime", ""))[:10]
        lat, lon = _geo(event)
        self.registered[(product, lot)] = batch
        return drafts.batch_register(batch, product, lot, quantity, harvested,
                                     plot=ilmd.get(ext("plot")), lat=lat, lon=lon,
                                     village=ilmd.get(ext("village")))

    def _process(self, event: dict[str, Any]) -> Draft:
        inputs = self._items(event, "inputQuantityList")
        ((made, lot, quantity),) = self._items(event, "outputQuantityList", exactly_one=True)
        output = _listed_id(event, len(inputs)) or _id_from_lot(
            lot, "outputQuantityList[0].epcClass")
        process = event.get(ext("process")) or _only_process(inputs[0][0])
        portions = [(self._batch(p.product, lt, "inputQuantityList"), q) for p, lt, q in inputs]
        self.registered[(made.product, lot)] = output
        return drafts.batch_process(str(process), portions, output, lot, quantity)

    def _ship(self, event: dict[str, Any]) -> Draft:
        sscc = _sscc(event)
        items = [(self._batch(p.product, lot, "quantityList"), q)
                 for p, lot, q in self._items(event, "quantityList")]
        shipment = event.get(ext("shipment")) or sscc
        if not shipment:
            raise EventError("epcList", "a shipment needs gitrace:shipment or an SSCC in epcList",
                             "missing-value")
        return drafts.shipment_send(str(shipment), _destination(event), items, sscc=sscc)

    def _receive(self, event: dict[str, Any]) -> Draft:
        shipment = event.get(ext("shipment"))
        if not shipment:
            sscc = _sscc(event)
            shipment = self.lookup.shipment(sscc) if sscc else None
            if shipment is None:
                raise EventError("epcList", "no shipment known by gitrace:shipment or by the "
                                            "SSCC in epcList", "unknown-shipment")
        reason = event.get(ext("reason"))
        if word(event.get("disposition")) == "returned":
            return drafts.shipment_reject(str(shipment), reason or "returned")
        return drafts.shipment_receive(str(shipment), reason=reason)

    # -- identifiers ---------------------------------------------------------------------------
    def _items(self, event: dict[str, Any], name: str, *,
               exactly_one: bool = False) -> list[Item]:
        """(product, lot, quantity text) of each LGTIN of a quantity list."""
        listed = event.get(name)
        if not isinstance(listed, list) or not listed or (exactly_one and len(listed) != 1):
            raise EventError(name, "one LGTIN with its quantity" if exactly_one
                             else "LGTINs with their quantities", "missing-value")
        items = []
        for index, element in enumerate(listed):
            where = f"{name}[{index}]"
            if not isinstance(element, dict):
                raise EventError(where, "a quantity element is a JSON object")
            try:
                gtin, lot = parse_lgtin(str(element.get("epcClass")))
            except IdentifierError as e:
                raise EventError(f"{where}.epcClass", str(e), "bad-identifier") from e
            found = self.lookup.product(gtin)
            if found is None:
                raise EventError(f"{where}.epcClass", f"no product has GTIN {gtin}",
                                 "unknown-product")
            amount = element.get("quantity")
            if not isinstance(amount, Decimal):
                raise EventError(f"{where}.quantity", "a quantity is a number", "missing-value")
            if "uom" in element and element["uom"] != UOM.get(found.unit):
                raise EventError(f"{where}.uom", f"{found.product} is counted in {found.unit}, "
                                                 f"not {element['uom']}", "wrong-unit")
            items.append((found, lot, format_quantity(amount)))
        return items

    def _batch(self, product: str, lot: str, where: str) -> str:
        batch = self.registered.get((product, lot)) or self.lookup.batch(product, lot)
        if batch is None:
            raise EventError(where, f"no batch of {product} with lot {lot}", "unknown-batch")
        return batch


def _only_process(product: Product) -> str:
    """The process when the input's product declares just one (the usual milling)."""
    if len(product.processes) != 1:
        raise EventError(ext("process"), "name the process (gitrace:process): "
                         f"{product.product} has {', '.join(product.processes) or 'none'}",
                         "missing-value")
    return product.processes[0]


def _listed_id(event: dict[str, Any], index: int) -> str | None:
    listed = event.get(ext("batches"))
    return str(listed[index]) if isinstance(listed, list) and index < len(listed) else None


def _id_from_lot(lot: str, where: str) -> str:
    if not ID_PATTERN.fullmatch(lot):
        raise EventError(where, f"lot {lot!r} cannot be a batch id: give gitrace:batches",
                         "bad-identifier")
    return lot


def _geo(event: dict[str, Any]) -> tuple[str | None, str | None]:
    """`geo:lat,lon` as the exporter writes a harvest's read point."""
    point = event.get("readPoint")
    place = str(point.get("id", "")) if isinstance(point, dict) else ""
    if not place.startswith("geo:"):
        return None, None
    lat, _, lon = place[4:].partition(",")
    return lat or None, lon.split(";")[0] or None


def _sscc(event: dict[str, Any]) -> str | None:
    for index, epc in enumerate(event.get("epcList") or []):
        text = str(epc)
        if text.startswith("urn:epc:id:sscc:") or "/00/" in text:
            try:
                return sscc_of(text)
            except SsccError as e:
                raise EventError(f"epcList[{index}]", str(e), "bad-identifier") from e
    return None


def _destination(event: dict[str, Any]) -> str:
    for index, party in enumerate(event.get("destinationList") or []):
        uri = str(party.get("destination", "")) if isinstance(party, dict) else ""
        org = uri.rsplit("/v1/orgs/", 1)[-1]
        if ID_PATTERN.fullmatch(org):
            return org
        raise EventError(f"destinationList[{index}]", f"not an organisation: {uri!r}",
                         "bad-identifier")
    raise EventError("destinationList", "a shipment names its destination", "missing-value")


class ServerLookup:
    """`Lookup` through the server's reads, as the importing organisation; answers kept."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._products: dict[str, Product | None] = {}

    def product(self, gtin: str) -> Product | None:
        if gtin not in self._products:
            page = self.client.get("/v1/products", params={"gtin": gtin}, auth=False)
            self._products[gtin] = next(
                (Product(p["product"], p["unit"], tuple(sorted(p.get("processes") or {})))
                 for p in page["items"]), None)
        return self._products[gtin]

    def batch(self, product: str, lot: str) -> str | None:
        page = self.client.get("/v1/batches", params={"product": product, "lot": lot})
        found = [item["batch"] for item in page["items"]]
        return found[0] if len(found) == 1 else None

    def shipment(self, sscc: str) -> str | None:
        try:
            return str(self.client.get(f"/v1/shipments/sscc/{sscc}")["shipment"])
        except ProblemError as e:
            if e.status == 404:
                return None
            raise
