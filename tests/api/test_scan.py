"""The consumer's scan: the verdict for every kind of label DESIGN.md names (GENUINE, RECALLED,
WARNING, INVALID), forged codes that never count toward copy detection, and malformed links that
never give a 500. The offline proof is test_scan_proof.py's, the journey test_scan_journey.py's."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from gi_trace.domain.label_signature import sign_label
from gi_trace.ledger import keys
from gi_trace.ledger.checkpoint import open_checkpoint
from gi_trace.ledger.cosignature import Cosigner
from gi_trace.ledger.note import add_signatures
from gi_trace.service import Service
from tests.api.helpers import serving
from tests.domain.world import (
    GTINS,
    PADDY,
    Template,
    World,
    issue,
    recall,
    receive,
    sell,
    serials,
    ship,
    suspend,
    void,
)
from tests.support import Actor

JSON = {"Accept": "application/json"}
GTIN, LOT = GTINS[PADDY][0], "LA-1"
SERIAL = serials("A-1", 1)[0]


def link(serial: str = SERIAL, *, lot: str = LOT, gtin: str = GTIN, signer: Actor | None = None,
         world: World | None = None, sig: str | None = None) -> str:
    if sig is None and signer is not None:
        sig = sign_label(signer.key, gtin, lot, serial)
    return f"/01/{gtin}/10/{lot}/21/{serial}" + (f"?s={sig}" if sig else "")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return Template.build(tmp_path_factory.mktemp("world"))


@pytest.fixture
def scanning(template: Template, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[
        tuple[World, Service, FlaskClient]]:
    """A copy of the world where coop-a issued five labels for A-1; settings overrides from
    the test's `settings` marker."""
    marker = request.node.get_closest_marker("settings")
    with template.copy(tmp_path) as service:
        world = template.world
        service.log.append([issue(world.coop_a, "A-1", 5)])
        settings = replace(service.settings, **(marker.kwargs if marker else {}))
        with serving(settings) as app:
            yield world, service, app.test_client()


def verdict(client: FlaskClient, path: str) -> dict[str, Any]:
    resp = client.get(path, headers=JSON)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.headers["Cache-Control"] == "no-store"
    data: dict[str, Any] = resp.get_json()
    return data


def codes(data: dict[str, Any]) -> list[str]:
    return [r["code"] for r in data["reasons"]]


def test_a_genuine_label_is_genuine_and_shows_where_it_came_from(scanning: Any) -> None:
    world, _, client = scanning
    data = verdict(client, link(signer=world.coop_a))
    assert (data["verdict"], data["reasons"]) == ("GENUINE", [])
    assert data["product"]["name"] == {"zh": "五常稻谷", "en": "Wuchang paddy"}
    assert data["producer"]["org"] == "coop-a"
    assert data["batch"]["lot"] == LOT
    assert [step["type"] for step in data["journey"]] == ["batch.register", "label.issue"]
    assert data["scans"]["count"] == 1 and data["scans"]["token"]
    assert {"label-signature", "inclusion", "recall", "copy-patterns"} <= set(data["checked"])


@pytest.mark.parametrize(("path", "code"), [
    (lambda w: link(serials("A-1", 1, 99)[0], signer=w.coop_a), "unknown-label"),
    (lambda w: link(lot="LB-1", signer=w.coop_a), "lot-mismatch"),
    (lambda w: link(gtin=GTINS[PADDY][1], signer=w.coop_a), "gtin-mismatch"),
    (lambda w: link(signer=w.coop_b), "bad-signature"),
    (lambda w: link(sig="A" * 86), "bad-signature"),
    (lambda w: link(sig="not-base64url!"), "bad-signature"),
    (lambda w: link(), "signature-missing"),
    (lambda w: link(sig=sign_label(w.coop_a.key, GTIN, LOT, serials("A-1", 1, 1)[0])), "bad-signature"),
], ids=["unknown-serial", "changed-lot", "changed-gtin", "signed-by-another-producer",
        "forged-signature", "signature-not-base64url", "signature-missing", "another-labels-signature"])
def test_labels_that_were_not_issued_as_printed_are_invalid(scanning: Any, path: Any, code: str) -> None:
    world, _, client = scanning
    data = verdict(client, path(world))
    assert (data["verdict"], codes(data)) == ("INVALID", [code])


def test_a_forged_code_says_nothing_of_the_label_it_claims_to_be(scanning: Any) -> None:
    """Whoever knows a serial but not its signature must not learn it (nor the journey) from
    the answer: the proof would carry the label's leaf, its serial and signature."""
    world, _, client = scanning
    for path in (link(sig="A" * 86), link(), link(lot="LB-1", signer=world.coop_a)):
        data = verdict(client, path)
        assert data["verdict"] == "INVALID"
        assert all(data[part] is None for part in ("label", "product", "producer", "batch", "retailer",
                                                   "scans", "proof"))
        assert data["journey"] == data["harvests"] == []
        genuine = sign_label(world.coop_a.key, GTIN, LOT, SERIAL)
        assert genuine not in json.dumps(data)


def test_scans_whose_signature_does_not_verify_never_count_toward_copy_detection(scanning: Any) -> None:
    """55 requests with ?s=AAAA used to turn a genuine label into "may have been copied"."""
    world, _, client = scanning
    for forged in ("AAAA", "A" * 86, sign_label(world.coop_b.key, GTIN, LOT, SERIAL), ""):
        for _ in range(14):
            assert verdict(client, link(sig=forged) if forged else link())["verdict"] == "INVALID"
    data = verdict(client, link(signer=world.coop_a))
    assert (data["verdict"], data["reasons"], data["scans"]["count"]) == ("GENUINE", [], 1)


def test_a_voided_label_says_it_was_issued_and_then_voided(scanning: Any) -> None:
    world, service, client = scanning
    service.log.append([void(world.coop_a, [SERIAL])])
    data = verdict(client, link(signer=world.coop_a))
    assert (data["verdict"], codes(data)) == ("INVALID", ["voided"])
    day = data["label"]["voided"][:10]
    assert data["label"]["status"] == "void" and data["label"]["issued"][:10] <= day
    text = data["reasons"][0]["text"]
    assert "issued by" in text["en"] and "then voided on " + day in text["en"]
    assert "签发" in text["zh"] and "作废" in text["zh"]
    assert "misprinted" not in json.dumps(data)  # the void's reason is the issuer's own (v2: confidential)


def test_a_recalled_product_is_its_own_red_verdict_do_not_eat_or_sell(scanning: Any) -> None:
    world, service, client = scanning
    service.log.append([recall(world.regulator, "A-1", "cadmium above limit")])
    data = verdict(client, link(signer=world.coop_a))
    assert (data["verdict"], codes(data)) == ("RECALLED", ["recalled"])
    assert "cadmium above limit" in data["reasons"][0]["text"]["en"]
    assert "Do not eat it or sell it" in data["reasons"][0]["advice"]["en"]
    assert "请勿食用" in data["reasons"][0]["advice"]["zh"]
    page = client.get(link(signer=world.coop_a), headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-verdict="RECALLED"' in page and "banner-recalled" in page


@pytest.mark.settings(scan_max_count=3)
def test_a_recall_outranks_the_warnings_it_comes_with(scanning: Any) -> None:
    world, service, client = scanning
    service.log.append([recall(world.regulator, "A-1"), suspend(world.regulator, PADDY, "coop-a")])
    for _ in range(4):
        data = verdict(client, link(signer=world.coop_a))
    assert (data["verdict"], codes(data)) == ("RECALLED", ["recalled", "producer-suspended",
                                                           "scanned-too-often"])


def test_a_voided_label_of_a_recalled_batch_is_invalid_and_says_so(scanning: Any) -> None:
    world, service, client = scanning
    service.log.append([void(world.coop_a, [SERIAL]), recall(world.regulator, "A-1")])
    data = verdict(client, link(signer=world.coop_a))
    assert (data["verdict"], codes(data)) == ("INVALID", ["voided", "recalled"])


def test_a_suspended_producer_warns_until_reinstated(scanning: Any) -> None:
    world, service, client = scanning
    service.log.append([suspend(world.regulator, PADDY, "coop-a")])
    assert codes(verdict(client, link(signer=world.coop_a))) == ["producer-suspended"]
    service.log.append([suspend(world.regulator, PADDY, "coop-a", reinstate=True)])
    assert verdict(client, link(signer=world.coop_a))["verdict"] == "GENUINE"


def test_a_sold_label_says_when_and_where_it_was_sold_from_the_first_scan_after_the_sale(
        scanning: Any) -> None:
    """So a bag refilled and put back on a shelf is caught at its first scan, not its sixth."""
    world, service, client = scanning
    service.log.append([ship(world.coop_a, "S-1", "shop-1", [("A-1", "10")]),
                        receive(world.shop_1, "S-1"), sell(world.shop_1, [SERIAL])])
    for _ in range(2):
        data = verdict(client, link(signer=world.coop_a))
        assert (data["verdict"], codes(data)) == ("WARNING", ["sold"])
        day = data["label"]["sold"][:10]
        assert data["label"]["status"] == "sold" and data["retailer"]["org"] == "shop-1"
        assert f"sold on {day} by shop-1" in data["reasons"][0]["text"]["en"]
        assert "do not buy it" in data["reasons"][0]["advice"]["en"]


@pytest.mark.settings(scan_max_after_sale=1)
def test_a_label_scanned_again_and_again_after_its_sale_may_be_copied(scanning: Any) -> None:
    world, service, client = scanning
    service.log.append([ship(world.coop_a, "S-1", "shop-1", [("A-1", "10")]),
                        receive(world.shop_1, "S-1"), sell(world.shop_1, [SERIAL])])
    assert codes(verdict(client, link(signer=world.coop_a))) == ["sold"]  # the buyer, at home
    data = verdict(client, link(signer=world.coop_a))
    assert (data["verdict"], codes(data)) == ("WARNING", ["sold", "scanned-after-sale"])


@pytest.mark.settings(scan_max_count=3)
def test_a_scan_storm_warns_that_the_code_may_be_copied(scanning: Any) -> None:
    world, _, client = scanning
    results = [verdict(client, link(signer=world.coop_a))["verdict"] for _ in range(4)]
    assert results == ["GENUINE", "GENUINE", "GENUINE", "WARNING"]
    other = verdict(client, link(serials("A-1", 1, 1)[0], signer=world.coop_a))
    assert other["verdict"] == "GENUINE"  # counts are per label


def place(client: FlaskClient, data: dict[str, Any], lat: Any, lon: Any) -> int:
    return client.post(f"/v1/scans/{data['scans']['token']}/place", json={"lat": lat, "lon": lon}).status_code


def test_scans_in_places_too_far_apart_for_the_time_between_warn(scanning: Any) -> None:
    world, _, client = scanning
    first = verdict(client, link(signer=world.coop_a))
    assert place(client, first, 45.75, 126.63) == 204  # Harbin
    second = verdict(client, link(signer=world.coop_a))
    assert place(client, second, 39.9, 116.4) == 204  # Beijing, minutes later
    data = verdict(client, link(signer=world.coop_a))
    assert (data["verdict"], codes(data)) == ("WARNING", ["far-apart"])
    assert "km" in data["reasons"][0]["text"]["en"]


def test_nearby_scans_do_not_warn(scanning: Any) -> None:
    world, _, client = scanning
    for lat in (45.75, 45.76, 45.8):
        assert place(client, verdict(client, link(signer=world.coop_a)), lat, 126.63) == 204
    assert verdict(client, link(signer=world.coop_a))["verdict"] == "GENUINE"


def test_a_place_is_stored_coarse_once_and_checked(scanning: Any) -> None:
    world, service, client = scanning
    data = verdict(client, link(signer=world.coop_a))
    resp = client.post(f"/v1/scans/{data['scans']['token']}/place", json={"lat": 91, "lon": 0})
    assert resp.status_code == 422 and resp.get_json()["field"] == "lat"
    resp = client.post(f"/v1/scans/{data['scans']['token']}/place", json={"lat": 1, "lon": "east"})
    assert resp.status_code == 422 and resp.get_json()["field"] == "lon"
    assert place(client, data, 45.7512, 126.6345) == 204
    assert place(client, data, 39.9, 116.4) == 404  # one place per scan
    assert client.post("/v1/scans/nope/place", json={"lat": 1, "lon": 1}).status_code == 404
    from gi_trace.labels.tables import scans
    with service.engine.connect() as conn:
        assert conn.execute(scans.select().where(scans.c.lat.is_not(None))).one()[4:] == (45.8, 126.6)


@pytest.mark.parametrize("path", [
    f"/01/{GTIN[:13]}{(int(GTIN[13]) + 1) % 10}/10/LA-1/21/SNA-10000000000?s=a",  # check digit
    "/01/123/10/LA-1/21/SNA-10000000000",  # too short
    "/01/0693123400001X/10/LA-1/21/SNA-10000000000",
    f"/01/{GTIN}/10/{'L' * 21}/21/SNA-10000000000",  # lot over 20
    f"/01/{GTIN}/10/LA-1/21/{'S' * 21}",  # serial over 20
    f"/01/{GTIN}/10/LA%20/21/SNA-10000000000",  # space is not in set 82
    f"/01/{GTIN}/10/LA-1/21/%FF%FE",  # not even UTF-8
    f"/01/{GTIN}/10/LA-1/21/%E4%BA%94",  # 五: not in set 82
], ids=["check-digit", "short-gtin", "letter-in-gtin", "long-lot", "long-serial", "space",
        "bad-utf8", "cjk-serial"])
def test_malformed_digital_links_are_400_never_500(scanning: Any, path: str) -> None:
    _, _, client = scanning
    resp = client.get(path, headers=JSON)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    assert resp.get_json()["code"] == "bad-digital-link" and resp.get_json()["field"]
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 400 and page.mimetype == "text/html"


def test_a_browser_gets_the_page_and_an_app_gets_json(scanning: Any) -> None:
    world, _, client = scanning
    page = client.get(link(signer=world.coop_a), headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "五常稻谷" in page.get_data(as_text=True)
    english = client.get(link(signer=world.coop_a) + "&lang=en")
    assert "Wuchang paddy" in english.get_data(as_text=True)
    assert "lang=en" in english.headers["Set-Cookie"]


# -- a label's links, and who else vouches for the log -------------------------------------------

def test_link_type_all_answers_the_labels_linkset_and_records_no_scan(scanning: Any) -> None:
    world, _, client = scanning
    resp = client.get(link(signer=world.coop_a) + "&linkType=all")
    assert resp.status_code == 200 and resp.mimetype == "application/linkset+json"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    (entry,) = resp.get_json()["linkset"]
    assert entry["anchor"].endswith(f"/01/{GTIN}/10/{LOT}/21/{SERIAL}")
    relations = {name for name in entry if name.startswith("https://gs1.org/voc/")}
    assert {"https://gs1.org/voc/pip", "https://gs1.org/voc/traceability",
            "https://gs1.org/voc/verificationService"} <= relations
    assert "A-1" in entry["https://gs1.org/voc/traceability"][0]["href"]
    assert verdict(client, link(signer=world.coop_a))["scans"]["count"] == 1  # the linkset was no scan


def test_link_type_pip_redirects_to_the_verdict_page_and_answers_carry_the_linkset(scanning: Any) -> None:
    world, _, client = scanning
    resp = client.get(link(signer=world.coop_a) + "&linkType=gs1:pip")
    assert resp.status_code == 307
    assert f"/21/{SERIAL}?s=" in resp.headers["Location"] and "linkType" not in resp.headers["Location"]
    page = client.get(link(signer=world.coop_a), headers=JSON)
    assert 'rel="linkset"' in page.headers["Link"]
    assert page.headers["Access-Control-Allow-Origin"] == "*"


def test_the_proof_counts_the_witnesses_that_cosigned_a_tree_holding_the_label(
        scanning: Any, tmp_path: Path) -> None:
    world, service, _ = scanning
    witness = Cosigner("witness.hlj.example/w1", keys.generate())
    listed = tmp_path / "witnesses.txt"
    listed.write_text(f"{witness.vkey()}\n")
    with serving(replace(service.settings, witnesses=str(listed))) as app:
        client = app.test_client()
        assert verdict(client, link(signer=world.coop_a))["proof"]["witnesses"] == 0
        note = client.get("/v1/log/checkpoint").get_data(as_text=True)
        checkpoint = open_checkpoint(note, service.log.signer.verifier())
        cosigned = add_signatures(note, [witness.cosign(checkpoint, int(time.time())).line()])
        assert client.post("/v1/log/cosignatures", json={"note": cosigned}).status_code == 201
        assert verdict(client, link(signer=world.coop_a))["proof"]["witnesses"] == 1
