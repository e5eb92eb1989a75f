"""Listing verdicts on SQLite and PostgreSQL: each reason, judged from the log and the scans."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gi_trace.domain.queries.listings import get_listing
from gi_trace.labels import scans
from gi_trace.labels.listing_verdict import INFRINGING, OK, ListingVerdict, judge
from gi_trace.service import Service
from tests.domain.world import GTINS, PADDY, RICE, TEA, issue, recall, serials, suspend, void
from tests.labels.listings_world import MILL, NOBODY, SELLER, UNAPPROVED, Sellers
from tests.support import Actor

POLICY = scans.ScanPolicy(max_count=3, max_after_sale=5, max_speed_kmh=300, min_distance_km=50)


@pytest.fixture
def sellers(any_service: Service, regulator: Actor) -> Sellers:
    return Sellers(any_service, regulator)


def verdict(sellers: Sellers, check: str = "L-1") -> ListingVerdict:
    with sellers.service.engine.connect() as conn:
        listing = get_listing(conn, check)
        assert listing is not None
        return judge(conn, listing, POLICY)


def codes(found: ListingVerdict) -> list[str]:
    return [r["code"] for r in found.reasons]


def test_an_approved_seller_with_genuine_codes_is_ok(sellers: Sellers) -> None:
    sellers.listed(seller_uscc=SELLER, codes=[sellers.code(0), sellers.code(1)])
    found = verdict(sellers)
    assert found.verdict == OK and found.reasons == [] and found


NOT_APPROVED = [
    pytest.param({}, "names no seller credit code", id="no-credit-code"),
    pytest.param({"seller_uscc": NOBODY}, "no organisation has credit code", id="unknown-code"),
    pytest.param({"seller_uscc": UNAPPROVED}, "coop-r is not approved", id="never-approved"),
    pytest.param({"seller_uscc": SELLER, "product": TEA}, "coop-q is not approved for longjing-tea",
                 id="another-product"),
]


@pytest.mark.parametrize(("body", "detail"), NOT_APPROVED)
def test_seller_not_approved(sellers: Sellers, body: dict[str, str], detail: str) -> None:
    sellers.listed(**body)
    found = verdict(sellers)
    assert found.verdict == INFRINGING and codes(found) == ["seller-not-approved"]
    assert detail in found.reasons[0]["detail"]


def test_approval_suspended_even_on_a_listing_checked_before(sellers: Sellers) -> None:
    sellers.listed(seller_uscc=SELLER)
    assert verdict(sellers)
    sellers.append(suspend(sellers.loop.world.regulator, PADDY, "coop-q"))
    found = verdict(sellers)
    assert codes(found) == ["approval-suspended"] and "inspection" in found.reasons[0]["detail"]


def test_quota_exceeded_by_a_mills_labels(sellers: Sellers) -> None:
    sellers.listed(seller_uscc=MILL, product=RICE)
    assert verdict(sellers)
    sellers.over_quota()
    found = verdict(sellers)
    assert codes(found) == ["quota-exceeded"]
    assert "cover 25, over its quota of 10" in found.reasons[0]["detail"]


def _voided(sellers: Sellers) -> str:
    sellers.append(void(sellers.coop, serials("Q-1", 1)))
    return sellers.code(0)


def _of_tea(sellers: Sellers) -> str:
    world = sellers.loop.world
    sellers.append(issue(world.coop_a, "T-1", 1, gtin=GTINS[TEA][0], pack="0.25"))
    return sellers.code(0, batch="T-1", signer=world.coop_a, gtin=GTINS[TEA][0])


INVALID: list[object] = [
    pytest.param(lambda s: "https://shop.example/photo.jpg", "not a Digital Link", id="not-a-link"),
    pytest.param(lambda s: s.code(0).replace("/21/", "/10x/"), "not a Digital Link",
                 id="broken-path"),
    pytest.param(lambda s: f"https://gi.example/01/{GTINS[PADDY][0]}/10/LQ-1", "no serial",
                 id="no-serial"),
    pytest.param(lambda s: s.code(7), "no such label", id="unknown-serial"),
    pytest.param(lambda s: s.code(0, lot="LQ-2"), "not the label issued", id="changed-lot"),
    pytest.param(lambda s: s.code(0, signer=Actor("forger")), "not the label issued",
                 id="bad-signature"),
    pytest.param(lambda s: s.code(0).split("?")[0], "not the label issued", id="no-signature"),
    pytest.param(_voided, "voided", id="voided"),
    pytest.param(_of_tea, "a label of longjing-tea", id="another-product"),
]


@pytest.mark.parametrize(("code", "detail"), INVALID)
def test_codes_invalid(sellers: Sellers, code: Callable[[Sellers], str], detail: str) -> None:
    sellers.listed(seller_uscc=SELLER, codes=[sellers.code(1), code(sellers)])
    found = verdict(sellers)
    assert codes(found) == ["codes-invalid"]
    assert found.reasons[0]["detail"].startswith("code 2: ") and detail in found.reasons[0]["detail"]
    assert "SNQ-1" not in found.reasons[0]["detail"]  # a code is named by position, not serial


def test_product_recalled(sellers: Sellers) -> None:
    sellers.listed(seller_uscc=SELLER, codes=[sellers.code(0)])
    sellers.append(recall(sellers.coop, "Q-1", "mould"))
    found = verdict(sellers)
    assert codes(found) == ["product-recalled"] and "mould" in found.reasons[0]["detail"]


def test_codes_copied_by_their_scans(sellers: Sellers) -> None:
    sellers.listed(seller_uscc=SELLER, codes=[sellers.code(0)])
    assert verdict(sellers)
    with sellers.service.engine.begin() as conn:
        scans.write_scans(conn, [scans.new_scan(serials("Q-1", 1)[0], 1_700_000_000 + n)
                                 for n in range(POLICY.max_count + 1)])
    found = verdict(sellers)
    assert codes(found) == ["codes-copied"] and "scanned-too-often" in found.reasons[0]["detail"]


def test_codes_copied_when_another_seller_lists_them(sellers: Sellers) -> None:
    sellers.listed(seller_uscc=SELLER, codes=[sellers.code(0)])
    sellers.listed("L-2", seller_uscc=SELLER, codes=[sellers.code(0)])  # the same seller again
    assert verdict(sellers)
    sellers.listed("L-3", seller_uscc=NOBODY, codes=[sellers.code(0)])
    found = verdict(sellers)
    assert codes(found) == ["codes-copied"] and "another seller" in found.reasons[0]["detail"]
    assert "codes-copied" in codes(verdict(sellers, "L-3"))


def test_every_reason_at_once(sellers: Sellers) -> None:
    sellers.listed(seller_uscc=UNAPPROVED, codes=["not a code", sellers.code(0)])
    sellers.append(recall(sellers.coop, "Q-1"))
    assert codes(verdict(sellers)) == ["seller-not-approved", "codes-invalid", "product-recalled"]
