"""The signed-in pages as the server sends them: self-contained, locked down by CSP, in both
languages. (What their scripts do: tests/browser/test_console.py.)"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from gi_trace.api import console
from gi_trace.api.console import strings
from gi_trace.domain.bodies_protection import NOTICE_REASONS, Evidence
from gi_trace.domain.queries.notices import STATUSES

PAGES = ("/dashboard", "/desk")
SCRIPTS = sorted((Path(console.__file__).parents[1] / "templates" / "console").glob("*.js"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(strings.STRINGS))
def test_every_string_has_both_languages_and_the_same_placeholders(key: str) -> None:
    entry = strings.STRINGS[key]
    assert set(entry) == {"zh", "en"}
    assert placeholders(entry["zh"]) == placeholders(entry["en"])


@pytest.mark.parametrize("path", PAGES)
def test_the_page_is_self_contained_and_only_its_own_script_runs(client: FlaskClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    policy = resp.headers["Content-Security-Policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", policy)
    assert nonce is not None
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all(f'nonce="{nonce.group(1)}"' in attrs or 'type="application/json"' in attrs
                           for attrs in scripts)
    links = re.findall(r'<link\b[^>]*href="([^"]*)"', html)
    assert all(href.startswith("data:") for href in links)  # nothing fetched from anywhere
    assert not re.search(r"<(img|iframe|object)\b|\bsrc=|@import|\burl\(", html)
    assert resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("path", "lang", "title"), [
    ("/dashboard", "en", "Oversight dashboard"), ("/dashboard", "zh", "监管看板"),
    ("/desk", "en", "Receiving desk"), ("/desk", "zh", "收货台")])
def test_both_languages(client: FlaskClient, path: str, lang: str, title: str) -> None:
    html = client.get(f"{path}?lang={lang}").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html
    words = json.loads(re.search(r'id="console-words">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert words["signin.button"] == strings.STRINGS["signin.button"][lang]


def test_a_string_of_the_layout_comes_from_the_public_pages_table() -> None:
    assert strings.t("site.name", "en") == "GI product trace"
    with pytest.raises(KeyError):
        strings.t("no.such.key", "en")


def test_every_word_a_script_says_is_in_the_table() -> None:
    """A key missing from the table would show as itself ("dash.balance.harvest") on the page."""
    said = {key for script in SCRIPTS
            for key in re.findall(r'\b(?:say\(|WORDS\[)"([\w.]+)"', script.read_text())}
    whole = {key for key in said if not key.endswith(".")}
    assert whole and whole <= set(strings.STRINGS)
    # The keys the scripts build (say("dash.balance." + kind)…): a mass-balance kind, a batch's
    # fact, a shipment's and a report's status.
    built = {"dash.balance.": ("labels", "harvest", "quota", "shipped"),
             "dash.reason.": ("far-apart", "scanned-after-sale", "scanned-too-often"),
             "dash.type.": ("batch.register", "shipment.send", "label.issue", "batch.recall"),
             "dash.fact.": ("product", "lot", "producer", "quantity", "recalled", "holders"),
             "shipment.": ("pending", "received", "rejected"),
             "status.": ("new", "investigating", "closed"),
             "dash.cases.": ("accept", "return", "transfer", "close"),  # a case's steps
             "dash.cases.outcome.": ("confirmed", "unfounded"),
             # a takedown notice's status, reason and evidence kinds, and a duration's units
             "notice.status.": STATUSES, "notice.reason.": NOTICE_REASONS,
             "notice.evidence.": tuple(Evidence._declared_fields), "time.": ("d", "h", "min", "s")}
    assert said - whole == set(built)
    assert {prefix + name for prefix, names in built.items() for name in names} <= set(strings.STRINGS)


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("Labelled against possible", "By producer", "By harvest", "Possible")),
    ("zh", ("标识认证量与可认证量", "按生产者", "按收获批次", "可认证"))])
def test_the_dashboard_has_the_labelled_against_possible_panel(client: FlaskClient, lang: str,
                                                               words: tuple[str, ...]) -> None:
    html = client.get(f"/dashboard?lang={lang}").get_data(as_text=True)
    assert all(word in html for word in words)
    assert all(f'id="labels-{table}"' in html for table in ("producers", "harvests", "batches"))
