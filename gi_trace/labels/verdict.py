"""The scan verdict: GENUINE, WARNING or INVALID for one printed Digital Link, with reasons.

A result object that never raises (as python-tuf's verification results): every
failure of the label is a reason, not an exception. It carries everything an
offline verifier needs — the label.issue statement as signed, the producer's key,
the inclusion proof and the signed checkpoint — so that nobody has to trust the
server's word for GENUINE.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from gi_trace.domain.label_signature import label_signature_valid
from gi_trace.domain.queries.labels import JourneyStep, LabelFacts, journey, label_facts
from gi_trace.labels import scans
from gi_trace.labels.digital_link import DigitalLink
from gi_trace.labels.reasons import reason
from gi_trace.labels.scan_buffer import ScanBuffer
from gi_trace.ledger import schema
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
    view: LabelView | None = field(default=None, repr=False, compare=False)  # not in the JSON

    def __bool__(self) -> bool:
        return self.verdict == GENUINE

    def to_dict(self) -> dict[str, Any]:
        """The verdict as the JSON contract's object. Not a deep copy: the label, product,
        producer, batch, journey and the proof's inner parts are shared with the scanner's cache
        of the label (see LabelView); read them, never change them."""
        return {name: getattr(self, name) for name in FIELDS}

    def json(self, dumps: Callable[..., str]) -> str:
        """to_dict() as compact JSON text made by `dumps` (with json.dumps's keywords). The parts
        shared with the label's view are encoded once per view rather than on every scan."""
        view = self.view
        if view is None or any(getattr(self, name) is not view.parts[name] for name in SHARED) or \
                not _proof_of(self.proof, view.proof):
            return dumps(self.to_dict(), separators=(",", ":"))
        parts, proof = view.encoded(dumps)
        own = dumps({name: getattr(self, name) for name in OWN}, separators=(",", ":"))
        if self.proof is None:
            return "".join(("{", parts, ',"proof":null,', own[1:]))
        # The statement (base64url: nothing to escape) is shared by every label it issued: it is
        # joined in here rather than kept encoded in each view.
        return "".join(("{", parts, ',"proof":{"statement":"', self.proof["statement"], '",', proof,
                        ',"witnesses":', dumps(self.proof["witnesses"]), "},", own[1:]))


def _proof_of(proof: dict[str, Any] | None, shared: dict[str, Any] | None) -> bool:
    """Whether a verdict's proof is the view's proof and its witnesses' count, untouched."""
    if proof is None or shared is None:
        return proof is shared
    return len(proof) == len(shared) + 1 and all(proof.get(k) is v for k, v in shared.items())


@dataclass(frozen=True)
class LabelView:
    """What every scan of one label says while the log stays at `size` entries: its facts, the
    parts of the verdict shown (label, product, producer, batch, journey) and the offline proof
    against the checkpoint of that size (less the witnesses' count, which grows without an
    append). Only appends change any of it, and each append makes the log longer; so a view is
    kept per label and used while the latest checkpoint's size is still `size`."""

    size: int
    facts: LabelFacts | None
    parts: dict[str, Any]
    proof: dict[str, Any] | None
    _encoded: dict[Any, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def encoded(self, dumps: Callable[..., str]) -> tuple[str, str]:
        """The parts, and the proof less its statement, as JSON members (`"batch":…,"journey":…`,
        no braces), made by `dumps` once."""
        found = self._encoded.get(dumps)
        if found is None:
            proof = {k: v for k, v in (self.proof or {}).items() if k != "statement"}
            found = self._encoded[dumps] = (dumps(self.parts, separators=(",", ":"))[1:-1],
                                            dumps(proof, separators=(",", ":"))[1:-1])
        return found


SHARED = ("label", "product", "producer", "batch", "journey")  # a LabelView's parts
OWN = ("verdict", "link", "reasons", "scans", "checked")        # each scan's own
FIELDS = ("verdict", "link", "reasons", *SHARED, "scans", "proof", "checked")


VIEWS_KEPT = 1024  # labels whose view a process keeps, the most recently scanned (~10 KB each)
RECORDS_KEPT = 64  # label.issue records whose text a process keeps (up to ~90 KB each)
_LATEST_NOTE = select(schema.checkpoints.c.note).order_by(schema.checkpoints.c.size.desc()).limit(1)


def _unix(ts: str) -> int:
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp())


class Scanner:
    """Judges scans against one log; `witnesses(n)` counts the witnesses that cosigned a tree of
    at least n records (so one holding the label's issue).

    Each scan reads the latest checkpoint (one indexed query), takes the label's view for that
    log size from the cache or builds it, records the scan (in `buffer`, written a moment later)
    and reads the label's scan history; so a void, sale, recall or suspension appended by any
    process shows on the very next scan.
    """

    def __init__(self, engine: Engine, log: Log, policy: scans.ScanPolicy, *,
                 witnesses: Any = None, clock: Any = time.time, buffer: ScanBuffer | None = None) -> None:
        self.engine, self.log, self.policy = engine, log, policy
        self.buffer = buffer or ScanBuffer(engine)
        self._witnesses = witnesses or (lambda size: 0)
        self._clock = clock
        self._operator_key = log.signer.vkey()
        self._views: OrderedDict[str, LabelView] = OrderedDict()
        self._records: OrderedDict[int, tuple[str, str]] = OrderedDict()  # seq → statement, signature
        self._lock = threading.Lock()
        self._checkpoint: tuple[str | None, int] = (None, 0)  # the last note read, and its size

    def scan(self, link: DigitalLink, *, record: bool = True) -> Verdict:
        """The verdict on a label's Digital Link (`link.serial` must be set); with `record`, the
        scan counts towards copy detection."""
        uri_parts = {"gtin": link.gtin, "lot": link.lot, "serial": link.serial, "s": link.sig}
        serial = link.serial or ""
        with self.engine.connect() as conn:
            note = conn.scalar(_LATEST_NOTE)
            size = self._size(note)
            view = self._cached(serial, size)
            facts, steps = (view.facts, []) if view is not None else self._read(conn, serial)
            if facts is not None:
                seen, token = self._seen(conn, facts, record)
        if view is None:  # its proof reads through the log's own connections, after this one is back
            view = self._remember(serial, self._view(size, note, facts, steps))
        if facts is None:
            return Verdict(INVALID, uri_parts, [reason("unknown-label")], checked=["label-issued"])
        verdict = Verdict(GENUINE, uri_parts, checked=["label-issued"], view=view, **view.parts)
        verdict.reasons.extend(self._invalid(link, facts))
        verdict.checked.append("label-signature")
        if verdict.reasons:
            verdict.verdict = INVALID
        verdict.scans = {"count": seen.count, "first": _iso(seen.first_at), "token": token}
        if verdict.verdict != INVALID:
            warnings = self._warnings(facts, seen)
            if warnings:
                verdict.verdict = WARNING
                verdict.reasons.extend(warnings)
            verdict.checked.extend(["recall", "suspension", "copy-patterns"])
        if view.proof is not None:
            verdict.proof = {**view.proof, "witnesses": self._witnesses(facts.issue_seq + 1)}
            verdict.checked.append("inclusion")
        return verdict

    def _seen(self, conn: Connection, facts: LabelFacts,
              record: bool) -> tuple[scans.ScanHistory, str | None]:
        """Record this scan (with `record`) and read the label's scans, this one included."""
        token = self.buffer.record(facts.serial, int(self._clock())).token if record else None
        unwritten, maybe_written = self.buffer.unwritten(facts.serial)
        sold_at = _unix(facts.status_ts) if facts.status == "sold" and facts.status_ts else None
        return scans.history(conn, facts.serial, self.policy, sold_at=sold_at, unwritten=unwritten,
                             maybe_written=maybe_written), token

    # -- the views ----------------------------------------------------------------------------------
    def _size(self, note: str | None) -> int:
        """The tree size of a checkpoint note (0 for none), parsed once per note."""
        last_note, last_size = self._checkpoint
        if note == last_note:
            return last_size
        size = 0 if note is None else Checkpoint.from_text(note.split("\n\n", 1)[0] + "\n").size
        self._checkpoint = (note, size)
        return size

    def _cached(self, serial: str, size: int) -> LabelView | None:
        with self._lock:
            view = self._views.get(serial)
            if view is None or view.size != size:
                return None
            self._views.move_to_end(serial)
            return view

    def _remember(self, serial: str, view: LabelView) -> LabelView:
        with self._lock:
            kept = self._views.get(serial)
            if kept is None or kept.size <= view.size:  # a slower scan never puts back an older view
                self._views[serial] = view
                self._views.move_to_end(serial)
            while len(self._views) > VIEWS_KEPT:
                self._views.popitem(last=False)
        return view

    @staticmethod
    def _read(conn: Connection, serial: str) -> tuple[LabelFacts | None, list[JourneyStep]]:
        facts = label_facts(conn, serial)
        return facts, journey(conn, facts.batch.batch) if facts is not None else []

    def _view(self, size: int, note: str | None, facts: LabelFacts | None,
              steps: list[JourneyStep]) -> LabelView:
        if facts is None:
            return LabelView(size, None, {}, None)
        return LabelView(size, facts, self._describe(facts, steps),
                         self._proof(facts, size, note) if note is not None else None)

    @staticmethod
    def _describe(facts: LabelFacts, steps: list[JourneyStep]) -> dict[str, Any]:
        batch, product, producer = facts.batch, facts.product, facts.producer
        return {
            "label": {"status": facts.status, "issued": facts.issue_ts,
                      "sold": facts.status_ts if facts.status == "sold" else None},
            "product": None if product is None else {
                "product": product.product, "name": asdict(product.name),
                "region": asdict(product.region), "unit": product.unit},
            "producer": None if producer is None else {
                "org": producer.org, "name": asdict(producer.name) if producer.name else None,
                "uscc": producer.uscc, "region": producer.region},
            "batch": {"batch": batch.batch, "lot": batch.lot, "harvested": batch.harvested,
                      "origin": asdict(batch.origin) if batch.origin else None,
                      "recalled": batch.recalled, "recall_reason": batch.recall_reason},
            "journey": [{**asdict(step), "actor_name": asdict(step.actor_name)
                         if step.actor_name else None} for step in steps],
        }

    def _proof(self, facts: LabelFacts, size: int, note: str) -> dict[str, Any]:
        leaf, path, root = self.log.inclusion_proof(facts.issue_seq, size)
        statement, signature = self._record(facts.issue_seq)
        return {"seq": facts.issue_seq, "statement": statement, "signature": signature,
                "key": {"id": facts.key, "pub": b64url_encode(facts.pub)},
                "leaf_hash": leaf.hex(),
                "inclusion": {"tree_size": size, "hashes": [h.hex() for h in path], "root": root.hex()},
                "checkpoint": note, "operator_key": self._operator_key}

    def _record(self, seq: int) -> tuple[str, str]:
        """A record's statement and signature in base64url: one string for all the labels a
        label.issue issued (records never change)."""
        with self._lock:
            found = self._records.get(seq)
        if found is None:
            record = self.log.entries(seq, seq + 1)[0]
            found = (b64url_encode(record.statement), b64url_encode(record.signature))
            with self._lock:
                self._records[seq] = found
                while len(self._records) > RECORDS_KEPT:
                    self._records.popitem(last=False)
        return found

    # -- the judgement --------------------------------------------------------------------------------
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


def _signature_valid(link: DigitalLink, facts: LabelFacts) -> bool:
    try:
        signature = b64url_decode(link.sig, field="s")
    except MalformedError:
        return False
    return label_signature_valid(facts.pub, facts.key, facts.gtin, facts.lot, facts.serial, signature)


def _iso(at: int | None) -> str | None:
    return None if at is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
