"""The scan verdict: GENUINE, RECALLED, WARNING or INVALID for one printed Digital Link, with reasons.

A result object that never raises (as python-tuf's verification results): every
failure of the label is a reason, not an exception.

- INVALID: the code was not issued as printed (unknown serial, changed GTIN or lot,
  missing or bad signature) — then the answer says nothing more about the label it
  claims to be, and its scan is not recorded, so forged scans never make a genuine
  label look copied; or the label was issued and then voided.
- RECALLED (red): the goods descend from a recalled batch. Do not eat or sell.
- WARNING (amber): the issuer or the harvest's producer is suspended, the label was
  sold already (said on every scan after the sale: a refilled bag is caught at once),
  or its scans look like a copied code.
- GENUINE otherwise.

A verdict of a label that was issued carries everything an offline verifier needs,
for that one label only (label_view.py), so that nobody has to trust the server's
word for GENUINE.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from gi_trace.domain.label_signature import label_signature_valid
from gi_trace.labels import scans
from gi_trace.labels.digital_link import DigitalLink
from gi_trace.labels.facts import LabelFacts, label_facts
from gi_trace.labels.label_tree import LabelTrees
from gi_trace.labels.label_view import SHARED, Draft, LabelView, describe, draft, proof
from gi_trace.labels.reasons import reason
from gi_trace.labels.scan_buffer import ScanBuffer
from gi_trace.ledger import schema
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.encoding import b64url_decode
from gi_trace.ledger.errors import MalformedError
from gi_trace.ledger.log import Log
from gi_trace.ledger.statement import parse_ts

GENUINE, RECALLED, WARNING, INVALID = "GENUINE", "RECALLED", "WARNING", "INVALID"
VERDICTS = (GENUINE, RECALLED, WARNING, INVALID)


@dataclass
class Verdict:
    verdict: str
    link: dict[str, Any]
    reasons: list[dict[str, Any]] = field(default_factory=list)
    label: dict[str, Any] | None = None
    product: dict[str, Any] | None = None
    producer: dict[str, Any] | None = None
    batch: dict[str, Any] | None = None
    harvests: list[dict[str, Any]] = field(default_factory=list)
    retailer: dict[str, Any] | None = None
    journey: list[dict[str, Any]] = field(default_factory=list)
    scans: dict[str, Any] | None = None
    proof: dict[str, Any] | None = None
    checked: list[str] = field(default_factory=list)
    view: LabelView | None = field(default=None, repr=False, compare=False)  # not in the JSON

    def __bool__(self) -> bool:
        return self.verdict == GENUINE

    def to_dict(self) -> dict[str, Any]:
        """The verdict as the JSON contract's object. Not a deep copy: the shared parts and the
        proof's inner parts are the scanner's cache of the label (see LabelView); read them,
        never change them."""
        return {name: getattr(self, name) for name in FIELDS}

    def json(self, dumps: Callable[..., str]) -> str:
        """to_dict() as compact JSON text made by `dumps` (with json.dumps's keywords). The parts
        shared with the label's view are encoded once per view rather than on every scan."""
        view = self.view
        if view is None or view.proof is None or \
                any(getattr(self, name) is not view.parts[name] for name in SHARED) or \
                not _proof_of(self.proof, view.proof):
            return dumps(self.to_dict(), separators=(",", ":"))
        assert self.proof is not None
        parts, proof_text = view.encoded(dumps)
        own = dumps({name: getattr(self, name) for name in OWN}, separators=(",", ":"))
        return "".join(("{", parts, ',"proof":', proof_text, ',"witnesses":',
                        dumps(self.proof["witnesses"]), "},", own[1:]))


def _proof_of(proof: dict[str, Any] | None, shared: dict[str, Any]) -> bool:
    """Whether a verdict's proof is the view's proof and its witnesses' count, untouched."""
    return proof is not None and len(proof) == len(shared) + 1 and \
        all(proof.get(k) is v for k, v in shared.items())


OWN = ("verdict", "link", "reasons", "scans", "checked")  # each scan's own
FIELDS = ("verdict", "link", "reasons", *SHARED, "scans", "proof", "checked")

VIEWS_KEPT = 1024  # labels whose view a process keeps, the most recently scanned (~10 KB each)
_LATEST_NOTE = select(schema.checkpoints.c.note).order_by(schema.checkpoints.c.size.desc()).limit(1)


def _unix(ts: str) -> int:
    return int(parse_ts(ts).timestamp())


class Scanner:
    """Judges scans against one log; `witnesses(n)` counts the witnesses that cosigned a tree of
    at least n records (so one holding the label's issue).

    Each scan reads the latest checkpoint (one indexed query), takes the label's view for that
    log size from the cache or builds it, records the scan (in `buffer`, written a moment later)
    when its signature verifies, and reads the label's scan history; so a void, sale, recall or
    suspension appended by any process shows on the very next scan.
    """

    def __init__(self, engine: Engine, log: Log, policy: scans.ScanPolicy, *,
                 witnesses: Any = None, clock: Any = time.time, buffer: ScanBuffer | None = None) -> None:
        self.engine, self.log, self.policy = engine, log, policy
        self.buffer = buffer or ScanBuffer(engine)
        self.trees = LabelTrees()
        self._witnesses = witnesses or (lambda size: 0)
        self._clock = clock
        self._operator_key = log.signer.vkey()
        self._views: OrderedDict[str, LabelView] = OrderedDict()
        self._lock = threading.Lock()
        self._checkpoint: tuple[str | None, int] = (None, 0)  # the last note read, and its size

    def scan(self, link: DigitalLink, *, record: bool = True) -> Verdict:
        """The verdict on a label's Digital Link (`link.serial` must be set); with `record`, a scan
        whose signature verifies counts towards copy detection."""
        uri_parts = {"gtin": link.gtin, "lot": link.lot, "serial": link.serial, "s": link.sig}
        serial = link.serial or ""
        made: Draft | None = None
        with self.engine.connect() as conn:
            note = conn.scalar(_LATEST_NOTE)
            size = self._size(note)
            view = self._cached(serial, size)
            facts = view.facts if view is not None else label_facts(conn, serial)
            if view is None and facts is not None:
                made = draft(conn, facts, self.trees)
            forged = _forged(link, facts) if facts is not None else []
            if facts is not None and not forged:
                seen, token = self._seen(conn, facts, record)
        if view is None:  # its proof reads through the log's own connections, after this one is back
            view = self._view(size, note, made)
            if made is None or made.facts.issue_seq < size:
                view = self._remember(serial, view)
            # (else the label was issued after the checkpoint read, which PostgreSQL's read
            # committed allows: this scan goes without a proof, and the next builds the view anew)
        if facts is None:
            return Verdict(INVALID, uri_parts, [reason("unknown-label")], checked=["label-issued"])
        if forged:  # not the label it claims to be: nothing of that label is shown
            return Verdict(INVALID, uri_parts, forged, checked=["label-issued", "label-signature"])
        verdict = Verdict(GENUINE, uri_parts, checked=["label-issued", "label-signature"], view=view,
                          **view.parts)
        verdict.scans = {"count": seen.count, "first": _iso(seen.first_at), "token": token}
        if facts.voided:
            verdict.verdict = INVALID
            verdict.reasons.append(reason("voided", issuer=_org_name(facts), issued=facts.issue_ts[:10],
                                          voided=(facts.status_ts or "")[:10]))
        verdict.reasons.extend(self._warnings(facts, seen))
        verdict.checked.extend(["recall", "suspension", "copy-patterns"])
        if verdict.verdict != INVALID:
            verdict.verdict = RECALLED if facts.batch.recalled else WARNING if verdict.reasons else GENUINE
        if view.proof is not None:
            verdict.proof = {**view.proof, "witnesses": self._witnesses(facts.issue_seq + 1)}
            verdict.checked.append("inclusion")
            if view.proof["label"] is not None:
                verdict.checked.append("label-path")
        return verdict

    def _seen(self, conn: Connection, facts: LabelFacts,
              record: bool) -> tuple[scans.ScanHistory, str | None]:
        """Record this scan (with `record`) and read the label's scans, this one included."""
        token = self.buffer.record(facts.serial, int(self._clock())).token if record else None
        unwritten, maybe_written = self.buffer.unwritten(facts.serial)
        sold_at = _unix(facts.status_ts) if facts.sold and facts.status_ts else None
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

    def _view(self, size: int, note: str | None, made: Draft | None) -> LabelView:
        if made is None:
            return LabelView(size, None, {}, None)
        found = None
        if note is not None and made.facts.issue_seq < size:
            inclusion = self.log.inclusion_proof(made.facts.issue_seq, size)
            found = proof(made, inclusion, size, note, self._operator_key)
        return LabelView(size, made.facts, describe(made), found)

    # -- the judgement --------------------------------------------------------------------------------
    def _warnings(self, facts: LabelFacts, seen: scans.ScanHistory) -> list[dict[str, Any]]:
        """What the person holding the package must know, most serious first."""
        found = []
        batch = facts.batch
        if batch.recalled:
            found.append(reason("recalled", reason=batch.recall_reason or "",
                                recalled=(facts.recall_ts or "")[:10]))
        if facts.suspension is not None:
            found.append(reason("producer-suspended", reason=facts.suspension))
        if facts.sold and not facts.voided:
            shop = _plain(facts.seller_name) or facts.status_by or ""
            found.append(reason("sold", sold=(facts.status_ts or "")[:10], shop=shop))
        for code in seen.suspicions(self.policy):
            found.append(reason(code, sold=(facts.status_ts or "")[:10], after_sale=seen.after_sale,
                                count=seen.count,
                                km=seen.far_apart.km if seen.far_apart else 0,
                                hours=seen.far_apart.hours if seen.far_apart else 0))
        return found


def _forged(link: DigitalLink, facts: LabelFacts) -> list[dict[str, Any]]:
    """Why the printed code is not the label that was issued (empty if it is)."""
    if link.gtin != facts.gtin:
        return [reason("gtin-mismatch")]
    if link.lot != facts.lot:
        return [reason("lot-mismatch")]
    if not link.sig:
        return [reason("signature-missing")]
    if link.sig != facts.sig and not _signature_valid(link, facts):
        return [reason("bad-signature")]
    return []


def _signature_valid(link: DigitalLink, facts: LabelFacts) -> bool:
    try:
        signature = b64url_decode(link.sig, field="s")
    except MalformedError:
        return False
    return label_signature_valid(facts.pub, facts.key, facts.gtin, facts.lot, facts.serial, signature)


def _org_name(facts: LabelFacts) -> Any:
    org = facts.issuer_org
    if org is not None and org.name is not None:
        return {"zh": org.name.zh, "en": org.name.en}
    return facts.issuer


def _plain(name: Any) -> Any:
    return None if name is None else {"zh": name.zh, "en": name.en}


def _iso(at: int | None) -> str | None:
    return None if at is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
