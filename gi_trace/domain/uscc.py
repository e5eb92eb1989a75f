"""The unified social credit code (统一社会信用代码, GB 32100-2015) and its check character.

It is printed on the special sign beside the producer's name, so a mistyped code would
put another company's (or no company's) identity on every bag: the 18th character
checks the first 17, and the log refuses a code whose check character is wrong.
"""

from __future__ import annotations

import re

# The code's alphabet: digits and capitals without I, O, S, V and Z (easily misread).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
# Weight of position i (from 1) is 3^(i-1) mod 31.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def check_character(first17: str) -> str:
    """The check character of the first 17 characters of a code."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def valid_uscc(code: str) -> bool:
    """18 characters of the alphabet whose last one is the check character of the rest."""
    return bool(PATTERN.fullmatch(code)) and check_character(code[:17]) == code[17]
