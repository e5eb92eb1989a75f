"""RFC 8785 (JCS) canonical JSON: the bytes that are signed and stored.

`rfc8785` is the reference; statements are almost always plain (strings,
integers, ASCII keys), for which the standard library's compact sorted dump is
byte-identical to JCS and several times faster. Anything else (floats, non-ASCII
keys, whose JCS order is by UTF-16 code units) goes through `rfc8785`.

Parsing is bounded, so that no input makes a reader raise anything but MalformedError:
at most MAX_DEPTH nested arrays and objects (the stack of every recursive reader after
the parser stays far from Python's recursion limit) and number literals of at most
MAX_NUMBER_CHARS characters (Python refuses to convert integers of over 4,300 digits,
and converts long ones in quadratic time).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import rfc8785

from .errors import MalformedError

MAX_SAFE_INTEGER = 2**53 - 1
# No statement nests past ten levels; 64 leaves room for any other JSON body the API takes.
MAX_DEPTH = 64
# A 128-bit integer with its sign, or any double's shortest form, fits.
MAX_NUMBER_CHARS = 40


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


def _number(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            raise MalformedError(f"a number of more than {MAX_NUMBER_CHARS} characters",
                                 code="malformed-json")
        return convert(text)
    return parse


_INT, _FLOAT = _number(int), _number(float)


def _too_deep(text: str, value: Any) -> bool:
    """Whether `value` nests more than MAX_DEPTH arrays and objects. Only a text with that
    many brackets can, so most texts are not walked at all."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > MAX_DEPTH:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def parse_json(data: bytes | str, *, refuse_duplicates: bool = True) -> Any:
    """Strict JSON parsing: duplicate keys and NaN/Infinity are refused, since a
    signer and a verifier must never disagree about what was signed; so are values
    nested past MAX_DEPTH and numbers longer than MAX_NUMBER_CHARS.

    A caller that compares the result's canonical form with `data` anyway may skip the
    (slow) duplicate check: a duplicate key never survives that comparison.
    """
    def _no_constants(name: str) -> Any:
        raise MalformedError(f"{name} is not JSON", code="malformed-json")

    try:
        if isinstance(data, bytes | bytearray):
            # Strict UTF-8: json.loads would otherwise guess UTF-16/32 and pass surrogates.
            data = bytes(data).decode("utf-8")
        value = json.loads(data, object_pairs_hook=_no_duplicates if refuse_duplicates else None,
                           parse_constant=_no_constants, parse_int=_INT, parse_float=_FLOAT)
    except RecursionError as e:
        raise MalformedError(f"JSON nested more than {MAX_DEPTH} levels deep",
                             code="malformed-json") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise MalformedError(f"malformed JSON: {e}", code="malformed-json") from e
    if isinstance(value, dict | list) and _too_deep(data, value):
        raise MalformedError(f"JSON nested more than {MAX_DEPTH} levels deep",
                             code="malformed-json")
    return value
