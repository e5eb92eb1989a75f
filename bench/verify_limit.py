"""The Ed25519 verify limit: statements per second that the CPUs can verify at all.

Every append and every audited record costs one Ed25519 verification, so this
rate is the ceiling the other figures are compared with. Worker processes each
verify the same realistic statements (`signing_input()` of ~400-byte canonical
statements, 16 authors) in a loop for a fixed time, with cryptography's
Ed25519PublicKey.verify; the key objects are loaded once, as a cache would.
The rate through the ledger's own `gi_trace.ledger.keys.verify` (whatever
library it uses, key parsed per call) is measured too.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gi_trace.ledger import keys

from .fixtures import BATCH, Signer, sign_envelopes

MAX_ROUNDS = 100_000


@dataclass(frozen=True)
class VerifyLimit:
    processes: int
    rate: float            # verifications per second, all processes together
    per_process: float
    ledger_path_rate: float  # gi_trace.ledger.keys.verify, all processes together
    seconds: float
    statement_bytes: int


Item = tuple[bytes, bytes, bytes]


def _verify_for(job: tuple[list[Item], float, bool]) -> tuple[int, float]:
    items, seconds, ledger_path = job
    loaded = {pub: Ed25519PublicKey.from_public_bytes(pub) for pub, _, _ in items}
    count, rounds = 0, 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline and rounds < MAX_ROUNDS:
        if ledger_path:
            for pub, message, signature in items:
                if not keys.verify(pub, message, signature):
                    raise RuntimeError("a benchmark signature did not verify")
        else:
            for pub, message, signature in items:
                loaded[pub].verify(signature, message)
        count += len(items)
        rounds += 1
    return count, time.perf_counter() - start


def _rate(items: list[Item], processes: int, seconds: float, ledger_path: bool) -> float:
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_verify_for, [(items, seconds, ledger_path)] * processes, chunksize=1)
    return sum(count / elapsed for count, elapsed in results)


def measure(seconds: float, processes: int = 2, statements: int = 256) -> VerifyLimit:
    signers = [Signer.new(f"producer-{i:02d}") for i in range(16)]
    pubs = {s.org: keys.public_bytes(s.key()) for s in signers}
    envelopes = sign_envelopes(BATCH, signers, statements)
    items = [(pubs[e.statement.actor], e.statement.signing_input(), e.signature) for e in envelopes]
    single = _rate(items, 1, seconds, False)
    parallel = _rate(items, processes, seconds, False)
    ledger_path = _rate(items, processes, seconds, True)
    return VerifyLimit(processes, parallel, single, ledger_path, seconds,
                       len(envelopes[0].statement.canonical))
