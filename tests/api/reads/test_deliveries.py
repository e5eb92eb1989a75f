"""GET /v1/shipments/…: a delivery by id or by SSCC, for its sender, receiver and regulators,
and its printable label; GET /00/{sscc} hands the code to the receiving desk."""

from __future__ import annotations

import re

import pytest

from gi_trace.domain.gs1 import check_digit
from gi_trace.labels import qr
from tests.api.reads.world import World

SSCC = "06900000" + "000000042"
SSCC += check_digit(SSCC)
OTHER_SSCC = "06900000" + "000000043"
OTHER_SSCC += check_digit(OTHER_SSCC)
# A shipment's id and SSCC are confidential: to anyone but its parties it is unknown (404).
CALLERS = [(None, 401), ("regulator", 200), ("mill", 200), ("retailer", 200), ("distributor", 404),
           ("unrelated", 404)]
IDS = ["anonymous", "regulator", "sender", "receiver", "other-trader", "other-producer"]


@pytest.fixture(scope="module")
def labelled(world: World) -> World:
    """ship-4: the mill sends 50 kg of rice to the retailer, with an SSCC on its label."""
    world.append(world.mill.sign("shipment.send", {"shipment": "ship-4", "to": world.retailer.org,
                                                   "sscc": SSCC,
                                                   "items": [{"batch": "rice-1", "quantity": "50"}]}))
    return world


@pytest.mark.parametrize(("caller", "status"), CALLERS, ids=IDS)
@pytest.mark.parametrize("url", ["/v1/shipments/ship-4", f"/v1/shipments/sscc/{SSCC}",
                                 "/v1/shipments/ship-4/label.svg"], ids=["by-id", "by-sscc", "label"])
def test_who_may_see_a_delivery(labelled: World, url: str, caller: str | None, status: int) -> None:
    resp = labelled.get(url, None if caller is None else getattr(labelled, caller))
    assert resp.status_code == status, resp.get_data(as_text=True)
    if status == 404:
        assert resp.get_json()["code"] == "not-found"
        assert "ship-4" not in resp.get_data(as_text=True) or "sscc" not in url


def test_probing_ssccs_tells_a_stranger_nothing(labelled: World) -> None:
    """An SSCC that is on a shipment and one that is on none answer alike, and the answer never
    names the shipment."""
    real = labelled.get(f"/v1/shipments/sscc/{SSCC}", labelled.unrelated)
    unused = labelled.get(f"/v1/shipments/sscc/{OTHER_SSCC}", labelled.unrelated)
    assert (real.status_code, unused.status_code) == (404, 404)
    assert real.get_json()["detail"].replace(SSCC, OTHER_SSCC) == unused.get_json()["detail"]
    assert "ship-4" not in real.get_data(as_text=True)


def test_by_sscc_is_what_the_sender_declared(labelled: World) -> None:
    shipment = labelled.get(f"/v1/shipments/sscc/{SSCC}", labelled.retailer).get_json()
    assert (shipment["shipment"], shipment["sender"], shipment["status"], shipment["sscc"]) == (
        "ship-4", "wuchang-mill", "pending", SSCC)
    assert shipment["items"] == [{"batch": "rice-1", "product": "wuchang-rice", "lot": "R2025A",
                                  "quantity": "50"}]


@pytest.mark.parametrize(("url", "status", "code"), [
    ("/v1/shipments/nope", 404, "not-found"),
    (f"/v1/shipments/sscc/{OTHER_SSCC}", 404, "not-found"),  # valid, on no shipment
    (f"/v1/shipments/sscc/{SSCC[:-1]}{(int(SSCC[-1]) + 1) % 10}", 422, "bad-sscc"),
    ("/v1/shipments/sscc/12345", 422, "bad-sscc"),
    ("/v1/shipments/ship-3/label.svg", 422, "no-sscc"),
], ids=["unknown-id", "unknown-sscc", "bad-check-digit", "short", "no-sscc-to-print"])
def test_bad_lookups(labelled: World, url: str, status: int, code: str) -> None:
    resp = labelled.get(url, labelled.regulator)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.get_json()["code"] == code


def test_the_label_holds_the_qr_of_the_digital_link(labelled: World) -> None:
    resp = labelled.get("/v1/shipments/ship-4/label.svg", labelled.mill)
    assert resp.mimetype == "image/svg+xml"
    svg = resp.get_data(as_text=True)
    path = re.search(r'<path fill="#000" d="([^"]+)"', qr.svg(f"https://gi.example/00/{SSCC}"))
    assert path is not None and path.group(1) in svg
    assert f"(00) {SSCC}" in svg and "wuchang-mill → retailer-bj" in svg


def test_a_phone_camera_opening_the_link_lands_on_the_desk(labelled: World) -> None:
    resp = labelled.get(f"/00/{SSCC}")
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/desk?sscc={SSCC}"
    assert labelled.get("/00/123").status_code == 400
