"""The main window lists the demo workspace's cases (foundation check)."""

from __future__ import annotations

import pytest

from fieldwork.demo import DemoSizes, make_demo
from ui.main_window import MainWindow


@pytest.fixture
def demo_path(tmp_path):
    path = tmp_path / "demo.fieldwork"
    make_demo(path, seed=3, sizes=DemoSizes(6, 3, 2)).close()
    return path


def test_main_window_lists_the_demo_cases(qtbot, qtmodeltester, demo_path):
    window = MainWindow(demo_path, user="tester")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=10_000) as loaded:
        window.show()
    assert loaded.args == [11]
    model = window.case_table.model()
    assert model.rowCount() == 11
    shown = {
        model.index(r, c).data()
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    }
    assert {
        "Case supervision",
        "Court reports and case allocation",
        "Statutory victim work",
    } <= shown
    assert {"not started", "in progress", "complete"} <= shown
    qtmodeltester.check(window.case_model)
    window.close()


def test_the_integrity_check_runs_beside_the_work_and_reports_damage(qtbot, demo_path, monkeypatch):
    import ui.housekeeping
    from fieldwork.errors import WorkspaceError
    from fieldwork.store import list_backups

    window = MainWindow(demo_path, user="tester")
    qtbot.addWidget(window)
    assert not window.housekeeper.done
    with qtbot.waitSignal(window.housekeeper.finished, timeout=10_000) as checked:
        window.show()
    assert checked.args == [None]
    assert window.housekeeper.done  # the benchmarks wait on it before timing the store
    assert len(list_backups(demo_path)) == 1  # the backup made after the check
    window.close()

    damage = WorkspaceError("the workspace is damaged (page 7)", file=str(demo_path))
    monkeypatch.setattr(ui.housekeeping, "check_and_back_up", lambda *a, **k: damage)
    shown = []
    window = MainWindow(demo_path, user="tester")
    qtbot.addWidget(window)
    monkeypatch.setattr(window, "show_error", shown.append)
    with qtbot.waitSignal(window.housekeeper.finished, timeout=10_000):
        window.show()
    assert shown == [damage]
    assert window.housekeeper.done  # a check that found damage has ended too
    assert "integrity check" in window.statusBar().currentMessage()
    window.close()
