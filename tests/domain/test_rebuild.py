"""Projections rebuilt from the log equal the live ones, on both databases and from the CLI."""

from __future__ import annotations

from dataclasses import asdict

from click.testing import CliRunner
from sqlalchemy import update

from gi_trace.cli.main import cli
from gi_trace.domain import tables
from gi_trace.service import Service, rebuild_projections
from tests.domain.world import World, assert_audit_passes, dump, harvest_to_shelf
from tests.support import Actor


def test_rebuild_yields_identical_rows_after_a_season(any_service: Service, regulator: Actor) -> None:
    world = World(regulator=regulator)
    any_service.log.append(world.setup())
    for envelope in harvest_to_shelf(world):  # one statement a transaction, as clients send them
        any_service.log.append([envelope])
    live = dump(any_service.engine)
    assert live["gi_batches"] and live["gi_lineage"] and live["gi_shipments"]

    assert rebuild_projections(any_service) == any_service.log.size()

    assert dump(any_service.engine) == live
    assert_audit_passes(any_service)


def test_rebuild_repairs_a_projection_that_drifted_from_the_log(world: World, world_service: Service) -> None:
    for envelope in harvest_to_shelf(world):
        world_service.log.append([envelope])
    live = dump(world_service.engine)
    with world_service.engine.begin() as conn:
        conn.execute(update(tables.holdings).values(quantity="1000000"))
        conn.execute(tables.approvals.delete())

    rebuild_projections(world_service)

    assert dump(world_service.engine) == live


def test_cli_rebuilds_the_projections(world: World, world_service: Service) -> None:
    for envelope in harvest_to_shelf(world):
        world_service.log.append([envelope])
    live = dump(world_service.engine)
    with world_service.engine.begin() as conn:
        conn.execute(tables.holdings.delete())
    env = {f"GI_TRACE_{name.upper()}": str(value) for name, value in asdict(world_service.settings).items()}

    result = CliRunner(env=env).invoke(cli, ["projections", "rebuild"])

    assert result.exit_code == 0, result.output
    assert f"projections rebuilt from {world_service.log.size()} records" in result.output
    assert dump(world_service.engine) == live
