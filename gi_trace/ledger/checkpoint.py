"""C2SP checkpoints (c2sp.org/tlog-checkpoint): the signed tree head of the log.

A checkpoint is the one statement a client, witness or auditor needs to pin the
log's state, so its body is parsed strictly: exactly one spelling per
checkpoint, or two parties could disagree about what was signed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import MalformedError, VerificationError
from .note import NoteSigner, NoteVerifier, b64std_decode, b64std_encode, open_note

HASH_SIZE = 32
# Tree sizes are uint64 on the wire in RFC 6962 and every tlog implementation.
MAX_TREE_SIZE = 2**64 - 1
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
_CONTROL = re.compile(r"[\x00-\x1f]")


@dataclass(frozen=True)
class Checkpoint:
    """Origin, tree size and root hash, plus any opaque extension lines (kept as is)."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Validate on construction so text() can never produce an unparsable body.
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int) \
                or not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedError("tree size must be an integer in [0, 2^64)", code="bad-size",
                                 field="size")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise MalformedError("root hash must be 32 bytes", code="bad-root-hash",
                                 field="root_hash")
        for ext in self.extensions:
            _check_line(ext, "extensions")

    def text(self) -> str:
        lines = [self.origin, str(self.size), b64std_encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body (the note text, final newline included)."""
        if not isinstance(text, str) or not text.endswith("\n"):
            raise MalformedError("checkpoint must end in a newline", code="bad-checkpoint")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedError("checkpoint needs origin, size and root hash lines",
                                 code="bad-checkpoint")
        origin, size_text, root_text, *extensions = lines
        if not _SIZE.fullmatch(size_text):
            raise MalformedError("tree size must be decimal without leading zeros",
                                 code="bad-size", field="size")
        try:
            root = b64std_decode(root_text, field="root_hash")
        except MalformedError as e:
            raise MalformedError("root hash is not base64", code="bad-root-hash",
                                 field="root_hash") from e
        if len(root) != HASH_SIZE:
            raise MalformedError(f"root hash must be 32 bytes, got {len(root)}",
                                 code="bad-root-hash", field="root_hash")
        return cls(origin, int(size_text), root, tuple(extensions))

    def sign(self, signer: NoteSigner) -> str:
        return signer.sign(self.text())


def _check_line(value: str, field: str) -> None:
    if not isinstance(value, str) or not value:
        raise MalformedError(f"checkpoint {field} line must be non-empty",
                             code="bad-checkpoint", field=field)
    if _CONTROL.search(value):
        raise MalformedError(f"checkpoint {field} line contains a control character",
                             code="bad-checkpoint", field=field)


def open_checkpoint(note: str | bytes, verifier: NoteVerifier, *,
                    origin: str | None = None) -> Checkpoint:
    """Verify the log's signature on a checkpoint note, then parse and return the body.

    Pass ``origin`` whenever it is known: it is what stops a checkpoint of
    another log signed with the same key from being taken for this one. The
    key name is not required to equal the origin, because the spec only says
    it SHOULD; trusting ``verifier`` for this log is the caller's decision.
    Cosignatures and other unknown signatures are ignored.
    """
    parsed, _ = open_note(note, [verifier])
    checkpoint = Checkpoint.from_text(parsed.text)
    if origin is not None and checkpoint.origin != origin:
        raise VerificationError(f"checkpoint origin is {checkpoint.origin!r}, expected {origin!r}",
                                code="wrong-origin", field="origin")
    return checkpoint
