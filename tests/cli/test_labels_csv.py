"""`gi-trace labels issue` writes, beside the PDF sheet, a CSV of serial,uri for variable-data
printers: the same labels, the same URIs the sheet's QR codes carry."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gi_trace.domain import tables
from gi_trace.labels.digital_link import parse
from tests.cli.client_runs import Run
from tests.cli.test_label_commands import decoded_uris, issue, issues_of


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as source:
        return list(csv.reader(source))


def test_the_csv_beside_the_sheet_lists_every_label_it_prints(run: Run, tmp_path: Path) -> None:
    batch = run.shared.harvest(run.world.coop_a, "10")
    out = tmp_path / "sheet.pdf"
    result = issue(run, batch, 5, out)
    assert result.exit_code == 0, result.output
    listing = tmp_path / "sheet.csv"
    assert f"serials and URIs for variable-data printers: {listing}" in result.output
    header, *labelled = rows(listing)
    assert header == ["serial", "uri"] and len(labelled) == 5
    assert [uri for _, uri in labelled] == decoded_uris(out)
    assert all(parse(uri).serial == serial for serial, uri in labelled)
    assert {serial for serial, _ in labelled} == {
        run.shared.row(tables.labels, serial=serial).serial for serial, _ in labelled}


def test_csv_chooses_where_the_list_goes(run: Run, tmp_path: Path) -> None:
    batch = run.shared.harvest(run.world.coop_a, "10")
    listing = tmp_path / "printer" / "job-1.csv"
    listing.parent.mkdir()
    result = issue(run, batch, 2, tmp_path / "sheet.pdf", "--csv", str(listing))
    assert result.exit_code == 0, result.output
    assert len(rows(listing)) == 3 and not (tmp_path / "sheet.csv").exists()


REFUSED = [
    ("csv-exists", lambda tmp: ["--csv", str(tmp / "old.csv")], "old.csv exists"),
    ("default-csv-exists", lambda tmp: [], "sheet.csv exists"),
    ("csv-is-the-sheet", lambda tmp: ["--csv", str(tmp / "sheet.pdf")], "overwrite the sheet"),
]


@pytest.mark.parametrize(("extra", "message"), [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_an_existing_list_is_never_overwritten_and_nothing_is_issued(
        run: Run, tmp_path: Path, extra: object, message: str) -> None:
    (tmp_path / "old.csv").write_text("in use\n")
    (tmp_path / "sheet.csv").write_text("in use\n")
    batch = run.shared.harvest(run.world.coop_a, "10")
    result = issue(run, batch, 1, tmp_path / "sheet.pdf", *extra(tmp_path))  # type: ignore[operator]
    assert result.exit_code != 0 and message in result.output, result.output
    assert issues_of(run, batch) == [] and not (tmp_path / "sheet.pdf").exists()
    assert (tmp_path / "old.csv").read_text() == "in use\n"
