"""A log monitor: keeps the last checkpoint it verified and proves that each new one extends it.

An append-only log only grows, and every checkpoint it signs must be provably an
extension of every earlier one (RFC 9162 consistency proofs). A monitor that
remembers one checkpoint between runs catches an operator who forks the log (two
trees of one size), rolls it back (a smaller tree) or rewrites it (a larger tree
that does not extend the old one) -- and the two signed checkpoints it then holds
are evidence anyone can check with the operator's key.

The state (the pinned operator key and the last checkpoint) is a small JSON file,
replaced atomically, so the monitor can run from cron or loop in a terminal.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gi_trace.ledger.checkpoint import Checkpoint, open_checkpoint
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.note import NoteVerifier

from .errors import ClientError, ProblemError, TransportError, VerificationError
from .log import LogClient, SignedCheckpoint


class Alarm(VerificationError):
    """The log misbehaved. `evidence` holds the signed checkpoints that show it."""

    def __init__(self, message: str, *, code: str, evidence: tuple[str, ...] = ()) -> None:
        super().__init__(message, code=code)
        self.evidence = evidence


@dataclass(frozen=True)
class MonitorState:
    """What a monitor pins between runs: the operator key and the last verified checkpoint."""

    log_key: str
    note: str

    def to_json(self, url: str, size: int) -> dict[str, Any]:
        return {"url": url, "log_key": self.log_key, "size": size, "checkpoint": self.note,
                "updated": datetime.now(UTC).isoformat(timespec="seconds")}

    @classmethod
    def load(cls, path: Path) -> MonitorState | None:
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ClientError(f"cannot read the monitor state {path}: {e}", code="bad-state") from e
        if not (isinstance(data, dict) and isinstance(data.get("log_key"), str)
                and isinstance(data.get("checkpoint"), str)):
            raise ClientError(f"{path} is not a monitor state (log_key and checkpoint)",
                              code="bad-state")
        return cls(data["log_key"], data["checkpoint"])

    def save(self, path: Path, url: str, size: int) -> None:
        """Write to a temporary file beside `path`, flush it to disk, then rename it over
        `path`: a crash leaves the old state or the new one, never half of either."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.to_json(url, size), f, indent=2)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def default_state_path(base_url: str) -> Path:
    """~/.gi-trace/monitor-<host and path>.json: named after the URL, not after anything the
    server says about itself, so a server cannot steer a monitor to a fresh state."""
    parts = urllib.parse.urlsplit(base_url)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{parts.netloc}{parts.path}".rstrip("/"))
    return Path.home() / ".gi-trace" / f"monitor-{name}.json"


@dataclass(frozen=True)
class Observation:
    """One check that passed: the checkpoint held before (None on the first run) and now."""

    previous: Checkpoint | None
    current: Checkpoint
    tofu: bool

    def describe(self) -> str:
        now = f"size {self.current.size}"
        if self.previous is None:
            return f"pinned the first checkpoint: {now}"
        if self.previous.size == self.current.size:
            return f"unchanged: {now}, same root"
        return (f"grew from size {self.previous.size} to {self.current.size}: consistency "
                "proof verified")


class Monitor:
    """Checks one log server against the state file; raises Alarm when the log misbehaved.

    The operator key is the one in the state file; on the first run it is
    `operator_key` if given, else the one the server serves (trust on first use).
    """

    def __init__(self, base_url: str, state_path: Path, *, operator_key: str | None = None,
                 timeout: float = 30.0) -> None:
        self.state_path = state_path
        self.state = MonitorState.load(state_path)
        given = _verifier(operator_key) if operator_key else None
        pinned = _verifier(self.state.log_key) if self.state else given
        if given is not None and pinned != given:
            raise ClientError(f"{state_path} pins another operator key than the one given; "
                              "delete it only if the operator really changed its key",
                              code="key-mismatch")
        self.client = LogClient(base_url, log_key=pinned, timeout=timeout)

    def check(self) -> Observation:
        fresh = self.client.fetch_checkpoint()
        previous = self._previous()
        if previous is None:
            self._keep(fresh)
            return Observation(None, fresh.checkpoint, self.client.tofu)
        old, kept = previous
        if fresh.size < old.size:
            raise Alarm(f"the log now signs a tree of size {fresh.size} after it signed one of "
                        f"size {old.size}; an append-only log never shrinks",
                        code="rollback", evidence=(kept, fresh.note))
        try:
            self.client.prove_consistent(old, fresh.checkpoint)
        except VerificationError as e:
            raise Alarm(e.message, code=e.code, evidence=(kept, fresh.note)) from e
        except (ProblemError, TransportError) as e:
            if isinstance(e, TransportError) and e.code == "unreachable":
                raise
            raise Alarm(f"the server gave no consistency proof from size {old.size} to "
                        f"{fresh.size}: {e}", code="missing-proof",
                        evidence=(kept, fresh.note)) from e
        if fresh.size > old.size:
            self._keep(fresh)
        return Observation(old, fresh.checkpoint, self.client.tofu)

    def _previous(self) -> tuple[Checkpoint, str] | None:
        if self.state is None:
            return None
        key, note = self.client.log_key(), self.state.note
        try:
            return open_checkpoint(note, key, origin=self.client.origin), note
        except LedgerError as e:
            raise ClientError(f"the checkpoint in {self.state_path} does not verify with the "
                              f"pinned key: {e.message}", code="bad-state") from e

    def _keep(self, fresh: SignedCheckpoint) -> None:
        self.state = MonitorState(self.client.log_key().vkey(), fresh.note)
        self.state.save(self.state_path, self.client.base_url, fresh.size)


def _verifier(vkey: str) -> NoteVerifier:
    try:
        return NoteVerifier.from_vkey(vkey)
    except LedgerError as e:
        raise ClientError(f"not an operator key: {e.message}", code="bad-key") from e
