from __future__ import annotations

from dataclasses import asdict

import pytest
from click.testing import CliRunner

from gi_trace.settings import Settings


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    """The settings as the environment variables the CLI reads."""
    return {f"GI_TRACE_{name.upper()}": str(value) for name, value in asdict(settings).items()}


@pytest.fixture
def runner(env: dict[str, str]) -> CliRunner:
    return CliRunner(env=env)
