"""GB/T 2260 codes: a trailing "00" pair stands for the whole level above it."""

from __future__ import annotations

import pytest

from gi_trace.domain.regions import covers, inside, prefix

COVERS = [
    ("230184", "230184", True),   # Wuchang covers itself
    ("230100", "230184", True),   # Harbin covers Wuchang
    ("230000", "230184", True),   # Heilongjiang covers Wuchang
    ("230000", "230100", True),
    ("230184", "230100", False),  # Wuchang does not cover all of Harbin
    ("230184", "230183", False),  # nor Shangzhi beside it
    ("230100", "230200", False),  # Harbin does not cover Qiqihar
    ("230100", "230113", True),   # Shuangcheng district is in Harbin…
    ("230184", "230113", False),  # …but not in Wuchang: the demo's out-of-region grower
    ("330106", "230184", False),
]


@pytest.mark.parametrize(("region", "code", "expected"), COVERS,
                         ids=[f"{r}-{c}" for r, c, _ in COVERS])
def test_covers(region: str, code: str, expected: bool) -> None:
    assert covers(region, code) is expected


def test_prefix_drops_trailing_pairs_only() -> None:
    assert [prefix(c) for c in ("230184", "230100", "230000", "230010")] == [
        "230184", "2301", "23", "230010"]


def test_inside_any_of_the_codes() -> None:
    assert inside("230184", ["330106", "230100"])
    assert not inside("230113", ["230184", "230183"])
    assert not inside("230184", [])
