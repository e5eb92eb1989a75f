"""Keyset pagination: a page is the first `limit` rows after a cursor, in a stable order.

Offsets would skip or repeat rows while the log grows; a cursor (the last id of
the previous page) does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: str | None  # the cursor to ask for the following page; None on the last page


def cut(rows: Sequence[R], limit: int, cursor: Callable[[R], str]) -> tuple[list[R], str | None]:
    """Rows were fetched with `limit + 1`: the extra one only says whether more follow."""
    if len(rows) <= limit:
        return list(rows), None
    kept = list(rows[:limit])
    return kept, cursor(kept[-1])
