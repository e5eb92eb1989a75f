"""The reporter's way back, in Chromium: a report sent from the verdict page shows its receipt
code once; typed on /reports/status, the code shows the report's status. A module of its own,
so its reports and wrong codes share no rate limit with other tests."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import Site, screenshot


def test_the_receipt_code_typed_shows_the_status(page: Page, site: Site) -> None:
    page.goto(site.url(site.labels.on_shelf[0], lang="en"))
    page.fill("#report-where", "An online shop")
    with page.expect_response("**/v1/reports") as answer:
        page.click("#report-form button[type=submit]")
    code = answer.value.json()["receipt"]
    page.locator("#report-receipt").wait_for()
    assert page.inner_text("#report-receipt") == code
    screenshot(page, "report-receipt-en-390")
    page.click("#report-done a")
    page.wait_for_url("**/reports/status")
    page.fill("#code", code.lower().replace("-", " "))  # as a person might type it
    page.click("#receipt-form button[type=submit]")
    status = page.locator("#receipt-status")
    status.wait_for()
    assert status.get_attribute("data-state") == "received"
    assert "Received, awaiting a case" in status.inner_text()
    assert code.lower() not in page.url and code not in page.url
    screenshot(page, "report-status-received-en-390")


def test_a_wrong_code_says_so(page: Page, site: Site) -> None:
    page.goto(f"{site.base}/reports/status?lang=en")
    page.fill("#code", "B" * 32)
    page.click("#receipt-form button[type=submit]")
    assert page.inner_text("#receipt-error") == "No report has this receipt code."
