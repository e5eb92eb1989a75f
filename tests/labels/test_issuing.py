"""Issuing labels on the producer's side: serials that are random and printable, label
signatures any verifier can check from DESIGN.md's definition, and statements of bounded size."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gi_trace.domain.bodies import MAX_LABELS, SERIAL_PATTERN
from gi_trace.labels.digital_link import CSET82, parse
from gi_trace.labels.issuing import new_labels, per_statement
from gi_trace.labels.serials import ALPHABET, LENGTH, new_serial
from gi_trace.ledger import keys

GTIN = "06971234500274"


def test_serials_carry_at_least_64_random_bits_in_characters_that_need_no_escaping() -> None:
    assert LENGTH * math.log2(len(ALPHABET)) >= 64
    made = {new_serial() for _ in range(5000)}
    assert len(made) == 5000
    assert all(len(s) == LENGTH and set(s) <= set(ALPHABET) and CSET82.fullmatch(s)
               and re.fullmatch(SERIAL_PATTERN, s) for s in made)
    assert set("".join(made)) == set(ALPHABET)  # every symbol is used: none is stuck


def test_each_label_signature_verifies_as_design_md_defines_it() -> None:
    key = keys.generate()
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_id = hashlib.sha256(pub).hexdigest()
    labels = new_labels(key, GTIN, "JH2026-1001", 20)
    assert len({label.serial for label in labels}) == 20
    for label in labels:
        message = b"gi-trace/v1/label\n" + json.dumps(
            {"gtin": GTIN, "key": key_id, "lot": "JH2026-1001", "serial": label.serial},
            separators=(",", ":"), sort_keys=True).encode()
        sig = base64.urlsafe_b64decode(label.sig + "==")
        Ed25519PublicKey.from_public_bytes(pub).verify(sig, message)  # raises if not
        link = parse(label.uri("https://gi.example"))
        assert (link.gtin, link.lot, link.serial, link.sig) == (GTIN, "JH2026-1001", label.serial, label.sig)


def test_short_gtins_are_issued_as_gtin_14() -> None:
    (label,) = new_labels(keys.generate(), GTIN[1:], "L1", 1)
    assert label.gtin == GTIN


def test_labels_are_cut_into_statements_of_at_most_the_chosen_size() -> None:
    labels = new_labels(keys.generate(), GTIN, "L1", 7)
    assert [len(group) for group in per_statement(labels, 3)] == [3, 3, 1]
    assert [x for group in per_statement(labels, 3) for x in group] == labels
    with pytest.raises(ValueError, match=f"1 to {MAX_LABELS}"):
        list(per_statement(labels, MAX_LABELS + 1))
