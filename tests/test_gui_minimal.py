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
