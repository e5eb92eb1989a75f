"""Issuing special-sign labels, on the producer's side: fresh serials, each signed with the
producer's key, and the label.issue statements that put them in the log.

The private key never leaves the producer: this runs in its client (the CLI),
and the server only ever sees serials and signatures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gi_trace.domain.bodies import MAX_LABELS
from gi_trace.domain.label_signature import sign_label
from gi_trace.labels.digital_link import gtin14, label_link
from gi_trace.labels.serials import new_serial

# Labels per label.issue statement: the statement (≈ 115 bytes a label) travels whole in
# every scan's offline proof, so a phone fetches ~23 KB rather than the ~56 KB of the maximum.
DEFAULT_PER_STATEMENT = 200


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
    return [Label(gtin, lot, serial, sign_label(private_key, gtin, lot, serial))
            for serial in sorted(serials)]


def per_statement(labels: Sequence[Label], size: int = DEFAULT_PER_STATEMENT) -> Iterator[Sequence[Label]]:
    """`labels` cut into the groups that one label.issue statement each carries."""
    if not 1 <= size <= MAX_LABELS:
        raise ValueError(f"a label.issue statement carries 1 to {MAX_LABELS} labels, not {size}")
    for start in range(0, len(labels), size):
        yield labels[start:start + size]
