"""Appending over HTTP while something else happens: a writer thread, and the log's answers
checked as a client would (signed checkpoints, consistency proofs)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gi_trace.ledger import merkle
from gi_trace.ledger.checkpoint import Checkpoint, open_checkpoint
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.statement import Envelope
from tests.support import Actor


def request(url: str, payload: Any = None, *, accept: str = "*/*") -> tuple[int, Any]:
    """GET (or POST `payload` as JSON) and return the status and the body, JSON when it is."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json",
                                                          "Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, body, kind = resp.status, resp.read(), resp.headers.get_content_type()
    except urllib.error.HTTPError as e:
        status, body, kind = e.code, e.read(), e.headers.get_content_type()
    return status, json.loads(body) if kind.endswith("json") else body.decode()


def append(base: str, envelope: Envelope) -> tuple[int, Any]:
    return request(f"{base}/v1/statements", envelope.to_dict())


def checkpoint(base: str, operator: NoteVerifier) -> Checkpoint:
    status, note = request(f"{base}/v1/log/checkpoint")
    assert status == 200, note
    return open_checkpoint(note, operator)


def assert_consistent(base: str, old: Checkpoint, new: Checkpoint) -> None:
    """`new` extends `old`: the server's consistency proof verifies (no fork, no rollback)."""
    assert old.size <= new.size
    if old.size == new.size:
        assert old.root_hash == new.root_hash
        return
    status, proof = request(f"{base}/v1/log/proof/consistency?from={old.size}&to={new.size}")
    assert status == 200, proof
    merkle.verify_consistency(old.size, new.size, [bytes.fromhex(h) for h in proof["hashes"]],
                              old.root_hash, new.root_hash)


class Writer(threading.Thread):
    """Appends `actor`'s notes to `base` one after the other until stopped; keeps every
    acknowledgement (201) and every other answer."""

    def __init__(self, base: str, actor: Actor, name: str = "") -> None:
        super().__init__(daemon=True, name=f"writer {name or actor.org}")
        self.base, self.actor = base, actor
        self.acked: list[dict[str, Any]] = []
        self.refused: list[tuple[int, Any]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stopping.is_set():
            status, body = append(self.base, self.actor.note(n))
            if status == 201:
                self.acked.append(body)
            else:
                self.refused.append((status, body))
            n += 1

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acked) < count:
            assert time.monotonic() < deadline, f"{len(self.acked)} appends in {timeout} s"
            assert not self.refused, self.refused[:3]
            time.sleep(0.02)


@contextmanager
def writing(base: str, actor: Actor, name: str = "") -> Iterator[Writer]:
    """A Writer running for the block; stopped and joined after it."""
    writer = Writer(base, actor, name)
    writer.start()
    try:
        yield writer
    finally:
        writer.stopping.set()
        writer.join(timeout=60)
