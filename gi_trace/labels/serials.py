"""Label serials: random, unguessable, printable and easy to read aloud.

16 characters of Crockford's base32 (no I, L, O, U) carry 80 random bits, above
DESIGN.md's 64, and all lie in GS1's character set 82 without URI escaping.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16


def new_serial() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))

