"""What one unit of a batch stands for in the harvests it came from: the arithmetic of
labels' mass balance.

A label certifies `pack` of a batch's goods. To bound the labels that descend from a
harvest, across every split, merge and processing, each batch keeps its composition:
for each root harvest, how much of that harvest (in the harvest's unit) one unit of
the batch consumed. A harvest is `{itself: 1}`; a split child is its parent (1:1); a
merge is the parents' compositions weighted by the share each parent put in; a
processed output is its inputs' compositions times the input consumed per unit of
output produced (the actual ratio, not the declared maximum yield). Labelling `q` of
a batch then charges each root `q × composition[root]`, and no root may be charged
more than it harvested.

The ratios are exact (`fractions.Fraction`, stored as text "n/d"): a third of a
harvest must be a third, or three thirds could come to more than the whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

Composition = Mapping[str, Fraction]


def harvest(batch: str) -> dict[str, Fraction]:
    """A harvest is all of itself."""
    return {batch: Fraction(1)}


def blend(parts: Iterable[tuple[Composition, Decimal]], produced: Decimal) -> dict[str, Fraction]:
    """The composition of `produced` units made of `parts` (a composition and the quantity of
    it that went in): a merge (produced = the parts' sum) or a process (produced = output)."""
    total: dict[str, Fraction] = {}
    for composition, amount in parts:
        for root, per_unit in composition.items():
            total[root] = total.get(root, Fraction(0)) + per_unit * Fraction(amount)
    return {root: share / Fraction(produced) for root, share in sorted(total.items())}


def charges(composition: Composition, quantity: Decimal) -> dict[str, Fraction]:
    """What labelling `quantity` of a batch charges each of its root harvests."""
    return {root: per_unit * Fraction(quantity) for root, per_unit in composition.items()}


def dumps(composition: Composition) -> str:
    return json.dumps({root: str(share) for root, share in sorted(composition.items())})


def loads(text: str) -> dict[str, Fraction]:
    return {root: Fraction(share) for root, share in json.loads(text).items()}


def fraction_text(value: Fraction) -> str:
    """A charge as stored: "n/d", or "n" when whole."""
    return str(value)
