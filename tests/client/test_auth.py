"""Authenticated reads: a token obtained by signing the server's challenge with the org key,
cached until it nearly expires, renewed once when the server stops accepting it."""

from __future__ import annotations

from typing import Any

import pytest

from gi_trace.client import ProblemError
from gi_trace.client.auth import REFRESH_MARGIN, Authenticator, Token
from gi_trace.ledger import keys
from tests.client.shared import Shared


def count_auth_requests(monkeypatch: pytest.MonkeyPatch, http: Any) -> list[str]:
    real = http.post_json
    asked: list[str] = []

    def post_json(path: str, *args: Any, **kwargs: Any) -> Any:
        if path.startswith("/v1/auth/"):
            asked.append(path)
        return real(path, *args, **kwargs)
    monkeypatch.setattr(http, "post_json", post_json)
    return asked


def test_reads_own_holdings_with_a_token(shared: Shared) -> None:
    page = shared.connect(shared.world.coop_b).get("/v1/orgs/coop-b/holdings")
    assert [(h["batch"], h["quantity"]) for h in page["items"]] == [("B-1", "200")]


def test_the_token_is_obtained_once_and_cached(shared: Shared,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    client = shared.connect(shared.world.coop_b)
    asked = count_auth_requests(monkeypatch, client.http)
    token = client.token()
    client.get("/v1/orgs/coop-b/holdings")
    client.get("/v1/orgs/coop-b/inbox")
    assert client.token() == token
    assert asked == ["/v1/auth/challenge", "/v1/auth/token"]


def test_a_token_near_its_expiry_is_renewed(shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    client = shared.connect(shared.world.coop_b)
    now = [1_000_000.0]
    auth = Authenticator(client.http, "coop-b", shared.world.coop_b.key, clock=lambda: now[0])
    asked = count_auth_requests(monkeypatch, client.http)
    first = auth.token()
    assert auth.token() == first and len(asked) == 2
    expires = auth._token.expires if auth._token else None
    assert expires is not None  # the server says when (`expires`, RFC 3339)
    now[0] = expires - REFRESH_MARGIN + 1
    auth.token()
    assert len(asked) == 4


def test_a_token_the_server_no_longer_accepts_is_renewed_once(shared: Shared) -> None:
    client = shared.connect(shared.world.coop_b)
    client._auth._token = Token("not-a-token", None)  # e.g. the server's sealing key rotated
    page = client.get("/v1/orgs/coop-b/holdings")
    assert page["items"] and client.token() != "not-a-token"


def test_reading_another_orgs_holdings_is_forbidden(shared: Shared) -> None:
    with pytest.raises(ProblemError) as caught:
        shared.connect(shared.world.coop_a).get("/v1/orgs/coop-b/holdings")
    assert (caught.value.status, caught.value.code) == (403, "not-authorized")


def test_a_protected_read_without_a_token_is_unauthenticated(shared: Shared) -> None:
    with pytest.raises(ProblemError) as caught:
        shared.connect(shared.world.coop_a).get("/v1/orgs/coop-a/holdings", auth=False)
    assert caught.value.status == 401


def test_public_reads_need_no_token(shared: Shared) -> None:
    product = shared.connect(shared.world.coop_a).get("/v1/products/wuchang-rice", auth=False)
    assert product["product"] == "wuchang-rice"


def test_a_revoked_key_can_no_longer_read(shared: Shared) -> None:
    shop = shared.world.shop_2
    spare = keys.generate()
    shared.connect(shop).add_key(spare)
    spare_client = shared.connect(type(shop)(shop.org, spare))
    assert spare_client.get(f"/v1/orgs/{shop.org}/inbox")["items"] == []
    shared.connect(shop).revoke_key(keys.private_key_id(spare), reason="device lost")
    with pytest.raises(ProblemError) as caught:
        spare_client.get(f"/v1/orgs/{shop.org}/inbox")
    assert caught.value.status == 401 and caught.value.code == "key-revoked"
