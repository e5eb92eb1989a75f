"""Counterfeit reports without HTTP: what a report may hold, the photo check, the sender's hash,
the hourly limit (on SQLite and PostgreSQL), the batch a report points to, and the queue."""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from gi_trace.labels import report_queue, reports
from gi_trace.labels.photo import MAX_PIXELS, PhotoTooLarge, check_photo
from gi_trace.labels.reports import NewReport, RateLimited, client_id, new_report, submit
from gi_trace.ledger.errors import MalformedError
from gi_trace.service import Service
from tests.domain.world import GTINS, PADDY, World, issue, serials, split
from tests.support import Actor

MB5 = 5 * 1024 * 1024
NOW = 1_800_000_000
GTIN = GTINS[PADDY][0]


def image(fmt: str, size: tuple[int, int] = (16, 12), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 1).save(buffer, fmt)
    return buffer.getvalue()


def report(**fields: object) -> NewReport:
    return new_report({"where_bought": "a market stall in Harbin", **fields}, None,
                      max_photo_bytes=MB5)


# -- the fields ------------------------------------------------------------------------------
def test_a_report_keeps_what_it_was_given() -> None:
    got = new_report({"where_bought": "  Harbin market  ", "details": "label smudged",
                      "contact": "138 0000 0000"}, None, max_photo_bytes=MB5)
    assert (got.where_bought, got.details, got.contact) == ("Harbin market", "label smudged",
                                                            "138 0000 0000")
    assert got.photo is None and got.gtin is None


def test_the_code_comes_from_the_scanned_uri() -> None:
    got = report(uri=f"https://gi.example/01/{GTIN}/10/LA-1/21/SER1?s=abc")
    assert (got.gtin, got.lot, got.serial) == (GTIN, "LA-1", "SER1")


def test_a_short_gtin_is_kept_as_gtin_14() -> None:
    assert report(gtin="9780345418913").gtin == "09780345418913"


@pytest.mark.parametrize(("fields", "field", "code"), [
    ({"where_bought": None}, "where_bought", "missing-field"),
    ({"where_bought": "   "}, "where_bought", "missing-field"),
    ({"where_bought": "x" * 501}, "where_bought", "too-long"),
    ({"details": "x" * 2001}, "details", "too-long"),
    ({"contact": "x" * 201}, "contact", "too-long"),
    ({"details": 42}, "details", "bad-field"),
    ({"details": "a\x00b"}, "details", "bad-text"),
    ({"contact": "\ud800"}, "contact", "bad-text"),
    ({"gtin": GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10)}, "gtin", "bad-gtin"),
    ({"gtin": "12345"}, "gtin", "bad-gtin"),
    ({"lot": "lot with spaces"}, "lot", "bad-lot"),
    ({"serial": "X" * 21}, "serial", "bad-serial"),
    ({"uri": "https://gi.example/products/rice"}, "uri", "bad-uri"),
    ({"uri": "https://gi.example/00/123456789012345675"}, "uri", "bad-uri"),
    ({"uri": f"https://gi.example/01/{GTIN}/10/LA-1", "lot": "LA-2"}, "lot", "uri-mismatch"),
    ({"price": "10"}, "price", "unknown-field"),
], ids=["where-missing", "where-blank", "where-long", "details-long", "contact-long",
        "details-number", "nul", "lone-surrogate", "check-digit", "gtin-short", "lot-charset",
        "serial-long", "uri-no-key", "uri-sscc", "uri-disagrees", "unknown"])
def test_bad_fields_are_refused_by_name(fields: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(MalformedError) as caught:
        report(**fields)
    assert (caught.value.field, caught.value.code) == (field, code)


# -- the photo -------------------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"),
                                                 ("WEBP", "image/webp")])
def test_a_real_image_is_accepted_with_the_type_found(fmt: str, media_type: str) -> None:
    assert check_photo(image(fmt), MB5) == media_type


def test_the_photo_type_is_what_the_bytes_are_not_what_they_claim() -> None:
    got = new_report({"where_bought": "shop"}, image("JPEG"), max_photo_bytes=MB5)
    assert got.photo_type == "image/jpeg"


@pytest.mark.parametrize("data", [
    b"this is a text file renamed photo.jpg\n",
    b"",
    image("PNG")[:40],
    b"\xff\xd8\xff\xe0" + b"\x00" * 64,
    image("GIF"),
    image("BMP"),
], ids=["text", "empty", "truncated-png", "jpeg-magic-only", "gif", "bmp"])
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(data: bytes) -> None:
    with pytest.raises(MalformedError) as caught:
        check_photo(data, MB5)
    assert (caught.value.field, caught.value.code) == ("photo", "not-an-image")


def test_a_photo_one_byte_over_the_limit_is_refused() -> None:
    small = image("PNG")
    assert check_photo(small, len(small)) == "image/png"
    with pytest.raises(PhotoTooLarge) as caught:
        check_photo(small, len(small) - 1)
    assert caught.value.field == "photo"


def test_a_decompression_bomb_is_refused() -> None:
    side = int(MAX_PIXELS ** 0.5) + 10
    bomb = image("PNG", (side, side), mode="1")  # a few kB of bytes, 50 M pixels
    assert len(bomb) < 100_000
    with pytest.raises(MalformedError, match="pixels"):
        check_photo(bomb, MB5)


# -- the sender ------------------------------------------------------------------------------
def test_a_sender_is_a_keyed_hash_of_its_address() -> None:
    one = client_id(b"k" * 32, "203.0.113.7")
    assert len(one) == 64 and int(one, 16) >= 0
    assert one == client_id(b"k" * 32, "203.0.113.7")
    assert one != client_id(b"k" * 32, "203.0.113.8")
    assert one != client_id(b"j" * 32, "203.0.113.7")
    assert "203.0.113.7" not in one


# -- submitting, on SQLite and PostgreSQL ----------------------------------------------------
@pytest.fixture
def world(any_service: Service, regulator: Actor) -> World:
    """The domain world on `any_service`, with two labels of A-1 (lot LA-1) and B-1 (LB-1)
    split in two, so the lot LB-1 names three batches of one producer."""
    world = World(regulator=regulator)
    any_service.log.append(world.setup())
    any_service.log.append([issue(world.coop_a, "A-1", 2),
                            split(world.coop_b, "B-1", [("B-1a", "50"), ("B-1b", "150")])])
    return world


Submit = Callable[..., str]


@pytest.fixture
def send(any_service: Service) -> Submit:
    def send(client: str = "c" * 64, now: int = NOW, limit: int = 5, **fields: object) -> str:
        return submit(any_service.engine, report(**fields), client, limit=limit, now=now)
    return send


def test_the_hourly_limit_is_per_sender_and_says_when_to_retry(any_service: Service, send: Submit) -> None:
    for i in range(5):
        send(now=NOW + i * 60)
    with pytest.raises(RateLimited) as caught:
        send(now=NOW + 600)
    assert caught.value.retry_after == 3600 - 600
    send(client="d" * 64, now=NOW + 600)  # another sender is not held back
    with pytest.raises(RateLimited):
        send(now=NOW + 3599)
    send(now=NOW + 3600)  # the first report has left the window
    with any_service.engine.connect() as conn:
        assert len(report_queue.list_reports(conn, limit=50).items) == 7


def test_a_report_points_to_the_labels_batch(any_service: Service, world: World, send: Submit) -> None:
    serial = serials("A-1", 2)[0]
    with_serial = send(uri=f"https://gi.example/01/{GTIN}/10/LA-1/21/{serial}")
    by_lot = send(gtin=GTIN, lot="LB-1")
    unknown = send(gtin=GTIN, lot="NO-SUCH-LOT", serial="UNKNOWN1")
    with any_service.engine.connect() as conn:
        batches = [report_queue.get_report(conn, i).batch  # type: ignore[union-attr]
                   for i in (with_serial, by_lot, unknown)]
    assert batches == ["A-1", "B-1", None]


# -- the queue -------------------------------------------------------------------------------
def test_the_queue_is_newest_first_by_status_and_pages(any_service: Service, send: Submit) -> None:
    ids = [send(client=f"{i:064x}", now=NOW + i) for i in range(5)]
    report_queue.set_status(any_service.engine, ids[1], "investigating", handled_by="cnipa",
                            now=NOW + 100, note="sent an inspector")
    with any_service.engine.connect() as conn:
        first = report_queue.list_reports(conn, limit=2)
        second = report_queue.list_reports(conn, limit=2, after=first.next)
        rest = report_queue.list_reports(conn, limit=2, after=second.next)
        assert [r.id for r in first.items + second.items + rest.items] == ids[::-1]
        assert rest.next is None
        assert [r.id for r in report_queue.list_reports(conn, limit=9, status="new").items] == \
            [ids[4], ids[3], ids[2], ids[0]]
        taken = report_queue.list_reports(conn, limit=9, status="investigating").items
    assert [(r.id, r.handled_by, r.note, r.updated) for r in taken] == [
        (ids[1], "cnipa", "sent an inspector", "2027-01-15T08:01:40Z")]


def test_closing_keeps_the_note_unless_a_new_one_is_given(any_service: Service, send: Submit) -> None:
    one = send()
    report_queue.set_status(any_service.engine, one, "investigating", handled_by="cnipa", now=NOW,
                            note="first look")
    closed = report_queue.set_status(any_service.engine, one, "closed", handled_by="samr", now=NOW)
    assert closed is not None
    assert (closed.status, closed.handled_by, closed.note) == ("closed", "samr", "first look")
    assert report_queue.set_status(any_service.engine, "no-such-report", "closed", handled_by="x",
                                   now=NOW) is None


@pytest.mark.parametrize("status", ["new", "done", ""])
def test_a_regulator_sets_only_investigating_or_closed(any_service: Service, send: Submit,
                                                       status: str) -> None:
    with pytest.raises(MalformedError) as caught:
        report_queue.set_status(any_service.engine, send(), status, handled_by="cnipa", now=NOW)
    assert caught.value.field == "status"


def test_a_bad_cursor_is_refused(service: Service) -> None:
    with service.engine.connect() as conn, pytest.raises(MalformedError) as caught:
        report_queue.list_reports(conn, limit=5, after="yesterday")
    assert caught.value.field == "after"


def test_statuses_are_the_tables() -> None:
    assert set(report_queue.HANDLED) < set(reports.STATUSES)


def test_concurrent_reports_from_one_sender_never_pass_the_limit(any_service: Service) -> None:
    """Ten at once (as from several workers): the count and the insert are one locked step."""
    def one(_: int) -> bool:
        try:
            submit(any_service.engine, report(), "e" * 64, limit=5, now=NOW)
        except RateLimited:
            return False
        return True

    with ThreadPoolExecutor(max_workers=10) as pool:
        accepted = list(pool.map(one, range(10)))
    assert accepted.count(True) == 5
