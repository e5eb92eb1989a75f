"""RFC 8785 (JCS) canonical JSON: the bytes that are signed and stored.

`rfc8785` is the reference; statements are almost always plain (strings,
integers, ASCII keys), for which the standard library's compact sorted dump is
byte-identical to JCS and several times faster. Anything else (floats, non-ASCII
keys, whose JCS order is by UTF-16 code units) goes through `rfc8785`.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from .errors import MalformedError

MAX_SAFE_INTEGER = 2**53 - 1


def _plain(value: Any) -> bool:
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return False


def canonical_json(value: Any) -> bytes:
    """The JCS bytes of a JSON value; MalformedError if it has no JCS form."""
    try:
        if _plain(value):
            return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              allow_nan=False).encode("utf-8")
        return rfc8785.dumps(value)
    except RecursionError as e:
        raise MalformedError("JSON nested too deeply", code="too-deep") from e
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as e:
        # UnicodeEncodeError (a lone surrogate) is a ValueError: such a string has no UTF-8 form.
        raise MalformedError(f"not canonicalizable JSON: {e}", code="not-canonical") from e


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedError(f"duplicate object key {key!r}", code="duplicate-json-key")
        result[key] = value
    return result


def parse_json(data: bytes | str, *, refuse_duplicates: bool = True) -> Any:
    """Strict JSON parsing: duplicate keys and NaN/Infinity are refused, since a
    signer and a verifier must never disagree about what was signed.

    A caller that compares the result's canonical form with `data` anyway may skip the
    (slow) duplicate check: a duplicate key never survives that comparison.
    """
    def _no_constants(name: str) -> Any:
        raise MalformedError(f"{name} is not JSON", code="malformed-json")

    try:
        if isinstance(data, bytes | bytearray):
            # Strict UTF-8: json.loads would otherwise guess UTF-16/32 and pass surrogates.
            data = bytes(data).decode("utf-8")
        return json.loads(data, object_pairs_hook=_no_duplicates if refuse_duplicates else None,
                          parse_constant=_no_constants)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise MalformedError(f"malformed JSON: {e}", code="malformed-json") from e
