"""The log as a client sees it: signed checkpoints, inclusion and consistency proofs.

The server is not trusted. A checkpoint counts only once the pinned operator key
has verified its signature; a statement counts as appended only once an
inclusion proof leads from the leaf hash *we* computed (from the bytes we
signed) to the root of such a checkpoint; and every new checkpoint must be
provably an extension of the last one this client saw, so a log that rewrites
history under a client is caught by it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from gi_trace.ledger import merkle
from gi_trace.ledger.checkpoint import Checkpoint, open_checkpoint
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.note import NoteVerifier
from gi_trace.ledger.statement import Envelope

from .errors import TransportError, VerificationError
from .http import Http

T = TypeVar("T")


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint whose operator signature has been verified, and the note as served."""

    checkpoint: Checkpoint
    note: str

    @property
    def size(self) -> int:
        return self.checkpoint.size


@dataclass(frozen=True)
class Receipt:
    """Proof of an append: where the statement landed and the signed checkpoint that
    includes it (already verified). Keep it: with the note, anyone can re-check later."""

    seq: int
    leaf_hash: bytes
    record_hash: bytes | None
    checkpoint: SignedCheckpoint
    envelope: Envelope

    def __repr__(self) -> str:
        return (f"Receipt(seq={self.seq}, type={self.type!r}, tree_size={self.tree_size}, "
                f"leaf_hash={self.leaf_hash.hex()!r})")

    @property
    def type(self) -> str:
        return self.envelope.statement.type

    @property
    def tree_size(self) -> int:
        return self.checkpoint.size


def _verified(what: str, check: Callable[[], T]) -> T:
    """Run a ledger check; its errors become the client's VerificationError, cause kept."""
    try:
        return check()
    except LedgerError as e:
        raise VerificationError(f"{what}: {e.message}", code=e.code, field=e.field) from e


def _hash(value: Any, field: str) -> bytes:
    try:
        data = bytes.fromhex(value) if isinstance(value, str) else None
    except ValueError:
        data = None
    if data is None or len(data) != merkle.HASH_SIZE:
        raise VerificationError(f"{field} is not a 32-byte hex hash", code="bad-response",
                                field=field)
    return data


def _int(data: Any, field: str) -> int:
    value = data.get(field) if isinstance(data, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TransportError(f"the server's answer has no valid {field!r}", code="bad-response")
    return value


class LogClient:
    """Reads and appends to one gi-trace log, believing only what it can verify.

    `log_key` is the operator's note verifier key (`name+hash+base64`), obtained
    out of band. Without it the client fetches /v1/log/key on first use and pins
    it for its lifetime: trust on first use (TOFU). That detects a server that
    changes key or history later, not one that lies from the first contact, so
    pass the key whenever you have it (`tofu` says which case applies).
    `origin` is the checkpoint origin line expected; it defaults to the key's
    name, which is how gi-trace servers name their key.
    """

    def __init__(self, base_url: str, *, log_key: str | NoteVerifier | None = None,
                 origin: str | None = None, timeout: float = 30.0) -> None:
        self.http = Http(base_url, timeout=timeout)
        self._verifier: NoteVerifier | None = None
        if isinstance(log_key, NoteVerifier):
            self._verifier = log_key
        elif log_key is not None:
            self._verifier = _verified("log key", lambda: NoteVerifier.from_vkey(log_key))
        self._origin = origin
        self.tofu = False
        self._latest: SignedCheckpoint | None = None

    @property
    def base_url(self) -> str:
        return self.http.base_url

    # -- trust ------------------------------------------------------------------------------
    def log_key(self) -> NoteVerifier:
        """The pinned operator key; fetched and pinned on first use when none was given."""
        if self._verifier is None:
            text = self.http.get_text("/v1/log/key")
            self._verifier = _verified("the server's log key", lambda: NoteVerifier.from_vkey(text))
            self.tofu = True
        return self._verifier

    @property
    def origin(self) -> str:
        return self._origin or self.log_key().name

    @property
    def latest(self) -> SignedCheckpoint | None:
        """The largest checkpoint this client has verified so far."""
        return self._latest

    # -- checkpoints ------------------------------------------------------------------------
    def fetch_checkpoint(self) -> SignedCheckpoint:
        """The server's latest checkpoint, its operator signature and origin verified, not
        yet compared with any other (what a monitor needs to tell a rollback apart)."""
        verifier, origin = self.log_key(), self.origin
        note = self.http.get_text("/v1/log/checkpoint")
        opened = _verified("checkpoint", lambda: open_checkpoint(note, verifier, origin=origin))
        return SignedCheckpoint(opened, note)

    def checkpoint(self) -> SignedCheckpoint:
        """The server's latest checkpoint, verified and proved consistent with what this
        client saw before; returns the largest verified one (never goes back in time)."""
        fresh = self.fetch_checkpoint()
        previous = self._latest
        if previous is not None:
            older, newer = sorted((previous, fresh), key=lambda c: c.size)
            self.prove_consistent(older.checkpoint, newer.checkpoint)
        if previous is None or fresh.size > previous.size:
            self._latest = fresh
        assert self._latest is not None
        return self._latest

    def prove_consistent(self, older: Checkpoint, newer: Checkpoint) -> None:
        """Raise unless `older` is a prefix of `newer` (RFC 9162 consistency proof)."""
        if older.size == 0:
            return  # the empty tree is a prefix of every tree
        if older.size == newer.size:
            if older.root_hash != newer.root_hash:
                raise VerificationError(f"two checkpoints of size {older.size} with different "
                                        "roots: the log forked", code="fork", field="root")
            return
        proof = self.consistency_proof(older.size, newer.size)
        _verified(f"checkpoint {newer.size} does not extend checkpoint {older.size}",
                  lambda: merkle.verify_consistency(older.size, newer.size, proof,
                                                    older.root_hash, newer.root_hash))

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """The server's proof that tree `first` is a prefix of tree `second`, not yet checked."""
        data = self.http.get_json("/v1/log/proof/consistency",
                                  params={"from": first, "to": second})
        hashes = data.get("hashes") if isinstance(data, dict) else None
        if not isinstance(hashes, list):
            raise VerificationError("consistency proof has no hashes", code="bad-response",
                                    field="hashes")
        return [_hash(h, "hashes") for h in hashes]

    # -- inclusion --------------------------------------------------------------------------
    def prove_included(self, seq: int, leaf_hash: bytes, checkpoint: Checkpoint) -> None:
        """Raise unless the leaf we computed sits at `seq` under the checkpoint's signed root.

        The server's own `leaf_hash` and `root` are compared too, but only the
        checkpoint's root and our leaf hash are trusted.
        """
        if seq >= checkpoint.size:
            raise VerificationError(f"checkpoint of size {checkpoint.size} does not cover seq {seq}",
                                    code="not-covered", field="tree_size")
        data = self.http.get_json("/v1/log/proof/inclusion",
                                  params={"seq": seq, "tree_size": checkpoint.size})
        if not isinstance(data, dict) or not isinstance(data.get("hashes"), list):
            raise VerificationError("inclusion proof has no hashes", code="bad-response",
                                    field="hashes")
        if _hash(data.get("leaf_hash"), "leaf_hash") != leaf_hash:
            raise VerificationError(f"the log holds another leaf at seq {seq} than the statement "
                                    "we signed", code="leaf-mismatch", field="leaf_hash")
        if "root" in data and _hash(data["root"], "root") != checkpoint.root_hash:
            raise VerificationError("the proof's root is not the signed checkpoint's root",
                                    code="root-mismatch", field="root")
        proof = [_hash(h, "hashes") for h in data["hashes"]]
        _verified(f"seq {seq} is not included in checkpoint {checkpoint.size}",
                  lambda: merkle.verify_inclusion(seq, checkpoint.size, leaf_hash, proof,
                                                  checkpoint.root_hash))

    # -- appending --------------------------------------------------------------------------
    def append(self, envelopes: Sequence[Envelope], *, many: bool | None = None) -> list[Receipt]:
        """POST signed envelopes (one, or a list: all or nothing) and verify their inclusion.

        `many` sends a JSON list even for one envelope; by default a single
        envelope goes alone, as `POST /v1/statements` accepts both.
        """
        if not envelopes:
            raise ValueError("nothing to append")
        as_list = len(envelopes) > 1 if many is None else many
        if not as_list and len(envelopes) != 1:
            raise ValueError("many=False needs exactly one envelope")
        payload: Any = ([e.to_dict() for e in envelopes] if as_list else envelopes[0].to_dict())
        answer = self.http.post_json("/v1/statements", payload)
        results = answer if isinstance(answer, list) else [answer]
        if len(results) != len(envelopes):
            raise TransportError(f"sent {len(envelopes)} statements, the server answered for "
                                 f"{len(results)}", code="bad-response")
        appended = []
        for envelope, result in zip(envelopes, results, strict=True):
            if not isinstance(result, dict):
                raise TransportError("the server's answer is not a list of results",
                                     code="bad-response")
            leaf = merkle.leaf_hash(envelope.leaf)
            if _hash(result.get("leaf_hash"), "leaf_hash") != leaf:
                raise VerificationError("the server reports another leaf hash than the statement "
                                        "we signed", code="leaf-mismatch", field="leaf_hash")
            record = result.get("record_hash")
            appended.append((_int(result, "seq"), leaf,
                             _hash(record, "record_hash") if record is not None else None))
        signed = self.checkpoint()
        for seq, leaf, _ in appended:
            self.prove_included(seq, leaf, signed.checkpoint)
        return [Receipt(seq, leaf, record, signed, envelope)
                for (seq, leaf, record), envelope in zip(appended, envelopes, strict=True)]

    def verify_receipt(self, receipt: Receipt) -> SignedCheckpoint:
        """Re-check an old receipt against the log's current checkpoint (still included,
        and the log only grew since): what a party does before relying on it later."""
        signed = self.checkpoint()
        self.prove_consistent(receipt.checkpoint.checkpoint, signed.checkpoint)
        self.prove_included(receipt.seq, receipt.leaf_hash, signed.checkpoint)
        return signed
