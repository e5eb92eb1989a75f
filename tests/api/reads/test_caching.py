"""Answers that depend on the bearer token never reach another caller through a shared cache."""

from __future__ import annotations

import pytest

from tests.api.reads.world import World


@pytest.mark.parametrize("url", ["/v1/products", "/v1/approvals", "/v1/log/entries", "/v1/orgs"])
def test_public_answers_vary_with_the_token(world: World, url: str) -> None:
    resp = world.get(url)
    assert resp.status_code == 200
    assert "Authorization" in resp.vary
    assert "private" not in resp.headers.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/v1/approvals", "/v1/log/entries", "/v1/batches/rice-1",
                                 "/v1/orgs/wuchang-mill/holdings", "/v1/products",
                                 "/v1/log/checkpoint"])
def test_an_answer_to_a_token_is_private(world: World, url: str) -> None:
    resp = world.get(url, world.mill)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-store"
    assert "Authorization" in resp.vary


def test_what_is_the_same_for_everyone_stays_cacheable(world: World) -> None:
    """The tiles say `public` on purpose: they are the log's leaves, identical for all."""
    resp = world.get("/tile/entries/000.p/" + str(world.log.size()), world.mill)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "public, max-age=60"
