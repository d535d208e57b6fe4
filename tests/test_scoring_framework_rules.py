"""The scoring rules are data of the framework file: a made-up framework with other bands,
points, overall bands, discretion window and significance level scores by its own rules, and
a file whose rules do not hold together is refused with its place."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldwork.errors import FrameworkError
from fieldwork.framework import load_framework
from fieldwork.paths import frameworks_dir
from fieldwork.scoring import rate_domain1, score
from fieldwork.scoring.rules import Rating, ScoringRules, default_rules
from fieldwork.service import Service
from fieldwork.store import Workspace, new_id
from tests.conftest import FakeClock

MADE_UP_SCORING: dict[str, Any] = {
    "key_question_bands": [
        {"label": "Weak", "lowest": 0, "rating": "Inadequate"},
        {"label": "Fair", "lowest": 40, "rating": "Requires improvement"},
        {"label": "Strong", "lowest": 60, "rating": "Good"},
        {"label": "Excellent", "lowest": 90, "rating": "Outstanding"},
    ],
    "points": {"Inadequate": 0, "Requires improvement": 2, "Good": 4, "Outstanding": 6},
    "overall_bands": [
        {"lowest": 0, "highest": 14, "rating": "Inadequate"},
        {"lowest": 15, "highest": 29, "rating": "Requires improvement"},
        {"lowest": 30, "highest": 49, "rating": "Good"},
        {"lowest": 50, "highest": 60, "rating": "Outstanding"},
    ],
    "discretion_window": 3,
    "significance_level": 0.05,
}


def bundled() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (frameworks_dir() / "hmip-probation-2018.json").read_text(encoding="utf-8")
    )
    return data


def write(tmp_path: Path, data: dict[str, Any], name: str = "made-up.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def made_up(tmp_path: Path) -> Path:
    data = copy.deepcopy(bundled())
    data["id"] = "made-up-scoring"
    data["scoring"] = copy.deepcopy(MADE_UP_SCORING)
    return write(tmp_path, data)


def court_reports(service: Service, judgements: dict[str, tuple[int, int]]) -> None:
    """Complete court reports, sentenced and allocated, judged item → (yes, of)."""
    size = max(n for _, n in judgements.values())
    attributes = {"sentenced": True, "allocated_to": "NPS"}
    ids = service.add_cases(("court-reports", f"CR{n:03d}", attributes, None) for n in range(size))
    now = service.workspace.now()
    rows = [
        {
            "id": new_id(), "case_id": case_id, "item_id": item_id, "kind": "judgement",
            "value": "yes" if position < yes else "no", "rev": new_id(),
            "updated_at": now, "updated_by": "Helen",
        }
        for item_id, (yes, n) in judgements.items()
        for position, case_id in enumerate(ids[:n])
    ]  # fmt: skip
    with service.workspace.write() as db:
        db["responses"].insert_all(rows)
        db.execute("UPDATE cases SET status = 'complete'")


@pytest.fixture
def made_up_service(tmp_path: Path) -> Iterator[Service]:
    framework = load_framework(made_up(tmp_path))
    workspace = Workspace.create(tmp_path / "made-up.fieldwork", framework, clock=FakeClock())
    with Service(workspace, "Helen") as service:
        service.create_inspection("Made-up inspection")
        yield service


@pytest.fixture
def report_service(tmp_path: Path) -> Iterator[Service]:
    with Service.create(tmp_path / "report.fieldwork", user="Helen", clock=FakeClock()) as service:
        service.create_inspection("Report rules")
        yield service


def fill(service: Service) -> None:
    # 3.1.1: 31 of 50 = 62%; 3.1.2: 48 of 50 = 96%.
    court_reports(service, {"3.1.1": (31, 50), "3.1.2": (48, 50)})
    for standard_id in ("1.1", "1.2", "1.3", "1.4"):
        rate_domain1(service, standard_id, "Good", "Evidence from meetings.")


def test_a_made_up_framework_scores_by_its_own_bands_and_points(
    made_up_service: Service, report_service: Service
) -> None:
    fill(made_up_service)
    fill(report_service)
    mine, report = score(made_up_service), score(report_service)
    # 62%: Strong (60–89%), Good, by the made-up bands; Too few, Requires improvement, by the
    # report's.
    kq = mine.key_questions["3.1.1"]
    assert kq.percentage == 62 and kq.band is not None
    assert (kq.band.label, kq.band.range_text, kq.band.rating) == ("Strong", "60–89%", Rating.GOOD)
    assert report.key_questions["3.1.1"].band.label == "Too few"  # type: ignore[union-attr]
    assert mine.standard("3.1").provisional is Rating.GOOD
    assert report.standard("3.1").provisional is Rating.REQUIRES_IMPROVEMENT
    # The report's five points flag 62% (below 65); three points below 90 do not reach 62,
    # and one case either way (60% or 64%) stays Strong: not flagged.
    assert not mine.standard("3.1").flagged
    assert [f.rule for f in report.standard("3.1").flags] == ["margin"]
    # Points: Good scores 4 here (2 in the report); five rated standards of ten.
    assert mine.standard("3.1").points == 4 and report.standard("3.1").points == 1
    assert mine.overall.points == {"1.1": 4, "1.2": 4, "1.3": 4, "1.4": 4, "3.1": 4}
    assert mine.overall.maximum == 60 and report.overall.maximum == 30
    assert mine.overall.statement.endswith("the 5 rated standard(s) score 20.")
    assert report.overall.statement.endswith("the 5 rated standard(s) score 9.")


def test_the_made_up_overall_bands_and_significance_level(tmp_path: Path) -> None:
    rules = ScoringRules.of(load_framework(made_up(tmp_path)).scoring)
    assert [rules.overall_rating(t) for t in (0, 14, 15, 29, 30, 49, 50, 60)] == [
        Rating.INADEQUATE, Rating.INADEQUATE,
        Rating.REQUIRES_IMPROVEMENT, Rating.REQUIRES_IMPROVEMENT,
        Rating.GOOD, Rating.GOOD, Rating.OUTSTANDING, Rating.OUTSTANDING,
    ]  # fmt: skip
    report = default_rules()
    assert report.overall_rating(30) is Rating.OUTSTANDING
    # p = 0.087 is significant at the report's 0.1, not at this framework's 0.05.
    assert report.significant(0.087) and not rules.significant(0.087)
    assert [(b.label, b.range_text) for b in rules.bands] == [
        ("Weak", "<40%"), ("Fair", "40–59%"), ("Strong", "60–89%"), ("Excellent", "90%+"),
    ]  # fmt: skip


def test_the_bundled_rules_are_the_reports(framework: Any) -> None:
    rules = ScoringRules.of(framework.scoring)
    assert [(b.label, b.lowest, b.rating) for b in rules.bands] == [
        ("Minority", 0, Rating.INADEQUATE),
        ("Too few", 50, Rating.REQUIRES_IMPROVEMENT),
        ("Reasonable majority", 65, Rating.GOOD),
        ("Large majority", 80, Rating.OUTSTANDING),
    ]
    assert [rules.points[r] for r in Rating] == [0, 1, 2, 3]
    assert rules.overall_bands[-1][1] == 30
    assert (rules.discretion_window, rules.significance_level) == (5, 0.1)


@pytest.mark.parametrize(
    ("change", "place", "problem"),
    [
        (
            lambda s: s["key_question_bands"][0].update(lowest=10),
            "scoring.key_question_bands[0].lowest",
            "the first band must start at 0%",
        ),
        (
            lambda s: s["key_question_bands"][2].update(lowest=30),
            "scoring.key_question_bands[2]",
            "bands must be listed lowest first",
        ),
        (
            lambda s: s["key_question_bands"][3].update(rating="Requires improvement"),
            "scoring.key_question_bands[3]",
            "a higher band cannot give a lower rating",
        ),
        (
            lambda s: s["overall_bands"][2].update(lowest=31),
            "scoring.overall_bands[2]",
            "this band must start at 30",
        ),
        (
            lambda s: s["overall_bands"][3].update(highest=55),
            "scoring.overall_bands",
            "the overall bands end at 55, but the 10 standards can score up to 60",
        ),
        (
            lambda s: s["points"].pop("Good"),
            "scoring.points",
            "'Good' is a required property",
        ),
        (
            lambda s: s.update(discretion_window=-1),
            "scoring.discretion_window",
            "-1 is less than the minimum of 0",
        ),
    ],
)
def test_rules_that_do_not_hold_together_are_refused(
    tmp_path: Path, change: Any, place: str, problem: str
) -> None:
    data = copy.deepcopy(bundled())
    data["scoring"] = copy.deepcopy(MADE_UP_SCORING)
    change(data["scoring"])
    with pytest.raises(FrameworkError) as refused:
        load_framework(write(tmp_path, data))
    assert refused.value.place == place
    assert problem in refused.value.problem


def test_a_framework_without_scoring_rules_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(bundled())
    del data["scoring"]
    with pytest.raises(FrameworkError, match="'scoring' is a required property"):
        load_framework(write(tmp_path, data))
