"""The same reads on PostgreSQL: keyset order, the visibility subqueries, who sees which
confidential value and disclosure, the lineage walk."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.reads import test_pagination, test_role_matrix
from tests.api.reads.world import World, open_world
from tests.scratch_schema import reset_schema

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_world(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("pg-world"), reset_schema(postgres_server)) as world:
        yield world


@pytest.mark.parametrize(("url", "caller", "status"), test_role_matrix.CASES,
                         ids=test_role_matrix.CASE_IDS)
def test_role_matrix_on_postgres(pg_world: World, url: str, caller: str, status: int) -> None:
    test_role_matrix.test_role_matrix(pg_world, url, caller, status)


@pytest.mark.parametrize(("url", "pick", "expected", "who"), test_role_matrix.VALUE_CASES,
                         ids=test_role_matrix.VALUE_IDS)
def test_confidential_values_on_postgres(pg_world: World, url: str, pick: Any, expected: Any,
                                         who: str) -> None:
    test_role_matrix.test_who_sees_which_confidential_value(pg_world, url, pick, expected, who)


@pytest.mark.parametrize(("type_", "find", "expected", "who"), test_role_matrix.DISCLOSED_CASES,
                         ids=test_role_matrix.DISCLOSED_IDS)
def test_disclosures_on_postgres(pg_world: World, type_: str, find: Any, expected: bool,
                                 who: str) -> None:
    test_role_matrix.test_who_reads_which_disclosures(pg_world, type_, find, expected, who)


@pytest.mark.parametrize(("url", "field", "who", "expected"), test_pagination.LISTS.values(),
                         ids=test_pagination.LISTS.keys())
def test_pages_on_postgres(pg_world: World, url: str, field: str, who: str | None,
                           expected: list[Any]) -> None:
    test_pagination.test_pages_cover_the_list_once_in_order(pg_world, url, field, who, expected, 2)


def test_journey_on_postgres(pg_world: World) -> None:
    body = pg_world.get("/v1/batches/paddy-1", pg_world.regulator).get_json()
    assert [(d["batch"], d["depth"]) for d in body["descendants"]] == [
        ("paddy-1a", 1), ("paddy-1b", 1), ("rice-1", 2)]
    assert [b["batch"] for b in pg_world.get("/v1/batches", pg_world.distributor)
            .get_json()["items"]] == ["rice-1"]
