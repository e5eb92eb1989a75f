"""Issuing special-sign labels, on the issuer's side: fresh serials, each signed with the
issuer's key, grouped into the label.issue statements that commit to them.

The private key never leaves the issuer: this runs in its client (the CLI). A label.issue
(statement v2) carries only the labels' count and `labels_root`, the RFC 6962 tree hash
over their leaves jcs({"serial", "sig"}) in issue order; the serials and signatures travel
beside it to the server, which keeps them out of the public log.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.domain.bodies import MAX_LABELS
from gi_trace.domain.label_signature import sign_label
from gi_trace.labels.digital_link import gtin14, label_link
from gi_trace.labels.serials import new_serial
from gi_trace.ledger.keys import private_key_id

# Labels per label.issue statement: the statement holds a root, not the labels, so it stays
# small however many it commits to; one statement carries as many as the log allows.
DEFAULT_PER_STATEMENT = MAX_LABELS
SIGN_IN_TWO_FROM = 2000


@dataclass(frozen=True)
class Label:
    gtin: str
    lot: str
    serial: str
    sig: str

    def uri(self, base_url: str) -> str:
        return label_link(base_url, self.gtin, self.lot, self.serial, self.sig)


def new_labels(private_key: Ed25519PrivateKey, gtin: str, lot: str, count: int) -> list[Label]:
    gtin = gtin14(gtin)
    serials = {new_serial() for _ in range(count)}
    while len(serials) < count:  # 80 random bits: a repeat is astronomically rare, but cheap to rule out
        serials.add(new_serial())
    key = private_key_id(private_key)
    ordered = sorted(serials)

    def sign(part: Sequence[str]) -> list[Label]:
        return [Label(gtin, lot, serial, sign_label(private_key, gtin, lot, serial, key=key))
                for serial in part]

    if count < SIGN_IN_TWO_FROM:
        return sign(ordered)
    # OpenSSL signs without the GIL: a big run of labels uses both cores of the issuer's machine.
    half = (count + 1) // 2
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(sign, (ordered[:half], ordered[half:]))
    return first + second


def per_statement(labels: Sequence[Label], size: int = DEFAULT_PER_STATEMENT) -> Iterator[Sequence[Label]]:
    """`labels` cut into the groups that one label.issue statement each commits to."""
    if not 1 <= size <= MAX_LABELS:
        raise ValueError(f"a label.issue statement carries 1 to {MAX_LABELS} labels, not {size}")
    for start in range(0, len(labels), size):
        yield labels[start:start + size]
