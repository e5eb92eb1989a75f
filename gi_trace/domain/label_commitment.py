"""How a v2 label.issue commits to its labels without publishing them.

The statement carries only `labels_root`: the RFC 6962 tree hash over the leaves
`jcs({"serial", "sig"})`, in issue order. The labels themselves travel beside the
statement (the envelope's `labels` attachment); the server checks them against the
root and keeps them in its own tables. A scan later proves one label by its leaf and
its audit path in that tree, and discloses no other label of the issue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gi_trace.ledger.canonical import canonical_json
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.merkle import leaf_hash, root_of

ATTACHMENT = "labels"
# GS1 AI 21 (serial): up to 20 characters of set 82; at least 12, as a floor under the
# ≥ 64 random bits DESIGN.md asks for (the server cannot see randomness, only length).
SERIAL_PATTERN = re.compile(r"^[!%-?A-Z_a-z\"]{12,20}$")
SIGNATURE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{86}$")  # 64 bytes, base64url without padding


@dataclass(frozen=True)
class Label:
    serial: str
    sig: str

    @property
    def leaf(self) -> bytes:
        """The tree's leaf for this label: canonical JSON of {"serial", "sig"}."""
        return canonical_json({"serial": self.serial, "sig": self.sig})


def labels_root(labels: Sequence[Label]) -> bytes:
    """The RFC 6962 tree hash over the labels' leaves, in issue order."""
    return root_of([leaf_hash(label.leaf) for label in labels])


def load_labels(data: Any, count: int) -> list[Label]:
    """The `labels` attachment: exactly `count` objects {"serial", "sig"}, serials distinct.
    A MalformedError names the attachment field at fault (`labels[i].sig`)."""
    if not isinstance(data, list):
        raise MalformedError("a label.issue needs its labels beside it: a list of "
                             '{"serial", "sig"}', field=ATTACHMENT, code="invalid-labels")
    if len(data) != count:
        raise MalformedError(f"body.count is {count} but {len(data)} labels came with it",
                             field=ATTACHMENT, code="invalid-labels")
    labels: list[Label] = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        where = f"{ATTACHMENT}[{index}]"
        if not isinstance(item, dict) or set(item) != {"serial", "sig"}:
            raise MalformedError('each label is exactly {"serial", "sig"}', field=where,
                                 code="invalid-labels")
        serial, sig = item["serial"], item["sig"]
        if not isinstance(serial, str) or not SERIAL_PATTERN.fullmatch(serial):
            raise MalformedError("a serial is 12 to 20 characters of GS1 set 82",
                                 field=f"{where}.serial", code="invalid-labels")
        if not isinstance(sig, str) or not SIGNATURE_PATTERN.fullmatch(sig):
            raise MalformedError("a label signature is 64 bytes in base64url",
                                 field=f"{where}.sig", code="invalid-labels")
        if serial in seen:
            raise MalformedError(f"serial {serial} is given twice", field=f"{where}.serial",
                                 code="invalid-labels")
        seen.add(serial)
        labels.append(Label(serial, sig))
    return labels
