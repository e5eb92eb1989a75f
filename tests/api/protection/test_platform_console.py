"""GET /platform/: the platform's console page, in zh and en, with the disclosure policy and
one answer button per notice.answer status; its script and the dashboard's notices panel carry
the response's CSP nonce."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from gi_trace.domain.bodies_protection import NOTICE_ANSWERS


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("Takedown notices", "Acknowledge", "Removed", "Dispute")),
    ("zh", ("平台下架通知", "确认收到", "已下架", "提出异议"))])
def test_the_console_page(client: FlaskClient, lang: str, words: tuple[str, ...]) -> None:
    resp = client.get(f"/platform/?lang={lang}")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    html = resp.get_data(as_text=True)
    assert all(word in html for word in words)
    assert re.findall(r'<button type="submit" name="status" value="([a-z]+)"', html) == list(NOTICE_ANSWERS)
    assert 'id="console-policy"' in html and "setUpSignIn(\"gi-trace.platform\"" in html


@pytest.mark.parametrize("path", ["/platform/", "/dashboard"])
def test_every_script_carries_the_nonce(client: FlaskClient, path: str) -> None:
    resp = client.get(path)
    nonce = re.search(r"'nonce-([^']+)'", resp.headers["Content-Security-Policy"]).group(1)  # type: ignore[union-attr]
    scripts = re.findall(r"<script([^>]*)>", resp.get_data(as_text=True))
    runnable = [attrs for attrs in scripts if 'type="application/json"' not in attrs]
    assert runnable and all(f'nonce="{nonce}"' in attrs for attrs in runnable)
    if path == "/dashboard":
        assert 'id="notices"' in resp.get_data(as_text=True)
