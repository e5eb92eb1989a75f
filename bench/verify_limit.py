"""The Ed25519 verify limit: statements per second that the CPUs can verify at all.

Every append and every audited record costs one Ed25519 verification, so this
rate is the ceiling the other figures are compared with. Worker processes each
verify the same realistic statements (`signing_input()` of the measured kinds,
`key.add` and `batch.register`, 16 authors) in a loop for a fixed time.

The denominator is the verify the service really runs: the ledger's own
`gi_trace.ledger.keys.verify` (libsodium's crypto_sign_open, called as the log
and the audit call it). cryptography's Ed25519PublicKey.verify (OpenSSL, key
objects loaded once, as a cache would) is measured too, for reference.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gi_trace.ledger import keys

from .fixtures import KINDS, Signer, sign_envelopes

MAX_ROUNDS = 100_000
LIBSODIUM, OPENSSL = "libsodium", "cryptography"


@dataclass(frozen=True)
class VerifyLimit:
    processes: int
    rate: float                 # gi_trace.ledger.keys.verify (libsodium), all processes together
    per_process: float          # the same, one process
    openssl_rate: float         # cryptography's Ed25519PublicKey.verify, all processes together
    openssl_per_process: float
    seconds: float
    statement_bytes: dict[str, int]   # canonical bytes of one statement of each kind


Item = tuple[bytes, bytes, bytes]


def _verify_for(job: tuple[list[Item], float, str]) -> tuple[int, float]:
    items, seconds, library = job
    loaded = {pub: Ed25519PublicKey.from_public_bytes(pub) for pub, _, _ in items}
    count, rounds = 0, 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline and rounds < MAX_ROUNDS:
        if library == LIBSODIUM:
            for pub, message, signature in items:
                if not keys.verify(pub, message, signature):
                    raise RuntimeError("a benchmark signature did not verify")
        else:
            for pub, message, signature in items:
                loaded[pub].verify(signature, message)
        count += len(items)
        rounds += 1
    return count, time.perf_counter() - start


def _rate(items: list[Item], processes: int, seconds: float, library: str) -> float:
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_verify_for, [(items, seconds, library)] * processes, chunksize=1)
    return sum(count / elapsed for count, elapsed in results)


def measure(seconds: float, processes: int = 2, statements: int = 256) -> VerifyLimit:
    signers = [Signer.new(f"producer-{i:02d}") for i in range(16)]
    pubs = {s.org: keys.public_bytes(s.key()) for s in signers}
    by_kind = {kind: sign_envelopes(kind, signers, statements // len(KINDS)) for kind in KINDS}
    envelopes = [e for kind in KINDS for e in by_kind[kind]]
    items = [(pubs[e.statement.actor], e.statement.signing_input(), e.signature) for e in envelopes]
    rates = {(library, n): _rate(items, n, seconds, library)
             for library in (LIBSODIUM, OPENSSL) for n in (1, processes)}
    return VerifyLimit(processes, rates[LIBSODIUM, processes], rates[LIBSODIUM, 1],
                       rates[OPENSSL, processes], rates[OPENSSL, 1], seconds,
                       {kind: len(found[0].statement.canonical) for kind, found in by_kind.items()})
