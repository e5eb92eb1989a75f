"""Selective disclosure (in the manner of SD-JWT, RFC 9901) on canonical JSON.

A v2 statement keeps a confidential top-level field out of its body and signs only
the digest of a salted disclosure `[salt, name, value]`, listed in `body["_sd"]`.
The log and its tiles then carry commitments; the disclosures travel beside the
statement and are shown only to whoever may see them. The salt stops anyone from
confirming a guessed value against a public digest.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from .canonical import canonical_json
from .encoding import b64url_decode, b64url_encode
from .errors import MalformedError, VerificationError

PREFIX = b"gi-trace/v2/disclosure\n"
SD = "_sd"
SALT_BYTES = 16
DIGEST_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Disclosure:
    salt: str
    name: str
    value: Any

    @classmethod
    def from_json(cls, data: Any, where: str) -> Disclosure:
        """`[salt, name, value]` as sent; the salt must be 16 bytes, the name a field name."""
        if not isinstance(data, list) or len(data) != 3:
            raise MalformedError("a disclosure is [salt, name, value]", field=where,
                                 code="bad-disclosure")
        salt, name, value = data
        b64url_decode(salt, field=f"{where}[0]", length=SALT_BYTES)
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or name == SD:
            raise MalformedError("not a field name", field=f"{where}[1]", code="bad-disclosure")
        return cls(salt, name, value)

    def to_json(self) -> list[Any]:
        return [self.salt, self.name, self.value]

    @property
    def digest(self) -> str:
        return b64url_encode(sha256(PREFIX + canonical_json(self.to_json())).digest())


def new_disclosure(name: str, value: Any) -> Disclosure:
    return Disclosure(b64url_encode(secrets.token_bytes(SALT_BYTES)), name, value)


def seal(body: dict[str, Any],
         confidential: Collection[str]) -> tuple[dict[str, Any], tuple[Disclosure, ...]]:
    """Move each confidential field of `body` into a fresh disclosure; the public body keeps
    their sorted digests in `_sd` (and no `_sd` at all when nothing was confidential)."""
    disclosures = tuple(new_disclosure(name, body[name]) for name in sorted(confidential) if name in body)
    public = {name: value for name, value in body.items() if name not in confidential}
    if disclosures:
        public[SD] = sorted(d.digest for d in disclosures)
    return public, disclosures


def parse_disclosures(data: Any, where: str = "disclosures") -> tuple[Disclosure, ...]:
    if not isinstance(data, list):
        raise MalformedError("must be a list of [salt, name, value]", field=where, code="wrong-type")
    return tuple(Disclosure.from_json(item, f"{where}[{i}]") for i, item in enumerate(data))


def digests(body: dict[str, Any]) -> list[str]:
    """The `_sd` digests of a body, checked for shape: non-empty, sorted, no duplicates."""
    if SD not in body:
        return []
    listed = body[SD]
    if not isinstance(listed, list) or not listed or not all(
            isinstance(d, str) and DIGEST_PATTERN.fullmatch(d) for d in listed):
        raise MalformedError("must be a non-empty list of base64url SHA-256 digests",
                             field="statement.body._sd", code="bad-digests")
    if listed != sorted(set(listed)):
        raise MalformedError("digests must be sorted and distinct", field="statement.body._sd",
                             code="bad-digests")
    return listed


def reveal(body: dict[str, Any], disclosures: Sequence[Disclosure]) -> dict[str, Any]:
    """The disclosed fields by name, if the disclosures match `_sd` exactly: every digest
    disclosed, none extra, each name once and never a field the body already shows."""
    listed = set(digests(body))
    revealed: dict[str, Any] = {}
    for index, disclosure in enumerate(disclosures):
        where = f"disclosures[{index}]"
        if disclosure.digest not in listed:
            raise VerificationError("its digest is not in body._sd (changed, or not this "
                                    "statement's)", field=where, code="disclosure-mismatch")
        if disclosure.name in revealed or disclosure.name in body:
            raise VerificationError(f"field {disclosure.name!r} is given twice", field=where,
                                    code="disclosure-mismatch")
        revealed[disclosure.name] = disclosure.value
    if len(revealed) != len(listed):
        raise VerificationError(f"{len(listed) - len(revealed)} of the digests in body._sd have "
                                "no disclosure", field="disclosures", code="disclosure-missing")
    return revealed


def full_body(body: dict[str, Any], revealed: dict[str, Any]) -> dict[str, Any]:
    """The body as its author wrote it: public fields and disclosed ones, without `_sd`."""
    return {**{k: v for k, v in body.items() if k != SD}, **revealed}
