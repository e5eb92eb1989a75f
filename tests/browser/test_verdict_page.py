"""The scan verdict page on a phone: what it shows, and that the browser itself checks the proof.

Every test drives the real route (`/01/…/10/…/21/…?s=…`) on a live server over the demo.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from gi_trace.ledger.encoding import b64url_decode, b64url_encode
from tests.browser.conftest import PHONE, Site, checked_context, screenshot

# The checks of a v2 label: its signature, its key, leaf → labels_root, the label.issue statement,
# the entry's inclusion, the checkpoint.
CHECKS = ["label-signature", "key-id", "label-path", "statement", "inclusion", "checkpoint"]
_DATA = re.compile(r'(<script type="application/json" id="verdict-data">)(.*?)(</script>)', re.S)


def open_verdict(page: Page, url: str) -> str:
    """Open a verdict page and wait for the in-browser checks; the proof section's state."""
    page.goto(url)
    page.wait_for_function("document.getElementById('proof').dataset.state !== 'pending'")
    return page.get_attribute("#proof", "data-state") or ""


def check_states(page: Page) -> dict[str, str]:
    return {item.get_attribute("data-check") or "": item.get_attribute("data-state") or ""
            for item in page.query_selector_all("[data-check]")}


def verdict(page: Page) -> str:
    return page.get_attribute("#verdict", "data-verdict") or ""


def test_a_genuine_label_is_verified_in_the_browser(page: Page, site: Site) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    url = site.url(site.labels.on_shelf[0])
    state = open_verdict(page, url)
    assert requests == [url]  # one HTML response: no script, style, font or icon fetched
    assert verdict(page) == "GENUINE"
    assert page.inner_text("#verdict h1") == "Genuine"
    assert page.inner_text("#product .product-name") == "Wuchang rice"
    assert "Jinhe Rice Milling" in page.inner_text("#producer")  # who printed the special sign
    assert "Minle Daohuaxiang Rice Growers' Cooperative" in page.inner_text("#harvests")  # who grew it
    assert page.locator("#journey li").count() >= 5
    assert (state, check_states(page)) == ("ok", dict.fromkeys(CHECKS, "ok"))
    result = page.inner_text("#proof-result")
    assert result.startswith("All 6 checks passed: this label was issued by Jinhe Rice Milling")
    assert re.search(r"entry #\d+ of tree size \d+\.$", result), result
    screenshot(page, "genuine-en-390")


def _tamper(edit: Callable[[dict[str, Any]], None]) -> Callable[[Route], None]:
    """A route handler that serves the real page with its embedded verdict data edited:
    the server still says GENUINE, so only the browser's own checks can catch it."""
    def handle(route: Route) -> None:
        response = route.fetch()
        head, data, tail = _DATA.search(response.text()).groups()  # type: ignore[union-attr]
        verdict = json.loads(data)
        edit(verdict)
        text = json.dumps(verdict).replace("<", "\\u003c")
        route.fulfill(response=response, body=_DATA.sub(lambda _: head + text + tail, response.text()))
    return handle


def _flip_hex(text: str) -> str:
    return ("1" if text[0] == "0" else "0") + text[1:]


def _set(path: str, change: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def edit(verdict: dict[str, Any]) -> None:
        node: Any = verdict
        for name in parents:
            node = node[int(name)] if isinstance(node, list) else node[name]
        key: Any = int(last) if isinstance(node, list) else last
        node[key] = change(node[key])
    return edit


def _other_statement(verdict: dict[str, Any]) -> None:
    """A statement that is not the one signed: the same JSON with its timestamp moved."""
    statement = b64url_decode(verdict["proof"]["statement"]).replace(b'"ts":"2', b'"ts":"1', 1)
    verdict["proof"]["statement"] = b64url_encode(statement)


def _another_labels_leaf(verdict: dict[str, Any]) -> None:
    """The leaf of a label with another serial: the path no longer leads to the root."""
    verdict["proof"]["label"]["serial"] = verdict["link"]["serial"] = "0" * 16


TAMPERING = [
    # what is changed, and which checks must then fail
    (_set("link.lot", lambda lot: lot + "X"), {"label-signature"}),
    (_other_statement, {"statement", "inclusion"}),
    (_set("proof.key.id", _flip_hex), {"label-signature", "statement", "key-id"}),
    (_set("proof.label.hashes.0", _flip_hex), {"label-path"}),
    (_set("proof.label.index", lambda index: index ^ 1), {"label-path"}),
    (_another_labels_leaf, {"label-signature", "label-path"}),
    (_set("proof.inclusion.hashes.0", _flip_hex), {"inclusion"}),
    (_set("proof.inclusion.root", _flip_hex), {"inclusion", "checkpoint"}),
    (_set("proof.checkpoint", lambda note: note.replace("\n\n\u2014 ", "\n\n\u2014 x", 1)), {"checkpoint"}),
]


@pytest.mark.parametrize(("edit", "failing"), TAMPERING,
                         ids=["lot", "statement", "key-id", "label-path", "label-index", "label-leaf",
                              "audit-path", "root", "checkpoint-signer"])
def test_tampered_proof_data_fails_in_the_browser(page: Page, site: Site,
                                                  edit: Callable[[dict[str, Any]], None],
                                                  failing: set[str]) -> None:
    url = site.url(site.labels.on_shelf[1])
    page.route(url, _tamper(edit))
    assert open_verdict(page, url) == "fail"
    assert verdict(page) == "GENUINE"  # what the server said: the browser disagrees
    states = check_states(page)
    assert {name for name, state in states.items() if state == "fail"} == failing, states
    assert page.inner_text("#proof-result").startswith("Verification failed")


@pytest.mark.parametrize("forge", ["lot", "signature"])
def test_a_forged_code_is_invalid_and_shows_nothing_of_the_label_it_copies(
        page: Page, site: Site, forge: str) -> None:
    """Not its journey, and no proof: the proof would hand out the real label's signature."""
    label, other = site.labels.on_shelf[3], site.labels.on_shelf[4]
    url = site.url(label).replace(f"/10/{label.lot}/", f"/10/{label.lot}X/") if forge == "lot" \
        else site.url(label).replace(label.sig, other.sig)
    assert open_verdict(page, url) == "none"
    assert verdict(page) == "INVALID"
    assert page.get_attribute("#verdict li", "data-code") == (
        "lot-mismatch" if forge == "lot" else "bad-signature")
    assert page.locator("#product, #producer, #batch, #harvests, #journey, [data-check]").count() == 0
    assert label.sig not in page.content() or forge == "lot"  # a changed lot keeps the printed s


def test_an_unknown_code_is_invalid_with_no_proof_to_check(page: Page, site: Site) -> None:
    label = site.labels.on_shelf[5]
    assert open_verdict(page, site.url(label).replace(label.serial, "0000000000000000")) == "none"
    assert verdict(page) == "INVALID"
    assert page.locator("[data-check]").count() == 0
    assert "not in the ledger" in page.inner_text("#proof")
    assert page.locator("#product, #producer, #batch, #journey").count() == 0
    assert page.is_visible("#report-form")
    screenshot(page, "unknown-en-390")


def test_a_recalled_product_is_a_red_verdict_with_what_to_do(page: Page, site: Site) -> None:
    assert open_verdict(page, site.url(site.labels.recalled[0])) == "ok"
    assert verdict(page) == "RECALLED"
    assert page.inner_text("#verdict h1") == "Recalled"
    assert page.inner_text("#verdict .lead") == "Do not eat or sell this product."
    reason = page.locator("#verdict li[data-code='recalled']")
    assert "pesticide residue" in reason.inner_text()
    assert reason.locator(".advice").inner_text().startswith("What to do: Do not eat it or sell it")
    assert page.locator("#journey li[data-type='batch.recall']").count() == 1
    color = page.evaluate("getComputedStyle(document.getElementById('verdict')).backgroundColor")
    assert color == "rgb(183, 28, 28)"
    screenshot(page, "recalled-en-390")


def test_a_sold_label_says_when_and_where_it_was_sold(page: Page, site: Site) -> None:
    assert open_verdict(page, site.url(site.labels.sold[0])) == "ok"
    assert verdict(page) == "WARNING"
    reason = page.inner_text("#verdict li[data-code='sold']")
    assert "This package was sold on " in reason and "Wumart" in reason
    assert "Wumart" in page.inner_text("#label")
    assert page.locator("#journey li[data-type='label.sell']").count() == 1
    screenshot(page, "sold-en-390")


def test_a_voided_label_says_it_was_issued_and_then_voided(page: Page, site: Site) -> None:
    assert open_verdict(page, site.url(site.labels.voided[0])) == "ok"  # it was issued: its proof holds
    assert verdict(page) == "INVALID"
    reason = page.inner_text("#verdict li[data-code='voided']")
    assert "was issued by" in reason and "and then voided on" in reason
    assert "misprinted" not in page.content()  # why it was voided is the issuer's business


def test_the_journey_shows_the_harvest_and_the_village_not_the_plot(page: Page, site: Site) -> None:
    open_verdict(page, site.url(site.labels.on_shelf[9]))
    harvests = page.inner_text("#harvests")
    assert "Harvested" in harvests and page.locator("#harvests dl").count() >= 1
    text = page.content()
    for secret in ("plot", "44.9012", "127.1453", "ship-"):
        assert secret not in text


def test_the_language_switch_keeps_the_label_and_changes_the_words(browser: Browser, site: Site) -> None:
    with checked_context(browser, **PHONE, locale="zh-CN") as context:  # Accept-Language: zh-CN
        page = context.new_page()
        label = site.labels.on_shelf[6]
        assert open_verdict(page, site.url(label)) == "ok"
        assert (page.inner_text("#verdict h1"), page.inner_text(".product-name")) == ("正品", "五常大米")
        assert page.get_attribute("html", "lang") == "zh-CN"
        screenshot(page, "genuine-zh-390")

        page.click("nav.langs a[data-lang='en']")
        assert open_verdict(page, page.url) == "ok"  # the same label, checked again
        assert f"s={label.sig}" in page.url and "lang=en" in page.url
        assert page.inner_text("#verdict h1") == "Genuine"
        assert page.inner_text(".product-name") == "Wuchang rice"

        page.click("nav.langs a[data-lang='zh']")
        page.wait_for_url(re.compile("lang=zh"))
        assert page.inner_text(".product-name") == "五常大米"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nothing_overflows_a_360_pixel_screen(browser: Browser, site: Site, lang: str) -> None:
    with checked_context(browser, **{**PHONE, "viewport": {"width": 360, "height": 780}}) as context:
        page = context.new_page()
        label = site.labels.recalled[1]
        pages = {"genuine": site.url(site.labels.on_shelf[7], lang=lang),
                 "recalled": site.url(label, lang=lang),
                 "unknown": site.url(label, lang=lang).replace(label.serial, "1111111111111111")}
        for name, url in pages.items():
            open_verdict(page, url)
            if page.locator("#proof details").count():  # open the long hashes too
                page.click("#proof details summary")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{name} page ({lang}) is {width} px wide"
            screenshot(page, f"{name}-{lang}-360")


def test_without_ed25519_the_page_says_so_and_does_not_blame_the_label(page: Page, site: Site) -> None:
    # A browser without WebCrypto Ed25519: importing such a key is refused, as it is there.
    page.add_init_script("""
        const importKey = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = (format, key, algorithm, ...rest) => algorithm.name === "Ed25519"
            ? Promise.reject(new DOMException("Unrecognized algorithm name", "NotSupportedError"))
            : importKey(format, key, algorithm, ...rest);
    """)
    assert open_verdict(page, site.url(site.labels.on_shelf[8])) == "unsupported"
    assert check_states(page) == {"label-signature": "skip", "key-id": "ok", "label-path": "ok",
                                  "statement": "skip", "inclusion": "ok", "checkpoint": "skip"}
    assert "cannot check Ed25519" in page.inner_text("#proof-result")
