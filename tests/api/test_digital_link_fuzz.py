"""Whatever a phone or a scraper sends under a Digital Link route, the answer is a verdict, a
page, a redirect, a 400 or a 404: never a 500."""

from __future__ import annotations

from urllib.parse import quote

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
