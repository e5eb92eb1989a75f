"""Labels' mass-balance arithmetic: what a unit of a batch stands for in its harvests."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from gi_trace.domain.composition import blend, charges, dumps, harvest, loads

D = Decimal


def test_a_harvest_is_all_of_itself() -> None:
    assert charges(harvest("A"), D("12.5")) == {"A": Fraction(25, 2)}


def test_a_merge_is_weighted_by_each_parents_share() -> None:
    merged = blend([(harvest("A"), D(100)), (harvest("B"), D(50))], D(150))
    assert merged == {"A": Fraction(2, 3), "B": Fraction(1, 3)}
    assert charges(merged, D(150)) == {"A": 100, "B": 50}


def test_processing_charges_the_input_consumed_per_unit_produced() -> None:
    """100 kg paddy milled into 70 kg rice: labelling all 70 kg charges all 100 kg."""
    rice = blend([(harvest("P"), D(100))], D(70))
    assert charges(rice, D(70)) == {"P": 100}
    assert charges(rice, D(7)) == {"P": 10}


def test_thirds_stay_exact() -> None:
    merged = blend([(harvest("A"), D(1)), (harvest("B"), D(2))], D(3))
    total = sum((charges(merged, D(1))["A"] for _ in range(3)), Fraction(0))
    assert total == 1


def test_text_round_trip() -> None:
    composition = blend([(harvest("A"), D("0.1")), (harvest("B"), D(2))], D(3))
    assert loads(dumps(composition)) == composition
    assert dumps(composition) == '{"A": "1/30", "B": "2/3"}'


amounts = st.decimals(min_value=D("0.000001"), max_value=D(10**6), places=6)


@given(parts=st.lists(st.tuples(st.sampled_from("ABCD"), amounts), min_size=1, max_size=6),
       ratio=st.decimals(min_value=D("0.01"), max_value=D(3), places=2))
def test_labelling_all_of_an_output_charges_exactly_what_went_in(
        parts: list[tuple[str, Decimal]], ratio: Decimal) -> None:
    consumed = sum((amount for _, amount in parts), D(0))
    produced = consumed * ratio
    output = blend([(harvest(root), amount) for root, amount in parts], produced)
    expected: dict[str, Fraction] = {}
    for root, amount in parts:
        expected[root] = expected.get(root, Fraction(0)) + Fraction(amount)
    assert charges(output, produced) == expected
