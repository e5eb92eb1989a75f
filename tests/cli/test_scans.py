"""`gi-trace scans fold`: folds what is older than the retention, on the configured database."""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from gi_trace.cli.main import cli
from gi_trace.labels.scan_fold import DAY
from gi_trace.labels.scans import Scan, write_scans
from gi_trace.labels.tables import scan_days, scans
from gi_trace.ledger.database import make_engine
from gi_trace.migrate import upgrade


def test_scans_fold_keeps_the_retention_and_folds_the_rest(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fold.db"
    engine = make_engine(url)
    upgrade(engine)
    now = int(time.time())
    with engine.begin() as conn:
        write_scans(conn, [Scan(f"t{days}", "SER-000000000001", now - days * DAY)
                           for days in (1, 10, 40, 41)])
    result = CliRunner().invoke(cli, ["scans", "fold", "--retention-days", "20"],
                                env={"GI_TRACE_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "folded 2 scans of 2 days" in result.output
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(scans)) == 2
        assert conn.scalar(select(func.sum(scan_days.c.scans))) == 2
    engine.dispose()


def test_scans_fold_refuses_a_database_not_initialised(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["scans", "fold"],
                                env={"GI_TRACE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"})
    assert result.exit_code != 0 and "gi-trace init" in result.output
