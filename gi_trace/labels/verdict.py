"""The scan verdict: GENUINE, WARNING or INVALID for one printed Digital Link, with reasons.

A result object that never raises (as python-tuf's verification results): every
failure of the label is a reason, not an exception. It carries everything an
offline verifier needs — the label.issue statement as signed, the producer's key,
the inclusion proof and the signed checkpoint — so that nobody has to trust the
server's word for GENUINE.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from gi_trace.domain.label_signature import label_signature_valid
from gi_trace.domain.queries.labels import LabelFacts, journey, label_facts
from gi_trace.labels import scans
from gi_trace.labels.digital_link import DigitalLink
from gi_trace.labels.reasons import reason
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.encoding import b64url_decode, b64url_encode
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.log import Log

GENUINE, WARNING, INVALID = "GENUINE", "WARNING", "INVALID"


@dataclass
class Verdict:
    verdict: str
    link: dict[str, Any]
    reasons: list[dict[str, Any]] = field(default_factory=list)
    label: dict[str, Any] | None = None
    product: dict[str, Any] | None = None
    producer: dict[str, Any] | None = None
    batch: dict[str, Any] | None = None
    journey: list[dict[str, Any]] = field(default_factory=list)
    scans: dict[str, Any] | None = None
    proof: dict[str, Any] | None = None
    checked: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.verdict == GENUINE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _unix(ts: str) -> int:
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp())


class Scanner:
    """Judges scans against one log; `witnesses(size)` counts the cosignatures of a checkpoint."""

    def __init__(self, engine: Engine, log: Log, policy: scans.ScanPolicy, *,
                 witnesses: Any = None, clock: Any = time.time) -> None:
        self.engine, self.log, self.policy = engine, log, policy
        self._witnesses = witnesses or (lambda size: 0)
        self._clock = clock

    def scan(self, link: DigitalLink, *, record: bool = True) -> Verdict:
        """The verdict on a label's Digital Link (`link.serial` must be set); with `record`, the
        scan counts towards copy detection."""
        uri_parts = {"gtin": link.gtin, "lot": link.lot, "serial": link.serial, "s": link.sig}
        with self.engine.connect() as conn:
            facts = label_facts(conn, link.serial or "")
            if facts is None:
                return Verdict(INVALID, uri_parts, [reason("unknown-label")], checked=["label-issued"])
            steps = journey(conn, facts.batch.batch)
        verdict = Verdict(GENUINE, uri_parts, checked=["label-issued"])
        self._describe(verdict, facts, steps)
        verdict.reasons.extend(self._invalid(link, facts))
        verdict.checked.append("label-signature")
        if verdict.reasons:
            verdict.verdict = INVALID
        now = int(self._clock())
        with self.engine.begin() as conn:
            token = scans.record_scan(conn, facts.serial, now) if record else None
            sold_at = _unix(facts.status_ts) if facts.status == "sold" and facts.status_ts else None
            seen = scans.history(conn, facts.serial, self.policy, sold_at=sold_at)
        verdict.scans = {"count": seen.count, "first": _iso(seen.first_at), "token": token}
        if verdict.verdict != INVALID:
            warnings = self._warnings(facts, seen)
            if warnings:
                verdict.verdict = WARNING
                verdict.reasons.extend(warnings)
            verdict.checked.extend(["recall", "suspension", "copy-patterns"])
        verdict.proof = self._proof(facts)
        if verdict.proof is not None:
            verdict.checked.append("inclusion")
        return verdict

    def _describe(self, verdict: Verdict, facts: LabelFacts, steps: list[Any]) -> None:
        batch, product, producer = facts.batch, facts.product, facts.producer
        verdict.label = {"status": facts.status, "issued": facts.issue_ts,
                         "sold": facts.status_ts if facts.status == "sold" else None}
        if product is not None:
            verdict.product = {"product": product.product, "name": asdict(product.name),
                               "region": asdict(product.region), "unit": product.unit}
        if producer is not None:
            verdict.producer = {"org": producer.org,
                                "name": asdict(producer.name) if producer.name else None,
                                "uscc": producer.uscc, "region": producer.region}
        verdict.batch = {"batch": batch.batch, "lot": batch.lot, "harvested": batch.harvested,
                         "origin": asdict(batch.origin) if batch.origin else None,
                         "recalled": batch.recalled, "recall_reason": batch.recall_reason}
        verdict.journey = [{**asdict(step), "actor_name": asdict(step.actor_name)
                            if step.actor_name else None} for step in steps]

    @staticmethod
    def _invalid(link: DigitalLink, facts: LabelFacts) -> list[dict[str, Any]]:
        if link.gtin != facts.gtin:
            return [reason("gtin-mismatch")]
        if link.lot != facts.lot:
            return [reason("lot-mismatch")]
        if not link.sig:
            return [reason("signature-missing")]
        if link.sig != facts.sig and not _signature_valid(link, facts):
            return [reason("bad-signature")]
        if facts.status == "void":
            return [reason("voided", reason=facts.reason or "—")]
        return []

    def _warnings(self, facts: LabelFacts, seen: scans.ScanHistory) -> list[dict[str, Any]]:
        found = []
        if facts.batch.recalled:
            found.append(reason("recalled", reason=facts.batch.recall_reason or ""))
        if facts.suspension is not None:
            found.append(reason("producer-suspended", reason=facts.suspension))
        for code in seen.suspicions(self.policy):
            found.append(reason(code, sold=(facts.status_ts or "")[:10], after_sale=seen.after_sale,
                                count=seen.count,
                                km=seen.far_apart.km if seen.far_apart else 0,
                                hours=seen.far_apart.hours if seen.far_apart else 0))
        return found

    def _proof(self, facts: LabelFacts) -> dict[str, Any] | None:
        note = self.log.checkpoint()
        if note is None:
            return None
        size = Checkpoint.from_text(note.split("\n\n", 1)[0] + "\n").size
        leaf, path, root = self.log.inclusion_proof(facts.issue_seq, size)
        record = self.log.entries(facts.issue_seq, facts.issue_seq + 1)[0]
        return {"seq": facts.issue_seq, "statement": b64url_encode(record.statement),
                "signature": b64url_encode(record.signature),
                "key": {"id": facts.key, "pub": b64url_encode(facts.pub)},
                "leaf_hash": leaf.hex(),
                "inclusion": {"tree_size": size, "hashes": [h.hex() for h in path], "root": root.hex()},
                "checkpoint": note, "operator_key": self.log.signer.vkey(),
                "witnesses": self._witnesses(size)}


def _signature_valid(link: DigitalLink, facts: LabelFacts) -> bool:
    try:
        signature = b64url_decode(link.sig, field="s")
    except MalformedError:
        return False
    return label_signature_valid(facts.pub, facts.key, facts.gtin, facts.lot, facts.serial, signature)


def _iso(at: int | None) -> str | None:
    return None if at is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
