"""C2SP tlog-cosignature, cosignature/v1 (Ed25519): a witness's timestamped signature.

A cosignature says "as of time t, this is the largest consistent tree I have
seen of this log". It is a signed-note signature line whose key id uses type
byte 0x04 (not the 0x01 of plain notes) and whose bytes are a big-endian
uint64 timestamp followed by an Ed25519 signature over

    cosignature/v1\\ntime <t>\\n<checkpoint body>

Because the key id differs, a witness's line and the log's line never collide,
and ordinary note verifiers simply ignore cosignatures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .checkpoint import Checkpoint
from .errors import MalformedError, RefusedError, VerificationError
from .keys import public_bytes
from .note import SIGNATURE_SIZE, Note, NoteVerifier, Signature, open_note, parse_note

COSIGNATURE_V1 = 0x04
TIMESTAMP_SIZE = 8
MAX_TIMESTAMP = 2**63 - 1
HEADER = b"cosignature/v1\n"


def signed_message(body: bytes, timestamp: int) -> bytes:
    """What the witness signs: the header and time lines, then the whole checkpoint body."""
    return HEADER + b"time %d\n" % timestamp + body


class CosignatureVerifier(NoteVerifier):
    """A witness's public key, as a vkey of type 0x04; checks cosignature/v1 lines.

    It plugs into ``open_note`` like any note verifier: ``verify`` receives the
    note body and the line's bytes after the key id (timestamp || signature).
    """

    __slots__ = ()
    KEY_TYPE = COSIGNATURE_V1

    def verify(self, text_bytes: bytes, signature: bytes) -> bool:
        if len(signature) != TIMESTAMP_SIZE + SIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:TIMESTAMP_SIZE], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        return super().verify(signed_message(text_bytes, timestamp), signature[TIMESTAMP_SIZE:])


@dataclass(frozen=True)
class Cosignature:
    """One witness's cosignature: who, when (POSIX seconds) and the raw Ed25519 signature."""

    name: str
    key_hash: bytes
    timestamp: int
    signature: bytes

    @classmethod
    def from_signature(cls, sig: Signature) -> Cosignature:
        if len(sig.signature) != TIMESTAMP_SIZE + SIGNATURE_SIZE:
            raise MalformedError(f"cosignature by {sig.name} is not a timestamp and an Ed25519 "
                                 "signature", code="bad-cosignature", field="signature")
        timestamp = int.from_bytes(sig.signature[:TIMESTAMP_SIZE], "big")
        if timestamp > MAX_TIMESTAMP:
            raise MalformedError(f"cosignature by {sig.name} has a timestamp beyond 2^63 - 1",
                                 code="bad-cosignature", field="signature")
        return cls(sig.name, sig.key_hash, timestamp, sig.signature[TIMESTAMP_SIZE:])

    def line(self) -> str:
        """The signature line, final newline included, to append to the checkpoint note."""
        blob = self.timestamp.to_bytes(TIMESTAMP_SIZE, "big") + self.signature
        return Signature(self.name, self.key_hash, blob).line()


class Cosigner:
    """A witness's private key under its name (a schema-less URL, e.g. witness.example/w1)."""

    __slots__ = ("_key", "verifier")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.verifier = CosignatureVerifier(name, public_bytes(private_key))

    @property
    def name(self) -> str:
        return self.verifier.name

    def vkey(self) -> str:
        return self.verifier.vkey()

    def cosign(self, checkpoint: Checkpoint, timestamp: int) -> Cosignature:
        if isinstance(timestamp, bool) or not 0 < timestamp <= MAX_TIMESTAMP:
            raise MalformedError("cosignature timestamp must be in [1, 2^63)",
                                 code="bad-timestamp", field="timestamp")
        message = signed_message(checkpoint.text().encode("utf-8"), timestamp)
        return Cosignature(self.name, self.verifier.key_hash, timestamp, self._key.sign(message))

    def __repr__(self) -> str:
        return f"Cosigner({self.name!r})"  # never the private key


def open_cosignatures(note: str | bytes,
                      witnesses: list[CosignatureVerifier]) -> tuple[Note, list[Cosignature]]:
    """The verified cosignatures of known witnesses on a note; other signatures are ignored.

    A known witness's line that does not verify rejects the note; a note that
    no known witness cosigned is refused as ``unknown-witness``.
    """
    try:
        parsed, signers = open_note(note, witnesses)
    except VerificationError as e:
        if e.code != "no-known-signature":
            raise
        names = ", ".join(s.name for s in parse_note(note).signatures)
        raise RefusedError(f"no cosignature by a known witness (signed by {names})",
                           code="unknown-witness", field="signature") from e
    slots = {(v.name, v.key_hash) for v in signers}
    return parsed, [Cosignature.from_signature(s) for s in parsed.signatures
                    if (s.name, s.key_hash) in slots]


def load_witnesses(path: str | Path) -> list[CosignatureVerifier]:
    """A witnesses file: one cosignature/v1 vkey per line; blank lines and # comments skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise MalformedError(f"cannot read witnesses file {path}: {e}",
                             code="bad-witnesses") from e
    witnesses: list[CosignatureVerifier] = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            witness = CosignatureVerifier.from_vkey(text)
        except MalformedError as e:
            raise MalformedError(f"{path}:{number}: {e.message}", code="bad-witnesses") from e
        if any(w.name == witness.name for w in witnesses):
            raise MalformedError(f"{path}:{number}: witness {witness.name} is listed twice",
                                 code="bad-witnesses")
        witnesses.append(witness)
    return witnesses
