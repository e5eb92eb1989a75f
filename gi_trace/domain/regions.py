"""Administrative division codes (GB/T 2260) and whether one area lies inside another.

A code is six digits: province, prefecture, county, two each. A trailing pair of
zeros stands for the whole level above it, so 230000 is Heilongjiang, 230100 all of
Harbin (2301xx) and 230184 only Wuchang. A GI product's protected region is a list
of such codes; an approved producer's seat and a harvest's plot must lie inside it.
"""

from __future__ import annotations

from collections.abc import Iterable


def prefix(code: str) -> str:
    """The digits a code fixes: its trailing "00" pairs dropped ("230100" → "2301")."""
    while code.endswith("00") and code:
        code = code[:-2]
    return code


def covers(region: str, code: str) -> bool:
    """Whether the area of `code` lies wholly inside the area of `region`.

    230100 covers 230184 (a county of Harbin) and 230100 itself, but 230184 does not
    cover 230100: an org that names only its prefecture might be anywhere in it.
    """
    return prefix(code).startswith(prefix(region))


def inside(code: str, regions: Iterable[str]) -> bool:
    """Whether `code` lies inside one of the protected region's codes."""
    return any(covers(region, code) for region in regions)
