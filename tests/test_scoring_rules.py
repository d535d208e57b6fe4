"""The scoring rules on their own and at their boundaries: rounding, bands, the panel flags,
the overall score and the z-test."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from fieldwork.scoring import score
from fieldwork.scoring.rules import (
    Band,
    KeyQuestionCount,
    Rating,
    default_rules,
    percentage,
)
from fieldwork.scoring.rules import (
    panel_flags as _panel_flags,
)
from fieldwork.scoring.rules import (
    two_proportion_z as _two_proportion_z,
)
from fieldwork.service import Service
from fieldwork.store import new_id

#: The report's rules, as the bundled framework file states them.
R = default_rules()
band_of, rating_of_lowest, overall_rating = R.band_of, R.rating_of_lowest, R.overall_rating
MINORITY, TOO_FEW, REASONABLE_MAJORITY, LARGE_MAJORITY = R.bands


def panel_flags(counts: list[KeyQuestionCount]):  # type: ignore[no-untyped-def]
    return _panel_flags(counts, R)


def two_proportion_z(p1: float, n1: int, p2: float, n2: int):  # type: ignore[no-untyped-def]
    return _two_proportion_z(p1, n1, p2, n2, level=R.significance_level)


# -- rounding and bands -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("yes", "n", "expected"),
    [
        (99, 200, 50),  # 49.5% rounds half up to 50 (round() would give 50 by luck: even)
        (129, 200, 65),  # 64.5% → 65 (round() gives 64: half to even)
        (1, 8, 13),  # 12.5% → 13 (round() gives 12)
        (29, 200, 15),  # 14.5% → 15
        (1, 3, 33),
        (2, 3, 67),
        (0, 5, 0),
        (5, 5, 100),
    ],
)
def test_percentages_round_half_up(yes: int, n: int, expected: int) -> None:
    assert percentage(yes, n) == expected


def test_half_up_differs_from_pythons_round() -> None:
    assert round(100 * 129 / 200) == 64  # what the rule must not do
    assert percentage(129, 200) == 65


def test_no_applicable_cases_is_no_figure() -> None:
    assert percentage(0, 0) is None
    with pytest.raises(ValueError):
        percentage(3, 2)


@pytest.mark.parametrize(
    ("rounded", "band", "rating"),
    [
        (0, MINORITY, Rating.INADEQUATE),
        (49, MINORITY, Rating.INADEQUATE),
        (50, TOO_FEW, Rating.REQUIRES_IMPROVEMENT),
        (64, TOO_FEW, Rating.REQUIRES_IMPROVEMENT),
        (65, REASONABLE_MAJORITY, Rating.GOOD),
        (79, REASONABLE_MAJORITY, Rating.GOOD),
        (80, LARGE_MAJORITY, Rating.OUTSTANDING),
        (100, LARGE_MAJORITY, Rating.OUTSTANDING),
    ],
)
def test_bands_of_annexe_2(rounded: int, band: Band, rating: Rating) -> None:
    assert band_of(rounded) is band and band.rating is rating


def test_band_labels_and_ranges_read_as_annexe_2() -> None:
    assert [(b.label, b.range_text) for b in R.bands] == [
        ("Minority", "<50%"),
        ("Too few", "50–64%"),
        ("Reasonable majority", "65–79%"),
        ("Large majority", "80%+"),
    ]


def test_bands_are_taken_on_the_rounded_figure() -> None:
    # 49.5% is 50 once rounded: Too few (Requires improvement), not Minority.
    assert band_of(percentage(99, 200)).rating is Rating.REQUIRES_IMPROVEMENT  # type: ignore[arg-type]
    # 64.5% is 65: Good.
    assert band_of(percentage(129, 200)).rating is Rating.GOOD  # type: ignore[arg-type]


def test_provisional_rating_is_the_lowest_key_questions_band() -> None:
    assert rating_of_lowest([80, 71, 89]) is Rating.GOOD
    assert rating_of_lowest([84, 57, 55]) is Rating.REQUIRES_IMPROVEMENT
    assert rating_of_lowest([None, 90]) is Rating.OUTSTANDING
    assert rating_of_lowest([None, None]) is None


@pytest.mark.parametrize(
    ("total", "rating"),
    [
        (0, Rating.INADEQUATE),
        (5, Rating.INADEQUATE),
        (6, Rating.REQUIRES_IMPROVEMENT),
        (15, Rating.REQUIRES_IMPROVEMENT),
        (16, Rating.GOOD),
        (25, Rating.GOOD),
        (26, Rating.OUTSTANDING),
        (30, Rating.OUTSTANDING),
    ],
)
def test_overall_bands(total: int, rating: Rating) -> None:
    assert overall_rating(total) is rating


def test_scores_and_names_of_ratings() -> None:
    assert [R.points[r] for r in Rating] == [0, 1, 2, 3]
    assert Rating.parse(" requires  IMPROVEMENT ") is Rating.REQUIRES_IMPROVEMENT
    assert Rating.parse("RI") is Rating.REQUIRES_IMPROVEMENT
    with pytest.raises(ValueError, match="'Fine' is not a rating"):
        Rating.parse("Fine")
    with pytest.raises(ValueError):
        overall_rating(31)


# -- the ratings-panel flag ------------------------------------------------------------------
def kq(item_id: str, yes: int, n: int) -> KeyQuestionCount:
    return KeyQuestionCount(item_id, yes, n)


def rules(counts: list[KeyQuestionCount]) -> list[tuple[str, str]]:
    return [(f.rule, f.item_id) for f in panel_flags(counts)]


def test_margin_is_five_points_below_the_next_boundary() -> None:
    # 60% is exactly 5 points below 65: flagged (the report's 2.4.3).
    assert ("margin", "x.3") in rules(
        [kq("x.1", 180, 200), kq("x.2", 180, 200), kq("x.3", 120, 200)]
    )
    # 59% is not (and one case on 200 cannot move it across a boundary).
    assert rules([kq("x.1", 180, 200), kq("x.2", 180, 200), kq("x.3", 118, 200)]) == []
    # 45% below the 50% boundary (the report's 3.1.2 is 46%): flagged.
    assert rules([kq("x.1", 180, 200), kq("x.2", 90, 200)]) == [("margin", "x.2")]
    # 75–79% below Outstanding's 80% boundary.
    assert rules([kq("x.1", 150, 200), kq("x.2", 190, 200)]) == [("margin", "x.1")]
    # Outstanding has no next band.
    assert rules([kq("x.1", 190, 200)]) == []


def test_a_low_key_question_exactly_on_a_boundary_is_not_flagged_on_a_large_sample() -> None:
    """65% exactly (130 of 200) is Good; one case fewer is 64.5%, which rounds half up to 65:
    still Good. 65 is not within 5 points below 80. So the standard is not flagged."""
    counts = [kq("x.1", 180, 200), kq("x.2", 180, 200), kq("x.3", 130, 200)]
    assert rating_of_lowest([c.percentage for c in counts]) is Rating.GOOD
    assert panel_flags(counts) == []


def test_a_key_question_exactly_on_a_boundary_is_flagged_when_one_case_would_cross_it() -> None:
    """50% exactly (10 of 20) is Requires improvement; one case fewer is 45%: Inadequate."""
    flags = panel_flags([kq("x.1", 18, 20), kq("x.2", 10, 20)])
    assert [(f.rule, f.item_id) for f in flags] == [("one case", "x.2")]
    assert "one more case judged not satisfactory on x.2 (9 of 20, 45%)" in flags[0].text
    assert flags[0].text.endswith("would make the rating Inadequate")


def test_one_case_rule_on_a_small_sub_sample_checks_both_directions() -> None:
    """2 of 3 (67%) is Good. One case fewer (33%) is Inadequate; one case more (100%) makes
    every key question Outstanding. Both are found by recomputing, not by the margin rule."""
    flags = panel_flags([kq("v.1", 5, 5), kq("v.2", 2, 3), kq("v.3", 3, 3)])
    assert [(f.rule, f.item_id) for f in flags] == [("one case", "v.2"), ("one case", "v.2")]
    assert "not satisfactory on v.2 (1 of 3, 33%) would make the rating Inadequate" in flags[0].text
    assert "judged satisfactory on v.2 (3 of 3, 100%) would make the rating Outstanding" in (
        flags[1].text
    )


def test_one_case_rule_sees_a_change_in_another_key_question() -> None:
    """The lowest key question is 66% on 200 cases, safe from one case (65.5% rounds to 66),
    but another at 67% on 3 cases drops to 33% with one: the rule recomputes every key
    question, not only the lowest."""
    flags = panel_flags([kq("x.1", 132, 200), kq("x.2", 2, 3)])
    assert [(f.rule, f.item_id) for f in flags] == [("one case", "x.2")]
    assert panel_flags([kq("x.1", 132, 200), kq("x.2", 21, 30)]) == []


def test_a_key_question_with_no_cases_is_flagged_and_left_out() -> None:
    flags = panel_flags([kq("x.1", 0, 0), kq("x.2", 190, 200)])
    assert [(f.rule, f.item_id) for f in flags] == [("no cases", "x.1")]
    assert rating_of_lowest([None, percentage(190, 200)]) is Rating.OUTSTANDING


# -- the z-test ---------------------------------------------------------------------------------
def test_z_test_against_a_worked_example() -> None:
    """35 of 50 (70%) before, 20 of 50 (40%) now. Pooled p = 55/100 = 0.55;
    SE = sqrt(0.55 × 0.45 × (1/50 + 1/50)) = sqrt(0.0099) = 0.0994987;
    z = (0.40 − 0.70) / 0.0994987 = −3.0151; two-sided p = 0.00257: significant."""
    result = two_proportion_z(0.70, 50, 0.40, 50)
    assert result.z == pytest.approx(-3.0151, abs=1e-4)
    assert result.p_value == pytest.approx(0.00257, abs=1e-5)
    assert result.significant


@pytest.mark.parametrize(
    ("p1", "n1", "p2", "n2"),
    [(0.50, 100, 0.62, 100), (0.50, 100, 0.61, 100), (0.83, 119, 0.80, 119), (0.73, 90, 0.46, 106)],
)
def test_z_test_matches_an_independent_computation(p1: float, n1: int, p2: float, n2: int) -> None:
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p_value = 2 * (1 - NormalDist().cdf(abs(z)))
    result = two_proportion_z(p1, n1, p2, n2)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(p_value, abs=1e-12)
    assert result.significant == (p_value < 0.1)


def test_z_test_at_the_0_1_level() -> None:
    # 50% → 62% on 100 each: z = 1.709, p = 0.087: significant at 0.1 (not at 0.05).
    assert two_proportion_z(0.50, 100, 0.62, 100).significant
    # 50% → 61%: z = 1.565, p = 0.118: not significant.
    assert not two_proportion_z(0.50, 100, 0.61, 100).significant
    # No variation at all: nothing to test.
    assert not two_proportion_z(1.0, 10, 1.0, 12).significant


# -- through a workspace ---------------------------------------------------------------------------
def _judge_in_bulk(service: Service, sample: str, judgements: dict[str, tuple[int, int]]) -> None:
    """Cases of ``sample`` with key-question judgements: item → (yes, applicable)."""
    size = max(n for _, n in judgements.values())
    attributes = {"stage": "post-sentence"} if sample == "victim" else {}
    ids = service.add_cases((sample, f"C{n:03d}", attributes, None) for n in range(size))
    now = service.workspace.now()
    rows = []
    for item_id, (yes, n) in judgements.items():
        for position, case_id in enumerate(ids[:n]):
            rows.append(
                {
                    "id": new_id(), "case_id": case_id, "item_id": item_id, "kind": "judgement",
                    "value": "yes" if position < yes else "no", "rev": new_id(),
                    "updated_at": now, "updated_by": "Helen",
                }
            )  # fmt: skip
    with service.workspace.write() as db:
        db["responses"].insert_all(rows)
        db.execute("UPDATE cases SET status = 'complete'")


def test_a_standard_with_no_applicable_cases_has_no_rating(service: Service) -> None:
    result = score(service)
    victim = result.standard("3.2")
    assert victim.provisional is None and victim.final is None
    assert victim.statement == (
        "No rating: no key question of this standard has an applicable case."
    )
    assert [f.shown for f in victim.key_questions] == ["no applicable cases"] * 3
    assert result.overall.score is None and result.overall.rating is None
    assert result.overall.statement.startswith(
        "No overall rating yet: 10 standard(s) have no rating"
    )


def test_a_standard_rated_on_the_key_questions_it_has_cases_for(service: Service) -> None:
    """Post-sentence cases only: 3.2.2 and 3.2.3 (pre-release) have no cases; 3.2 is rated on
    3.2.1 and flagged so the panel sees that."""
    _judge_in_bulk(service, "victim", {"3.2.1": (8, 10)})
    standard = score(service).standard("3.2")
    assert standard.provisional is Rating.OUTSTANDING
    assert [f.rule for f in standard.flags] == ["no cases", "no cases", "one case"]


def test_boundary_figures_through_the_workspace(service: Service) -> None:
    """49.5% and 64.5% round half up to 50 and 65 in the scored figures too."""
    _judge_in_bulk(service, "court-reports", {"3.1.1": (99, 200)})
    figure = score(service).key_questions["3.1.1"]
    assert (figure.yes, figure.applicable, figure.percentage) == (99, 200, 50)
    assert figure.band is TOO_FEW
