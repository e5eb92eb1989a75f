"""`gi-trace ship --sscc`: the delivery's SSCC (GS1 AI 00) checked here, carried in the
shipment.send, found by the receiving desk's read; without --shipment it is the id."""

from __future__ import annotations

import itertools

import pytest

from gi_trace.domain import tables
from gi_trace.domain.gs1 import check_digit
from tests.cli.client_runs import Run, assert_verified

_serials = itertools.count(100)


def new_sscc() -> str:
    first17 = f"3069312340{next(_serials):07d}"
    return first17 + check_digit(first17)


def test_ship_with_an_sscc_as_printed(run: Run) -> None:
    paddy, shipment, code = run.shared.harvest(run.world.coop_a, "5"), run.shared.unique("S"), new_sscc()
    printed = f"(00) {code[0]} {code[1:8]} {code[8:]}"
    result = run(run.world.coop_a, "ship", "--shipment", shipment, "--sscc", printed, "--to", "mill",
                 "--item", f"{paddy}=5")
    assert_verified(result, run.service, "shipment.send")
    assert run.shared.row(tables.shipments, shipment=shipment).sscc == code


def test_the_sscc_names_the_shipment_when_no_id_is_given(run: Run) -> None:
    paddy, code = run.shared.harvest(run.world.coop_a, "5"), new_sscc()
    result = run(run.world.coop_a, "ship", "--sscc", code, "--to", "mill", "--item", f"{paddy}=5")
    assert_verified(result, run.service, "shipment.send")
    found = run.shared.connect(run.world.mill).get(f"/v1/shipments/sscc/{code}")
    assert (found["shipment"], found["sscc"]) == (code, code)
    received = run(run.world.mill, "receive", "--shipment", code)
    assert_verified(received, run.service, "shipment.receive")


def wrong_check_digit() -> str:
    code = new_sscc()
    return code[:-1] + str((int(code[-1]) + 1) % 10)


BAD = [
    ("wrong-check-digit", wrong_check_digit, "wrong check digit"),
    ("seventeen-digits", lambda: new_sscc()[:-1], "an SSCC is 18 digits"),
    ("letters", lambda: "ABCDEFGHIJKLMNOPQR", "an SSCC is 18 digits"),
    ("a-gtin-ai", lambda: "(01) " + new_sscc(), "an SSCC is 18 digits"),
]


@pytest.mark.parametrize(("make", "message"), [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_a_bad_sscc_is_refused_before_anything_is_sent(run: Run, make: object, message: str) -> None:
    paddy, size = run.shared.harvest(run.world.coop_a, "5"), run.service.log.size()
    result = run(run.world.coop_a, "ship", "--sscc", make(), "--to", "mill",  # type: ignore[operator]
                 "--item", f"{paddy}=5")
    assert result.exit_code == 2 and "--sscc" in result.output and message in result.output, \
        result.output
    assert run.service.log.size() == size


def test_ship_needs_a_shipment_id_or_an_sscc(run: Run) -> None:
    result = run(run.world.coop_a, "ship", "--to", "mill", "--item", "A-1=1")
    assert result.exit_code == 2 and "give --shipment, --sscc or both" in result.output
