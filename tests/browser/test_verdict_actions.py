"""What a person can do from the verdict page: report a suspected counterfeit, share a coarse place.

Both go to the real endpoints (`POST /v1/reports`, `POST /v1/scans/<token>/place`) of a live
server; a module of its own, so its reports do not share a rate limit with other tests.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Request
from sqlalchemy import Row, create_engine, select

from gi_trace.labels.tables import reports
from tests.browser.conftest import PHONE, Site, checked_context, screenshot


def stored_report(site: Site, report_id: str) -> Row[Any]:
    engine = create_engine(site.settings.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(reports).where(reports.c.id == report_id)).one()
    finally:
        engine.dispose()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def photo(name: str, mime: str, data: bytes) -> dict[str, object]:
    return {"name": name, "mimeType": mime, "buffer": data}


def test_a_report_is_sent_with_the_scanned_code(page: Page, site: Site) -> None:
    label = site.labels.on_shelf[0]
    page.goto(site.url(label))
    page.fill("#report-where", "Night market stall, Harbin")
    page.fill("#report-details", "The bag's print is blurred.")
    page.set_input_files("#report-photo", photo("bag.png", "image/png", png()))
    with page.expect_response("**/v1/reports") as answer:
        page.click("#report-form button[type=submit]")
    assert answer.value.status == 201
    sent = page.locator("#report-sent")
    sent.wait_for()
    assert sent.inner_text() == f"Report sent, number {answer.value.json()['id']}. Thank you!"
    assert page.is_hidden("#report-form")
    report = stored_report(site, answer.value.json()["id"])
    assert (report.serial, report.lot, report.gtin, report.uri) == (
        label.serial, label.lot, label.gtin, label.uri(site.settings.base_url))
    assert (report.where_bought, report.photo_type) == ("Night market stall, Harbin", "image/png")
    screenshot(page, "report-sent-en-390")


def test_a_refused_photo_is_explained_next_to_it(page: Page, site: Site) -> None:
    page.goto(site.url(site.labels.on_shelf[1], lang="zh"))
    page.fill("#report-where", "哈尔滨某夜市")
    page.set_input_files("#report-photo", photo("bag.png", "image/png", b"not an image at all"))
    with page.expect_response("**/v1/reports") as answer:
        page.click("#report-form button[type=submit]")
    assert answer.value.status >= 400 and answer.value.json()["field"] == "photo"
    error = page.locator("[data-error-for='photo']")
    error.wait_for()
    assert error.inner_text().startswith("请检查此项（")
    assert page.get_attribute("#report-photo", "aria-invalid") == "true"
    assert page.is_visible("#report-form") and page.is_hidden("#report-sent")


def test_a_photo_over_5_mb_is_refused_before_anything_is_sent(page: Page, site: Site) -> None:
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if "/v1/reports" in request.url else None)
    page.goto(site.url(site.labels.on_shelf[2]))
    page.fill("#report-where", "A corner shop")
    page.set_input_files("#report-photo", photo("big.png", "image/png", png() + bytes(5 * 1024 * 1024)))
    page.click("#report-form button[type=submit]")
    error = page.locator("[data-error-for='photo']")
    error.wait_for()
    assert error.inner_text() == "The photo must be at most 5 MB."
    assert sent == []


def test_where_it_was_bought_is_required(page: Page, site: Site) -> None:
    page.goto(site.url(site.labels.on_shelf[3]))
    page.click("#report-form button[type=submit]")
    assert page.evaluate("document.getElementById('report-where').validity.valueMissing")
    assert page.is_hidden("#report-sent")


@pytest.fixture
def located(browser: Browser) -> Iterator[BrowserContext]:
    """A phone in Wuchang whose owner lets the page read its location."""
    with checked_context(browser, **PHONE, locale="en-GB", permissions=["geolocation"],
                         geolocation={"latitude": 44.9187, "longitude": 127.1672}) as context:
        yield context


def test_only_a_coarse_place_is_shared_and_only_on_request(located: BrowserContext, site: Site) -> None:
    page = located.new_page()
    places: list[Request] = []
    page.on("request", lambda request: places.append(request) if "/place" in request.url else None)
    page.goto(site.url(site.labels.on_shelf[4]))
    assert places == []  # nothing leaves the phone until the button is pressed
    with page.expect_response("**/v1/scans/*/place") as answer:
        page.click("#place button")
    assert answer.value.ok
    assert answer.value.request.post_data_json == {"lat": 44.9, "lon": 127.2}
    status = page.locator("#place .status")
    status.wait_for()
    assert status.inner_text() == "Thank you: your approximate location was shared."
    assert page.is_disabled("#place button")


def test_a_refused_location_shares_nothing(page: Page, site: Site) -> None:
    page.goto(site.url(site.labels.on_shelf[5]))  # the default context grants no location
    page.click("#place button")
    status = page.locator("#place .status")
    status.wait_for()
    assert status.inner_text() == "Location not shared."
    assert page.is_enabled("#place button")
