"""Whatever a phone or a scraper sends under a Digital Link route, the answer is a verdict, a
page, a redirect, a 400 or a 404: never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gi_trace.domain.label_signature import sign_label
from tests.api.reads.world import PADDY, World

# Segments from the alphabet a mangled or hostile link is made of: digits, set 82, reserved
# characters, dots, and raw bytes that may not even be UTF-8.
segment = st.one_of(
    st.text("0123456789", min_size=0, max_size=16),
    st.text(st.characters(codec="ascii"), max_size=24).map(lambda s: quote(s, safe="")),
    st.binary(max_size=12).map(lambda b: "".join(f"%{x:02X}" for x in b)),
    st.sampled_from([".", "..", "01", "10", "21", "00", "gtin", "%2F", "%00", "06971234500274"]),
)
query = st.one_of(st.just(""), st.text(st.characters(codec="ascii"), max_size=40).map(
    lambda s: "?" + quote(s, safe="=&")))
ANSWERS = {200, 303, 307, 308, 400, 404, 405}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=st.sampled_from(["01", "gtin", "00"]), rest=st.lists(segment, max_size=7), tail=query,
       accept=st.sampled_from(["application/json", "text/html", "application/linkset+json", "*/*"]))
def test_no_digital_link_gives_a_500(world: World, head: str, rest: list[str], tail: str,
                                     accept: str) -> None:
    client: FlaskClient = world.app.test_client()
    path = "/" + "/".join([head, *rest]) + tail
    resp = client.get(path, headers={"Accept": accept})
    assert resp.status_code in ANSWERS, (path, resp.status_code, resp.get_data(as_text=True)[:300])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lot=segment, serial=segment, tail=query,
       accept=st.sampled_from(["application/json", "text/html", "application/linkset+json"]))
def test_no_label_link_of_a_known_gtin_gives_a_500(world: World, lot: str, serial: str, tail: str,
                                                   accept: str) -> None:
    client: FlaskClient = world.app.test_client()
    path = f"/01/{PADDY['gtins'][0]}/10/{lot}/21/{serial}{tail}"
    resp = client.get(path, headers={"Accept": accept})
    assert resp.status_code in ANSWERS, (path, resp.status_code, resp.get_data(as_text=True)[:300])


# -- control characters, one part at a time ------------------------------------------------------
# Each C0 control, DEL and CR LF, %-escaped into one part of a label's link, with and without a
# linkType redirect: a value that ends up in a header (Location, Link) must be escaped there.
CONTROLS = {f"U+{ord(c[0]):04X}" + ("-LF" if len(c) > 1 else ""): c
            for c in [*map(chr, range(0x20)), "\x7f", "\r\n"]}
PARTS = ("gtin", "lot", "serial", "s", "linkType")
LINK_TYPES = {"no-link-type": None, "pip": "gs1:pip", "traceability": "gs1:traceability",
              "linkset": "linkset"}
GTIN = PADDY["gtins"][0]
SERIAL = "FUZZCTRL0001"


@pytest.fixture(scope="module")
def issued(world: World) -> dict[str, str]:
    """One issued label of other-1 (lot X2025), so that the redirects know its batch."""
    world.issue_other_label(GTIN, SERIAL)
    return {"gtin": GTIN, "lot": "X2025", "serial": SERIAL,
            "s": sign_label(world.unrelated.key, GTIN, "X2025", SERIAL)}


@pytest.mark.parametrize("link_type", LINK_TYPES.values(), ids=LINK_TYPES.keys())
@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("control", CONTROLS.values(), ids=CONTROLS.keys())
def test_a_control_character_in_any_part_gives_no_500(world: World, issued: dict[str, str],
                                                      control: str, part: str,
                                                      link_type: str | None) -> None:
    values = {**issued, "linkType": link_type or ""}
    values[part] = values[part][:4] + control + values[part][4:]
    escaped = {k: quote(v, safe="") for k, v in values.items()}
    query = f"?s={escaped['s']}" + (f"&linkType={escaped['linkType']}" if values["linkType"] else "")
    for path in (f"/01/{escaped['gtin']}/10/{escaped['lot']}/21/{escaped['serial']}",
                 f"/01/{escaped['gtin']}/10/{escaped['lot']}", f"/01/{escaped['gtin']}"):
        resp = world.client().get(path + query, headers={"Accept": "application/json"})
        assert resp.status_code in ANSWERS, (path + query, resp.get_data(as_text=True)[:300])
        for name in ("Location", "Link"):
            assert not any(c in resp.headers.get(name, "") for c in CONTROLS.values())


def test_a_newline_in_s_is_escaped_in_the_redirect(world: World, issued: dict[str, str]) -> None:
    path = f"/01/{GTIN}/10/X2025/21/{SERIAL}"
    resp = world.client().get(path + "?s=%0d%0aX&linkType=gs1:pip")
    assert resp.status_code == 307
    assert resp.headers["Location"].endswith(path + "?s=%0D%0AX")
