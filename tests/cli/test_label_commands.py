"""`gi-trace labels issue | void | sell` against a live server: labels signed on the issuer's
machine, committed to by one label.issue per 10,000 labels and kept out of the log, in the log
before they are printed, and a sheet whose every code scans GENUINE."""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from click.testing import Result
from sqlalchemy import select

from gi_trace.domain import tables
from gi_trace.labels.digital_link import parse
from gi_trace.labels.scans import ScanPolicy
from gi_trace.labels.verdict import Scanner
from gi_trace.ledger import schema
from tests.cli.client_runs import Run, assert_verified
from tests.domain.world import GTINS, PADDY, approve, receive, ship
from tests.support import Actor

SUMMARY = re.compile(r"^(\d+) labels of (\S+) for batch (\S+) \(lot (\S+), GTIN (\d+)\) in "
                     r"(\d+) statements?; sheet (.+): (\d+) pages$", re.MULTILINE)


def issue(run: Run, batch: str, count: int, out: Path, *extra: str, pack: str = "1") -> Result:
    return run(run.world.coop_a, "labels", "issue", "--batch", batch, "--pack", pack,
               "--count", str(count), "--out", str(out), *extra)


def issues_of(run: Run, batch: str) -> list[dict[str, Any]]:
    """The label.issue statements of a batch, as the public log holds them."""
    with run.service.engine.connect() as conn:
        rows = conn.scalars(select(schema.records.c.statement))
        found = [json.loads(bytes(row)) for row in rows]
    return [s for s in found if s["type"] == "label.issue" and s["body"]["batch"] == batch]


def decoded_uris(pdf: Path) -> list[str]:
    document = pypdfium2.PdfDocument(str(pdf))
    found = []
    for page in document:
        image = page.render(scale=200 / 72).to_pil()
        found += [code.text for code in zxingcpp.read_barcodes(image)]
    return found


def test_issue_appends_then_prints_a_sheet_whose_codes_are_genuine(run: Run, tmp_path: Path) -> None:
    batch = run.shared.harvest(run.world.coop_a, "100")
    out = tmp_path / "sheet.pdf"
    result = issue(run, batch, 30, out, "--per-statement", "12")
    assert_verified_summary = SUMMARY.search(result.output)
    assert result.exit_code == 0 and assert_verified_summary, result.output
    count, pack, _, lot, gtin, statements, _, pages = assert_verified_summary.groups()
    assert (count, pack, lot, gtin, statements, pages) == (
        "30", "1", f"L{batch}"[:20], GTINS[PADDY][0], "3", "2")
    assert [s["body"]["count"] for s in issues_of(run, batch)] == [12, 12, 6]
    lab = tables.labels.c
    with run.service.engine.connect() as conn:
        serials = set(conn.scalars(select(lab.serial).where(lab.batch == batch)))
    assert len(serials) == 30
    uris = decoded_uris(out)
    assert len(uris) == 30 and all(uri.startswith("https://gi.example/01/") for uri in uris)
    scanner = Scanner(run.service.engine, run.service.log, ScanPolicy(50, 5, 300, 50))
    links = [parse(uri) for uri in uris]
    assert {link.serial for link in links} == serials
    assert all(scanner.scan(link, record=False).verdict == "GENUINE" for link in links[:5])


def test_ten_thousand_labels_are_one_small_statement_that_keeps_them_out_of_the_log(
        run: Run, tmp_path: Path) -> None:
    used = run.shared.row(tables.approvals, product=PADDY, producer="coop-a").used
    run.service.log.append([approve(run.world.regulator, PADDY, "coop-a",
                                    str(Decimal(used) + 20_000))])
    batch = run.shared.harvest(run.world.coop_a, "10000")
    out = tmp_path / "sheet.pdf"
    result = issue(run, batch, 10_000, out)
    summary = SUMMARY.search(result.output)
    assert result.exit_code == 0 and summary, result.output
    assert summary.group(6) == "1" and summary.group(8) == "417"
    (statement,) = issues_of(run, batch)
    assert statement["body"]["count"] == 10_000
    assert len(json.dumps(statement)) < 1000
    lab = tables.labels.c
    with run.service.engine.connect() as conn:
        serials = list(conn.scalars(select(lab.serial).where(lab.batch == batch)))
        logged = b"".join(bytes(r) for r in conn.scalars(select(schema.records.c.statement)))
    assert len(serials) == 10_000
    assert not any(serial.encode() in logged for serial in serials[:200])


def test_issue_refuses_more_labels_than_the_goods_and_prints_nothing(run: Run,
                                                                     tmp_path: Path) -> None:
    batch = run.shared.harvest(run.world.coop_a, "10")
    out = tmp_path / "sheet.pdf"
    result = issue(run, batch, 3, out, pack="25")
    assert result.exit_code != 0 and re.search(r"HTTP 4\d\d", result.output), result.output
    assert not out.exists() and issues_of(run, batch) == []


def test_issue_refuses_a_pack_the_product_does_not_declare(run: Run, tmp_path: Path) -> None:
    batch = run.shared.harvest(run.world.coop_a, "10")
    out = tmp_path / "sheet.pdf"
    result = issue(run, batch, 1, out, pack="3")
    assert result.exit_code != 0 and "pack" in result.output
    assert not out.exists() and issues_of(run, batch) == []


def test_issue_never_overwrites_a_sheet(run: Run, tmp_path: Path) -> None:
    batch = run.shared.harvest(run.world.coop_a, "10")
    out = tmp_path / "sheet.pdf"
    out.write_bytes(b"an older sheet")
    result = issue(run, batch, 1, out)
    assert result.exit_code != 0 and "exists" in result.output
    assert out.read_bytes() == b"an older sheet"


def test_issue_refuses_a_gtin_of_another_product(run: Run, tmp_path: Path) -> None:
    batch = run.shared.harvest(run.world.coop_a, "10")
    result = issue(run, batch, 1, tmp_path / "sheet.pdf", "--gtin", GTINS["longjing-tea"][0])
    assert result.exit_code != 0 and "not one of" in result.output


def test_void_and_sell(run: Run, tmp_path: Path) -> None:
    batch = run.shared.harvest(run.world.coop_a, "10")
    assert issue(run, batch, 3, tmp_path / "s.pdf").exit_code == 0
    lab = tables.labels.c
    with run.service.engine.connect() as conn:
        first, second, _ = sorted(conn.scalars(select(lab.serial).where(lab.batch == batch)))
    assert_verified(run(run.world.coop_a, "labels", "void", "--serial", first, "--reason", "torn"),
                    run.service, "label.void")
    shipment = run.shared.unique("S")
    run.service.log.append([ship(run.world.coop_a, shipment, "shop-1", [(batch, "5")]),
                            receive(run.world.shop_1, shipment)])
    assert_verified(run(run.world.shop_1, "labels", "sell", "--serial", second), run.service, "label.sell")
    refused = run(run.world.shop_1, "labels", "sell", "--serial", first)
    assert refused.exit_code != 0 and "label-void" in refused.output


@pytest.mark.parametrize("who", ["coop_b", "shop_1"])
def test_only_the_issuer_fetches_the_sheet(run: Run, tmp_path: Path, who: str) -> None:
    batch = run.shared.harvest(run.world.coop_a, "10")
    assert issue(run, batch, 3, tmp_path / "s.pdf").exit_code == 0
    status, kind, body = sheet(run, run.world.coop_a, batch)
    assert (status, kind) == (200, "application/pdf")
    assert len(pypdfium2.PdfDocument(io.BytesIO(body))) == 1
    # Refused, or (the reads' choice) told there are no labels of its own to print.
    assert sheet(run, getattr(run.world, who), batch)[0] in (403, 404)


def sheet(run: Run, actor: Actor, batch: str) -> tuple[int, str, bytes]:
    token = run.shared.connect(actor).token()
    request = urllib.request.Request(f"{run.url}/v1/batches/{batch}/labels.pdf",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read()
