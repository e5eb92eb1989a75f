from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

import pytest
from click.testing import CliRunner

from gi_trace.settings import Settings
from tests.cli.client_runs import Run
from tests.client.shared import Shared, open_shared


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    """The settings as the environment variables the CLI reads."""
    return {f"GI_TRACE_{name.upper()}": str(value) for name, value in asdict(settings).items()}


@pytest.fixture
def runner(env: dict[str, str]) -> CliRunner:
    return CliRunner(env=env)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    """One world behind one live server for the module's client verbs."""
    with open_shared(tmp_path_factory.mktemp("shared")) as world:
        yield world


@pytest.fixture(scope="module")
def run(shared: Shared, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return Run(shared, tmp_path_factory.mktemp("keys"))
