"""The words of the pages (i18n.py) and the verdict template's handling of hostile text.

The template is rendered from a verdict dict as the contract shapes it, without a database:
what it must survive is text a producer or a shop typed (names, reasons) and the JSON it embeds.
"""

from __future__ import annotations

import json
import re
import string
from typing import Any

import pytest
from flask import Flask, render_template

from gi_trace.api import security_headers
from gi_trace.api.i18n import LANGS, STRINGS, localized, t

HOSTILE = '</script><script>window.pwned = 1</script><b onmouseover="x">"\'&'


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = STRINGS[key]
    assert set(entry) == set(LANGS) and all(entry.values())
    assert placeholders(entry["zh"]) == placeholders(entry["en"])


def test_t_fills_placeholders_and_names_in_the_asked_language() -> None:
    name = {"zh": "五常大米", "en": "Wuchang rice"}
    assert t("journey.by", "zh", actor=name) == "由 五常大米"
    assert t("journey.by", "en", actor=name) == "by Wuchang rice"
    assert t("journey.by", "fr", actor=name) == "by Wuchang rice"  # unknown language: English
    assert localized({"zh": "只有中文"}, "en") == "只有中文"


def test_an_unknown_key_raises_unless_there_is_a_default() -> None:
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        t("no.such.key", "en")
    assert t("journey.some.new.type", "en", default="some.new.type") == "some.new.type"


def unknown_label_verdict() -> dict[str, Any]:
    """An INVALID verdict for an unknown serial: no product, producer, batch, journey nor proof."""
    return {
        "verdict": "INVALID",
        "reasons": [{"code": "unknown-label", "text": {"zh": "未知 " + HOSTILE, "en": "Unknown " + HOSTILE},
                     "advice": {"zh": "请举报", "en": "Report it"}}],
        "link": {"uri": "https://gi.example/01/06901234567892/10/A1/21/X?s=" + HOSTILE,
                 "gtin": "06901234567892", "lot": "A1", "serial": "X", "s": HOSTILE},
        "label": None, "product": None, "producer": None, "batch": None, "journey": [],
        "scans": {"count": 1, "first": "2026-11-24T08:00:00Z", "token": "tok_en-1"},
        "proof": None, "checked": ["label-issued"],
    }


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_text_stays_text_and_the_embedded_json_parses_back(lang: str) -> None:
    app = Flask("gi_trace.api")  # the package's templates, no database
    security_headers.init_app(app)  # the template's script nonce
    v = unknown_label_verdict()
    with app.test_request_context("/01/06901234567892/10/A1/21/X?s=abc"):
        html = render_template("scan/verdict.html", v=v, json_text=json.dumps(v, ensure_ascii=False),
                               lang=lang, t=t)
    assert "<script>window.pwned" not in html and "<b onmouseover" not in html
    assert "&lt;/script&gt;&lt;script&gt;window.pwned" in html  # shown as the text it is
    data = re.search(r'<script type="application/json" id="verdict-data">(.*?)</script>', html, re.S)
    assert data is not None and json.loads(data.group(1)) == v
    assert html.count("</script>") == 2  # the data's and the script's own: nothing broke out
    assert 'data-state="none"' in html and "<li data-check" not in html
    assert '/v1/scans/tok_en-1/place' in html
