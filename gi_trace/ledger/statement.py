"""Statements (what a party signs) and envelopes (a statement with its signature).

A statement is built only from a dict that passes every shape rule, and keeps
the exact canonical bytes that were signed, so the log stores and hashes those
bytes and nothing else.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .canonical import canonical_json, parse_json
from .disclosure import SD, Disclosure, digests, parse_disclosures, seal
from .encoding import b64url_decode, b64url_encode
from .errors import MalformedError
from .keys import SIGNATURE_SIZE, private_key_id

STATEMENT_PREFIX = b"gi-trace/v1/statement\n"
VERSION = 2  # v2: confidential fields as salted digests (`_sd`); v1 logs still read
VERSIONS = (1, 2)
# A leaf (signature || statement) must fit a C2SP tlog-tiles entry bundle's uint16 length, so
# that every entry of the log can be served as a tile.
MAX_STATEMENT_BYTES = 0xFFFF - SIGNATURE_SIZE

# Ids are path segments of the API's URLs: "." and ".." would be normalised away, never read back.
ID_PATTERN = re.compile(r"^(?!\.\.?$)[A-Za-z0-9._-]{1,64}$")
TYPE_PATTERN = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
KEY_ID_PATTERN = re.compile(r"^[0-9a-f]{64}$")
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,88}$")
TS_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")

FIELDS = ("v", "type", "actor", "key", "ts", "nonce", "body")
ENVELOPE_FIELDS = ("statement", "signature", "disclosures")
NO_ATTACHMENTS: Mapping[str, Any] = MappingProxyType({})  # a default argument, never stored


def parse_ts(value: Any, *, field: str = "statement.ts") -> datetime:
    """RFC 3339 UTC timestamps with a `Z`, the only form the log accepts."""
    if not isinstance(value, str) or not TS_PATTERN.fullmatch(value):
        raise MalformedError("must be an RFC 3339 UTC time like 2026-11-24T08:00:00Z", field=field,
                             code="bad-timestamp")
    try:
        return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)
    except ValueError as e:
        raise MalformedError(f"not a valid time: {e}", field=field, code="bad-timestamp") from e


def format_ts(moment: datetime) -> str:
    """The inverse of parse_ts (microseconds kept when there are any)."""
    pattern = "%Y-%m-%dT%H:%M:%S.%fZ" if moment.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return moment.astimezone(UTC).strftime(pattern)


def _require(data: dict[str, Any], name: str, kind: type, pattern: re.Pattern[str] | None = None) -> Any:
    where = f"statement.{name}"
    if name not in data:
        raise MalformedError("is required", field=where, code="missing-field")
    value: Any = data[name]
    if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
        raise MalformedError(f"must be a {kind.__name__}", field=where, code="wrong-type")
    if pattern is not None and not pattern.fullmatch(str(value)):
        raise MalformedError(f"does not match {pattern.pattern}", field=where, code="bad-format")
    return value


def _refuse_unknown(data: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise MalformedError(f"unknown field {unknown[0]!r}", field=f"{where}{unknown[0]}",
                             code="unknown-field")


@dataclass(frozen=True)
class Statement:
    v: int
    type: str
    actor: str
    key: str
    ts: datetime
    nonce: str
    body: dict[str, Any]
    canonical: bytes = field(repr=False, compare=False)
    ts_text: str = field(repr=False, compare=False, default="")

    @classmethod
    def from_dict(cls, data: Any) -> Statement:
        """Check the shape of a statement and fix its canonical bytes; never mutates `data`,
        and keeps its own copy of the body, so later changes to `data` cannot reach it."""
        return cls._parse(data, owned=False)

    @classmethod
    def _parse(cls, data: Any, *, owned: bool) -> Statement:
        if not isinstance(data, dict):
            raise MalformedError("statement must be a JSON object", field="statement",
                                 code="wrong-type")
        _refuse_unknown(data, FIELDS, "statement.")
        version = _require(data, "v", int)
        if version not in VERSIONS:
            raise MalformedError(f"unsupported version {version}", field="statement.v",
                                 code="bad-version")
        body = _require(data, "body", dict)
        if version == 1 and SD in body:
            raise MalformedError("v1 statements have no confidential fields",
                                 field="statement.body._sd", code="bad-version")
        digests(body)
        try:
            canonical = canonical_json(data)
        except MalformedError as e:
            e.field = e.field or "statement"
            raise
        if len(canonical) > MAX_STATEMENT_BYTES:
            raise MalformedError(f"statement over {MAX_STATEMENT_BYTES} bytes", field="statement",
                                 code="too-large")
        return cls(
            v=version,
            type=_require(data, "type", str, TYPE_PATTERN),
            actor=_require(data, "actor", str, ID_PATTERN),
            key=_require(data, "key", str, KEY_ID_PATTERN),
            ts=parse_ts(_require(data, "ts", str)),
            ts_text=data["ts"],
            nonce=_require(data, "nonce", str, NONCE_PATTERN),
            body=body if owned else copy.deepcopy(body),
            canonical=canonical,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Statement:
        """Parse stored bytes, refusing any that are not already canonical."""
        statement = cls._parse(parse_json(data, refuse_duplicates=False), owned=True)
        if statement.canonical != data:
            raise MalformedError("statement bytes are not RFC 8785 canonical",
                                 field="statement", code="not-canonical")
        return statement

    def to_dict(self) -> dict[str, Any]:
        value = parse_json(self.canonical)
        assert isinstance(value, dict)
        return value

    def signing_input(self) -> bytes:
        return STATEMENT_PREFIX + self.canonical


@dataclass(frozen=True)
class Envelope:
    """A statement and its author's signature, as submitted and as stored.

    Beside them travel what the leaf never holds: the disclosures of the statement's
    confidential fields (None when they are not available, as in a public audit) and
    attachments that a rule checks against a commitment in the statement (a rule names
    them in its `attachments`)."""

    statement: Statement
    signature: bytes
    disclosures: tuple[Disclosure, ...] | None = ()
    # A plain dict (not a mappingproxy) so that envelopes pickle to worker processes.
    attachments: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_dict(cls, data: Any, attachments: Collection[str] = ()) -> Envelope:
        if not isinstance(data, dict):
            raise MalformedError("envelope must be a JSON object", code="wrong-type")
        unknown = sorted(set(data) - set(ENVELOPE_FIELDS) - set(attachments))
        if unknown:
            raise MalformedError(f"unknown field {unknown[0]!r}", field=unknown[0],
                                 code="unknown-field")
        if "statement" not in data:
            raise MalformedError("is required", field="statement", code="missing-field")
        if "signature" not in data:
            raise MalformedError("is required", field="signature", code="missing-field")
        if not isinstance(data["signature"], str):
            raise MalformedError("must be a base64url string", field="signature", code="wrong-type")
        signature = b64url_decode(data["signature"], field="signature", length=SIGNATURE_SIZE)
        statement = Statement.from_dict(data["statement"])
        disclosures = parse_disclosures(data.get("disclosures", []))
        return cls(statement, signature, disclosures,
                   {name: data[name] for name in attachments if name in data})

    @property
    def leaf(self) -> bytes:
        """The Merkle leaf: signature || canonical statement."""
        return self.signature + self.statement.canonical

    def to_dict(self) -> dict[str, Any]:
        """The envelope as sent: with its disclosures and attachments, if it has any."""
        out: dict[str, Any] = {"statement": self.statement.to_dict(),
                               "signature": b64url_encode(self.signature)}
        if self.disclosures:
            out["disclosures"] = [d.to_json() for d in self.disclosures]
        out.update(self.attachments)
        return out


def sign(statement: dict[str, Any] | Statement, private_key: Ed25519PrivateKey, *,
         disclosures: tuple[Disclosure, ...] = (),
         attachments: Mapping[str, Any] = NO_ATTACHMENTS) -> Envelope:
    """Sign a statement with the author's key (client side: the server never does this)."""
    parsed = statement if isinstance(statement, Statement) else Statement.from_dict(statement)
    if parsed.key != private_key_id(private_key):
        raise MalformedError("statement.key is not the id of the signing key",
                             field="statement.key", code="wrong-key")
    return Envelope(parsed, private_key.sign(parsed.signing_input()), disclosures,
                    dict(attachments))


def new_nonce() -> str:
    """128 random bits: a statement's nonce, unique per actor across the log."""
    return b64url_encode(secrets.token_bytes(16))


def draft(type_: str, actor: str, private_key: Ed25519PrivateKey, body: dict[str, Any], *,
          ts: datetime | None = None, nonce: str | None = None, confidential: Collection[str] = (),
          attachments: Mapping[str, Any] = NO_ATTACHMENTS) -> Envelope:
    """A fresh v2 statement (new random nonce, current time) signed by its author, with the
    `confidential` fields of `body` sealed into disclosures."""
    public, disclosures = seal(body, confidential)
    return sign({
        "v": VERSION, "type": type_, "actor": actor, "key": private_key_id(private_key),
        "ts": format_ts(ts or datetime.now(UTC)),
        "nonce": nonce or new_nonce(), "body": public,
    }, private_key, disclosures=disclosures, attachments=attachments)
