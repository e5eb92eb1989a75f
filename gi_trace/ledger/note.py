"""C2SP signed notes (c2sp.org/signed-note), Ed25519 only.

Checkpoints and witness cosignatures travel as signed notes, so the format has
to match the spec byte for byte: other tools (witnesses, monitors, the Go
``sumdb/note`` package) must be able to read what we sign and vice versa.

Only signature type 0x01 (Ed25519) is implemented; signatures of any other
type simply belong to keys we do not know, and unknown keys are ignored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import MalformedError, VerificationError

ALG_ED25519 = 0x01
KEY_HASH_SIZE = 4
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64
# The spec asks verifiers to cap the signature count and to accept at least 16.
MAX_SIGNATURES = 100

_SIG_PREFIX = "\u2014 "
_PRIVATE_PREFIX = "PRIVATE+KEY+"
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_B64STD = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


def b64std_encode(data: bytes) -> str:
    """Standard padded base64, the alphabet every C2SP format uses."""
    return base64.b64encode(data).decode("ascii")


def b64std_decode(text: str, *, field: str | None = None) -> bytes:
    """Decode standard base64, refusing anything but the one canonical spelling.

    Accepting several spellings of the same bytes would let a relay alter a
    signed note without breaking any signature.
    """
    if not _B64STD.fullmatch(text) or len(text) % 4:
        raise MalformedError("not canonical standard base64", code="bad-base64", field=field)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise MalformedError("not canonical standard base64", code="bad-base64", field=field) from e
    if b64std_encode(data) != text:
        raise MalformedError("not canonical standard base64", code="bad-base64", field=field)
    return data


def key_hash(name: str, public_key: bytes, key_type: int = ALG_ED25519) -> bytes:
    """The 4-byte key id: binds the key to its name and algorithm, per the spec."""
    blob = name.encode("utf-8") + b"\n" + bytes([key_type]) + public_key
    return hashlib.sha256(blob).digest()[:KEY_HASH_SIZE]


def _check_name(name: str) -> None:
    # Names sit between spaces in signature lines and between '+' in key strings.
    if not isinstance(name, str) or not name:
        raise MalformedError("key name must be non-empty", code="bad-key-name", field="name")
    if "+" in name or any(c.isspace() for c in name) or _CONTROL.search(name):
        raise MalformedError("key name must not contain spaces, '+' or control characters",
                             code="bad-key-name", field="name")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as e:
        raise MalformedError("key name is not valid UTF-8", code="bad-key-name",
                             field="name") from e


def _check_text(text: str) -> bytes:
    """Refuse texts that would not round-trip through parse_note; return their bytes."""
    if not isinstance(text, str) or not text.endswith("\n"):
        raise MalformedError("note text must end in a newline", code="bad-text", field="text")
    if _CONTROL.search(text):
        raise MalformedError("note text contains a control character", code="bad-text",
                             field="text")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise MalformedError("note text is not valid UTF-8", code="bad-text", field="text") from e


def _split_key(text: str, what: str) -> list[str]:
    # The base64 key may itself contain '+', so only the first two separate fields.
    fields = text.split("+", 2)
    if len(fields) != 3:
        raise MalformedError(f"malformed {what}", code="bad-key", field=what)
    return fields


def _decode_typed_key(b64: str, what: str, key_type: int = ALG_ED25519) -> bytes:
    raw = b64std_decode(b64, field=what)
    if len(raw) != 1 + PUBLIC_KEY_SIZE:
        raise MalformedError(f"{what} must encode 33 bytes", code="bad-key", field=what)
    if raw[0] != key_type:
        raise MalformedError(f"{what} is not an Ed25519 key of type {key_type:#04x}",
                             code="unsupported-key-type", field=what)
    return raw[1:]


def _check_hash(hash_hex: str, expected: bytes, what: str) -> None:
    if not _HEX8.fullmatch(hash_hex):
        raise MalformedError(f"{what} key hash must be 8 hex digits", code="bad-key", field=what)
    if bytes.fromhex(hash_hex) != expected:
        raise MalformedError(f"{what} key hash does not match the key", code="key-hash-mismatch",
                             field=what)


class NoteVerifier:
    """An Ed25519 public key under a name, able to check note signatures."""

    __slots__ = ("_key", "_key_hash", "_name", "_public_key")
    # The signature type byte of the vkey and key id; a subclass may sign another message.
    KEY_TYPE = ALG_ED25519

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_name(name)
        if not isinstance(public_key, bytes) or len(public_key) != PUBLIC_KEY_SIZE:
            raise MalformedError("Ed25519 public key must be 32 bytes", code="bad-key",
                                 field="public_key")
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as e:
            raise MalformedError("not an Ed25519 public key", code="bad-key",
                                 field="public_key") from e
        self._name = name
        self._public_key = public_key
        self._key_hash = key_hash(name, public_key, self.KEY_TYPE)

    @classmethod
    def from_vkey(cls, vkey: str) -> Self:
        """Parse ``<name>+<hex hash>+<base64(type || key)>``, checking the type and hash."""
        name, hash_hex, b64 = _split_key(vkey.strip() if isinstance(vkey, str) else "", "vkey")
        verifier = cls(name, _decode_typed_key(b64, "vkey", cls.KEY_TYPE))
        _check_hash(hash_hex, verifier.key_hash, "vkey")
        return verifier

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_hash(self) -> bytes:
        return self._key_hash

    @property
    def public_key(self) -> bytes:
        return self._public_key

    def vkey(self) -> str:
        typed = bytes([self.KEY_TYPE]) + self._public_key
        return f"{self._name}+{self._key_hash.hex()}+{b64std_encode(typed)}"

    def verify(self, text_bytes: bytes, signature: bytes) -> bool:
        """Check a raw 64-byte Ed25519 signature (key hash already stripped)."""
        if len(signature) != SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(signature, text_bytes)
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NoteVerifier):
            return NotImplemented
        return (self.KEY_TYPE, self._name, self._public_key) == \
            (other.KEY_TYPE, other._name, other._public_key)

    def __hash__(self) -> int:
        return hash((self.KEY_TYPE, self._name, self._public_key))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey()!r})"


class NoteSigner:
    """An Ed25519 private key under a name; signs note texts."""

    __slots__ = ("_key", "_key_hash", "_name", "_public_key")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self._name = name
        self._key = private_key
        self._public_key = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self._key_hash = key_hash(name, self._public_key)

    @classmethod
    def from_skey(cls, skey: str) -> NoteSigner:
        """Parse ``PRIVATE+KEY+<name>+<hex hash>+<base64(0x01 || seed)>``."""
        text = skey.strip() if isinstance(skey, str) else ""
        if not text.startswith(_PRIVATE_PREFIX):
            raise MalformedError("signer key must start with PRIVATE+KEY+", code="bad-key",
                                 field="skey")
        name, hash_hex, b64 = _split_key(text[len(_PRIVATE_PREFIX):], "skey")
        seed = _decode_typed_key(b64, "skey")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        _check_hash(hash_hex, signer.key_hash, "skey")
        return signer

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_hash(self) -> bytes:
        return self._key_hash

    def to_skey(self) -> str:
        seed = self._key.private_bytes(serialization.Encoding.Raw,
                                       serialization.PrivateFormat.Raw,
                                       serialization.NoEncryption())
        typed = bytes([ALG_ED25519]) + seed
        return f"{_PRIVATE_PREFIX}{self._name}+{self._key_hash.hex()}+{b64std_encode(typed)}"

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self._name, self._public_key)

    def vkey(self) -> str:
        return self.verifier().vkey()

    def signature_line(self, text: str) -> str:
        """One signature line for ``text``, newline included: what a cosigner hands back."""
        sig = self._key.sign(_check_text(text))
        return f"{_SIG_PREFIX}{self._name} {b64std_encode(self._key_hash + sig)}\n"

    def sign(self, text: str) -> str:
        return text + "\n" + self.signature_line(text)

    def __repr__(self) -> str:
        # Never show the private key, not even by accident in a log line.
        return f"NoteSigner(name={self._name!r}, key_hash={self._key_hash.hex()!r})"


@dataclass(frozen=True)
class Signature:
    """One signature line: who claims to have signed, and the raw signature bytes."""

    name: str
    key_hash: bytes
    signature: bytes

    def line(self) -> str:
        return f"{_SIG_PREFIX}{self.name} {b64std_encode(self.key_hash + self.signature)}\n"


@dataclass(frozen=True)
class Note:
    """A parsed, not yet trusted, signed note: text as signed, then its signatures."""

    text: str
    signatures: tuple[Signature, ...]


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(_SIG_PREFIX):
        raise MalformedError("signature line must start with an em dash and a space",
                             code="bad-signature-line", field="signature")
    fields = line[len(_SIG_PREFIX):].split(" ")
    if len(fields) != 2:
        raise MalformedError("signature line must be '— <name> <base64>'",
                             code="bad-signature-line", field="signature")
    name, b64 = fields
    _check_name(name)
    blob = b64std_decode(b64, field="signature")
    if len(blob) < KEY_HASH_SIZE + 1:
        raise MalformedError("signature is shorter than 5 bytes", code="short-signature",
                             field="signature")
    return Signature(name, blob[:KEY_HASH_SIZE], blob[KEY_HASH_SIZE:])


def parse_note(data: str | bytes) -> Note:
    """Split a signed note into text and signatures without checking any of them."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise MalformedError("note is not valid UTF-8", code="not-utf8") from e
    else:
        text = data
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise MalformedError("note is not valid UTF-8", code="not-utf8") from e
    if _CONTROL.search(text):
        raise MalformedError("note contains a control character", code="control-character")
    if not text.endswith("\n"):
        raise MalformedError("note must end in a newline", code="no-final-newline")
    # The text may itself hold empty lines: the signatures start after the last one.
    split = text.rfind("\n\n")
    if split < 0:
        raise MalformedError("note has no blank line before its signatures",
                             code="no-blank-line")
    body, sig_block = text[:split + 1], text[split + 2:]
    if not sig_block:
        raise MalformedError("note has no signatures", code="no-signatures")
    lines = sig_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedError(f"note has more than {MAX_SIGNATURES} signatures",
                             code="too-many-signatures")
    return Note(body, tuple(_parse_signature_line(line) for line in lines))


def open_note(data: str | bytes,
              verifiers: Sequence[NoteVerifier]) -> tuple[Note, list[NoteVerifier]]:
    """Parse a note and check it against trusted keys; return those that signed it.

    Signatures from unknown keys (name or key hash differ) are ignored, as the
    spec requires. A signature from a known key that does not verify rejects
    the whole note, and so does a note no known key has signed.
    """
    note = parse_note(data)
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for verifier in verifiers:
        slot = (verifier.name, verifier.key_hash)
        if slot in known and known[slot] != verifier:
            raise MalformedError(f"two verifiers share name and key hash: {verifier.name}",
                                 code="ambiguous-verifier")
        known[slot] = verifier
    text_bytes = note.text.encode("utf-8")
    verified: list[NoteVerifier] = []
    seen: set[tuple[str, bytes]] = set()
    for sig in note.signatures:
        slot = (sig.name, sig.key_hash)
        found = known.get(slot)
        if found is None:
            continue
        if slot in seen:
            raise MalformedError(f"signature by {sig.name} appears twice",
                                 code="duplicate-signature")
        seen.add(slot)
        if not found.verify(text_bytes, sig.signature):
            raise VerificationError(f"invalid signature by {sig.name}", code="bad-signature",
                                    field="signature")
        verified.append(found)
    if not verified:
        raise VerificationError("note is not signed by any known key",
                                code="no-known-signature", field="signature")
    return note, verified


def add_signatures(note: str, lines: Sequence[str]) -> str:
    """Append cosignature lines to a signed note, dropping exact repeats.

    Each line may come with or without its final newline. A second, different
    signature under a name and key hash already present is refused, since
    open_note would reject the result.
    """
    parsed = parse_note(note)
    present = {(s.name, s.key_hash): s for s in parsed.signatures}
    out = note
    count = len(parsed.signatures)
    for raw in lines:
        line = raw[:-1] if raw.endswith("\n") else raw
        if "\n" in line or _CONTROL.search(line):
            raise MalformedError("a signature line must be a single line",
                                 code="bad-signature-line", field="signature")
        sig = _parse_signature_line(line)
        slot = (sig.name, sig.key_hash)
        if slot in present:
            if present[slot] == sig:
                continue
            raise MalformedError(f"a different signature by {sig.name} is already present",
                                 code="duplicate-signature", field="signature")
        count += 1
        if count > MAX_SIGNATURES:
            raise MalformedError(f"note would have more than {MAX_SIGNATURES} signatures",
                                 code="too-many-signatures")
        present[slot] = sig
        out += sig.line()
    return out
