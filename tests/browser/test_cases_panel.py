"""Cases across regions on the regulators' dashboards, in Chromium: Beijing's regulator (the
demo's cnipa) transfers a case to Heilongjiang's, who accepts it on its own dashboard and closes
it published; both dashboards show it, the public typical cases page shows it (en and zh), and
the transfer's reason was sealed in the browser (the log holds its digest, the server the
disclosure). Screenshots in test-artifacts/browser/."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import create_engine

from gi_trace.cli.demo_chain import RICE
from gi_trace.domain.disclosure_policy import draft
from gi_trace.ledger import keys
from gi_trace.ledger.sidecar import read_sidecars
from gi_trace.service import Service
from gi_trace.settings import Settings
from tests.browser.conftest import checked_context, demo_instance, screenshot
from tests.live_server import live_server

BEIJING, HEILONGJIANG = "cnipa", "hlj-amr"
CASE = "bj-case-001"
REASON = "The seller's warehouse is in Wuchang"
PUBLIC_SUMMARY = "An online shop sold fake Wuchang rice bags; the listing was taken down."
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}


@dataclass(frozen=True)
class Demo:
    base: str
    keys_dir: Path
    settings: Settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo season, a Heilongjiang regulator, and a case Beijing opened."""
    root = tmp_path_factory.mktemp("cases")
    keys_dir = root / "keys"
    hlj = keys.generate()

    def add_case(service: Service) -> None:
        keys.save_private_key(hlj, keys_dir / f"{HEILONGJIANG}.pem")
        cnipa = keys.load_private_key(keys_dir / f"{BEIJING}.pem")
        service.log.append([
            draft("org.register", BEIJING, cnipa, {
                "org": HEILONGJIANG, "name": {"zh": "黑龙江省市场监督管理局",
                                              "en": "Heilongjiang Market Regulation"},
                "roles": ["regulator"], "keys": [keys.public_key_b64(hlj)], "region": "230000"}),
            draft("case.open", BEIJING, cnipa, {
                "case": CASE, "product": RICE, "summary": "a shopper's report: fake bags online",
                "sources": {"reports": ["demo-report-1"]}}),
        ])

    settings = demo_instance(root, then=add_case)
    with live_server(settings) as base:
        yield Demo(base, keys_dir, settings)


@pytest.fixture
def dashboard(browser: Browser, demo: Demo) -> Iterator[Any]:
    """Open a dashboard signed in as an org, on a desktop of its own (a browser context each: the
    key is kept per origin in IndexedDB), failing on script errors or CSP violations."""
    with ExitStack() as stack:
        def open_as(org: str) -> Page:
            context = stack.enter_context(checked_context(browser, **DESKTOP, locale="en-GB"))
            page = context.new_page()
            page.on("pageerror", lambda error: pytest.fail(f"script error on the page: {error}"))
            page.goto(f"{demo.base}/dashboard")
            page.set_input_files("#keyfile", str(demo.keys_dir / f"{org}.pem"))
            page.click("#signin button[type=submit]")
            page.wait_for_selector("body[data-loaded=true]")
            return page
        yield open_as


def signed(page: Page, previous: str | None = None) -> int:
    """The seq of the step the panel just signed (its output changed from `previous`)."""
    output = page.locator("#cases > output")
    page.wait_for_function("""(previous) => {
      const o = document.querySelector("#cases > output");
      return o.dataset.seq && o.dataset.seq !== previous;
    }""", arg=previous)
    assert output.get_attribute("data-state") == "ok"
    return int(output.get_attribute("data-seq") or "")


def test_a_case_is_transferred_accepted_and_published(dashboard: Any, demo: Demo,
                                                      browser: Browser) -> None:
    beijing = dashboard(BEIJING)
    held = f"#cases-held li[data-case='{CASE}']"
    beijing.wait_for_selector(held)
    beijing.select_option(f"{held} form[data-step=transfer] select[name=to]", HEILONGJIANG)
    beijing.fill(f"{held} form[data-step=transfer] input[name=reason]", REASON)
    beijing.click(f"{held} form[data-step=transfer] button")
    transfer_seq = signed(beijing)
    beijing.wait_for_selector(f"#cases-outgoing li[data-case='{CASE}']")
    assert beijing.locator(f"#cases-held li[data-case='{CASE}']").count() == 0
    screenshot(beijing, "cases-beijing-transferred-en-1280")

    heilongjiang = dashboard(HEILONGJIANG)
    incoming = f"#cases-incoming li[data-case='{CASE}']"
    heilongjiang.wait_for_selector(incoming)
    assert "Heilongjiang Market Regulation" in heilongjiang.inner_text(incoming)
    screenshot(heilongjiang, "cases-heilongjiang-incoming-en-1280")
    heilongjiang.click(f"{incoming} form[data-step=accept] button")
    accept_seq = signed(heilongjiang)
    held_there = f"#cases-held li[data-case='{CASE}']"
    heilongjiang.wait_for_selector(f"{held_there} form[data-step=close]")
    heilongjiang.select_option(f"{held_there} select[name=outcome]", "confirmed")
    heilongjiang.check(f"{held_there} input[name=publish]")
    heilongjiang.fill(f"{held_there} textarea[name=summary]", PUBLIC_SUMMARY)
    heilongjiang.click(f"{held_there} form[data-step=close] button")
    close_seq = signed(heilongjiang, str(accept_seq))
    closed = f"#cases-closed li[data-case='{CASE}']"
    heilongjiang.wait_for_selector(closed)
    assert "published" in heilongjiang.inner_text(closed)
    screenshot(heilongjiang, "cases-heilongjiang-closed-en-1280")
    assert transfer_seq < accept_seq < close_seq

    beijing.reload()  # Beijing's dashboard shows it closed too
    beijing.wait_for_selector(f"#cases-closed li[data-case='{CASE}']")

    # The transfer's reason was sealed in the browser: a digest on the log, the value beside it.
    with urllib.request.urlopen(f"{demo.base}/v1/log/entries?start={transfer_seq}"
                                f"&end={transfer_seq + 1}") as response:
        (entry,) = json.load(response)["entries"]
    assert entry["statement"]["body"]["to"] == HEILONGJIANG and "reason" not in entry["statement"]["body"]
    engine = create_engine(demo.settings.database_url)
    try:
        with engine.connect() as conn:
            sidecar = read_sidecars(conn, transfer_seq, transfer_seq + 1)[transfer_seq]
    finally:
        engine.dispose()
    assert [(d.name, d.value) for d in sidecar.disclosures] == [("reason", REASON)]

    with checked_context(browser, **DESKTOP) as context:
        public = context.new_page()
        for lang, words in (("en", ("Typical cases", "Confirmed")), ("zh", ("典型案例", "查实"))):
            public.goto(f"{demo.base}/cases/?lang={lang}")
            card = public.locator(f".typical-case[data-case='{CASE}']")
            text = card.inner_text()
            assert PUBLIC_SUMMARY in text and all(word in public.content() for word in words)
            assert "110108, 230000" in text  # Beijing's and Heilongjiang's regions
            assert REASON not in public.content() and "fake bags online" not in public.content()
            screenshot(public, f"typical-cases-{lang}-1280")
