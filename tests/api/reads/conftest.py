"""A world built once per module: reads leave no trace in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.reads.world import World, open_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("world")) as world:
        yield world
