"""Audit bundles: a log exported to a directory that an auditor verifies offline.

A bundle holds what an audit reads (every record as stored, the signed
checkpoints) and what an auditor would otherwise have to ask the operator for:
the genesis, the operator's note verifier key and an index of the organisations'
keys. A regulator's or the operator's export also holds `sidecars.jsonl`: the
disclosures of every confidential field and the attachments the rules checked, so
that the audit can check every digest and every rule; a public export has none.
Nothing in it is trusted. Records and checkpoints are audited as from any
other source; the genesis must name the regulators the auditor trusts; the
genesis file, the key index and the manifest must say what the verified records
say.

A directory rather than an archive: it is written and read one line at a time,
with no temporary copy and memory flat in the log's size; `cat` and `jq` read
it; any archiver can wrap it for transport.
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .audit import AuditFailure, AuditResult, RecordSource
from .checkpoint import Checkpoint
from .encoding import b64url_decode, b64url_encode, hex_decode
from .errors import LedgerError, MalformedError
from .genesis import load_genesis, save_genesis
from .identity import TrustRoots, introduced_keys, is_self_registration
from .keys import key_id
from .note import b64std_encode, parse_note
from .record import Record
from .sidecar import Sidecar
from .statement import Envelope, Statement

FORMAT = "gi-trace-audit-bundle/1"
MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
CHECKPOINTS = "checkpoints.jsonl"
GENESIS = "genesis.json"
KEYS = "keys.json"
LOG_KEY = "log-key.txt"
SIDECARS = "sidecars.jsonl"
PROGRESS_EVERY = 1000

Progress = Callable[[int, int], None]


# -- one record or checkpoint a line -------------------------------------------------------
def record_line(record: Record) -> str:
    """The statement bytes exactly as signed (base64url): nothing is re-encoded on the way."""
    return json.dumps({"seq": record.seq, "statement": b64url_encode(record.statement),
                       "signature": b64url_encode(record.signature), "prev": record.prev.hex(),
                       "record_hash": record.record_hash.hex()})


def parse_record(line: str, where: str) -> Record:
    data = _object(line, where)
    try:
        if not isinstance(data.get("seq"), int) or isinstance(data["seq"], bool):
            raise MalformedError("seq must be an integer", field="seq")
        return Record(data["seq"], b64url_decode(data.get("statement"), field="statement"),
                      b64url_decode(data.get("signature"), field="signature"),
                      hex_decode(data.get("prev", ""), field="prev", length=32),
                      hex_decode(data.get("record_hash", ""), field="record_hash", length=32))
    except LedgerError as e:
        raise MalformedError(f"{where}: {e.field}: {e.message}", code="bad-bundle") from e


def checkpoint_line(size: int, note: str) -> str:
    return json.dumps({"size": size, "note": note})


def parse_checkpoint(line: str, where: str) -> tuple[int, str]:
    data = _object(line, where)
    size, note = data.get("size"), data.get("note")
    if not isinstance(size, int) or isinstance(size, bool) or not isinstance(note, str):
        raise MalformedError(f"{where}: needs an integer size and a note", code="bad-bundle")
    return size, note


def _object(line: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except ValueError as e:
        raise MalformedError(f"{where}: not JSON", code="bad-bundle") from e
    if not isinstance(data, dict):
        raise MalformedError(f"{where}: not a JSON object", code="bad-bundle")
    return data


# -- what the records say ------------------------------------------------------------------
class LogIndex:
    """What a bundle derives from its records: the genesis (the self-registrations that open
    the log) and every key the log introduces, with its org and the seq that brought it."""

    def __init__(self) -> None:
        self.records = 0
        self.genesis: list[Envelope] = []
        self.keys: dict[str, dict[str, Any]] = {}

    def add(self, record: Record) -> None:
        position, self.records = self.records, self.records + 1
        try:
            statement = Statement.from_bytes(record.statement)
        except LedgerError:
            return  # the audit names such a record; the index describes well-formed ones
        if position == len(self.genesis) and is_self_registration(statement):
            self.genesis.append(Envelope(statement, record.signature))
        for pub in introduced_keys(statement):
            self.keys.setdefault(key_id(pub), {"org": statement.body.get("org"),
                                               "pub": b64url_encode(pub), "seq": record.seq})


@dataclass(frozen=True)
class Manifest:
    origin: str
    tree_size: int
    root_hash: str  # base64, as in the checkpoint
    records: int
    checkpoints: int
    keys: int
    genesis: int
    created: str

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "origin": self.origin, "tree_size": self.tree_size,
                "root_hash": self.root_hash, "created": self.created,
                "counts": {"records": self.records, "checkpoints": self.checkpoints,
                           "keys": self.keys, "genesis": self.genesis}}

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise MalformedError(f"unsupported bundle format {found!r}; this gi-trace reads "
                                 f"{FORMAT!r}", code="bad-bundle")
        counts: Any = data.get("counts")
        try:
            return cls(data["origin"], data["tree_size"], data["root_hash"], counts["records"],
                       counts["checkpoints"], counts["keys"], counts["genesis"], data["created"])
        except (KeyError, TypeError) as e:
            raise MalformedError(f"{MANIFEST}: missing or malformed {e}", code="bad-bundle") from e


# -- writing -------------------------------------------------------------------------------
def export_bundle(source: RecordSource, out: Path, log_key: str, *,
                  progress: Progress | None = None) -> Manifest:
    """Write `source` as a bundle at `out`, which must not exist yet. It is built in a
    directory beside `out` and renamed when complete, so no bundle is ever half written.
    The source's sidecars go in too when it has them (a regulator's or operator's source)."""
    note = source.latest_checkpoint()
    if note is None:
        raise MalformedError("the log has no checkpoint: nothing to export", code="no-checkpoint")
    latest = Checkpoint.from_text(parse_note(note).text)
    if out.exists():
        raise MalformedError(f"{out} already exists; give a new path", code="bundle-exists")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.{secrets.token_hex(4)}.partial"
    work.mkdir()
    try:
        index = _write_records(source, work / RECORDS, latest.size, progress)
        checkpoints = _write_checkpoints(source, work / CHECKPOINTS, latest.size, note)
        save_genesis(index.genesis, work / GENESIS)
        _write_json(work / KEYS, index.keys)
        (work / LOG_KEY).write_text(log_key + "\n", encoding="utf-8")
        _write_sidecars(source, work / SIDECARS, latest.size)
        manifest = Manifest(latest.origin, latest.size, b64std_encode(latest.root_hash),
                            index.records, checkpoints, len(index.keys), len(index.genesis),
                            datetime.now(UTC).isoformat(timespec="seconds"))
        _write_json(work / MANIFEST, manifest.to_json())
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _write_records(source: RecordSource, path: Path, total: int,
                   progress: Progress | None) -> LogIndex:
    index = LogIndex()
    with path.open("w", encoding="utf-8") as f:
        for record in source.records():
            f.write(record_line(record) + "\n")
            index.add(record)
            if progress is not None and index.records % PROGRESS_EVERY == 0:
                progress(index.records, total)
    if progress is not None:
        progress(index.records, total)
    return index


def _write_sidecars(source: RecordSource, path: Path, size: int) -> None:
    sidecars = source.sidecars()
    if sidecars is None:
        return
    with path.open("w", encoding="utf-8") as f:
        for sidecar in sidecars:
            if sidecar.seq < size:
                f.write(json.dumps(sidecar.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n")


def _write_checkpoints(source: RecordSource, path: Path, latest_size: int, latest: str) -> int:
    """Every checkpoint the source keeps, and the latest even if it keeps none (a server)."""
    count, last = 0, -1
    with path.open("w", encoding="utf-8") as f:
        for size, note in source.checkpoints():
            f.write(checkpoint_line(size, note) + "\n")
            count, last = count + 1, size
        if last < latest_size:
            f.write(checkpoint_line(latest_size, latest) + "\n")
            count += 1
    return count


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# -- reading -------------------------------------------------------------------------------
class BundleSource:
    """A bundle read as an audit reads any source; its other files are checked afterwards."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not (path / MANIFEST).is_file():
            raise MalformedError(f"{path} is not an audit bundle: it has no {MANIFEST}",
                                 code="bad-bundle")
        self.manifest = Manifest.from_json(_read_json(path / MANIFEST))
        self.genesis = load_genesis(path / GENESIS)
        self.log_key = _read(path / LOG_KEY).strip()
        self._index = LogIndex()

    def latest_checkpoint(self) -> str | None:
        latest: tuple[int, str] | None = None
        for size, note in self.checkpoints():
            if latest is None or size >= latest[0]:
                latest = (size, note)
        return None if latest is None else latest[1]

    def checkpoints(self) -> Iterator[tuple[int, str]]:
        for where, line in _lines(self.path / CHECKPOINTS):
            yield parse_checkpoint(line, where)

    def records(self) -> Iterator[Record]:
        self._index = LogIndex()
        for where, line in _lines(self.path / RECORDS):
            record = parse_record(line, where)
            self._index.add(record)
            yield record

    def sidecars(self) -> Iterator[Sidecar] | None:
        """The bundle's sidecars, if it was exported with them."""
        path = self.path / SIDECARS
        if not path.is_file():
            return None
        return (_sidecar(line, where) for where, line in _lines(path))

    def genesis_failure(self, trusted: TrustRoots) -> AuditFailure | None:
        """Whether the bundle's genesis names other regulators, or other keys, than `trusted`."""
        ours, theirs = TrustRoots.from_genesis(self.genesis).orgs, trusted.orgs
        differ = sorted(org for org in set(ours) | set(theirs) if ours.get(org) != theirs.get(org))
        if not differ:
            return None
        return AuditFailure(None, "the bundle's genesis is not the regulators you trust (they "
                            f"differ on {', '.join(differ)})", "genesis-mismatch")

    def contents_failure(self, result: AuditResult) -> AuditFailure | None:
        """Once the records verified: the files the audit did not read must agree with them."""
        index, checkpoint = self._index, result.checkpoint
        assert checkpoint is not None and result.failure is None
        if [(e.statement.canonical, e.signature) for e in self.genesis] != \
                [(e.statement.canonical, e.signature) for e in index.genesis]:
            return AuditFailure(None, f"{GENESIS} is not the self-registrations that open the log",
                                "bundle-genesis")
        if _read_json(self.path / KEYS) != index.keys:
            return AuditFailure(None, f"{KEYS} does not list the keys the records introduce",
                                "bundle-keys")
        expected = Manifest(checkpoint.origin, checkpoint.size, b64std_encode(checkpoint.root_hash),
                            index.records, sum(1 for _ in self.checkpoints()), len(index.keys),
                            len(index.genesis), self.manifest.created)
        wrong = [f.name for f in fields(Manifest)
                 if getattr(self.manifest, f.name) != getattr(expected, f.name)]
        if wrong:
            return AuditFailure(None, f"{MANIFEST} does not describe the verified log "
                                f"({', '.join(wrong)})", "bundle-manifest")
        return None


def _sidecar(line: str, where: str) -> Sidecar:
    data = _object(line, where)
    try:
        return Sidecar.from_json(data)
    except (KeyError, TypeError, ValueError) as e:
        raise MalformedError(f"{where}: not a sidecar ({e})", code="bad-bundle") from e


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise MalformedError(f"cannot read {path}: {e}", code="bad-bundle") from e


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read(path))
    except ValueError as e:
        raise MalformedError(f"{path}: not JSON", code="bad-bundle") from e


def _lines(path: Path) -> Iterator[tuple[str, str]]:
    """Each line of a JSON-lines file with its place, read one at a time."""
    try:
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                yield f"{path.name} line {number}", line
    except (OSError, UnicodeDecodeError) as e:
        raise MalformedError(f"cannot read {path}: {e}", code="bad-bundle") from e
