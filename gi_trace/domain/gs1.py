"""GS1 keys' mod-10 check digit (GS1 General Specifications §7.9), shared by GTINs and SSCCs."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{2,}")


def check_digit(digits: str) -> str:
    """The check digit for `digits` (a key without its last digit): weights 3, 1, 3… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str(-total % 10)


def valid_check_digit(key: str) -> bool:
    return bool(_DIGITS.fullmatch(key)) and check_digit(key[:-1]) == key[-1]
