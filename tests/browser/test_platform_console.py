"""The platform's console (/platform/) and the dashboard's notices panel in Chromium.

Demo Mall signs in with its key file, finds the notice the Wuchang rice association sent it
(its evidence shown: the platform reads it), and answers "removed": the log then holds a
notice.answer signed by Demo Mall, checked with its public key by `cryptography` and
`rfc8785`, not the page's own code. On the dashboard, the notices panel shows each platform's
median time to response as the server computes it. Screenshots at desktop and phone size.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from gi_trace.cli.demo_protection import ASSOCIATION, PLATFORM
from gi_trace.domain.disclosure_policy import draft
from gi_trace.ledger import keys
from gi_trace.ledger.statement import format_ts
from gi_trace.service import Service
from tests.browser.conftest import PHONE, demo_instance, screenshot
from tests.browser.test_console import (
    DESKTOP,
    REGULATOR,
    logged_statement,
    receipt_seq,
    sign_in,
    strict_page,
    verify_independently,
)
from tests.live_server import live_server

UNITS = {"en": "(d|h|min|s)", "zh": "(天|小时|分|秒)"}  # a duration's two largest units
NOTICE = "notice-browser-1"
DISPUTED = "notice-browser-2"  # for a dispute the page refuses to sign without a reason
REPORT = "report-browser-1"


@dataclass(frozen=True)
class Site:
    base: str
    keys_dir: Path

    def platform_key(self) -> Path:
        return self.keys_dir / f"{PLATFORM.org}.pem"

    def get(self, path: str) -> dict[str, object]:
        with urllib.request.urlopen(self.base + path) as response:
            found: dict[str, object] = json.load(response)
            return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo (Demo Mall already removed one listing), and two more notices to Demo Mall from
    the association, sent a minute ago and open."""
    root = tmp_path_factory.mktemp("platform")
    keys_dir = root / "keys"

    def send(service: Service) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        key = keys.load_private_key(keys_dir / f"{ASSOCIATION.org}.pem")
        service.log.append([draft(
            "notice.send", ASSOCIATION.org, key,
            {"notice": notice, "platform": PLATFORM.org, "url": f"https://mall.example/item/{n}",
             "reason": "codes-copied", "evidence": {"reports": [REPORT]},
             "deadline": format_ts(now + timedelta(days=2))}, ts=now - timedelta(seconds=60))
            for n, notice in enumerate((NOTICE, DISPUTED))])

    settings = demo_instance(root, then=send)
    with live_server(settings) as base:
        yield Site(base, keys_dir)


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    with strict_page(browser, **DESKTOP, locale="en-GB") as page:
        yield page


def open_notice(page: Page, site: Site, notice: str = NOTICE) -> None:
    sign_in(page, f"{site.base}/platform/", site.platform_key())
    page.click(f"#notices button[data-notice='{notice}']")
    page.wait_for_selector(f"#notice[data-notice='{notice}']")


def test_the_platform_removes_a_listing_signed_in_the_browser(desktop: Page, site: Site) -> None:
    page = desktop
    open_notice(page, site)
    assert PLATFORM.org in page.inner_text("#who")
    assert page.inner_text("#notice [data-fact=sender]") == ASSOCIATION.org
    assert page.inner_text("#notice [data-fact=reason]") == "label codes copied"
    assert REPORT in page.inner_text("#notice [data-fact=evidence]")  # the platform reads it
    screenshot(page, "platform-notice-en-1280")

    page.click("#answer-removed")
    seq = receipt_seq(page, "#answer")
    assert page.inner_text("#answer output") == f"Signed and recorded as ledger entry #{seq}."
    assert page.get_attribute("#notice", "data-status") == "removed"
    assert page.is_disabled("#answer-disputed")  # a removed notice is settled
    screenshot(page, "platform-removed-en-1280")

    statement = verify_independently(logged_statement(site.base, seq), site.platform_key())
    assert (statement["v"], statement["type"], statement["actor"]) == (2, "notice.answer", PLATFORM.org)
    assert statement["body"] == {"notice": NOTICE, "status": "removed"}  # nothing confidential
    read = site.get(f"/v1/notices/{NOTICE}")
    assert (read["status"], read["answer_seq"]) == ("removed", seq)
    assert "evidence" not in read  # the public does not read it


def test_a_dispute_needs_its_reason_before_anything_is_signed(desktop: Page, site: Site) -> None:
    page = desktop
    open_notice(page, site, DISPUTED)
    page.click("#answer-disputed")
    page.wait_for_selector("#answer output[data-state=error]")
    assert page.inner_text("#answer output") == "Give the reason for the dispute."
    read = site.get(f"/v1/notices/{DISPUTED}")
    assert (read["status"], read["answer_seq"]) == ("open", None)


def test_the_console_on_a_phone_in_chinese(browser: Browser, site: Site) -> None:
    with strict_page(browser, **PHONE, locale="zh-CN") as page:
        open_notice(page, site)
        assert page.inner_text("h1") == "平台下架通知"
        assert page.inner_text("#notice [data-fact=reason]") == "标识码被复制"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways page
        screenshot(page, "platform-notice-zh-390")


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_dashboard_shows_each_platforms_response_time(browser: Browser, site: Site,
                                                          locale: str) -> None:
    (mall,) = [p for p in site.get("/v1/platform-notices")["items"]  # type: ignore[union-attr]
               if p["platform"] == PLATFORM.org]
    assert mall["median_response_seconds"] is not None  # the demo's notice was answered
    with strict_page(browser, **DESKTOP, locale=locale) as page:
        sign_in(page, f"{site.base}/dashboard", site.keys_dir / f"{REGULATOR}.pem")
        page.wait_for_selector("body[data-loaded=true]")
        row = f"#notices-platforms tr[data-platform='{PLATFORM.org}']"
        cells = page.locator(f"{row} td").all_inner_texts()
        assert cells[1:4] == [str(mall["notices"]), str(mall["open"]), str(mall["overdue"])]
        median = page.locator(f"{row} td[data-seconds]")
        assert median.get_attribute("data-seconds") == str(mall["median_response_seconds"])
        units = UNITS[locale[:2]]
        assert re.fullmatch(rf"\d+ {units}( \d+ {units})?", median.inner_text()), median.inner_text()
        page.locator("#notices").scroll_into_view_if_needed()
        screenshot(page, f"dashboard-notices-{locale[:2]}-1280")
