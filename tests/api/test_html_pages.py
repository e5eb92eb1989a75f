"""What a browser gets from the service: the landing page, problems as pages (and problem+json for
everyone else), the headers every HTML page carries, and the bundled API viewer.

A browser names text/html first; curl sends `*/*`; an API client names JSON. Only the first
gets a page for an error.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.routing import Rule

from gi_trace.api.i18n import STRINGS
from gi_trace.api.problems import MEDIA_TYPE
from tests.api.reads.world import PADDY, World

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
GTIN = PADDY["gtins"][0]
LOT, SERIAL = "X2025", "7KQ3M9XG2HT4PZ8N"


@pytest.fixture(scope="module")
def world(world: World) -> World:
    world.issue_other_label(GTIN, SERIAL)
    return world


@pytest.fixture
def client(world: World) -> FlaskClient:
    return world.client()


def get(client: FlaskClient, path: str, accept: str | None = BROWSER, lang: str = "en") -> Any:
    headers = {"Accept-Language": lang} | ({"Accept": accept} if accept is not None else {})
    return client.get(path, headers=headers)


# -- the landing page --------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "title"), [("en", "The GI product trace ledger"),
                                             ("zh", "地理标志产品溯源账本")])
def test_the_landing_page_says_what_this_is_and_links_every_page(client: FlaskClient, lang: str,
                                                                 title: str) -> None:
    resp = get(client, "/", lang=lang)
    assert (resp.status_code, resp.mimetype) == (200, "text/html")
    html = resp.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html
    links = set(re.findall(r'href="([^"?]+)"', html))
    assert {"/dashboard", "/desk", "/v1/docs", "/v1/openapi.json"} <= links
    assert 'href="#scan"' in html and 'id="scan"' in html
    assert str(escape(STRINGS["home.scan.body"][lang])) in html
    for link in links - {"data:,", "#scan"}:  # every link leads somewhere
        assert get(client, link).status_code == 200, link


# -- problems: a page for a browser, problem+json for everyone else ----------------------------
ERRORS = {
    "unknown-page": ("/dashbord", 404, "not-found"),
    "bad-label-link": (f"/01/{GTIN[:-1]}5/10/{LOT}/21/{SERIAL}", 400, "bad-digital-link"),
    "api-without-token": ("/v1/oversight/quota", 401, "unauthenticated"),
    "bad-argument": ("/v1/log/entries?start=x&end=1", 422, "bad-argument"),
    "wrong-method": ("/v1/statements", 405, "method-not-allowed"),
}
ACCEPTS = {"curl": "*/*", "none": None, "json": "application/json", "problem": MEDIA_TYPE,
           "json-before-html": "application/json, text/html;q=0.9"}


@pytest.mark.parametrize(("path", "status", "code"), ERRORS.values(), ids=ERRORS.keys())
@pytest.mark.parametrize("accept", ACCEPTS.values(), ids=ACCEPTS.keys())
def test_clients_that_do_not_prefer_html_keep_problem_json(client: FlaskClient, path: str, status: int,
                                                          code: str, accept: str | None) -> None:
    resp = get(client, path, accept)
    assert (resp.status_code, resp.mimetype) == (status, MEDIA_TYPE), resp.get_data(as_text=True)
    assert resp.get_json()["code"] == code
    assert "Accept" in resp.vary


@pytest.mark.parametrize(("path", "status", "code"), ERRORS.values(), ids=ERRORS.keys())
@pytest.mark.parametrize("accept", [BROWSER, "text/html"], ids=["browser", "html"])
def test_a_browser_gets_the_problem_as_a_page_with_the_way_home(client: FlaskClient, path: str,
                                                                status: int, code: str,
                                                                accept: str) -> None:
    resp = get(client, path, accept)
    assert (resp.status_code, resp.mimetype) == (status, "text/html")
    html = resp.get_data(as_text=True)
    assert f'data-status="{status}" data-code="{code}"' in html
    assert f"Error {status}" in html and 'href="/" data-home' in html


@pytest.mark.parametrize(("lang", "title"), [("en", "Page not found"), ("zh", "页面不存在")])
def test_the_problem_page_speaks_the_readers_language(client: FlaskClient, lang: str, title: str) -> None:
    html = get(client, "/desk/nothing", lang=lang).get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html and STRINGS["problem.home"][lang] in html


def test_a_problems_headers_survive_as_a_page(client: FlaskClient) -> None:
    resp = client.post("/", headers={"Accept": BROWSER})
    assert (resp.status_code, resp.mimetype) == (405, "text/html")
    assert "GET" in resp.headers["Allow"]


@pytest.mark.parametrize("path", ["/desk/", "/dashboard/"])
def test_a_trailing_slash_still_finds_the_page(client: FlaskClient, path: str) -> None:
    assert get(client, path).status_code == 200


# -- the headers of every HTML page ------------------------------------------------------------
SAMPLE_ARGS = {"gtin": GTIN, "lot": LOT, "serial": SERIAL, "_rest": GTIN, "sscc": "069712345000000013",
               "name": "swagger-ui.css"}


def browser_paths(app: Flask) -> list[tuple[str, str]]:
    """Every GET route of the app, its arguments filled with a sample: (rule, path)."""
    def fill(rule: Rule) -> str:
        return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: SAMPLE_ARGS.get(m.group(1), "x"), rule.rule)
    return sorted((rule.rule, fill(rule)) for rule in app.url_map.iter_rules()
                  if "GET" in (rule.methods or ()))


def test_every_html_answer_of_every_route_carries_the_security_headers(client: FlaskClient) -> None:
    """A browser's GET of every route of the url_map (pages, and the problem pages of the API's
    routes): each text/html answer has the CSP, nosniff and a referrer policy."""
    assert client.application is not None
    routes = browser_paths(client.application)
    html, missing = set(), []
    for rule, path in routes:
        with get(client, path) as resp:
            if resp.mimetype == "text/html":
                html.add(rule)
                missing.extend(header_faults(rule, resp))
    assert missing == []
    pages = {"/", "/dashboard", "/desk", "/v1/docs", "/01/<gtin>/10/<lot>/21/<serial>", "/01/<path:_rest>"}
    assert pages <= html
    assert len(html) > len(pages)  # the API's routes answer a browser's error with a page too


def header_faults(rule: str, resp: Any) -> list[tuple[str, int, Any]]:
    """What an HTML answer lacks: a header, or a nonce on one of its scripts."""
    faults = []
    csp = resp.headers.get("Content-Security-Policy", "")
    script_src = re.search(r"script-src ([^;]*)", csp)
    checks = ["default-src 'none'" in csp, "frame-ancestors 'none'" in csp, "object-src 'none'" in csp,
              "base-uri 'none'" in csp,
              script_src is not None and re.fullmatch(r"'nonce-[\w-]{16,}'", script_src.group(1)) is not None,
              resp.headers.get("X-Content-Type-Options") == "nosniff",
              resp.headers.get("Referrer-Policy") == "no-referrer"]
    if not all(checks):
        faults.append((rule, resp.status_code, checks))
    nonce = re.search(r"'nonce-([^']+)'", csp)
    scripts = re.findall(r"<script\b([^>]*)>", resp.get_data(as_text=True))
    unnonced = [s for s in scripts if 'type="application/json"' not in s
                and (nonce is None or f'nonce="{nonce.group(1)}"' not in s)]
    if unnonced:
        faults.append((rule, resp.status_code, unnonced))
    return faults


def test_each_response_has_a_nonce_of_its_own(client: FlaskClient) -> None:
    first, second = (get(client, "/dashboard").headers["Content-Security-Policy"] for _ in range(2))
    assert first != second


def test_json_answers_are_left_as_their_routes_made_them(client: FlaskClient) -> None:
    resp = get(client, "/v1/openapi.json", "application/json")
    assert resp.mimetype == "application/json"
    assert "Content-Security-Policy" not in resp.headers


# -- the API viewer ----------------------------------------------------------------------------
EXTERNAL = re.compile(r"\bhttps?://([^/\"'\s)]+)")


def test_the_api_viewer_is_served_from_this_service_alone(client: FlaskClient) -> None:
    resp = get(client, "/v1/docs")
    assert (resp.status_code, resp.mimetype) == (200, "text/html")
    html = resp.get_data(as_text=True)
    assert EXTERNAL.findall(html) == []  # the page and its starting script name no other host
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {"/v1/docs/static/swagger-ui-bundle.js", "/v1/docs/static/swagger-ui.css"} <= set(assets)
    for asset in set(assets) - {"data:,", "/"}:
        assert not urlsplit(asset).netloc, asset  # same origin
        with client.get(asset) as served:
            assert served.status_code == 200, asset
            assert served.mimetype in ("text/javascript", "text/css")
    assert 'data-spec="/v1/openapi.json"' in html and "validatorUrl: null" in html


@pytest.mark.parametrize("name", ["index.css", "oauth2-redirect.html", "..%2F__init__.py", "VERSION"],
                         ids=["unused-css", "oauth-page", "traversal", "version"])
def test_only_the_viewers_own_assets_are_served(client: FlaskClient, name: str) -> None:
    assert client.get(f"/v1/docs/static/{name}").status_code == 404

