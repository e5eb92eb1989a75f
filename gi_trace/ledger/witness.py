"""A witness: cosigns a log's checkpoint only if the log has just grown since the one it holds.

The witness keeps one thing per log, the latest checkpoint it cosigned, in a
state directory of its own. Before it signs anything new it proves, with a
consistency proof it checks itself, that the new tree extends the held one
(c2sp.org/tlog-witness). A log that forks (same size, another root), rolls
back (a smaller tree) or rewrites history is refused, and nothing is signed.
The held checkpoint is replaced atomically, and before the cosignature leaves
the witness, so it can never later sign a tree that contradicts one it published.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import keys, merkle
from .checkpoint import Checkpoint, open_checkpoint
from .cosignature import Cosigner
from .errors import ConflictError, MalformedError, VerificationError
from .note import NoteVerifier

ProofSource = Callable[[int, int], Sequence[bytes]]
"""Fetch the (untrusted) consistency proof from one tree size to another."""

CONFIG = "witness.json"
HELD = "checkpoint"
LOCK = "lock"


def check_extends(held: Checkpoint | None, new: Checkpoint, proof: ProofSource) -> None:
    """Raise unless ``new`` is the same tree as ``held`` or provably extends it."""
    if held is None:
        return  # a witness's first checkpoint of a log: there is nothing to contradict
    if new.origin != held.origin:
        raise VerificationError(f"checkpoint is of log {new.origin!r}, this witness follows "
                                f"{held.origin!r}", code="wrong-origin", field="origin")
    if new.size < held.size:
        raise VerificationError(f"the log offers a tree of {new.size} records, smaller "
                                f"than the tree of {held.size} this witness holds",
                                code="rollback", field="size")
    if new.size == held.size:
        if new.root_hash != held.root_hash:
            raise VerificationError(f"two trees of {new.size} records with different roots",
                                    code="fork", field="root_hash")
        return
    if held.size == 0:
        return  # the empty tree is a prefix of every tree
    try:
        merkle.verify_consistency(held.size, new.size, proof(held.size, new.size),
                                  held.root_hash, new.root_hash)
    except VerificationError as e:
        raise VerificationError(f"the tree of {new.size} records does not extend the tree of "
                                f"{held.size} this witness holds: {e.message}",
                                code="inconsistent", field="root_hash") from e


def write_atomically(path: Path, text: str) -> None:
    """Replace a file so that a crash leaves either the old or the new content, never a mix."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class WitnessState:
    """A witness's directory: its name and key file, the pinned log key, the held checkpoint."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        try:
            config = json.loads((self.directory / CONFIG).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise MalformedError(f"{self.directory} is not a witness state directory (run "
                                 f"`gi-trace witness init`): {e}", code="no-witness-state") from e
        self._config: dict[str, Any] = config

    @classmethod
    def create(cls, directory: str | Path, name: str, key: str | Path,
               log_key: NoteVerifier | None = None) -> WitnessState:
        """A new state directory for a witness whose private key is in the file ``key``."""
        directory = Path(directory)
        if (directory / CONFIG).exists():
            raise ConflictError(f"{directory} already holds a witness; refusing to overwrite it",
                                code="witness-exists")
        Cosigner(name, keys.load_private_key(key))  # refuse a bad name or key now, not later
        directory.mkdir(parents=True, exist_ok=True)
        config = {"name": name, "key": str(Path(key).resolve()),
                  "log_key": log_key.vkey() if log_key else None}
        write_atomically(directory / CONFIG, json.dumps(config, indent=2) + "\n")
        return cls(directory)

    def cosigner(self) -> Cosigner:
        return Cosigner(self._config["name"], keys.load_private_key(self._config["key"]))

    @property
    def log_key(self) -> NoteVerifier | None:
        vkey = self._config.get("log_key")
        return NoteVerifier.from_vkey(vkey) if vkey else None

    def pin_log_key(self, verifier: NoteVerifier) -> None:
        self._config["log_key"] = verifier.vkey()
        write_atomically(self.directory / CONFIG, json.dumps(self._config, indent=2) + "\n")

    def held(self) -> Checkpoint | None:
        """The checkpoint this witness last cosigned, its log signature checked again."""
        path = self.directory / HELD
        verifier = self.log_key
        if not path.exists() or verifier is None:
            return None
        return open_checkpoint(path.read_text(encoding="utf-8"), verifier)

    def hold(self, note: str) -> None:
        write_atomically(self.directory / HELD, note)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One cosigning run at a time: check and replace of the held checkpoint are atomic."""
        with open(self.directory / LOCK, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise ConflictError(f"another run of this witness holds {self.directory}",
                                    code="witness-busy") from e
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
