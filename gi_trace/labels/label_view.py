"""What every scan of one label shows while the log keeps its size: a `LabelView`.

The parts of the verdict that only an append can change — the label, product,
issuer, batch, harvests, retailer and journey — and the offline proof against the
checkpoint of that size. The proof discloses this one label and nothing else:

- v2 label.issue: the statement as signed (its body holds only batch, gtin, pack,
  count and labels_root), the label's leaf (serial and signature), its index and
  path to `labels_root`, the entry's leaf hash and inclusion path, and the signed
  checkpoint. A verifier goes leaf → labels_root → entry → checkpoint.
- v1 label.issue: the statement lists every serial and signature it issued, so it is
  never sent. The proof keeps the entry's leaf hash, its inclusion and the
  checkpoint: it shows that the issue is in the log, not that it lists this label
  (`statement`, `signature` and `label` are null).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from gi_trace.domain.label_commitment import Label
from gi_trace.ledger import schema
from gi_trace.ledger.encoding import b64url_encode
from gi_trace.ledger.merkle import leaf_hash

from .facts import LabelFacts
from .label_tree import LabelTrees
from .lineage import Lineage, lineage

log = logging.getLogger(__name__)

SHARED = ("label", "product", "producer", "batch", "harvests", "retailer", "journey")


@dataclass(frozen=True)
class Draft:
    """What a view is made of, read on the scan's own connection."""

    facts: LabelFacts
    lineage: Lineage
    statement: bytes  # the label.issue record's statement and signature
    signature: bytes
    label_path: dict[str, Any] | None  # v2: the label's leaf, index and path in labels_root


@dataclass(frozen=True)
class LabelView:
    """A label's parts and proof (less the witnesses' count, which grows without an append) for
    the log at `size` entries; kept per label while the latest checkpoint's size is `size`."""

    size: int
    facts: LabelFacts | None
    parts: dict[str, Any]
    proof: dict[str, Any] | None
    _encoded: dict[Any, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def encoded(self, dumps: Callable[..., str]) -> tuple[str, str]:
        """The parts as JSON members (`"label":…,"journey":…`, no braces), and the proof as a JSON
        object less its closing brace, made by `dumps` once."""
        found = self._encoded.get(dumps)
        if found is None:
            found = self._encoded[dumps] = (dumps(self.parts, separators=(",", ":"))[1:-1],
                                            dumps(self.proof, separators=(",", ":"))[:-1])
        return found


def draft(conn: Connection, facts: LabelFacts, trees: LabelTrees) -> Draft:
    r = schema.records.c
    record = conn.execute(select(r.statement, r.signature).where(r.seq == facts.issue_seq)).one()
    statement = bytes(record.statement)
    return Draft(facts, lineage(conn, facts), statement, bytes(record.signature),
                 _label_path(conn, facts, statement, trees))


def _label_path(conn: Connection, facts: LabelFacts, statement: bytes,
                trees: LabelTrees) -> dict[str, Any] | None:
    body = json.loads(statement).get("body", {})
    root = body.get("labels_root")
    if not isinstance(root, str) or facts.idx is None:
        return None  # a v1 issue: its statement lists the serials, no labels_root
    tree = trees.tree(conn, facts.issue_seq)
    if tree is None or b64url_encode(tree.root) != root or tree.size != body.get("count"):
        log.error("the labels of label.issue #%d do not make its labels_root", facts.issue_seq)
        return None
    leaf = leaf_hash(Label(facts.serial, facts.sig).leaf)
    if tree.levels[0][facts.idx * 32:(facts.idx + 1) * 32] != leaf:
        log.error("label %s is not leaf %d of label.issue #%d", facts.serial, facts.idx, facts.issue_seq)
        return None
    return {"serial": facts.serial, "sig": facts.sig, "index": facts.idx,
            "hashes": [h.hex() for h in tree.path(facts.idx)]}


def describe(draft: Draft) -> dict[str, Any]:
    """The shared parts of the verdict, as the JSON contract has them."""
    facts, found = draft.facts, draft.lineage
    batch, product, issuer = facts.batch, facts.product, facts.issuer_org
    return {
        "label": {"status": facts.status, "issued": facts.issue_ts,
                  "sold": facts.status_ts if facts.sold else None,
                  "voided": facts.status_ts if facts.voided else None, "pack": _pack(draft)},
        "product": None if product is None else {
            "product": product.product, "name": asdict(product.name),
            "region": asdict(product.region), "unit": product.unit},
        "producer": None if issuer is None else {
            "org": issuer.org, "name": asdict(issuer.name) if issuer.name else None,
            "uscc": issuer.uscc, "region": issuer.region},
        "batch": {"batch": batch.batch, "lot": batch.lot, "harvested": found.harvested,
                  "recalled": batch.recalled, "recall_reason": batch.recall_reason},
        "harvests": [{"batch": h.batch, "lot": h.lot, "producer": h.producer,
                      "producer_name": _name(h.producer_name), "harvested": h.harvested,
                      "village": _name(h.village)} for h in found.harvests],
        "retailer": None if found.retailer is None else {
            "org": found.retailer, "name": _name(found.retailer_name)},
        "journey": [{"seq": s.seq, "ts": s.ts, "type": s.type, "batch": s.batch, "actor": s.actor,
                     "actor_name": _name(s.actor_name),
                     "detail": {k: _name(v) if hasattr(v, "zh") else v for k, v in s.detail.items()}}
                    for s in found.steps],
    }


def proof(draft: Draft, inclusion: tuple[bytes, list[bytes], bytes], size: int, note: str,
          operator_key: str) -> dict[str, Any]:
    facts = draft.facts
    leaf, path, root = inclusion
    v2 = draft.label_path is not None
    return {"seq": facts.issue_seq,
            "statement": b64url_encode(draft.statement) if v2 else None,
            "signature": b64url_encode(draft.signature) if v2 else None,
            "key": {"id": facts.key, "pub": b64url_encode(facts.pub)},
            "label": draft.label_path,
            "leaf_hash": leaf.hex(),
            "inclusion": {"tree_size": size, "hashes": [h.hex() for h in path], "root": root.hex()},
            "checkpoint": note, "operator_key": operator_key}


def _pack(draft: Draft) -> str | None:
    """The net quantity one label covers (label.issue v2's public `pack`), as printed on the bag."""
    pack = json.loads(draft.statement).get("body", {}).get("pack")
    return pack if isinstance(pack, str) else None


def _name(name: Any) -> dict[str, str] | None:
    return None if name is None else {"zh": name.zh, "en": name.en}
