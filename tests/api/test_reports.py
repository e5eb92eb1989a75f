"""POST /v1/reports from the verdict page's form and from apps; the regulators' queue over HTTP."""

from __future__ import annotations

import base64
import io
import itertools
from dataclasses import replace
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image, ImageFile, PngImagePlugin
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from gi_trace.labels import photo, reports
from tests.api.helpers import assert_problem, serving
from tests.api.reads.world import PADDY, World

GTIN = PADDY["gtins"][0]
SERIAL = "7KQ3M9XG2HT4PZ8N"
_addresses = (f"198.51.100.{i}" for i in itertools.count(1))


@pytest.fixture(scope="module")
def world(world: World) -> World:
    """The module's world, with one label of other-coop's batch other-1 (lot X2025)."""
    world.issue_other_label(GTIN, SERIAL)
    return world


@pytest.fixture
def client(world: World) -> FlaskClient:
    """A client with an address of its own, so each test starts under the hourly limit."""
    client = world.client()
    client.environ_base["REMOTE_ADDR"] = next(_addresses)
    return client


def png(size: tuple[int, int] = (24, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 40)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def post_form(client: FlaskClient, photo: bytes | None = None, filename: str = "photo.jpg",
              **fields: str) -> TestResponse:
    data: dict[str, Any] = {"where_bought": "Harbin market, stall 12", **fields}
    if photo is not None:
        data["photo"] = FileStorage(io.BytesIO(photo), filename, content_type="image/jpeg")
    # Encoded here in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(data)
    return client.post("/v1/reports", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def created(resp: TestResponse) -> str:
    assert resp.status_code == 201, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["status"] == "new"
    report_id: str = body["id"]
    return report_id


def read(world: World, report_id: str) -> dict[str, Any]:
    resp = world.get(f"/v1/reports/{report_id}", world.regulator)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body: dict[str, Any] = resp.get_json()
    return body


# -- sending ---------------------------------------------------------------------------------
def test_the_verdict_pages_form_is_accepted(world: World, client: FlaskClient) -> None:
    uri = f"https://gi.example/01/{GTIN}/10/X2025/21/{SERIAL}?s=abc"
    report_id = created(post_form(client, uri=uri, gtin=GTIN, lot="X2025", serial=SERIAL,
                                  details="the seal was glued", contact="wx: buyer01"))
    body = read(world, report_id)
    assert body["where_bought"] == "Harbin market, stall 12"
    assert (body["uri"], body["gtin"], body["lot"], body["serial"]) == (uri, GTIN, "X2025", SERIAL)
    assert (body["batch"], body["batch_url"]) == ("other-1", "/v1/batches/other-1")
    assert (body["has_photo"], body["photo_url"], body["status"]) == (False, None, "new")


def test_an_empty_file_input_means_no_photo(world: World, client: FlaskClient) -> None:
    """What a browser sends when no file was chosen: a file part with an empty name and body."""
    body = (b'--b\r\nContent-Disposition: form-data; name="where_bought"\r\n\r\nshop\r\n'
            b'--b\r\nContent-Disposition: form-data; name="photo"; filename=""\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n")
    resp = client.post("/v1/reports", data=body, content_type="multipart/form-data; boundary=b")
    assert read(world, created(resp))["has_photo"] is False


def test_a_photo_sent_as_text_is_refused(client: FlaskClient) -> None:
    resp = client.post("/v1/reports", data={"where_bought": "shop", "photo": "IMG_1.jpg"})
    assert_problem(resp, 422, "not-an-image", field="photo")


def test_an_app_sends_json_with_a_base64_photo(world: World, client: FlaskClient) -> None:
    photo = jpeg()
    report_id = created(client.post("/v1/reports", json={
        "where_bought": "online shop", "gtin": GTIN, "lot": "L2025A",
        "photo": base64.b64encode(photo).decode()}))
    body = read(world, report_id)
    assert (body["batch"], body["photo_type"]) == ("paddy-1", "image/jpeg")
    resp = world.get(body["photo_url"], world.regulator)
    assert resp.data == photo


@pytest.mark.parametrize(("make", "media_type"), [(png, "image/png"), (jpeg, "image/jpeg")])
def test_a_photo_is_served_back_byte_for_byte_with_its_type(world: World, client: FlaskClient,
                                                            make: Any, media_type: str) -> None:
    photo = make()
    report_id = created(post_form(client, photo, filename="IMG_0001.HEIC"))
    resp = world.get(f"/v1/reports/{report_id}/photo", world.regulator)
    assert resp.status_code == 200
    assert resp.data == photo
    assert resp.mimetype == media_type
    assert resp.headers["Content-Disposition"] == "inline"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_missing_where_bought_is_named(client: FlaskClient) -> None:
    resp = client.post("/v1/reports", data={"details": "fake"}, content_type="multipart/form-data")
    assert_problem(resp, 422, "missing-field", field="where_bought")


def test_a_text_file_renamed_jpg_is_refused(client: FlaskClient) -> None:
    resp = post_form(client, b"not a photo at all, just text\n" * 10, filename="photo.jpg")
    assert_problem(resp, 422, "not-an-image", field="photo")


def test_a_photo_one_byte_over_5_mb_is_refused(world: World, client: FlaskClient) -> None:
    limit = world.settings.report_max_photo_bytes
    photo = png()
    padded = photo + b"\x00" * (limit + 1 - len(photo))  # bytes after IEND: still "a PNG"
    assert_problem(post_form(client, padded), 413, "photo-too-large", field="photo")
    json_resp = client.post("/v1/reports", json={"where_bought": "x",
                                                 "photo": base64.b64encode(padded).decode()})
    assert_problem(json_resp, 413, "photo-too-large", field="photo")


def test_a_body_over_the_apps_limit_names_the_photo(world: World, client: FlaskClient) -> None:
    huge = png() + b"\x00" * world.settings.max_request_bytes
    assert_problem(post_form(client, huge), 413, "photo-too-large", field="photo")


@pytest.mark.parametrize(("body", "content_type", "status", "code", "field"), [
    (b"where_bought=x", "text/plain", 415, "unsupported-media-type", None),
    (b"[1, 2]", "application/json", 400, "malformed-json", None),
    (b'{"where_bought": "x", "photo": "***"}', "application/json", 422, "not-base64", "photo"),
    (b'{"where_bought": "x", "photo": 12}', "application/json", 422, "not-base64", "photo"),
    (b'{"where_bought": "x", "gtin": "06900000000015"}', "application/json", 422, "bad-gtin", "gtin"),
    (b'{"where_bought": "x", "uri": "https://x/01/123"}', "application/json", 422, "bad-uri", "uri"),
    (b'{"where_bought": "x", "shop_rating": 1}', "application/json", 422, "unknown-field",
     "shop_rating"),
], ids=["plain-text", "json-array", "bad-base64", "photo-number", "check-digit", "bad-uri",
        "unknown-field"])
def test_bad_submissions_are_problems(client: FlaskClient, body: bytes, content_type: str,
                                      status: int, code: str, field: str | None) -> None:
    resp = client.post("/v1/reports", data=body, content_type=content_type)
    assert_problem(resp, status, code, field=field)


def test_the_sixth_report_in_an_hour_is_refused_but_not_another_senders(world: World,
                                                                          client: FlaskClient) -> None:
    for _ in range(world.settings.report_max_per_hour):
        created(post_form(client))
    resp = post_form(client)
    assert_problem(resp, 429, "rate-limited")
    assert 3500 < int(resp.headers["Retry-After"]) <= 3600
    other = world.client()
    other.environ_base["REMOTE_ADDR"] = next(_addresses)
    created(post_form(other))


def test_an_over_limit_senders_photo_is_never_decoded(world: World, client: FlaskClient,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(world.settings.report_max_per_hour):
        created(post_form(client))

    def decode(*args: Any) -> str:
        pytest.fail("the photo of a sender past its limit was decoded")
    monkeypatch.setattr(reports, "check_photo", decode)
    assert_problem(post_form(client, png((4000, 4000))), 429, "rate-limited")


def test_a_huge_photo_is_refused_from_its_header_without_decoding(client: FlaskClient,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")  # 100 M pixels in a few kB
    assert len(buffer.getvalue()) < 200_000

    def load(*args: Any) -> None:
        pytest.fail("a photo over the pixel limit was decoded")
    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "verify", load)
    resp = post_form(client, buffer.getvalue())
    assert_problem(resp, 422, "photo-too-many-pixels", field="photo")


def test_past_the_decodes_a_process_runs_at_once_a_photo_waits_503(client: FlaskClient) -> None:
    slots = [photo._decoding.acquire(blocking=False) for _ in range(photo.MAX_DECODES)]
    try:
        assert all(slots)
        resp = post_form(client, png())
        assert_problem(resp, 503, "photo-busy", field="photo")
        assert resp.headers["Retry-After"] == "1"
    finally:
        for _ in slots:
            photo._decoding.release()
    created(post_form(client, png()))


def test_behind_a_proxy_the_forwarded_address_is_the_sender(world: World) -> None:
    with serving(replace(world.settings, proxy_hops=1, report_max_per_hour=1)) as app:
        proxy = app.test_client()
        proxy.environ_base["REMOTE_ADDR"] = "10.0.0.1"
        first = {"X-Forwarded-For": next(_addresses)}
        created(proxy.post("/v1/reports", json={"where_bought": "x"}, headers=first))
        assert proxy.post("/v1/reports", json={"where_bought": "x"}, headers=first).status_code == 429
        created(proxy.post("/v1/reports", json={"where_bought": "x"},
                           headers={"X-Forwarded-For": next(_addresses)}))


# -- the queue -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/v1/reports", "/v1/reports/any", "/v1/reports/any/photo"])
def test_the_queue_needs_a_token(world: World, path: str) -> None:
    assert_problem(world.client().get(path), 401, "unauthenticated")


@pytest.mark.parametrize("who", ["producer", "retailer", "mill"])
def test_only_regulators_read_the_queue(world: World, client: FlaskClient, who: str) -> None:
    report_id = created(post_form(client, png()))
    actor = getattr(world, who)
    for path in ("/v1/reports", f"/v1/reports/{report_id}", f"/v1/reports/{report_id}/photo"):
        assert_problem(world.get(path, actor), 403, "not-a-regulator")
    resp = world.client().patch(f"/v1/reports/{report_id}", json={"status": "closed"},
                                headers=world.headers(actor))
    assert_problem(resp, 403, "not-a-regulator")
    assert read(world, report_id)["status"] == "new"


def test_a_regulator_takes_up_and_closes_a_report(world: World, client: FlaskClient) -> None:
    report_id = created(post_form(client))
    headers = world.headers(world.regulator)
    resp = world.client().patch(f"/v1/reports/{report_id}", headers=headers,
                                json={"status": "investigating", "note": "inspector sent to stall 12"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert (body["status"], body["handled_by"], body["note"]) == ("investigating", "cnipa",
                                                                  "inspector sent to stall 12")
    statuses = {status: [r["id"] for r in world.get(f"/v1/reports?status={status}&limit=500",
                                                    world.regulator).get_json()["items"]]
                for status in ("new", "investigating", "closed")}
    assert report_id in statuses["investigating"]
    assert report_id not in statuses["new"] + statuses["closed"]
    world.client().patch(f"/v1/reports/{report_id}", headers=headers, json={"status": "closed"})
    assert read(world, report_id)["status"] == "closed"


def test_the_queue_is_newest_first_with_a_cursor(world: World, client: FlaskClient) -> None:
    mine = [created(post_form(client)) for _ in range(3)]  # ids break ties within a second
    page = world.get("/v1/reports?limit=2", world.regulator).get_json()
    assert page["next"]
    following = world.get(f"/v1/reports?limit=500&after={page['next']}", world.regulator).get_json()
    everything = [r["id"] for r in page["items"] + following["items"]]
    assert len(everything) == len(set(everything))
    assert set(mine) <= set(everything)
    created_ts = [r["created"] for r in page["items"] + following["items"]]
    assert created_ts == sorted(created_ts, reverse=True)
    assert all("photo" not in r for r in page["items"])


@pytest.mark.parametrize(("path", "body", "status", "code", "field"), [
    ("/v1/reports?status=done", None, 422, "bad-argument", "status"),
    ("/v1/reports?after=nonsense", None, 422, "bad-cursor", "after"),
    ("/v1/reports/no-such-report", None, 404, "not-found", None),
    ("/v1/reports/no-such-report/photo", None, 404, "not-found", None),
    ("/v1/reports/no-such-report", {"status": "closed"}, 404, "not-found", None),
    ("/v1/reports/x", {"status": "new"}, 422, "bad-argument", "status"),
    ("/v1/reports/x", {"status": "closed", "note": "n" * 2001}, 422, "bad-argument", "note"),
], ids=["bad-status", "bad-cursor", "unknown", "unknown-photo", "patch-unknown", "patch-new",
        "patch-long-note"])
def test_queue_errors(world: World, path: str, body: dict[str, Any] | None, status: int, code: str,
                      field: str | None) -> None:
    headers = world.headers(world.regulator)
    client = world.client()
    resp = client.get(path, headers=headers) if body is None else client.patch(path, json=body,
                                                                                 headers=headers)
    assert_problem(resp, status, code, field=field)


def test_a_report_without_a_photo_has_none_to_serve(world: World, client: FlaskClient) -> None:
    report_id = created(post_form(client))
    assert_problem(world.get(f"/v1/reports/{report_id}/photo", world.regulator), 404, "not-found")
