"""Agreement figures of double marking, checked against published tables."""

from __future__ import annotations

import math

import pytest

from fieldwork.agreement import AgreementError, _t_quantile, agreement, contingency


def test_cohens_kappa_of_the_textbook_example():
    # Wikipedia, "Cohen's kappa", worked example: 50 grant proposals read by two readers,
    # 20 both yes, 15 both no, 5 and 10 split; p_o = 0.7, p_e = 0.5, kappa = 0.4.
    result = agreement([[20, 5], [10, 15]], ["yes", "no"])
    assert result.cases == 50 and result.agreed == 35
    assert result.percentage.value == pytest.approx(0.7)
    assert result.kappa is not None
    assert result.kappa.value == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("table", "kappa", "ac1"),
    [
        # Feinstein & Cicchetti (1990), "High agreement but low kappa: I. The problems of two
        # paradoxes", J Clin Epidemiol 43(6): both tables agree on 85 of 100 cases, yet kappa
        # is 0.70 for the balanced one and 0.32 for the one where "yes" prevails. AC1 (Gwet
        # 2008), by hand: pooled shares 0.475/0.525 give chance agreement 0.49875 and
        # (0.85 - 0.49875) / 0.50125 = 0.7007; shares 0.875/0.125 give 0.21875 and
        # (0.85 - 0.21875) / 0.78125 = 0.8080, where kappa has collapsed.
        ([[40, 9], [6, 45]], 0.6995, 0.7007),
        ([[80, 10], [5, 5]], 0.3182, 0.8080),
    ],
)
def test_the_kappa_paradox_and_ac1(table, kappa, ac1):
    result = agreement(table, ["yes", "no"])
    assert result.percentage.value == pytest.approx(0.85)
    assert result.kappa is not None and result.ac1 is not None
    assert result.kappa.value == pytest.approx(kappa, abs=5e-5)
    assert result.ac1.value == pytest.approx(ac1, abs=5e-5)


def test_students_t_quantiles_match_the_printed_table():
    # Any statistics textbook's t table: two-sided 95 % with 1, 10 and 30 degrees of freedom.
    assert _t_quantile(0.975, 1) == pytest.approx(12.706, abs=1e-3)
    assert _t_quantile(0.975, 10) == pytest.approx(2.228, abs=1e-3)
    assert _t_quantile(0.975, 30) == pytest.approx(2.042, abs=1e-3)


def _jackknife_error(table, coefficient):
    """The leave-one-case-out standard error: an independent check of the delta method."""
    n = sum(map(sum, table))
    values, weights = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            if count:
                fewer = [list(r) for r in table]
                fewer[i][j] -= 1
                values.append(getattr(agreement(fewer), coefficient).value)
                weights.append(count)
    mean = sum(v * w for v, w in zip(values, weights, strict=True)) / n
    spread = sum(w * (v - mean) ** 2 for v, w in zip(values, weights, strict=True))
    return math.sqrt((n - 1) / n * spread)


@pytest.mark.parametrize("coefficient", ["kappa", "ac1"])
def test_standard_errors_agree_with_the_jackknife(coefficient):
    table = [[118, 21, 6], [17, 90, 9], [4, 11, 60]]
    estimate = getattr(agreement(table), coefficient)
    assert estimate.standard_error == pytest.approx(_jackknife_error(table, coefficient), rel=0.03)
    t = _t_quantile(0.975, sum(map(sum, table)) - 1)
    assert estimate.low == pytest.approx(estimate.value - t * estimate.standard_error)


def test_perfect_agreement_in_one_category():
    # Every case "yes" by both: kappa is undefined (chance agreement is 1); AC1 is 1.
    result = agreement([[12, 0], [0, 0]], ["yes", "no"])
    assert result.kappa is None
    assert result.ac1 is not None and result.ac1.value == pytest.approx(1.0)
    assert result.percentage.low < 1.0 == result.percentage.high


def test_pairs_are_counted_into_a_table():
    pairs = [("yes", "yes"), ("yes", "no"), ("no", "no"), ("no", "no")]
    assert contingency(pairs, ["yes", "no"]) == [[1, 1], [0, 2]]
    with pytest.raises(AgreementError, match="'maybe' is not one of the categories"):
        contingency([("yes", "maybe")], ["yes", "no"])


@pytest.mark.parametrize("table", [[[1]], [[1, 2], [3]], [[0, 0], [0, 0]], [[1, -1], [0, 1]]])
def test_tables_no_figure_can_come_from_are_refused(table):
    with pytest.raises(AgreementError):
        agreement(table)
