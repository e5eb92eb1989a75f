"""The pages a browser finds around the scan in Chromium, under their Content Security Policy: the
landing page, a problem page, and the API viewer, which must draw the API's operations from this
service's own files with no request to any other host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request

from tests.browser.conftest import PHONE, Site, checked_context, screenshot, watch_csp

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.mark.parametrize(("locale", "title"), [("zh-CN", "地理标志产品溯源账本"),
                                               ("en-GB", "The GI product trace ledger")])
def test_the_landing_page_leads_to_the_other_pages(browser: Browser, site: Site, locale: str,
                                                   title: str) -> None:
    with checked_context(browser, **PHONE, locale=locale) as context:
        page = context.new_page()
        page.goto(site.base + "/")
        assert page.inner_text("h1") == title
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, f"landing-{locale[:2]}-390")
        page.click("#work a[href$='/desk']")
        page.wait_for_selector("#signin")
        assert page.url == site.base + "/desk"


def test_a_mistyped_address_is_a_page_with_the_way_home(page: Page, site: Site) -> None:
    response = page.goto(site.base + "/dashbord")
    assert response is not None and response.status == 404
    assert page.inner_text("h1") == "Page not found"
    screenshot(page, "not-found-en-390")
    page.click("a[data-home]")
    assert page.url == site.base + "/"


def test_the_api_viewer_shows_the_operations_from_this_service_alone(browser: Browser, site: Site) -> None:
    requests: list[Request] = []
    with checked_context(browser, **DESKTOP) as context:
        context.on("request", lambda request: requests.append(request))
        page = context.new_page()
        page.goto(site.base + "/v1/docs")
        page.wait_for_selector(".opblock-summary-path")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/v1/statements" in paths and "/v1/log/checkpoint" in paths
        assert page.locator(".opblock").count() >= 20
        screenshot(page, "api-docs-1280")
    base = urlsplit(site.base).netloc
    assert {urlsplit(r.url).netloc for r in requests if not r.url.startswith("data:")} == {base}


def test_a_script_the_policy_refuses_is_seen(browser: Browser, site: Site) -> None:
    """The watch every browser test relies on: an injected inline script is refused, and seen."""
    context = browser.new_context(**PHONE)
    try:
        violations = watch_csp(context)
        page = context.new_page()
        page.goto(site.base + "/")
        with page.expect_console_message(lambda message: "CSP violation" in message.text):
            page.evaluate("""() => document.body.append(Object.assign(document.createElement("script"),
                                                                   {textContent: "window.ran = true"}))""")
        assert page.evaluate("window.ran") is None
        assert any("script-src" in v for v in violations)
    finally:
        context.close()
