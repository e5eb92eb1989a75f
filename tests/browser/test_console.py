"""The regulators' dashboard and the receiving desk in Chromium: sign in with a key file, sign a
recall and a receipt in the browser, then find each signed statement in the log and verify it
with the signer's public key — with `cryptography` and `rfc8785`, not the pages' own code.

The pages sign v2 statements and seal the policy's confidential fields in the browser (a
receipt's shipment and reason): the log holds their digests, and the disclosures the server
kept beside it are checked against those digests with hashlib and rfc8785 too.

Reads leave out what the caller may not see (quantities, other holders), a shipment is 404 to
anyone but its parties, and the dashboard shows labelled against possible per producer and per
harvest: the pages say "—" for a value left out, never "undefined" or "NaN", and word a desk's
404 as "not found, or not addressed to you".
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser, Page, Route
from sqlalchemy import Connection, create_engine

from gi_trace.api.console import policy
from gi_trace.cli.demo_chain import harvest_season
from gi_trace.domain.disclosure_policy import draft
from gi_trace.domain.gs1 import check_digit
from gi_trace.domain.queries import orgs, oversight, products
from gi_trace.domain.queries.holdings import org_holdings
from gi_trace.ledger import keys
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.sidecar import read_sidecars
from gi_trace.service import Service
from gi_trace.settings import Settings
from tests.browser.conftest import PHONE, checked_context, demo_instance, screenshot
from tests.live_server import live_server

REGULATOR, RECEIVER, SENDER = "cnipa", "hema-beijing", "harbin-grain"
SSCC = "069712345" + "00000001"
SSCC += check_digit(SSCC)
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}


@dataclass(frozen=True)
class Demo:
    base: str
    keys_dir: Path
    device_key: Path  # Hema's receiving-desk handheld, enrolled with key.add
    shipment: str  # pending to Hema, with SSCC on its label
    settings: Settings

    @contextmanager
    def database(self) -> Iterator[Connection]:
        """The server's database, read as the operator."""
        engine = create_engine(self.settings.database_url)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()

    def disclosures(self, seq: int) -> list[list[Any]]:
        """What the server keeps beside record `seq`."""
        with self.database() as conn:
            sidecar = read_sidecars(conn, seq, seq + 1).get(seq)
        return [d.to_json() for d in sidecar.disclosures] if sidecar else []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo season, plus a desk handheld for Hema and a delivery to it that carries an SSCC."""
    root = tmp_path_factory.mktemp("console")
    keys_dir = root / "keys"
    device = keys.generate()
    device_file = root / "hema-handheld.pem"
    keys.save_private_key(device, device_file)

    def add_desk(service: Service) -> None:
        sender = keys.load_private_key(keys_dir / f"{SENDER}.pem")
        with service.engine.connect() as conn:
            held = next(h for h in org_holdings(conn, SENDER, limit=100).items if not h.recalled)
        service.log.append([
            draft("key.add", RECEIVER, keys.load_private_key(keys_dir / f"{RECEIVER}.pem"),
                  {"org": RECEIVER, "pub": keys.public_key_b64(device),
                   "label": "receiving desk handheld", "reason": "goods-in desk"}),
            draft("shipment.send", SENDER, sender, {"shipment": "ship-sscc-1", "to": RECEIVER,
                                                    "sscc": SSCC,
                                                    "items": [{"batch": held.batch, "quantity": "500"}]}),
        ])

    settings = demo_instance(root, then=add_desk)
    with live_server(settings) as base:
        yield Demo(base, keys_dir, device_file, "ship-sscc-1", settings)


def names(conn: Connection, lang: str) -> dict[str, str]:
    """The name in `lang` of every org and product the dashboard shows, by id."""
    found = {o.org: getattr(o.name, lang) for o in orgs.list_orgs(conn, limit=500).items if o.name}
    found.update((p.product, getattr(p.name, lang)) for p in products.list_products(conn, limit=500).items)
    return found


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def logged_statement(base: str, seq: int) -> dict[str, Any]:
    """The record at `seq`, read from the public log API."""
    (entry,) = get_json(f"{base}/v1/log/entries?start={seq}&end={seq + 1}")["entries"]
    assert entry["seq"] == seq
    return dict(entry)


def verify_independently(entry: dict[str, Any], private_key_file: Path) -> dict[str, Any]:
    """Check the record's signature with the signer's public key: plain `cryptography` over
    b"gi-trace/v1/statement\\n" + RFC 8785 bytes, as DESIGN.md specifies. Raises if it fails."""
    private = keys.load_private_key(private_key_file)
    assert isinstance(private, Ed25519PrivateKey)
    statement = entry["statement"]
    assert statement["key"] == keys.private_key_id(private)
    message = b"gi-trace/v1/statement\n" + rfc8785.dumps(statement)
    private.public_key().verify(b64url_decode(entry["signature"]), message)
    return dict(statement)


def digest(disclosure: list[Any]) -> str:
    """DESIGN.md's digest of a disclosure [salt, name, value], computed apart from the project."""
    hashed = hashlib.sha256(b"gi-trace/v2/disclosure\n" + rfc8785.dumps(disclosure)).digest()
    return base64.urlsafe_b64encode(hashed).rstrip(b"=").decode()


def revealed(statement: dict[str, Any], disclosures: list[list[Any]]) -> dict[str, Any]:
    """The body as its author wrote it, once every disclosure matches a digest in `_sd`."""
    body = dict(statement["body"])
    listed = body.pop("_sd", [])
    assert sorted(digest(d) for d in disclosures) == listed
    assert all(len(base64.urlsafe_b64decode(salt + "==")) == 16 for salt, _, _ in disclosures)
    return {**body, **{name: value for _, name, value in disclosures}}


def sign_in(page: Page, url: str, key_file: Path) -> None:
    page.goto(url)
    page.set_input_files("#keyfile", str(key_file))
    page.click("#signin button[type=submit]")
    page.wait_for_selector("#who", state="visible")


def receipt_seq(page: Page, form: str) -> int:
    output = page.locator(f"{form} output[data-seq]")
    output.wait_for()
    assert page.get_attribute(f"{form} output", "data-state") == "ok"
    return int(output.get_attribute("data-seq") or "")


def left_out_shown_badly(page: Page) -> list[str]:
    """Every text and attribute value on the page (its scripts' and styles' source aside) that
    says "undefined" or "NaN": what a page prints for a value a read left out, or a sum of one."""
    return list(page.evaluate("""() => {
      const bad = /\\b(undefined|NaN)\\b/;
      const found = [];
      const walker = document.createTreeWalker(document.documentElement,
                                               NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (let node = walker.currentNode; node; node = walker.nextNode()) {
        const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
        if (element && element.closest("script, style")) continue;
        const texts = node.nodeType === Node.TEXT_NODE ? [node.data]
          : Array.from(node.attributes, (a) => a.name + "=" + a.value);
        found.push(...texts.filter((text) => bad.test(text)));
      }
      return found;
    }"""))


@contextmanager
def strict_page(browser: Browser, **options: Any) -> Iterator[Page]:
    """A page in a browser context of its own (`options`) that fails the test on a script error or
    a CSP violation."""
    with checked_context(browser, **options) as context:
        page = context.new_page()
        page.on("pageerror", lambda error: pytest.fail(f"script error on the page: {error}"))
        yield page


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    with strict_page(browser, **DESKTOP, locale="en-GB") as page:
        yield page


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with strict_page(browser, **PHONE, locale="zh-CN") as page:
        yield page


def test_a_recall_signed_in_the_dashboard_is_in_the_log(desktop: Page, demo: Demo) -> None:
    page = desktop
    sign_in(page, f"{demo.base}/dashboard", demo.keys_dir / f"{REGULATOR}.pem")
    page.wait_for_selector("body[data-loaded=true]")
    assert "cnipa" in page.inner_text("#who")
    assert page.locator("#quota svg rect[data-value]").count() >= 3  # a bar per approval
    assert page.locator("#scans .by-day svg rect[data-value]").count() == 30
    assert "device lost" in page.inner_text("#revoked")  # the demo's lost Wumart scanner
    batch = f"lalin-{harvest_season(date.today())}-001"  # the harvest the mill sent back

    page.fill("#recall-batch", batch)
    page.fill("#recall-reason", "cadmium above GB 2762 in a spot check")
    page.click("#recall button[type=submit]")
    seq = receipt_seq(page, "#recall")
    assert page.inner_text("#recall output") == f"Signed and recorded as ledger entry #{seq}."
    screenshot(page, "dashboard-recall-en-1280")

    statement = verify_independently(logged_statement(demo.base, seq), demo.keys_dir / f"{REGULATOR}.pem")
    assert (statement["v"], statement["type"], statement["actor"]) == (2, "batch.recall", REGULATOR)
    # A recall and its reason are public: nothing to seal.
    assert statement["body"] == {"batch": batch, "reason": "cadmium above GB 2762 in a spot check"}
    assert demo.disclosures(seq) == []


def test_a_refused_action_shows_the_problem_beside_its_form(desktop: Page, demo: Demo) -> None:
    page = desktop
    sign_in(page, f"{demo.base}/dashboard", demo.keys_dir / f"{REGULATOR}.pem")
    page.fill("#approve-product", "no-such-product")
    page.fill("#approve-producer", "minle-coop")
    page.fill("#approve-year", "2026")
    page.fill("#approve-quota", "100")
    page.click("#approve button[type=submit]")
    page.wait_for_selector("#approve output[data-state=error]")
    assert "no-such-product" in page.inner_text("#approve output")


def test_a_counterfeit_report_is_taken_up_from_the_queue(desktop: Page, demo: Demo) -> None:
    request = urllib.request.Request(f"{demo.base}/v1/reports", method="POST", headers={
        "Content-Type": "application/json"}, data=json.dumps(
        {"where_bought": "Harbin night market", "details": "bag stitched by hand"}).encode())
    with urllib.request.urlopen(request) as response:
        report = json.load(response)["id"]
    page = desktop
    sign_in(page, f"{demo.base}/dashboard", demo.keys_dir / f"{REGULATOR}.pem")
    form = f"#reports form[data-report='{report}']"
    assert "Harbin night market" in page.inner_text(form)
    page.select_option(f"{form} select", "investigating")
    page.click(f"{form} button")
    page.wait_for_selector(f"{form} output[data-state=ok]")
    assert page.inner_text(f"{form} strong") == "investigating"


def test_the_key_stays_non_extractable_in_the_browser(desktop: Page, demo: Demo) -> None:
    page = desktop
    sign_in(page, f"{demo.base}/dashboard", demo.keys_dir / f"{REGULATOR}.pem")
    stored = page.evaluate("""async () => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open("gi-trace-keys");
        r.onsuccess = () => ok(r.result);
      });
      const item = await new Promise((ok) => {
        const r = db.transaction("keys").objectStore("keys").get("gi-trace.dashboard");
        r.onsuccess = () => ok(r.result);
      });
      const exported = await crypto.subtle.exportKey("pkcs8", item.key).then(() => "exported",
                                                                           (e) => e.name);
      return {extractable: item.key.extractable, exported,
              session: sessionStorage.getItem("gi-trace.dashboard")};
    }""")
    assert stored["extractable"] is False
    assert stored["exported"] == "InvalidAccessError"
    assert "PRIVATE" not in stored["session"] and '"token"' in stored["session"]
    page.click("#who button")  # sign out: the key is forgotten
    page.wait_for_selector("#signin form", state="visible")
    assert page.evaluate("sessionStorage.length") == 0


def test_a_delivery_received_at_the_desk_is_in_the_log(phone: Page, demo: Demo) -> None:
    page = phone
    sign_in(page, f"{demo.base}/desk", demo.device_key)
    assert RECEIVER in page.inner_text("#who")
    page.wait_for_selector(f"#inbox [data-shipment='{demo.shipment}']")
    page.fill("#code", f"{demo.base}/00/{SSCC}")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector(f"#shipment[data-shipment='{demo.shipment}']")
    assert page.inner_text("#shipment .sender") == SENDER
    assert "500" in page.inner_text("#shipment tbody")
    screenshot(page, "desk-delivery-zh-390")

    page.fill("#reason", "外包装完好 / cartons intact")
    page.click("#accept")
    seq = receipt_seq(page, "#settle")
    assert page.get_attribute("#shipment", "data-status") == "received"
    screenshot(page, "desk-received-zh-390")

    statement = verify_independently(logged_statement(demo.base, seq), demo.device_key)
    assert (statement["v"], statement["type"], statement["actor"]) == (2, "shipment.receive", RECEIVER)
    # Sealed in the browser: the public log holds two digests, the server the disclosures.
    assert set(statement["body"]) == {"_sd"} and len(statement["body"]["_sd"]) == 2
    assert demo.shipment not in json.dumps(statement) and "cartons" not in json.dumps(statement)
    assert revealed(statement, demo.disclosures(seq)) == {
        "shipment": demo.shipment, "reason": "外包装完好 / cartons intact"}


def test_the_pages_seal_by_the_policy_the_server_renders(desktop: Page, demo: Demo) -> None:
    page = desktop
    page.goto(f"{demo.base}/dashboard")
    assert page.evaluate("JSON.parse(document.getElementById('console-policy').textContent)") == policy()
    body = {"batch": "b-1", "product": "wuchang-rice-paddy", "lot": "L1", "quantity": "24000",
            "harvested": "2026-09-28", "village": {"zh": "红光村", "en": "Hongguang village"},
            "origin": {"plot": "民乐乡红光村3号地块 \"plot\" 3 ✓", "lat": "44.9012", "lon": "127.1453"}}
    sealed = page.evaluate("(body) => GiKeys.seal('batch.register', body)", body)
    assert {k: v for k, v in sealed["body"].items() if k != "_sd"} == {
        k: v for k, v in body.items() if k not in ("quantity", "origin")}
    assert revealed(sealed, sealed["disclosures"]) == body
    again = page.evaluate("(body) => GiKeys.seal('batch.register', body)", body)
    assert {d[0] for d in again["disclosures"]}.isdisjoint(d[0] for d in sealed["disclosures"])
    public = page.evaluate("GiKeys.seal('batch.recall', {batch: 'b-1', reason: 'residue'})")
    assert public == {"body": {"batch": "b-1", "reason": "residue"}, "disclosures": []}


def test_a_delivery_qr_opened_by_a_phone_camera_lands_on_the_desk(phone: Page, demo: Demo) -> None:
    page = phone
    sign_in(page, f"{demo.base}/desk", demo.device_key)
    page.goto(f"{demo.base}/00/{SSCC}")
    assert page.url == f"{demo.base}/desk?sscc={SSCC}"
    page.wait_for_selector(f"#shipment[data-shipment='{demo.shipment}']")


@pytest.mark.parametrize(("locale", "headings", "share"), [
    ("en-GB", ("By producer", "By harvest"), "Share"), ("zh-CN", ("按生产者", "按收获批次"), "占比")])
def test_the_dashboard_shows_labelled_against_possible(browser: Browser, demo: Demo, locale: str,
                                                       headings: tuple[str, str], share: str) -> None:
    with demo.database() as conn:
        producers = oversight.producer_use(conn)
        harvests = oversight.harvest_use(conn)
        named = names(conn, locale[:2])
    assert producers and harvests and any(p.labelled != "0" for p in producers)
    with strict_page(browser, **DESKTOP, locale=locale) as page:
        sign_in(page, f"{demo.base}/dashboard", demo.keys_dir / f"{REGULATOR}.pem")
        page.wait_for_selector("body[data-loaded=true]")
        panel = page.inner_text("#labels")
        assert all(heading in panel for heading in headings) and share in panel

        for p in producers:  # one row each, labelled and possible as the server sums them
            row = f"#labels-producers tr[data-producer='{p.producer}'][data-product='{p.product}']"
            cells = page.locator(f"{row} td").all_inner_texts()
            assert cells[:5] == [named[p.producer], named[p.product], str(p.harvests),
                                 f"{p.labelled} {p.unit}", f"{p.quantity} {p.unit}"]
            shown = float(cells[5].split(" %")[0])
            assert abs(shown - float(p.ratio) * 100) <= 0.051  # the server's 4 places, shown to 1
            assert page.get_attribute(row, "data-over") == "false"  # the rules keep every one within
        for h in harvests:
            row = f"#labels-harvests tr[data-harvest='{h.batch}']"
            cells = page.locator(f"{row} td").all_inner_texts()
            assert cells[:5] == [h.batch, named[h.producer], h.harvested, f"{h.labelled} {h.unit}",
                                 f"{h.quantity} {h.unit}"]
            assert page.locator(f"{row} a[data-batch='{h.batch}']").count() == 1
        assert page.locator("#labels-batches tbody tr[data-batch]").count() >= 1
        assert page.locator("#labels [data-flag=over]").count() == 0

        # A harvest's facts, drawn from the batch read, as the regulator sees them.
        last = harvests[-1]
        page.click(f"#labels-harvests a[data-batch='{last.batch}']")
        page.wait_for_selector("#batch dd[data-fact=holders]")
        assert page.inner_text("#batch dd[data-fact=quantity]") == f"{last.quantity} {last.unit}"
        screenshot(page, f"dashboard-labelled-{locale[:2]}-1280")
        assert left_out_shown_badly(page) == []


def test_the_dashboard_flags_over_labelled_and_shows_a_dash_for_what_a_read_left_out(
        desktop: Page, demo: Demo) -> None:
    """Answers as a reader without the right to a confidential value gets them (quantities, holders
    left out), and an over-labelled harvest and producer (which the rules should never let in: the
    panel is how a regulator would see projections gone astray)."""
    page = desktop
    answers: dict[str, Any] = {
        "/v1/oversight/producers": {"items": [
            {"producer": "fine-farm", "product": "p", "unit": "kg", "harvests": 1, "quantity": "100",
             "labelled": "10", "ratio": "0.1000"},
            {"producer": "over-coop", "product": "p", "unit": "kg", "harvests": 2, "quantity": "100",
             "labelled": "100.5", "ratio": "1.0050"},
            {"producer": "near-farm", "product": "p", "unit": "kg", "harvests": 1, "quantity": "100",
             "labelled": "95", "ratio": "0.9500"},
            {"producer": "bare-farm", "product": "p", "harvests": 1}]},
        "/v1/oversight/harvests": {"items": [
            {"batch": "h-ok", "product": "p", "producer": "fine-farm", "harvested": "2026-09-28",
             "unit": "kg", "quantity": "100", "labelled": "10", "ratio": "0.1000"},
            {"batch": "h-over", "product": "p", "producer": "over-coop", "harvested": None,
             "unit": "kg", "quantity": "40", "labelled": "40.000001", "ratio": "1.0000"},
            {"batch": "h-bare", "product": "p", "producer": "bare-farm", "harvested": None}]},
        "/v1/oversight/labels": {"items": [
            {"batch": "b-bare", "product": "p", "producer": "bare-farm", "issued": 3, "sold": 0,
             "void": 0}]},
        "/v1/batches/h-bare": {"batch": "h-bare", "product": "p", "lot": "L1", "unit": "kg",
                               "producer": "bare-farm", "recalled": False, "recall_reason": None,
                               "events": [{"seq": 7, "type": "batch.register", "actor": "bare-farm"}]},
    }

    def answer(route: Route) -> None:
        path = route.request.url.removeprefix(demo.base).split("?")[0]
        route.fulfill(json=answers[path])

    for path in answers:
        page.route(f"{demo.base}{path}", answer)
    sign_in(page, f"{demo.base}/dashboard#batch=h-bare", demo.keys_dir / f"{REGULATOR}.pem")
    page.wait_for_selector("body[data-loaded=true]")

    # Over the limit first, flagged; near it flagged apart; the unknown last, with dashes.
    order = page.locator("#labels-producers tbody tr").evaluate_all(
        "(rows) => rows.map((row) => row.dataset.producer)")
    assert order == ["over-coop", "near-farm", "fine-farm", "bare-farm"]
    over = "#labels-producers tr[data-producer=over-coop]"
    assert page.get_attribute(over, "data-over") == "true"
    assert page.inner_text(f"{over} [data-flag=over]") == "over-labelled"
    assert page.locator("#labels-producers tr[data-producer=near-farm] [data-flag=near]").count() == 1
    assert page.locator("#labels-producers [data-flag=over]").count() == 1
    # A ratio rounded to 1.0000 still shows over when the quantities say so.
    assert page.get_attribute("#labels-harvests tr[data-harvest=h-over]", "data-over") == "true"
    bare = page.locator("#labels-producers tr[data-producer=bare-farm] td").all_inner_texts()
    assert bare == ["bare-farm", "p", "1", "—", "—", "—"]
    assert page.locator("#labels-harvests tr[data-harvest=h-bare] td").all_inner_texts()[2:] == [
        "—", "—", "—", "—"]
    assert page.locator("#labels-batches tr[data-batch=b-bare] td").all_inner_texts()[5:7] == ["—", "—"]

    # A batch read without its quantity or holders.
    page.wait_for_selector("#batch dd[data-fact=holders]")
    assert page.inner_text("#batch dd[data-fact=quantity]") == "—"
    assert page.inner_text("#batch dd[data-fact=holders]") == "—"
    assert "#7 — harvest registered — bare-farm" in page.inner_text("#batch ul")
    screenshot(page, "dashboard-over-labelled-en-1280")
    assert left_out_shown_badly(page) == []


@pytest.mark.parametrize(("locale", "said"), [
    ("en-GB", "No delivery {code} found: it does not exist, or it is not addressed to {org}."),
    ("zh-CN", "找不到发货 {code}：它不存在，或不是发给 {org} 的。")])
def test_the_desk_says_a_delivery_it_may_not_see_is_not_found_or_not_its_own(
        browser: Browser, demo: Demo, locale: str, said: str) -> None:
    """Another pair's shipment and one that never was get the same 404, and the same words."""
    other = f"ship-minle-jinhe-{harvest_season(date.today())}-01"  # the mill's, not Hema's
    unknown = "069712345" + "99999999"
    unknown += check_digit(unknown)
    with strict_page(browser, **PHONE, locale=locale) as page:
        sign_in(page, f"{demo.base}/desk", demo.device_key)
        page.fill("#code", demo.shipment)  # its own first, so the card is up
        page.click("#lookup button[type=submit]")
        page.wait_for_selector(f"#shipment[data-shipment='{demo.shipment}']")
        for code, ident in ((other, other), (f"{demo.base}/00/{unknown}", unknown)):
            page.evaluate("document.querySelector('#lookup output').removeAttribute('data-state')")
            page.fill("#code", code)
            page.click("#lookup button[type=submit]")
            page.wait_for_selector("#lookup output[data-state=error]")
            assert page.inner_text("#lookup output") == said.format(code=ident, org=RECEIVER)
            assert page.is_hidden("#shipment")  # not the delivery shown before
        screenshot(page, f"desk-not-found-{locale[:2]}-390")
        assert left_out_shown_badly(page) == []


REASON_CODES = ("far-apart", "scanned-after-sale", "scanned-too-often")


def test_the_dashboard_on_a_phone_in_chinese(phone: Page, demo: Demo) -> None:
    """At 390 x 844: the page never scrolls sideways (wide tables scroll in their own box), no id or
    name is broken inside its cell, the charts' text stays legible, and the Chinese page names orgs
    and products by their Chinese names and says why a label looks copied in words, not codes."""
    page = phone
    with demo.database() as conn:
        harvest = oversight.harvest_use(conn)[-1]
        named = names(conn, "zh")

    def with_a_copy(route: Route) -> None:  # the demo has no copied label: add one to the answer
        answer = route.fetch().json()
        answer["copies"].append({"serial": "SNA-1", "batch": harvest.batch, "scans": 40,
                                 "reasons": list(REASON_CODES)})
        route.fulfill(json=answer)

    page.route(f"{demo.base}/v1/oversight/anomalies", with_a_copy)
    sign_in(page, f"{demo.base}/dashboard#batch={harvest.batch}", demo.keys_dir / f"{REGULATOR}.pem")
    page.wait_for_selector("body[data-loaded=true]")
    page.wait_for_selector("#batch dd[data-fact=holders]")
    screenshot(page, "dashboard-zh-390")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A cell narrower than its text: content past its edge, or one text broken over lines.
    broken = page.locator("#labels td, #batch dd").evaluate_all("""(cells) => cells.filter((cell) => {
      const texts = Array.from(cell.childNodes).filter((node) => node.nodeType === Node.TEXT_NODE);
      const lines = texts.map((node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return new Set(Array.from(range.getClientRects(), (box) => Math.round(box.top))).size;
      });
      return cell.scrollWidth > cell.clientWidth + 1 || lines.some((count) => count > 1);
    }).map((cell) => cell.textContent)""")
    assert broken == []
    sizes = page.locator("svg.chart text").evaluate_all(
        "(texts) => texts.map((text) => text.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 11  # drawn at the phone's width, not shrunk from a wide drawing
    overlaps = page.locator("svg.chart").evaluate_all("""(charts) => charts.flatMap((chart) => {
      const boxes = Array.from(chart.querySelectorAll("text"),
                               (t) => [t.textContent, t.getBoundingClientRect()]);
      return boxes.flatMap(([a, p], i) => boxes.slice(i + 1).filter(([, q]) => p.left < q.right
        && q.left < p.right && p.top < q.bottom && q.top < p.bottom).map(([b]) => `${a} / ${b}`));
    })""")
    assert overlaps == []  # every label, note and axis text of a chart readable on its own

    text = page.inner_text("body")
    assert not [code for code in REASON_CODES if code in text]
    assert "在相距很远的地方被扫码" in page.inner_text("#copies")
    producer = f"#labels-harvests tr[data-harvest='{harvest.batch}'] td"
    assert page.locator(producer).nth(1).inner_text() == named[harvest.producer]
    assert page.inner_text("#batch dd[data-fact=producer]") == named[harvest.producer]
    assert "收获登记" in page.inner_text("#batch ul") and "batch.register" not in text
    assert harvest.producer not in page.inner_text("#labels-producers")  # names, not ids
    assert left_out_shown_badly(page) == []
