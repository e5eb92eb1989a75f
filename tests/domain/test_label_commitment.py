"""A label.issue's labels_root, against the published vectors, and the labels' shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gi_trace.domain.label_commitment import Label, labels_root, load_labels
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.merkle import leaf_hash
from tests.vectors import vectors_dir

VECTORS: dict[str, Any] = json.loads(
    (vectors_dir() / "gi-trace-v2" / "v2_vectors.json").read_text(encoding="utf-8"))["labels"]
LABELS = [Label(item["serial"], item["sig"]) for item in VECTORS["labels"]]


def test_leaves_and_root_match_the_vectors() -> None:
    for label, item in zip(LABELS, VECTORS["labels"], strict=True):
        assert label.leaf.decode() == item["leaf_jcs"]
        assert leaf_hash(label.leaf).hex() == item["leaf_hash_hex"]
    assert labels_root(LABELS).hex() == VECTORS["labels_root_hex"]
    assert b64url_encode(labels_root(LABELS)) == VECTORS["labels_root"]


def test_order_and_every_byte_matter() -> None:
    root = labels_root(LABELS)
    assert labels_root(LABELS[::-1]) != root
    assert labels_root(LABELS[:-1]) != root
    changed = Label(LABELS[0].serial, "B" + LABELS[0].sig[1:])
    assert labels_root([changed, *LABELS[1:]]) != root


def test_load_labels_accepts_the_vectors() -> None:
    data = [{"serial": label.serial, "sig": label.sig} for label in LABELS]
    assert load_labels(data, len(data)) == LABELS


GOOD = {"serial": "04ZXZY0D6GK9M8QX", "sig": "A" * 86}
BAD = [
    ("missing", None, 1, "labels"),
    ("not-a-list", {"serial": "x"}, 1, "labels"),
    ("count-differs", [GOOD], 2, "labels"),
    ("extra-field", [{**GOOD, "gtin": "1"}], 1, "labels[0]"),
    ("short-serial", [{**GOOD, "serial": "SHORT"}], 1, "labels[0].serial"),
    ("bad-sig", [{**GOOD, "sig": "A" * 85}], 1, "labels[0].sig"),
    ("twice", [GOOD, GOOD], 2, "labels[1].serial"),
]


@pytest.mark.parametrize(("data", "count", "field"), [row[1:] for row in BAD],
                         ids=[row[0] for row in BAD])
def test_load_labels_refuses(data: Any, count: int, field: str) -> None:
    with pytest.raises(MalformedError) as refused:
        load_labels(data, count)
    assert (refused.value.code, refused.value.field) == ("invalid-labels", field)
