"""Browser tests: Debian's Chromium, driven by Playwright at a phone's viewport, against a live
server holding the demo season with its special-sign labels.

Playwright cannot download its own browser build here, so the tests launch
/usr/bin/chromium (`make test` installs it when it is missing). Screenshots go to
test-artifacts/browser/ at the top of the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from gi_trace.cli.demo import genesis, load
from gi_trace.cli.demo_chain import DemoLabels
from gi_trace.labels.issuing import Label
from gi_trace.service import Service, initialize, open_service
from gi_trace.settings import Settings
from tests.live_server import live_server
from tests.support import instance_settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
# A phone: 390 x 844 CSS pixels at 2x, touch, mobile viewport rules.
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
                         "is_mobile": True, "has_touch": True}


@dataclass(frozen=True)
class Site:
    """A live server over the demo season, and the labels the demo issued."""

    base: str
    labels: DemoLabels
    settings: Settings

    def url(self, label: Label, **query: str) -> str:
        """The label's Digital Link on this server, with extra query parameters (e.g. lang)."""
        extra = "".join(f"&{name}={value}" for name, value in query.items())
        return label.uri(self.base) + extra


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():  # a failure, not a skip: a CI without it would pass untested
        pytest.fail(f"Debian's Chromium is not installed at {CHROMIUM}: run the tests with "
                    "`make test`, which installs it (apt-get install chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                         args=["--no-sandbox", "--disable-background-networking"])
    yield browser
    browser.close()


# Reported on the page's console, where Chromium also reports what its CSP refused.
_CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) => console.error(
  `CSP violation: ${e.effectiveDirective} refused ${e.blockedURI || "inline"}`
  + ` at ${e.sourceFile}:${e.lineNumber}`));"""


def watch_csp(context: BrowserContext) -> list[str]:
    """The Content Security Policy violations of every page of `context`, as they happen."""
    violations: list[str] = []
    context.add_init_script(_CSP_WATCH)  # init scripts come from the browser, not the page's CSP
    context.on("console", lambda message: violations.append(message.text) if message.type == "error" and (
        "Content Security Policy" in message.text or message.text.startswith("CSP violation")) else None)
    return violations


@contextmanager
def checked_context(browser: Browser, **options: Any) -> Iterator[BrowserContext]:
    """A browser context (`options`) that fails the test if a page of it breaks its CSP: a script or
    a request the policy refused is a page that does not work."""
    context = browser.new_context(**options)
    violations = watch_csp(context)
    try:
        yield context
    finally:
        context.close()
    assert violations == [], "the pages broke their Content Security Policy"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A phone reading English (Accept-Language), unless a test opens its own context."""
    with checked_context(browser, **PHONE, locale="en-GB") as context:
        yield context


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], "script errors on the page"  # a page half checked must not pass


def demo_instance(root: Path, labels: DemoLabels | None = None,
                  then: Callable[[Service], None] | None = None) -> Settings:
    """A fresh instance at `root` holding the demo season, its keys in `root / "keys"`, and then
    what `then` appends; its service is closed again, ready to be served."""
    keys_dir = root / "keys"
    settings = instance_settings(root, genesis(keys_dir))
    initialize(settings)
    service = open_service(settings)
    try:
        load(service, keys_dir, labels)
        if then is not None:
            then(service)
    finally:
        service.engine.dispose()
    return settings


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo season (labels on the shelf, sold, voided, recalled), served over HTTP."""
    labels = DemoLabels()
    settings = demo_instance(tmp_path_factory.mktemp("site"), labels)
    with live_server(settings) as base:
        yield Site(base, labels, settings)


def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact, and say where."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
