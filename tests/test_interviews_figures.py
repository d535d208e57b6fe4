"""Interview figures from a constructed set of interviews, checked by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fieldwork.interviews.figures import interview_figures
from fieldwork.interviews.questionnaire import OFFICER, questionnaires_for
from fieldwork.interviews.store import Interviews
from fieldwork.scoring.rules import two_proportion_z
from fieldwork.service import Service
from tests.interviews_support import constructed


@pytest.fixture
def interviews(service: Service) -> Interviews:
    return constructed(service)


def test_a_share_among_those_it_applied_to(interviews: Interviews) -> None:
    figures = interview_figures(interviews.service)
    assert figures.interviews[OFFICER] == 10
    workload = figures.figure("ro-workload-manageable").count
    assert (workload.counted, workload.applicable) == (6, 10)  # 3 PO + 2 PSO + 1 PQiP agree
    assert workload.percentage == 60


def test_not_applicable_is_left_out_of_the_denominator(interviews: Interviews) -> None:
    adjustments = interview_figures(interviews.service).figure("ro-reasonable-adjustments")
    # 4 agree, 1 disagree, 5 not applicable: 4 of 5 = 80 per cent, not 4 of 10.
    assert (adjustments.count.counted, adjustments.count.applicable) == (4, 5)
    assert adjustments.count.not_applicable == 5
    assert adjustments.count.percentage == 80


def test_breakdown_by_grade_and_cluster(interviews: Interviews) -> None:
    workload = interview_figures(interviews.service).figure("ro-workload-manageable")
    rows = {
        (r.attribute, r.value): (r.count.counted, r.count.applicable) for r in workload.breakdowns
    }
    assert rows[("grade", "PO")] == (3, 6)
    assert rows[("grade", "PSO")] == (2, 3)
    assert rows[("grade", "PQiP")] == (1, 1)
    assert rows[("cluster", "Cheshire")] == (5, 5)
    assert rows[("cluster", "Merseyside")] == (1, 5)
    # The grade rows come in the questionnaire's order of grades.
    assert [r.value for r in workload.breakdowns if r.attribute == "grade"] == ["PO", "PSO", "PQiP"]
    figures = interview_figures(interviews.service)
    assert figures.figure("ro-workload-manageable-po").count.percentage == 50  # 3 of 6
    assert figures.figure("ro-workload-manageable-pso").count.percentage == 67  # 2 of 3


def test_an_inverted_figure_counts_the_other_answer(interviews: Interviews) -> None:
    figures = interview_figures(interviews.service)
    po = figures.figure("ro-workload-unmanageable-po")
    assert (po.count.counted, po.count.applicable) == (3, 6)  # 3 POs disagreed
    pso = figures.figure("ro-workload-unmanageable-pso")
    assert (pso.count.counted, pso.count.applicable) == (1, 3)
    assert pso.count.percentage == 33
    assert pso.previous_shown == "0%"
    assert pso.change == 33
    assert "sample size unknown" in pso.note


def test_all_interviews_counted_when_asked(interviews: Interviews) -> None:
    figures = interview_figures(interviews.service, only_complete=False)
    assert figures.figure("ro-workload-manageable").count.counted == 7


def test_previous_inspection_compared_with_the_case_figures_z_test(
    interviews: Interviews,
) -> None:
    forms = questionnaires_for(interviews.service.framework)
    officer = forms[OFFICER]
    item = officer.item("ro-quality-prioritised")
    spec = replace(item.figures[0], previous_sample_size=100)
    changed = replace(
        officer,
        items=tuple(replace(i, figures=(spec,)) if i.id == item.id else i for i in officer.items),
    )
    figures = interview_figures(interviews.service, questionnaires={OFFICER: changed})
    quality = figures.figure("ro-quality-prioritised")
    assert quality.count.percentage == 100  # everyone agreed in the constructed set
    level = interviews.service.framework.scoring.significance_level
    assert level == 0.1  # the report's
    assert quality.significance == two_proportion_z(0.81, 100, 1.0, 10, level=level)
    assert quality.note.startswith("+19 points; not significant at 0.1")


def test_key_data_tables_hold_the_published_rows(interviews: Interviews) -> None:
    tables = interview_figures(interviews.service).key_data()
    assert list(tables) == ["Key data", "Workload data"]
    assert [f.id for f in tables["Workload data"]] == [
        "ro-workload-unmanageable-po",
        "ro-workload-unmanageable-pso",
    ]


def test_a_grades_figure_is_broken_down_within_that_grade(interviews: Interviews) -> None:
    figures = interview_figures(interviews.service)

    def rows(figure_id: str) -> dict[tuple[str, str], tuple[int, int]]:
        figure = figures.figure(figure_id)
        return {
            (r.attribute, r.value): (r.count.counted, r.count.applicable) for r in figure.breakdowns
        }

    # POs: three in Cheshire who agreed, three in Merseyside who disagreed.
    assert rows("ro-workload-manageable-po") == {
        ("cluster", "Cheshire"): (3, 3),
        ("cluster", "Merseyside"): (0, 3),
    }
    assert rows("ro-workload-unmanageable-po") == {
        ("cluster", "Cheshire"): (0, 3),
        ("cluster", "Merseyside"): (3, 3),
    }
    # PSOs: one in Cheshire who agreed; in Merseyside one agreed and one did not.
    assert rows("ro-workload-unmanageable-pso") == {
        ("cluster", "Cheshire"): (0, 1),
        ("cluster", "Merseyside"): (1, 2),
    }
