"""Recalls that reach holders, in Chromium: the regulator's dashboard names (by name) the holder
that has not acknowledged the demo's recall of the 2.5 kg bags' rice — Hema; Wumart did — then
Hema signs recall.ack on its receiving desk for each recalled batch it holds (withdrawn quantity
and note sealed in the browser), as does the mill, the other holder left, and the dashboard shows
none pending. Screenshots in test-artifacts/browser/."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from gi_trace.cli.demo_chain import DESK, HEMA, MILL, REGULATOR, WUMART, harvest_season
from tests.browser.conftest import PHONE, checked_context, demo_instance, screenshot
from tests.live_server import live_server

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
NOTE = "taken off the shelves in Haidian"


@dataclass(frozen=True)
class Demo:
    base: str
    keys_dir: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp("recalls")
    settings = demo_instance(root)
    with live_server(settings) as base:
        yield Demo(base, root / "keys")


@contextmanager
def signed_in(browser: Browser, url: str, key: Path, options: dict[str, Any]) -> Iterator[Page]:
    """A page at `url` signed in with `key`, in a context of its own that fails on a CSP
    violation or a script error."""
    with checked_context(browser, **options, locale="en-GB") as context:
        page = context.new_page()
        page.on("pageerror", lambda error: pytest.fail(f"script error on the page: {error}"))
        page.goto(url)
        page.set_input_files("#keyfile", str(key))
        page.click("#signin button[type=submit]")
        page.wait_for_selector("#who", state="visible")
        yield page


def recall_row(page: Page, batch: str) -> Any:
    page.wait_for_selector("body[data-loaded=true]")
    return page.locator(f"#recalls-list tr[data-batch='{batch}']")


def test_the_dashboard_shows_who_has_not_acknowledged_until_they_do(browser: Browser,
                                                                    demo: Demo) -> None:
    batch = f"jinhe-rice-{harvest_season(date.today())}-002"
    with urllib.request.urlopen(f"{demo.base}/v1/recalls/{batch}") as answer:
        named = json.load(answer)["batch"]  # Longfengshan's harvest: the 2.5 kg rice is made from it
    with signed_in(browser, f"{demo.base}/dashboard", demo.keys_dir / f"{REGULATOR.org}.pem",
                   DESKTOP) as page:
        row = recall_row(page, named)
        pending = row.locator("[data-org]")
        assert set(pending.all_text_contents()) == {HEMA.en, MILL.en}  # Wumart acknowledged
        assert WUMART.en not in (row.text_content() or "")
        screenshot(page, "dashboard-recalls-pending-en-1280")

        seqs = acknowledge_at_the_desk(browser, demo, demo.keys_dir / f"{DESK}.pem", "hema")
        page.reload()
        assert recall_row(page, named).locator("[data-org]").all_text_contents() == [MILL.en]

        seqs += acknowledge_at_the_desk(browser, demo, demo.keys_dir / f"{MILL.org}.pem", "mill")
        page.reload()
        row = recall_row(page, named)
        assert row.get_attribute("data-pending") == "0"
        assert row.locator("[data-org]").count() == 0
        screenshot(page, "dashboard-recalls-none-pending-en-1280")

    # Signed by the holders, the quantity and the note sealed: the log holds digests only.
    for seq in seqs:
        with urllib.request.urlopen(f"{demo.base}/v1/log/entries?start={seq}") as answer:
            statement = json.dumps(json.load(answer)["entries"][0])
        assert '"recall.ack"' in statement and NOTE not in statement


def acknowledge_at_the_desk(browser: Browser, demo: Demo, key: Path, who: str) -> list[int]:
    """Sign recall.ack on the desk for every recalled batch the holdings list marks, withdrawing
    all of it: the seqs."""
    seqs = []
    with signed_in(browser, f"{demo.base}/desk", key, PHONE) as phone:
        recalled = phone.locator("#holdings tbody tr:has(td.warn)")
        recalled.first.wait_for()
        held = [(cells[0], cells[-1].split()[0]) for cells in
                (r.locator("td").all_text_contents() for r in recalled.all())]
        form = "#recall-ack form"
        for batch, quantity in held:
            previous = phone.get_attribute(f"{form} output", "data-seq")
            phone.fill("#ack-batch", batch)
            phone.fill("#ack-withdrawn", quantity)
            phone.fill("#ack-note", NOTE)
            phone.click(f"{form} button[type=submit]")
            phone.wait_for_function("""(previous) => {
              const o = document.querySelector("#recall-ack output");
              return o.dataset.state === "error" || (o.dataset.seq && o.dataset.seq !== previous);
            }""", arg=previous)
            assert phone.get_attribute(f"{form} output", "data-state") == "ok", phone.text_content(
                f"{form} output")
            seqs.append(int(phone.get_attribute(f"{form} output", "data-seq") or ""))
        screenshot(phone, f"desk-recall-ack-{who}-en-390")
    return seqs
