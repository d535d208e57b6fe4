"""Sample size: the Annexe 2 formula, its worked values and a brute-force check."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldwork.errors import InvalidChange
from fieldwork.sampling.size import margin_achieved, sample_size, z_value


def test_z_for_80_per_cent_is_the_published_1_2816() -> None:
    assert z_value(80) == Fraction("1.2816")
    assert z_value(95) == Fraction("1.96")


@pytest.mark.parametrize(("population", "expected"), [(1_000, 142), (3_000, 156)])
def test_worked_values_at_80_per_cent_and_5_points(population: int, expected: int) -> None:
    size = sample_size(population)
    assert size.n == expected
    assert size.n0 == pytest.approx(164.249856)
    assert f"rounded up to {expected}" in size.working()


def brute_force(population: int, z: Fraction, e: Fraction) -> int:
    """The smallest n whose margin of error, with the finite population correction, is ≤ e.

    e(n)² = z² · ¼ / n · (N − n) / (N − 1), compared in exact fractions.
    """
    if population == 1:
        return 1
    for n in range(1, population + 1):
        if z * z / 4 / n * Fraction(population - n, population - 1) <= e * e:
            return n
    return population


@given(
    population=st.integers(min_value=1, max_value=6_000),
    confidence=st.sampled_from([80, 85, 90, 95, 99]),
    margin=st.sampled_from([3, 4, 5, 7.5, 10]),
)
def test_formula_agrees_with_brute_force(population: int, confidence: int, margin: float) -> None:
    size = sample_size(population, confidence, margin)
    expected = brute_force(population, z_value(confidence), Fraction(str(margin)) / 100)
    assert size.n == expected


def test_more_confidence_or_a_smaller_margin_needs_more_cases() -> None:
    base = sample_size(2_000).n
    assert sample_size(2_000, confidence=90).n > base
    assert sample_size(2_000, margin=4).n > base


def test_small_populations_are_taken_nearly_whole() -> None:
    assert sample_size(0).n == 0
    assert sample_size(1).n == 1
    assert sample_size(10).n == 10


def test_margin_achieved_is_the_inverse_of_the_size() -> None:
    for population in (150, 1_000, 3_000, 20_000):
        n = sample_size(population).n
        assert margin_achieved(n, population) <= 5.0
        assert margin_achieved(n - 1, population) > 5.0
    assert margin_achieved(0, 100) == math.inf
    assert margin_achieved(100, 100) == 0.0


@pytest.mark.parametrize(("confidence", "margin"), [(0, 5), (100, 5), (80, 0), (80, -1), (80, 100)])
def test_impossible_settings_are_refused(confidence: float, margin: float) -> None:
    with pytest.raises(InvalidChange):
        sample_size(1_000, confidence, margin)
