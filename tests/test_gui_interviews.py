"""An interview worked with the keyboard alone, then read back from the store; the
interview list; the interview evidence beside a domain-one rating."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTableView, QWidget

from fieldwork.interviews.questionnaire import OFFICER
from fieldwork.interviews.store import Interviews
from fieldwork.service import Service
from tests.conftest import CASE_SUPERVISION, FakeClock
from tests.interviews_support import answer_all, constructed
from ui.interviews.panel import InterviewPanel, show_evidence
from ui.interviews.view import InterviewView
from ui.runner import ServiceRunner

WAIT = 15_000


@pytest.fixture
def planned(tmp_path: Path, clock: FakeClock) -> tuple[Path, str, list[str]]:
    """A workspace with two cases of one officer and their planned interview."""
    path = tmp_path / "inspection.fieldwork"
    with Service.create(path, user="Helen", clock=clock) as service:
        service.create_inspection("North West", provider="NPS North West")
        service.add_inspector("Helen")
        cases = [
            service.add_case("case-supervision", ref, dict(CASE_SUPERVISION))
            for ref in ("E1", "E2")
        ]
        created = Interviews(service).create(OFFICER, "Officer A", case_ids=[c.id for c in cases])
    return path, created.id, [c.id for c in cases]


@pytest.fixture
def runner(planned: tuple[Path, str, list[str]]) -> Iterator[ServiceRunner]:
    path = planned[0]
    runner = ServiceRunner(lambda: Service.open(path, user="Helen", check=False, backup=False))
    yield runner
    runner.stop()


def key(
    qtbot, widget: QWidget, *keys: str | Qt.Key, modifier=Qt.KeyboardModifier.NoModifier
) -> None:  # type: ignore[no-untyped-def]
    for k in keys:
        qtbot.keyClick(widget, k, modifier)


def test_an_officer_interview_worked_with_the_keyboard_alone(  # type: ignore[no-untyped-def]
    qtbot, runner: ServiceRunner, planned: tuple[Path, str, list[str]]
) -> None:
    path, interview_id, case_ids = planned
    view = InterviewView(runner, interview_id)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    rows = view.list
    assert rows.currentRow() == 0  # the grade first: it is required and not yet known
    key(qtbot, rows, "1")  # grade: PO
    key(qtbot, rows, Qt.Key.Key_Return)  # cluster: typed
    qtbot.keyClicks(view.editor, "Cheshire")
    key(qtbot, view.editor, Qt.Key.Key_Return)
    key(qtbot, rows, "2")  # held by telephone
    key(qtbot, rows, "a", "d", "3", "a", "a", "y", "a", "d")
    assert view.current() is not None and view.current().id == "ro-reasonable-adjustments"
    key(qtbot, rows, "x")  # not applicable: the reason is asked for at once
    assert view.editor.isVisible()
    qtbot.keyClicks(view.editor, "No adjustments needed")
    key(qtbot, view.editor, Qt.Key.Key_Return)
    key(qtbot, rows, "a", "a", "n")
    key(qtbot, rows, "e")  # a note on the case-recording item, then its answer
    qtbot.keyClicks(view.editor, "Policy on EQuiP, not read")
    key(qtbot, view.editor, Qt.Key.Key_Return)
    key(qtbot, rows, "k", "a")  # back up to it, agree
    key(qtbot, rows, "z", modifier=Qt.KeyboardModifier.ControlModifier)  # undo: misheard
    key(qtbot, rows, "k", "d")  # disagree instead
    assert view.current().id == "ro-comments"
    key(qtbot, rows, Qt.Key.Key_Return)
    qtbot.keyClicks(view.editor, "Covering a second team since October.")
    key(qtbot, view.editor, Qt.Key.Key_Return)
    key(qtbot, rows, Qt.Key.Key_F2)
    qtbot.keyClicks(view.notes, "Held by phone, 35 minutes.")
    key(qtbot, view.notes, Qt.Key.Key_Escape)
    key(qtbot, rows, Qt.Key.Key_Return, modifier=Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: view.detail is not None and view.detail.summary.status == "complete", timeout=WAIT
    )
    assert "Nothing missing" in view.completion.text()
    view.close()
    runner.stop()

    with Service.open(path, user="Helen") as service:
        store = Interviews(service)
        summary = store.summary(interview_id)
        assert summary.status == "complete"
        assert dict(summary.attributes) == {
            "grade": "PO",
            "cluster": "Cheshire",
            "mode": "by telephone",
        }
        assert set(summary.case_ids) == set(case_ids)
        assert summary.notes == "Held by phone, 35 minutes."
        answers = {k: v.value for k, v in store.answers(interview_id).items()}
        assert answers == {
            "ro-quality-prioritised": "agree",
            "ro-workload-manageable": "disagree",
            "ro-workload-measure": "over 110 per cent",
            "ro-skills-knowledge": "agree",
            "ro-oversight-effective": "agree",
            "ro-in-service-training": "yes",
            "ro-learning-culture": "agree",
            "ro-recognise-reward": "disagree",
            "ro-reasonable-adjustments": "na",
            "ro-safety-priority": "agree",
            "ro-wellbeing": "agree",
            "ro-range-of-services": "no",
            "ro-case-recording-policy": "disagree",
            "ro-comments": "Covering a second team since October.",
        }
        record = store.answers(interview_id)
        assert record["ro-reasonable-adjustments"].na_reason == "No adjustments needed"
        assert record["ro-case-recording-policy"].note == "Policy on EQuiP, not read"
        # The undone "agree" is in the history: agree, back to nothing, then disagree.
        values = [
            (h[5], h[6])
            for h in store.history(interview_id)
            if h[3] == "ro-case-recording-policy" and h[4] == "value"
        ]
        assert values == [(None, "agree"), ("agree", None), (None, "disagree")]


def test_an_incomplete_interview_lists_what_is_missing(  # type: ignore[no-untyped-def]
    qtbot, runner: ServiceRunner, planned: tuple[Path, str, list[str]]
) -> None:
    view = InterviewView(runner, planned[1])
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show()
    with qtbot.waitSignal(view.failed, timeout=WAIT):
        key(qtbot, view.list, Qt.Key.Key_Return, modifier=Qt.KeyboardModifier.ControlModifier)
    assert "grade (attribute)" in view.completion.text()
    assert "ro-quality-prioritised (answer)" in view.completion.text()


def test_the_interview_list_shows_status_and_opens_one(  # type: ignore[no-untyped-def]
    qtbot, qtmodeltester, runner: ServiceRunner
) -> None:
    panel = InterviewPanel(runner)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.listed, timeout=WAIT):
        panel.refresh()
    qtmodeltester.check(panel.model)
    cells = [panel.model.index(0, c).data() for c in range(panel.model.columnCount())]
    assert cells == ["Officer A", "not started", "0/13", "Officer", "", "", "E1, E2"]
    with qtbot.waitSignal(panel.opened, timeout=WAIT) as opened:
        panel.table.setCurrentIndex(panel.model.index(0, 0))
        panel.table.activated.emit(panel.model.index(0, 0))
    view = opened.args[0]
    qtbot.waitUntil(lambda: view.detail is not None, timeout=WAIT)
    view.close()


def test_evidence_beside_a_domain_one_rating(qtbot, tmp_path: Path, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "w.fieldwork"
    with Service.create(path, user="Helen", clock=clock) as service:
        service.create_inspection("North West", provider="NPS North West")
        constructed(service)
    runner = ServiceRunner(lambda: Service.open(path, user="Helen", check=False, backup=False))
    try:
        from PySide6.QtWidgets import QDialog, QVBoxLayout

        dialog = QDialog()
        QVBoxLayout(dialog)
        qtbot.addWidget(dialog)
        view = show_evidence(dialog, runner, "1.2")
        qtbot.waitUntil(lambda: view.model().rowCount() > 0, timeout=WAIT)
        rows = [
            [view.model().index(r, c).data() for c in range(view.model().columnCount())]
            for r in range(view.model().rowCount())
        ]
        po = next(r for r in rows if r[0].startswith("Proportion of POs (or equivalent)"))
        assert po[1:] == ["3", "6", "50", "56"]
    finally:
        runner.stop()


@pytest.fixture
def window(qtbot, tmp_path: Path, clock: FakeClock):  # type: ignore[no-untyped-def]
    """The main window on a workspace holding the constructed officer interviews."""
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    path = tmp_path / "w.fieldwork"
    with Service.create(path, user="Data team", clock=clock) as service:
        service.create_inspection("North West", provider="NPS North West")
        service.add_case("case-supervision", "E1", dict(CASE_SUPERVISION))
        constructed(service)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(path, user="Data team", settings=settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=WAIT):
        window.show()
    return window


def _action(window, menu: str, text: str):  # type: ignore[no-untyped-def]
    return next(
        a
        for m in window.menuBar().actions()
        if m.text() == menu
        for a in m.menu().actions()
        if a.text() == text
    )


def test_the_main_window_lists_interviews_beside_the_cases(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    panel = window.interview_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 11, timeout=WAIT)
    statuses = {panel.model.index(r, 1).data() for r in range(panel.model.rowCount())}
    assert statuses == {"complete", "in progress"}
    split = window.home.findChild(QSplitter, "interviews_split")
    assert split.sizes()[1] == 0  # folded away until asked for
    _action(window, "&Interviews", "Show the interview &list").trigger()
    assert split.sizes()[1] > 0
    action = _action(window, "&Interviews", "Op&en the selected interview")
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    with qtbot.waitSignal(panel.opened, timeout=WAIT) as opened:
        action.trigger()
    view = opened.args[0]
    qtbot.waitUntil(lambda: view.detail is not None, timeout=WAIT)
    view.close()


def test_the_dashboard_shows_interview_evidence_and_prints_it(  # type: ignore[no-untyped-def]
    qtbot, window, tmp_path: Path
) -> None:
    import pypdf

    from ui.scoring.dashboard import RatingsDashboard

    _action(window, "&Central", "&Ratings dashboard…").trigger()
    dashboard = window.findChild(RatingsDashboard)
    qtbot.waitUntil(lambda: dashboard.scores is not None, timeout=WAIT)
    row = next(n for n, s in enumerate(dashboard.scores.standards) if s.id == "1.2")
    dashboard.ratings_view.selectRow(row)
    model = dashboard.models["standard"]
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=WAIT)
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert any("describing workload as unmanageable" in label for label in labels)
    dialog = dashboard.enter_domain1_rating()
    assert dialog is not None
    evidence = dialog.findChildren(QTableView)[0]
    qtbot.waitUntil(lambda: evidence.model().rowCount() > 0, timeout=WAIT)
    dialog.reject()
    with qtbot.waitSignal(dashboard.saved, timeout=WAIT):
        dashboard.save_report(tmp_path / "ratings.pdf")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "ratings.pdf").pages)
    assert "Workload data" in text
    with qtbot.waitSignal(dashboard.saved, timeout=WAIT):
        dashboard.save_tables(tmp_path)
    assert (tmp_path / "interviews.csv").exists()


def test_a_refused_change_shows_what_the_store_holds(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, clock: FakeClock, monkeypatch
) -> None:
    path = tmp_path / "w.fieldwork"
    with Service.create(path, user="Helen", clock=clock) as service:
        service.create_inspection("North West", provider="NPS North West")
        store = Interviews(service)
        done = store.create(OFFICER, "Officer C", attributes={"grade": "PO"})
        answer_all(store, done.id)
        store.mark_complete(done.id)
    runner = ServiceRunner(lambda: Service.open(path, user="Helen", check=False, backup=False))
    try:
        view = InterviewView(runner, done.id)
        qtbot.addWidget(view)
        with qtbot.waitSignal(view.loaded, timeout=WAIT):
            view.show()
        monkeypatch.setattr(view, "_edit_reason", lambda: "")  # the inspector gave no reason
        row = [r.id for r in view.rows].index("ro-quality-prioritised")
        view.list.setCurrentRow(row)
        with qtbot.waitSignal(view.failed, timeout=WAIT) as refused:
            key(qtbot, view.list, "d")
        assert "give a reason" in str(refused.args[0])
        qtbot.waitUntil(
            lambda: view.values["ro-quality-prioritised"]["value"] == "agree", timeout=WAIT
        )
        assert view.list.item(row).text().endswith("Agree")
    finally:
        runner.stop()


def test_interview_conflicts_are_resolved_in_the_application(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, clock: FakeClock
) -> None:
    from fieldwork.interviews.records import export_records, take_in
    from ui.interviews.conflicts import InterviewConflictsDialog

    central_path = tmp_path / "central.fieldwork"
    with Service.create(central_path, user="Data team", clock=clock) as central:
        central.create_inspection("North West", provider="NPS North West")
        case = central.add_case("case-supervision", "E1", dict(CASE_SUPERVISION))
    laptop_path = tmp_path / "laptop.fieldwork"
    import shutil

    shutil.copy(central_path, laptop_path)
    bundle = "00000000-0000-4000-8000-000000000002"
    with (
        Service.open(central_path, user="Data team", clock=clock) as central,
        Service.open(laptop_path, user="Helen", clock=clock) as laptop,
    ):
        store = Interviews(laptop)
        officer = store.create(OFFICER, "Officer A", case_ids=[case.id])
        store.answer(officer.id, "ro-wellbeing", "agree")
        take_in(central, export_records(laptop), file="b", inspector_id="helen", bundle_id=bundle)
        Interviews(central).answer(officer.id, "ro-wellbeing", "disagree")
        store.answer(officer.id, "ro-wellbeing", None)
        take_in(central, export_records(laptop), file="b", inspector_id="helen", bundle_id=bundle)
    runner = ServiceRunner(
        lambda: Service.open(central_path, user="Data team", check=False, backup=False)
    )
    try:
        dialog = InterviewConflictsDialog(runner)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.listed, timeout=WAIT) as listed:
            dialog.show()
        assert listed.args == [1]
        model = dialog.model
        cells = [model.index(0, c).data() for c in range(model.columnCount())]
        assert cells[:4] == ["Officer A", "ro-wellbeing", "disagree", "(none)"]
        with qtbot.waitSignal(dialog.listed, timeout=WAIT) as listed:
            qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
        assert listed.args == [0]
        assert "No interview conflicts." in dialog.summary.text()
    finally:
        runner.stop()
    with Service.open(central_path, user="Data team") as central:
        assert Interviews(central).answers(officer.id)["ro-wellbeing"].value is None
