"""The demo inspection holds interviews whose answers follow the report's published rates."""

from __future__ import annotations

from pathlib import Path

from fieldwork.demo import DemoSizes, make_demo
from fieldwork.interviews.figures import interview_figures
from fieldwork.interviews.questionnaire import OFFICER, SERVICE_USER
from fieldwork.interviews.store import Interviews


def test_demo_interviews_follow_the_published_rates(tmp_path: Path) -> None:
    sizes = DemoSizes(case_supervision=119, court_reports=3, victim=3)
    with make_demo(tmp_path / "demo.fieldwork", sizes=sizes, complete=1.0) as service:
        figures = interview_figures(service)
        # As in the report: 105 responsible officers and 25 service users for 119 cases.
        assert figures.interviews == {OFFICER: 105, SERVICE_USER: 25}
        published = [f for f in figures.figures if f.spec.published is not None]
        assert len(published) >= 15
        for figure in published:
            pct = figure.count.percentage
            assert pct is not None
            # A sample of 105 (or 25) drawn at the published rate lands near it.
            assert abs(pct - figure.spec.published) <= 20, figure.id
        # Some officers were interviewed once for two of their cases.
        store = Interviews(service)
        assert any(len(i.case_ids) == 2 for i in store.summaries(questionnaire=OFFICER))
        assert all(len(i.case_ids) == 1 for i in store.summaries(questionnaire=SERVICE_USER))


def test_the_default_demo_is_mid_fieldwork(tmp_path: Path) -> None:
    with make_demo(tmp_path / "demo.fieldwork") as service:
        statuses = {i.status for i in Interviews(service).summaries()}
    assert "complete" in statuses
    assert len(statuses) >= 2
