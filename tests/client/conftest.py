"""Fixtures: the small GI world of tests/domain/world.py behind a real HTTP server, shared by
the tests of a module (see shared.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.client.shared import Shared, open_shared


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    with open_shared(tmp_path_factory.mktemp("shared")) as world:
        yield world
