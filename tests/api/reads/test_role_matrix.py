"""Who may read what: every read endpoint against every kind of caller.

Callers: anonymous; the regulator; wuchang-coop (producer, party to the paddy and,
as its producer, the rice); retailer-bj (party to the rice only); other-coop (a
producer party to none of these).
"""

from __future__ import annotations

import pytest

from tests.api.reads.world import World

CALLERS = ("anonymous", "regulator", "producer-party", "retailer-party", "unrelated-producer")
ACTORS = {"anonymous": None, "regulator": "regulator", "producer-party": "producer",
          "retailer-party": "retailer", "unrelated-producer": "unrelated"}
PUBLIC = (200, 200, 200, 200, 200)

#       endpoint                                    anon reg prod retail unrel
MATRIX: dict[str, tuple[str, tuple[int, ...]]] = {
    "products": ("/v1/products", PUBLIC),
    "product": ("/v1/products/wuchang-rice", PUBLIC),
    "product-unknown": ("/v1/products/nope", (404, 404, 404, 404, 404)),
    "orgs": ("/v1/orgs", PUBLIC),
    "org": ("/v1/orgs/retailer-bj", PUBLIC),
    "approvals": ("/v1/approvals?producer=wuchang-coop", PUBLIC),
    "batches": ("/v1/batches", (401, 200, 200, 200, 200)),
    "batch-rice": ("/v1/batches/rice-1", (401, 200, 200, 200, 403)),
    "batch-paddy": ("/v1/batches/paddy-1", (401, 200, 200, 403, 403)),
    "batch-other": ("/v1/batches/other-1", (401, 200, 403, 403, 200)),
    "batch-unknown": ("/v1/batches/nope", (401, 404, 404, 404, 404)),
    "holdings-producer": ("/v1/orgs/wuchang-coop/holdings", (401, 200, 200, 403, 403)),
    "holdings-retailer": ("/v1/orgs/retailer-bj/holdings", (401, 200, 403, 200, 403)),
    "holdings-unknown": ("/v1/orgs/nope/holdings", (401, 404, 404, 404, 404)),
    "inbox-producer": ("/v1/orgs/wuchang-coop/inbox", (401, 200, 200, 403, 403)),
    "inbox-retailer": ("/v1/orgs/retailer-bj/inbox", (401, 200, 403, 200, 403)),
    "shipments-producer": ("/v1/orgs/wuchang-coop/shipments", (401, 200, 200, 403, 403)),
    "shipments-retailer": ("/v1/orgs/retailer-bj/shipments?direction=in", (401, 200, 403, 200, 403)),
    "shipments-unknown": ("/v1/orgs/nope/shipments", (401, 404, 404, 404, 404)),
}
CASES = [(url, caller, statuses[i]) for url, statuses in MATRIX.values() for i, caller in enumerate(CALLERS)]
CASE_IDS = [f"{name}/{caller}" for name in MATRIX for caller in CALLERS]
CODES = {401: "unauthenticated", 404: "not-found"}


@pytest.mark.parametrize(("url", "caller", "status"), CASES, ids=CASE_IDS)
def test_role_matrix(world: World, url: str, caller: str, status: int) -> None:
    actor = ACTORS[caller]
    resp = world.get(url, None if actor is None else getattr(world, actor))
    assert resp.status_code == status, resp.get_data(as_text=True)
    if status >= 400:
        assert resp.mimetype == "application/problem+json"
        expected = CODES.get(status) or ("not-a-party" if url.startswith("/v1/batches/")
                                         else "not-authorized")
        assert resp.get_json()["code"] == expected
    if status == 401:
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
