"""Issue 10's first "must show": every byte the demo serves to the public holds no issued
serial or label signature but the one being scanned, and no confidential value.

The demo is loaded by `gi-trace demo`, then every public resource is fetched without a
token: the log's entries, checkpoint, tiles and proofs, every GET route of the app with
its path filled from the demo's ids, the resolver's and the console's pages, and each
label's scan (JSON and HTML). The secrets are read from the server's own tables."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import product
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from gi_trace.api.context import EXTENSION
from gi_trace.cli.main import cli
from gi_trace.domain import tables
from gi_trace.ledger import schema
from gi_trace.settings import Settings
from tests.api.helpers import serving
from tests.support import leaves
from tests.tile_client import tile_path

BASE = "http://127.0.0.1:8000"
DISTINCTIVE = {"shipment", "sscc", "origin", "reason", "serials"}


@dataclass
class Demo:
    app: Flask
    labels: list[tuple[str, str, str, str]] = field(default_factory=list)  # gtin, lot, serial, sig
    confidential: set[str] = field(default_factory=set)
    ids: dict[str, set[str]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp("public-bytes")
    env = {"GI_TRACE_DATABASE_URL": f"sqlite:///{root}/demo.db",
           "GI_TRACE_OPERATOR_KEY": str(root / "operator.pem"),
           "GI_TRACE_REGULATORS": str(root / "regulators.json"), "GI_TRACE_BASE_URL": BASE}
    result = CliRunner(env=env).invoke(cli, ["demo", "--keys-dir", str(root / "keys")])
    assert result.exit_code == 0, result.output
    with serving(Settings.from_env(env)) as app:
        demo = Demo(app)
        with app.extensions[EXTENSION].engine.connect() as conn:
            demo.labels = [(r.gtin, r.lot, r.serial, r.sig) for r in conn.execute(select(tables.labels))]
            for row in conn.execute(select(schema.sidecars.c.disclosures)):
                for _salt, name, value in json.loads(row.disclosures or "[]"):
                    # Org and batch ids (in `to`, `items`) are public names and quantities are
                    # short numbers that any text may hold: search for the distinctive secrets.
                    if name in DISTINCTIVE:
                        if isinstance(value, dict):  # a plot's region code is the product's, public
                            value = {k: v for k, v in value.items() if k != "region"}
                        demo.confidential.update(s for s in leaves(value) if len(s) >= 5)
            demo.ids = {
                "batch": set(conn.scalars(select(tables.batches.c.batch))),
                "org": set(conn.scalars(select(tables.orgs.c.org))),
                "product": set(conn.scalars(select(tables.products.c.product))),
                "shipment": set(conn.scalars(select(tables.shipments.c.shipment))),
                "sscc": {s for s in conn.scalars(select(tables.shipments.c.sscc)) if s},
                "gtin": set(conn.scalars(select(tables.gtins.c.gtin))),
                "lot": set(conn.scalars(select(tables.batches.c.lot))),
            }
        assert len(demo.labels) >= 24 and demo.confidential
        yield demo


def _get(app: Flask, path: str, accept: str = "application/json") -> bytes:
    response = app.test_client().get(path, headers={"Accept": accept})
    assert response.status_code < 500, (path, response.status_code)
    return response.get_data()


def _log_bytes(app: Flask) -> Iterator[tuple[str, bytes]]:
    log = app.extensions[EXTENSION].log
    size = log.size()
    for start in range(0, size, 1000):
        path = f"/v1/log/entries?start={start}&end={size}"
        yield path, _get(app, path)
    for path in ("/v1/log/checkpoint", "/v1/log/key", "/checkpoint", "/v1/log/checkpoint/cosigned"):
        yield path, _get(app, path)
    for seq in range(size):
        yield f"proof {seq}", _get(app, f"/v1/log/proof/inclusion?seq={seq}&tree_size={size}")
    width, level = size, 0
    while width > 0:
        for index in range((width + 255) // 256):
            path = "/" + tile_path(size, level, index)
            yield path, _get(app, path, "*/*")
        width //= 256
        level += 1
    for index in range((size + 255) // 256):
        path = "/" + tile_path(size, "entries", index)
        yield path, _get(app, path, "*/*")


ARGUMENT = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _route_bytes(demo: Demo) -> Iterator[tuple[str, bytes]]:
    """Every GET route, each path argument filled with every demo id of its kind."""
    for rule in demo.app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/01/", "/tile/", "/static")):
            continue
        names = ARGUMENT.findall(rule.rule)
        choices = [sorted(demo.ids.get(name, {"x"})) for name in names]
        for values in product(*choices):
            path = rule.rule
            for value in values:
                path = ARGUMENT.sub(value, path, count=1)
            for accept in ("application/json", "text/html"):
                yield path, _get(demo.app, path, accept)


def _label_secrets(demo: Demo) -> set[str]:
    return {serial for _, _, serial, _ in demo.labels} | {sig for *_, sig in demo.labels}


def _assert_clean(where: str, data: bytes, secrets: set[str]) -> None:
    text = data.decode("utf-8", errors="replace")
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, f"{where} serves {leaked[:3]}"


def test_the_log_tiles_and_proofs_hold_no_serial_signature_or_confidential_value(demo: Demo) -> None:
    secrets = _label_secrets(demo) | demo.confidential
    for where, data in _log_bytes(demo.app):
        _assert_clean(where, data, secrets)


def test_no_public_route_serves_a_serial_signature_or_confidential_value(demo: Demo) -> None:
    secrets = _label_secrets(demo) | demo.confidential
    for path, data in _route_bytes(demo):
        # A route may echo the id it was asked for (the desk's /00/{sscc} redirect does,
        # alike for known and unknown codes): that tells the asker nothing new.
        _assert_clean(path, data, {s for s in secrets if s not in path})


def test_a_scan_discloses_its_own_label_and_no_other(demo: Demo) -> None:
    for gtin, lot, serial, sig in demo.labels:
        uri = f"/01/{gtin}/10/{quote(lot, safe='')}/21/{serial}?s={sig}"
        others = ({s for _, _, s, _ in demo.labels if s != serial}
                  | {g for *_, g in demo.labels if g != sig} | demo.confidential) - {serial, sig}
        for accept in ("application/json", "text/html"):
            data = _get(demo.app, uri, accept)
            assert serial.encode() in data
            _assert_clean(f"scan of {serial} ({accept})", data, others)


def test_the_crawl_reached_the_routes_that_matter(demo: Demo) -> None:
    """A crawl that fetched nothing would pass the tests above: it must not."""
    paths = [where for where, _ in _route_bytes(demo)]
    for expected in ("/v1/batches/", "/v1/orgs/", "/v1/products/", "/v1/shipments/", "/v1/epcis/"):
        assert any(p.startswith(expected) for p in paths), expected
    assert sum(1 for _ in _log_bytes(demo.app)) > len(demo.labels)

