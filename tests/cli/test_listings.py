"""`gi-trace listings check FILE.csv` against a live server: a platform's sweep signed here (the
codes sealed), sent in lists, and the verdicts read back one line per row; a sheet that is not
one signs nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from gi_trace.cli.main import cli
from tests.cli.client_runs import Run
from tests.client.shared import Shared
from tests.domain.protection import Protection
from tests.domain.world import PADDY, approve
from tests.labels.listings_world import NOBODY, SELLER, enterprise
from tests.support import Actor

HEADER = "url,shop,seller_uscc,product,codes\n"


@pytest.fixture(scope="module")
def loop(shared: Shared) -> Protection:
    made = Protection(shared.world)
    reg = shared.world.regulator
    shared.service.log.append([*made.setup(), enterprise(reg, Actor("coop-q"), ["producer"], SELLER),
                               approve(reg, PADDY, "coop-q", "900")])
    return made


def check(run: Run, actor: Actor, sheet: Path) -> Result:
    common = ["--url", run.url, "--key", str(run.key_file(actor)), "--org", actor.org,
              "--log-key", run.service.log.signer.vkey()]
    return run.runner.invoke(cli, ["listings", "check", *common, str(sheet)])


def test_a_sweep_prints_each_listings_verdict(run: Run, loop: Protection, tmp_path: Path) -> None:
    sheet = tmp_path / "sweep.csv"
    sheet.write_text(HEADER + f"https://mall.example/item/1,Rice Shop,{SELLER},{PADDY},\n"
                     f"https://mall.example/item/2,Fake Shop,{NOBODY},{PADDY},\n"
                     f"https://mall.example/item/3,Rice Shop,{SELLER},{PADDY},https://x.example/y\n",
                     encoding="utf-8")
    size = run.service.log.size()
    result = check(run, loop.mall, sheet)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split("  ")[1:] for line in lines[:3]] == [
        ["ok", "-", "https://mall.example/item/1"],
        ["infringing", "seller-not-approved", "https://mall.example/item/2"],
        ["infringing", "codes-invalid", "https://mall.example/item/3"]]
    assert lines[3] == "3 listings checked: 1 ok, 2 infringing"
    assert run.service.log.size() == size + 3


BAD_SHEETS = [
    pytest.param("shop,product\nx,y\n", "missing url", id="no-url-column"),
    pytest.param(HEADER + ",Shop,,wuchang-paddy,\n", "line 2: url and product are required",
                 id="empty-url"),
    pytest.param(HEADER, "no rows", id="no-rows"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SHEETS)
def test_a_bad_sheet_signs_nothing(run: Run, loop: Protection, tmp_path: Path, text: str,
                                   message: str) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(text, encoding="utf-8")
    size = run.service.log.size()
    result = check(run, loop.mall, sheet)
    assert result.exit_code == 2 and message in result.output
    assert run.service.log.size() == size
