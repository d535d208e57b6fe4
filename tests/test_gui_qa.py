"""Review threads shown prominently on the laptop (issue 17): the home view and the completion
view list them, driven through the real window on a real workspace file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from fieldwork.bundles.conflicts import add_qa_comment
from fieldwork.qa import review, threads
from fieldwork.service import Service
from tests.conftest import answer_everything
from tests.test_gui_helpers import (
    TIMEOUT,
    close_window,
    make_workbench,
    open_window,
    settings_in,
    settle,
)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return settings_in(tmp_path)


def test_home_and_completion_views_list_open_threads_and_returned_cases(
    qtbot, tmp_path, clock, settings
):
    def setup(service: Service, ids: dict[str, str]) -> None:
        add_qa_comment(service, ids["REF0001"], "2.1.1.2", "Check the OASys date.")
        resolved = add_qa_comment(service, ids["REF0001"], "", "Seen")
        threads.resolve(service, resolved)
        answer_everything(service, ids["REF0002"])
        service.mark_complete(ids["REF0002"])
        review.move(service, ids["REF0002"], "submit")
        review.move(service, ids["REF0002"], "return", "see the thread")

    bench = make_workbench(tmp_path, clock, setup=setup)
    window = open_window(qtbot, bench.path, settings)
    qtbot.waitUntil(lambda: window.home.panel.summary is not None, timeout=TIMEOUT)
    cases_text = window.home.panel.cases.text()
    assert "Quality assurance: 1 open review thread" in cases_text
    assert "Returned for changes: REF0002" in cases_text
    view = window.case_view
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        window.open_case(bench.cases["REF0001"])
    label = view.completion.threads
    assert not label.isHidden()
    assert label.text() == "Open review thread from quality assurance: 2.1.1.2"
    window.close_case()
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        window.open_case(bench.cases["PSR-0001"])
    assert view.completion.threads.isHidden()
    settle(qtbot, window)
    close_window(qtbot, window)
