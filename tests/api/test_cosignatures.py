"""POST /v1/log/cosignatures and GET /v1/log/checkpoint/cosigned over a listed witness."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from gi_trace.ledger import keys
from gi_trace.ledger.checkpoint import Checkpoint, open_checkpoint
from gi_trace.ledger.cosignature import Cosigner, open_cosignatures
from gi_trace.ledger.note import NoteVerifier, add_signatures
from gi_trace.service import Service
from gi_trace.settings import Settings
from tests.api.helpers import assert_problem, serving

WITNESS = Cosigner("witness.hlj.example/w1", keys.generate())


@pytest.fixture
def client(settings: Settings, service: Service, tmp_path: Path) -> Iterator[FlaskClient]:
    """The API with one listed witness (GI_TRACE_WITNESSES)."""
    listed = tmp_path / "listed-witnesses.txt"
    listed.write_text(f"# Heilongjiang market regulator\n{WITNESS.vkey()}\n")
    with serving(replace(settings, witnesses=str(listed))) as app:
        yield app.test_client()


def cosigned(client: FlaskClient, witness: Cosigner = WITNESS) -> tuple[str, Checkpoint]:
    note = client.get("/v1/log/checkpoint").get_data(as_text=True)
    key = NoteVerifier.from_vkey(client.get("/v1/log/key").get_data(as_text=True))
    checkpoint = open_checkpoint(note, key)
    line = witness.cosign(checkpoint, int(time.time())).line()
    return add_signatures(note, [line]), checkpoint


def test_a_listed_witness_cosignature_is_kept_and_served(client: FlaskClient) -> None:
    assert_problem(client.get("/v1/log/checkpoint/cosigned"), 404, "not-found")
    note, checkpoint = cosigned(client)
    resp = client.post("/v1/log/cosignatures", json={"note": note})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["tree_size"] == checkpoint.size
    assert [c["witness"] for c in body["cosignatures"]] == [WITNESS.name]
    served = client.get("/v1/log/checkpoint/cosigned")
    assert served.status_code == 200
    assert served.mimetype == "text/plain"
    assert served.get_data(as_text=True) == note
    _, found = open_cosignatures(served.get_data(), [WITNESS.verifier])
    assert [c.name for c in found] == [WITNESS.name]


def test_an_unlisted_witness_is_refused(client: FlaskClient) -> None:
    stranger = Cosigner("witness.elsewhere.example/w1", keys.generate())
    resp = client.post("/v1/log/cosignatures", json={"note": cosigned(client, stranger)[0]})
    assert_problem(resp, 422, "unknown-witness", field="note")
    assert_problem(client.get("/v1/log/checkpoint/cosigned"), 404, "not-found")


def test_a_checkpoint_the_log_never_issued_is_refused(client: FlaskClient,
                                                      service: Service) -> None:
    forged = Checkpoint(service.log.origin, 1, hashlib.sha256(b"forged").digest())
    note = add_signatures(forged.sign(service.log.signer),
                          [WITNESS.cosign(forged, int(time.time())).line()])
    resp = client.post("/v1/log/cosignatures", json={"note": note})
    assert_problem(resp, 422, "unknown-checkpoint", field="note")


def test_a_bad_cosignature_does_not_verify(client: FlaskClient) -> None:
    note, _ = cosigned(client)
    head, line = note.rstrip("\n").rsplit("\n", 1)
    prefix, b64 = line.rsplit(" ", 1)
    blob = bytearray(base64.b64decode(b64))
    blob[-1] ^= 1
    broken = f"{head}\n{prefix} {base64.b64encode(bytes(blob)).decode()}\n"
    resp = client.post("/v1/log/cosignatures", json={"note": broken})
    assert_problem(resp, 400, "bad-signature", field="note")


@pytest.mark.parametrize(("body", "status", "code"), [
    ({}, 422, "bad-argument"),
    ({"note": 5}, 422, "bad-argument"),
    ({"note": "no signature lines\n"}, 422, "no-blank-line"),
])
def test_malformed_bodies_are_problems(client: FlaskClient, body: object, status: int,
                                       code: str) -> None:
    assert_problem(client.post("/v1/log/cosignatures", json=body), status, code, field="note")
