"""The log served as C2SP tiles: a reader that knows only the spec gets the checkpoint's root."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from gi_trace.ledger import schema
from gi_trace.ledger.checkpoint import open_checkpoint
from gi_trace.ledger.note import NoteVerifier
from gi_trace.service import Service
from tests.api.helpers import Shared, assert_problem
from tests.tile_client import TileTree, bundle_entries, leaf, tile_path

FULL = "public, max-age=31536000, immutable"


def grow(shared: Shared, size: int) -> None:
    """Append notes until the log (9 records to start with) holds `size` records."""
    missing = size - shared.log.size()
    assert missing >= 0, "sizes must be visited in increasing order"
    if missing:
        producer = shared.new_producer()
        if missing > 1:
            shared.log.append([producer.note(i) for i in range(missing - 1)])


def fetcher(client: FlaskClient) -> Callable[[str], bytes]:
    def fetch(path: str) -> bytes:
        resp = client.get(f"/{path}")
        assert resp.status_code == 200, (path, resp.get_data(as_text=True))
        assert resp.mimetype == "application/octet-stream"
        assert resp.headers["Cache-Control"] == (FULL if ".p/" not in path
                                                 else "public, max-age=60")
        return resp.get_data()
    return fetch


@pytest.mark.parametrize("size", [9, 10, 255, 256, 257, 512, 600])
def test_tiles_rebuild_the_checkpoint_root(shared: Shared, shared_client: FlaskClient,
                                           size: int) -> None:
    grow(shared, size)
    key = NoteVerifier.from_vkey(shared_client.get("/v1/log/key").get_data(as_text=True))
    checkpoint = open_checkpoint(shared_client.get("/checkpoint").get_data(), key)
    assert checkpoint.size == size
    fetch = fetcher(shared_client)
    tree = TileTree(size, fetch)
    assert tree.root() == checkpoint.root_hash
    tree.check_levels()
    entries = [e for n in range((size + 255) // 256)
               for e in bundle_entries(fetch(tile_path(size, "entries", n)))]
    assert len(entries) == size
    assert [leaf(e) for e in entries] == [tree.stored(0, i) for i in range(size)]
    records = shared.log.entries(size - 3, size)
    assert entries[-3:] == [r.signature + r.statement for r in records]


def test_checkpoint_is_the_signed_note_briefly_cached(shared: Shared,
                                                      shared_client: FlaskClient) -> None:
    resp = shared_client.get("/checkpoint")
    assert resp.status_code == 200
    assert resp.content_type == "text/plain; charset=utf-8"
    assert resp.headers["Cache-Control"] == "public, max-age=5"
    assert resp.get_data(as_text=True) == shared.log.checkpoint()


@pytest.mark.parametrize("path", [
    "tile/0/003", "tile/0/002.p/89", "tile/1/000", "tile/1/000.p/3", "tile/2/000.p/1",
    "tile/entries/003", "tile/entries/002.p/89",
    "tile/0/0002", "tile/00/000", "tile/64/000", "tile/0/000.p/256", "tile/0/x000/002",
    "tile/blobs/000", "tile/", "tile/0/000.p/01",
])
def test_tiles_beyond_the_tree_or_misspelled_are_404(shared: Shared, shared_client: FlaskClient,
                                                      path: str) -> None:
    grow(shared, 600)
    assert_problem(shared_client.get(f"/{path}"), 404, "not-found")


def test_partial_tiles_of_earlier_sizes_stay_served(shared: Shared,
                                                    shared_client: FlaskClient) -> None:
    grow(shared, 600)
    data = fetcher(shared_client)("tile/0/000.p/9")
    assert data == fetcher(shared_client)("tile/0/000")[:9 * 32]
    assert hashlib.sha256(b"\x00" + bundle_entries(
        fetcher(shared_client)("tile/entries/000.p/1"))[0]).digest() == data[:32]


def test_empty_log_has_neither_checkpoint_nor_tiles(empty_client: FlaskClient) -> None:
    assert_problem(empty_client.get("/checkpoint"), 404, "not-found")
    assert_problem(empty_client.get("/tile/0/000.p/1"), 404, "not-found")
    assert_problem(empty_client.get("/tile/entries/000.p/1"), 404, "not-found")


def test_an_entry_too_large_for_a_bundle_is_a_clear_problem(client: FlaskClient,
                                                           service: Service) -> None:
    """Statements may exceed the uint16 length of a bundle entry; the bundle says so."""
    with service.engine.begin() as conn:
        conn.execute(update(schema.records).where(schema.records.c.seq == 0)
                     .values(statement=b"x" * 70_000))
    problem = assert_problem(client.get("/tile/entries/000.p/1"), 422, "entry-too-large")
    assert "entry 0 is 70064 bytes" in problem["detail"]
    assert client.get("/tile/0/000.p/1").status_code == 200
