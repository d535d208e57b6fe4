"""Central ▸ Ratings dashboard…: tables and charts, the panel-decision dialog, domain 1
ratings, drill-down to the cases behind a figure, and saving the outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QSettings, Qt

from fieldwork.errors import InvalidChange
from fieldwork.scoring.rules import Rating
from fieldwork.scoring.scores import Scores
from fieldwork.service import Service
from tests.test_scoring_report_figures import add_unfinished_case, north_west_template
from ui.main_window import MainWindow
from ui.scoring.cases_behind import CasesBehindDialog
from ui.scoring.dashboard import RatingsDashboard
from ui.scoring.decision import DecisionDialog

WAIT = 15_000


@pytest.fixture
def workspace(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> Path:
    path = tmp_path / "north-west.fieldwork"
    shutil.copy(north_west_template(tmp_path_factory), path)
    if getattr(request, "param", None) == "with an unfinished case":
        with Service.open(path, user="Helen", backup=False) as service:
            add_unfinished_case(service)
    return path


@pytest.fixture
def window(qtbot, workspace: Path, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(workspace, user="Data team", settings=settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=WAIT):
        window.show()
    return window


@pytest.fixture
def dashboard(qtbot, window: MainWindow) -> RatingsDashboard:  # type: ignore[no-untyped-def]
    action = next(
        a
        for menu_action in window.menuBar().actions()
        if menu_action.text() == "&Central"
        for a in menu_action.menu().actions()
        if a.text() == "&Ratings dashboard…"
    )
    assert action.shortcut().toString() == "Ctrl+Shift+R"
    action.trigger()
    dashboard = window.findChild(RatingsDashboard)
    assert dashboard is not None
    qtbot.waitUntil(lambda: dashboard.scores is not None, timeout=WAIT)
    return dashboard


def cells(dashboard: RatingsDashboard, key: str) -> list[list[str]]:
    model = dashboard.models[key]
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def row_of(dashboard: RatingsDashboard, key: str, first_cell: str) -> int:
    return next(n for n, row in enumerate(cells(dashboard, key)) if row[0] == first_cell)


def test_dashboard_shows_the_ratings_and_flags(
    qtbot, qtmodeltester, dashboard: RatingsDashboard
) -> None:  # type: ignore[no-untyped-def]
    assert dashboard.summary.text().startswith("No overall rating yet: 4 standard(s)")
    ratings = {row[0].split()[0]: row for row in cells(dashboard, "ratings")}
    assert ratings["2.4"][2:4] == ["Requires improvement", "Requires improvement"]
    assert ratings["2.4"][6] == "flagged"
    assert ratings["2.1"][6] == ""
    assert ratings["3.1"][2] == "Inadequate"
    kq = {row[0]: row for row in cells(dashboard, "key-questions")}
    assert kq["2.4.3"][2:6] == ["116", "70", "No comparable data available", "60"]
    assert len(cells(dashboard, "prompts")) == 78 + 17
    assert [row[3] for row in cells(dashboard, "profile")] == ["5", "6", "49", "71", "55", "50"]
    assert [row[0].split()[0] for row in cells(dashboard, "panel")] == ["2.4", "3.1", "3.2"]
    for model in dashboard.models.values():
        qtmodeltester.check(model)
    # The first flagged standard is selected: its key questions and chart are shown.
    assert dashboard.selected_standard().id == "2.4"  # type: ignore[union-attr]
    assert [row[0] for row in cells(dashboard, "standard")] == ["2.4.1", "2.4.2", "2.4.3"]
    assert dashboard.chart.accessibleDescription() == "2.4.1: 75%; 2.4.2: 74%; 2.4.3: 60%"
    assert dashboard.panel_button.isEnabled() and not dashboard.domain1_button.isEnabled()
    # An unflagged standard cannot be sent to the panel.
    dashboard.ratings_view.selectRow(row_of(dashboard, "ratings", "2.1 Assessment"))
    assert not dashboard.panel_button.isEnabled()
    assert "flagged standards only" in dashboard.panel_button.toolTip()
    image = dashboard.chart.grab()  # paints without a warning (qt_log_level_fail)
    assert not image.isNull()


def test_panel_decision_dialog_records_the_decision(
    qtbot, dashboard: RatingsDashboard, workspace: Path
) -> None:  # type: ignore[no-untyped-def]
    dashboard.ratings_view.selectRow(row_of(dashboard, "ratings", "2.4 Reviewing"))
    qtbot.mouseClick(dashboard.panel_button, Qt.MouseButton.LeftButton)
    dialog = dashboard.findChild(DecisionDialog)
    assert dialog is not None and dialog.isVisible()
    assert "2.4.3 at 60%" in dialog.findChild(type(dashboard.summary)).text()
    assert dialog.rating.currentText() == "Requires improvement"
    assert not dialog.ok_button.isEnabled()  # no reasons yet
    dialog.rating.setCurrentIndex(dialog.rating.findText("Good"))
    qtbot.keyClicks(dialog.words, "High scores for the other two key questions.")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dashboard.scores_shown, timeout=WAIT) as shown:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    scores: Scores = shown.args[0]
    decision = scores.standard("2.4").decision
    assert decision is not None and decision.final.value == "Good"
    assert decision.decided_by == "Data team"
    ratings = {row[0].split()[0]: row for row in cells(dashboard, "ratings")}
    assert ratings["2.4"][3:7] == ["Good", "2", "ratings panel", "decided Good"]
    assert "Ratings panel (Data team" in dashboard.statement.text()


def test_domain_1_ratings_are_entered_with_evidence(qtbot, dashboard: RatingsDashboard) -> None:  # type: ignore[no-untyped-def]
    for standard_id, rating in (("1.1", "Good"), ("1.2", "Requires improvement"),
                                ("1.3", "Good"), ("1.4", "Requires improvement")):  # fmt: skip
        row = next(
            n for n, r in enumerate(cells(dashboard, "ratings")) if r[0].startswith(standard_id)
        )
        dashboard.ratings_view.selectRow(row)
        assert dashboard.domain1_button.isEnabled() and not dashboard.panel_button.isEnabled()
        dialog = dashboard.enter_domain1_rating()
        assert dialog is not None
        dialog.rating.setCurrentIndex(dialog.rating.findText(rating))
        dialog.words.setPlainText("Meetings with staff and managers; the provider's evidence.")
        with qtbot.waitSignal(dashboard.scores_shown, timeout=WAIT):
            dialog.ok_button.click()
    for standard_id, rating in (("2.4", "Good"), ("3.1", "Requires improvement"),
                                ("3.2", "Good")):  # fmt: skip
        dashboard.ratings_view.selectRow(
            next(
                n for n, r in enumerate(cells(dashboard, "ratings")) if r[0].startswith(standard_id)
            )
        )
        dialog = dashboard.record_panel_decision()
        assert dialog is not None
        dialog.rating.setCurrentIndex(dialog.rating.findText(rating))
        dialog.words.setPlainText("Within the margin of error; the other key questions are high.")
        with qtbot.waitSignal(dashboard.scores_shown, timeout=WAIT):
            dialog.ok_button.click()
    assert dashboard.summary.text() == "Score 16/30: Good."
    assert cells(dashboard, "ratings")[-1][3:5] == ["Good", "16"]


def test_drill_down_from_figures_and_breakdowns(
    qtbot, dashboard: RatingsDashboard, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    view = dashboard.views["key-questions"]
    dashboard.tabs.setCurrentIndex(1)
    index = dashboard.models["key-questions"].index(row_of(dashboard, "key-questions", "3.1.2"), 4)
    with qtbot.waitSignal(dashboard.cases_shown, timeout=WAIT) as shown:
        view.activated.emit(index)
    cases: CasesBehindDialog = shown.args[0]
    assert cases.model.rowCount() == 106
    assert cases.summary.text() == "106 case(s): 57 no, 49 yes"
    cases.close()

    dashboard.tabs.setCurrentIndex(5)
    dashboard.breakdown_by.setCurrentIndex(dashboard.breakdown_by.findData("gender"))
    rows = cells(dashboard, "breakdown")
    female = next(n for n, r in enumerate(rows) if r[0] == "2.2.3" and r[1] == "female")
    assert rows[female][2:5] == ["5", "1", "20"]
    breakdown_view = dashboard.views["breakdown"]
    breakdown_view.setFocus()
    breakdown_view.setCurrentIndex(dashboard.models["breakdown"].index(female, 1))
    with qtbot.waitSignal(dashboard.cases_shown, timeout=WAIT) as shown:
        qtbot.keyClick(breakdown_view, Qt.Key.Key_Return)
    cases = shown.args[0]
    assert cases.windowTitle() == "Cases behind 2.2.3 (gender: female)"
    assert cases.model.rowCount() == 5
    assert {cases.model.index(r, 4).data() for r in range(5)} == {"female"}
    # A case opens in the main window from the list.
    with qtbot.waitSignal(window.case_opened, timeout=WAIT) as opened:
        cases.table.activated.emit(cases.model.index(0, 0))
    assert opened.args == [cases.model.case_at(0).case_id]


def test_save_tables_and_report(qtbot, dashboard: RatingsDashboard, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dashboard.saved, timeout=WAIT) as saved:
        dashboard.save_tables(tmp_path / "tables")
    assert (tmp_path / "tables" / "ratings.csv").exists()
    assert len(saved.args[0]) == len(list((tmp_path / "tables").iterdir()))
    with qtbot.waitSignal(dashboard.saved, timeout=WAIT):
        dashboard.save_report(tmp_path / "ratings.pdf")
    first = pypdf.PdfReader(tmp_path / "ratings.pdf").pages[0].extract_text()
    assert "Ratings" in first and "2.4 Reviewing" in first


@pytest.mark.parametrize("workspace", ["with an unfinished case"], indirect=True)
def test_including_incomplete_cases(qtbot, dashboard: RatingsDashboard) -> None:  # type: ignore[no-untyped-def]
    assert dashboard.warning.text() == (
        "⚠ 1 case(s) not yet marked complete are left out of the figures (Statutory victim work 1)."
    )
    with qtbot.waitSignal(dashboard.scores_shown, timeout=WAIT) as shown:
        dashboard.only_complete.setChecked(False)
    assert not dashboard.warning.text()
    assert shown.args[0].key_questions["3.2.1"].applicable == 15
    row = cells(dashboard, "key-questions")[row_of(dashboard, "key-questions", "3.2.1")]
    assert row[2:4] == ["15", "9"] and row[5] == "60"


def test_a_failed_decision_is_shown_and_changes_nothing(
    qtbot, dashboard: RatingsDashboard, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    shown: list[BaseException] = []
    monkeypatch.setattr(window, "show_error", shown.append)
    with qtbot.waitSignal(dashboard.failed, timeout=WAIT):
        dashboard._submit_decision("2.1", Rating.OUTSTANDING, "Reasons.")
    assert isinstance(shown[0], InvalidChange) and "2.1 is not flagged" in shown[0].message
    assert dashboard.refresh_button.isEnabled()
    with qtbot.waitSignal(dashboard.scores_shown, timeout=WAIT) as scored:
        dashboard.refresh()
    assert all(s.decision is None for s in scored.args[0].standards)


def test_previous_figures_are_imported_from_the_dashboard(
    qtbot, dashboard: RatingsDashboard, tmp_path: Path, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "previous.csv"
    good.write_text("item,percentage,sample_size,rating\n2.4,,,Good\n2.4.3,66,100,\n")
    with qtbot.waitSignal(dashboard.scores_shown, timeout=WAIT):
        dashboard.import_previous(good)
    row = cells(dashboard, "key-questions")[row_of(dashboard, "key-questions", "2.4.3")]
    assert row[4:6] == ["66", "60"] and row[7] == "-6"
    assert row[8].startswith("-6 points; not significant at 0.1")
    ratings = {r[0].split()[0]: r for r in cells(dashboard, "ratings")}
    assert ratings["2.4"][1] == "Good"
    # A bad file is shown plainly and changes nothing.
    shown: list[BaseException] = []
    monkeypatch.setattr(window, "show_error", shown.append)
    bad = tmp_path / "bad.csv"
    bad.write_text("item,percentage\n2.4.3,sixty\n")
    with qtbot.waitSignal(dashboard.failed, timeout=WAIT):
        dashboard.import_previous(bad)
    assert shown[0].message == f"{bad}: row 2, column percentage: 'sixty' is not a number"
    with qtbot.waitSignal(dashboard.scores_shown, timeout=WAIT) as scored:
        dashboard.refresh()
    assert scored.args[0].comparisons["2.4.3"].previous_shown == "66%"
