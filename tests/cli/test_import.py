"""`gi-trace import csv | epcis` against a live server: rows checked here before anything is
sent, signed here, appended in lists that are each all or nothing, refused rows reported with
the row, the field and the server's problem code, and a non-zero exit when any was refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from gi_trace.cli.main import cli
from gi_trace.domain import tables
from gi_trace.domain.epcis.identifiers import lgtin_uri
from gi_trace.domain.gs1 import check_digit
from tests.cli.client_runs import Run
from tests.cli.test_client_commands import logged
from tests.domain.world import GTINS, HARVESTED, PADDY, RICE, WUCHANG
from tests.support import Actor

HEADER = "batch,product,lot,quantity,harvested,plot,lat,lon,plot_region,village_zh,village_en"
EPCIS_EXAMPLES = Path("/work/shared/vectors/epcis/examples")


def sheet(run: Run, name: str, rows: list[str], header: str = HEADER) -> Path:
    path = run.tmp / f"{name}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def harvest_row(batch: str, quantity: str = "2", **cells: str) -> str:
    values = {"batch": batch, "product": PADDY, "lot": f"L{batch}"[-20:], "quantity": quantity,
              "harvested": HARVESTED, "plot": "", "lat": "", "lon": "", "plot_region": "",
              "village_zh": "", "village_en": "", **cells}
    return ",".join(values[name] for name in HEADER.split(","))


def importing(run: Run, actor: Actor, kind: str, *args: str, org: str | None = None) -> Result:
    """`gi-trace import KIND` as `actor` (client_runs.Run knows only one-word verbs and batch,
    labels)."""
    common = ["--url", run.url, "--key", str(run.key_file(actor)), "--org", org or actor.org,
              "--log-key", run.service.log.signer.vkey()]
    return run.runner.invoke(cli, ["import", kind, *common, *args])


def import_csv(run: Run, path: Path, *extra: str) -> Result:
    return importing(run, run.world.coop_a, "csv", str(path), *extra)


def batch_row(run: Run, batch: str) -> Any:
    return run.shared.row(tables.batches, batch=batch)


def test_a_sheet_of_harvests_is_registered_with_its_confidential_fields_sealed(run: Run) -> None:
    ids = [run.shared.unique("csv") for _ in range(5)]
    rows = [harvest_row(ids[0], "12.5", plot="Plot 3", lat="44.9012", lon="127.1453",
                        plot_region=WUCHANG, village_zh="红光村", village_en="Hongguang"),
            *(harvest_row(batch) for batch in ids[1:])]
    size = run.service.log.size()
    result = import_csv(run, sheet(run, "ok", rows), "--list-size", "2")
    assert result.exit_code == 0, result.output
    assert f"appended 5 statements, included in checkpoint of size {size + 5}" in result.output
    first = batch_row(run, ids[0])
    assert (first.quantity, first.plot_region, first.village_zh) == ("12.5", WUCHANG, "红光村")
    assert all(batch_row(run, batch) is not None for batch in ids)
    statement = logged(run, size)
    assert (statement["type"], statement["body"]["batch"]) == ("batch.register", ids[0])
    assert "quantity" not in statement["body"] and "origin" not in statement["body"]


def test_a_default_product_fills_rows_without_one(run: Run) -> None:
    batch = run.shared.unique("csv")
    path = sheet(run, "default-product", [f"{batch},L{batch},3,{HARVESTED}"],
                 header="batch,lot,quantity,harvested")
    result = import_csv(run, path, "--product", PADDY)
    assert result.exit_code == 0, result.output
    assert batch_row(run, batch).product == PADDY


# (the bad cell, what the report must say); every other row of the sheet is good
LOCAL = [
    ("comma-decimal", {"quantity": '"1,5"'}, "row 3: invalid-body [quantity]"),
    ("harvested-tomorrow", {"harvested": "2999-01-01"}, "row 3: date-in-future [harvested]"),
    ("not-a-date", {"harvested": "28/09/2026"}, "row 3: invalid-body [harvested]"),
    ("no-lot", {"lot": ""}, "row 3: missing-value [lot]: required"),
    ("lat-out-of-range", {"lat": "95", "lon": "127"}, "row 3: invalid-body [lat]"),
    ("village-in-one-language", {"village_zh": "红光村"}, "row 3: missing-value [village_en]"),
    ("too-many-cells", {"village_en": "x,y"}, "row 3: bad-row"),
]


@pytest.mark.parametrize(("cells", "says"), [case[1:] for case in LOCAL],
                         ids=[case[0] for case in LOCAL])
def test_a_bad_row_is_reported_before_anything_is_sent(run: Run, cells: dict[str, str],
                                                       says: str) -> None:
    good, bad = run.shared.unique("csv"), run.shared.unique("csv")
    size = run.service.log.size()
    result = import_csv(run, sheet(run, "local", [harvest_row(good), harvest_row(bad, **cells)]))
    assert result.exit_code == 1, result.output
    assert f"refused {says}" in result.output, result.output
    assert "1 of 2 rows refused here; nothing was sent" in result.output
    assert run.service.log.size() == size and batch_row(run, good) is None


SHEETS = [
    ("unknown-column", "batch,product,lot,quantity,harvested,colour", "unknown column 'colour'"),
    ("missing-column", "batch,product,lot,harvested", "missing column 'quantity'"),
]


@pytest.mark.parametrize(("header", "says"), [case[1:] for case in SHEETS],
                         ids=[case[0] for case in SHEETS])
def test_a_sheet_with_wrong_columns_is_refused_whole(run: Run, header: str, says: str) -> None:
    size = run.service.log.size()
    result = import_csv(run, sheet(run, "columns", [], header=header))
    assert result.exit_code == 1 and says in result.output, result.output
    assert run.service.log.size() == size


def test_a_refused_row_refuses_its_list_only_and_is_reported(run: Run) -> None:
    ids = [run.shared.unique("csv") for _ in range(5)]
    # Lists of two: rows 2-3, 4-5, 6. Row 5 registers a batch that exists: the server refuses it.
    rows = [harvest_row(ids[0]), harvest_row(ids[1]), harvest_row(ids[2]), harvest_row("A-1"),
            harvest_row(ids[4])]
    size = run.service.log.size()
    result = import_csv(run, sheet(run, "lists", rows), "--list-size", "2")
    assert result.exit_code == 1, result.output
    assert "refused row 5: duplicate-id [batch]: batch 'A-1' already exists" in result.output
    assert "not appended, their list was refused: rows 4" in result.output
    assert "appended 3 statements" in result.output
    assert [batch_row(run, b) is not None for b in ids] == [True, True, False, False, True]
    assert run.service.log.size() == size + 3


def test_an_identity_mistake_stops_the_import_with_what_to_fix(run: Run) -> None:
    result = importing(run, run.world.coop_a, "csv",
                       str(sheet(run, "who", [harvest_row(run.shared.unique("csv"))])), org="coop-z")
    assert result.exit_code == 1 and "unknown organisation 'coop-z' (--org)" in result.output, \
        result.output


# -- EPCIS --------------------------------------------------------------------------------------
def lgtin(product: str, lot: str) -> str:
    return lgtin_uri(GTINS[product][0], lot)


def sscc(serial: int) -> str:
    first17 = f"3069312341{serial:07d}"
    return first17 + check_digit(first17)


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-10-01T00:00:00Z", "epcisBody": {"eventList": list(events)}}


def commissioning(lot: str, quantity: float) -> dict[str, Any]:
    return {"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
            "eventTime": f"{HARVESTED}T08:00:00Z", "eventTimeZoneOffset": "+08:00",
            "quantityList": [{"epcClass": lgtin(PADDY, lot), "quantity": quantity, "uom": "KGM"}],
            "readPoint": {"id": "geo:44.9012,127.1453"},
            "ilmd": {"gitrace:village": {"zh": "红光村", "en": "Hongguang"}}}


def shipping(lot: str, quantity: float, code: str) -> dict[str, Any]:
    return {"type": "ObjectEvent", "action": "OBSERVE",
            "bizStep": "urn:epcglobal:cbv:bizstep:shipping", "disposition": "in_transit",
            "eventTime": "2026-10-02T08:00:00Z", "eventTimeZoneOffset": "+08:00",
            "epcList": [f"urn:epc:id:sscc:0693123.{code[0]}{code[8:17]}"],
            "quantityList": [{"epcClass": lgtin(PADDY, lot), "quantity": quantity, "uom": "KGM"}],
            "destinationList": [{"type": "owning_party",
                                 "destination": "https://gi.example/v1/orgs/mill"}]}


def import_epcis(run: Run, actor: Actor, name: str, doc: dict[str, Any]) -> Result:
    path = run.tmp / f"{name}.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return importing(run, actor, "epcis", str(path))


def test_epcis_events_from_harvest_to_milling(run: Run) -> None:
    lot = run.shared.unique("EP")
    rice_lot = f"{lot}R"
    code = sscc(int(lot.rsplit("-", 1)[1]))
    sent = import_epcis(run, run.world.coop_a, "sent", document(
        commissioning(lot, 10.25), shipping(lot, 10.25, code)))
    assert sent.exit_code == 0 and "appended 2 statements" in sent.output, sent.output
    assert batch_row(run, lot).quantity == "10.25"  # exact: the number was never a float
    shipment = run.shared.row(tables.shipments, shipment=code)
    assert (shipment.sscc, shipment.receiver) == (code, "mill")
    received = import_epcis(run, run.world.mill, "received", document(
        {"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving",
         "disposition": "in_progress", "eventTime": "2026-10-03T08:00:00Z",
         "eventTimeZoneOffset": "+08:00", "epcList": [f"https://id.gs1.org/00/{code}"]},
        {"type": "TransformationEvent", "bizStep": "creating_class_instance",
         "eventTime": "2026-10-04T08:00:00Z", "eventTimeZoneOffset": "+08:00",
         "inputQuantityList": [{"epcClass": lgtin(PADDY, lot), "quantity": 10, "uom": "KGM"}],
         "outputQuantityList": [{"epcClass": lgtin(RICE, rice_lot), "quantity": 7,
                                 "uom": "KGM"}]}))
    assert received.exit_code == 0 and "appended 2 statements" in received.output, received.output
    assert run.shared.holding("mill", lot) == Decimal("0.25")
    assert run.shared.holding("mill", rice_lot) == 7


Event = Callable[[str], dict[str, Any]]
EPCIS_REFUSED: list[tuple[str, Event, str]] = [
    ("aggregation", lambda lot: {"type": "AggregationEvent", "action": "ADD", "bizStep": "packing"},
     "row 1: not-mapped [type]"),
    ("labels-by-epc", lambda lot: {**commissioning(lot, 1), "epcList": ["urn:epc:id:sgtin:0.1.2"]},
     "row 1: not-mapped [epcList]"),
    ("unknown-gtin", lambda lot: {**commissioning(lot, 1), "quantityList": [
        {"epcClass": "urn:epc:class:lgtin:4012345.011111.4444", "quantity": 1}]},
     "row 1: unknown-product [quantityList[0].epcClass]"),
    ("wrong-unit", lambda lot: {**commissioning(lot, 1), "quantityList": [
        {"epcClass": lgtin(PADDY, lot), "quantity": 1, "uom": "TNE"}]},
     "row 1: wrong-unit [quantityList[0].uom]"),
    ("ships-an-unknown-lot", lambda lot: shipping(lot, 1, sscc(9_999_999)),
     "row 1: unknown-batch [quantityList]"),
    ("bad-sscc", lambda lot: {**shipping("A-1", 1, sscc(1)), "epcList": ["urn:epc:id:sscc:1.2"]},
     "row 1: bad-identifier [epcList[0]]"),
    ("harvested-in-future", lambda lot: {**commissioning(lot, 1), "eventTime": "2999-01-01T00:00:00Z"},
     "row 1: date-in-future [body.harvested]"),
]


@pytest.mark.parametrize(("make", "says"), [case[1:] for case in EPCIS_REFUSED],
                         ids=[case[0] for case in EPCIS_REFUSED])
def test_an_event_that_cannot_be_mapped_is_reported_and_nothing_is_sent(
        run: Run, make: Event, says: str) -> None:
    size = run.service.log.size()
    good = commissioning(run.shared.unique("EP"), 1)
    result = import_epcis(run, run.world.coop_a, "refused", document(make(run.shared.unique("EP")),
                                                                     good))
    assert result.exit_code == 1 and f"refused {says}" in result.output, result.output
    assert "nothing was sent" in result.output
    assert run.service.log.size() == size


@pytest.mark.parametrize("example", ["Example_9.6.1-ObjectEvent.jsonld",
                                     "Example_9.6.3-AggregationEvent.jsonld",
                                     "Example_9.6.4-TransformationEvent.jsonld"])
def test_gs1s_examples_are_read_and_refused_row_by_row(run: Run, example: str) -> None:
    """Other companies' GTINs and aggregations: every event refused with a reason, no crash."""
    size = run.service.log.size()
    result = importing(run, run.world.coop_a, "epcis", str(EPCIS_EXAMPLES / example))
    assert result.exit_code == 1 and "refused row 1: " in result.output, result.output
    assert "Traceback" not in result.output and run.service.log.size() == size
