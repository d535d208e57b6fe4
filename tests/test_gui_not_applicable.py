"""The judgement panel offers "Not applicable…" where the framework allows it, asks the
reason, and shows it; elsewhere the choice is not offered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from fieldwork.applicability import ItemState
from tests.conftest import FakeClock
from tests.test_gui_helpers import (
    TIMEOUT,
    close_window,
    give_reason,
    make_workbench,
    open_window,
    press,
    settings_in,
    settle,
    stored_case,
)

REASON = "The victim declined contact before sentence."


def test_a_judgement_marked_not_applicable_with_its_reason(
    qtbot, tmp_path: Path, clock: FakeClock
) -> None:  # type: ignore[no-untyped-def]
    bench = make_workbench(
        tmp_path,
        clock,
        cases={
            "VLU-0001": {"sample": "victim", "stage": "post-sentence"},
            "REF0001": {"sample": "case-supervision", "risk_of_harm_factors": False},
        },
    )
    window = open_window(qtbot, bench.path, settings_in(tmp_path))
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT):
        window.open_case(bench.cases["VLU-0001"])
    view = window.case_view
    view.go_to("3.2.1")
    panel = view.judgement_panel
    qtbot.waitUntil(lambda: view.panels.currentWidget() is panel, timeout=TIMEOUT)
    assert panel.na.isVisible() and panel.na.isEnabled()
    assert not panel.na_reason.isVisible()

    qtbot.mouseClick(panel.na, Qt.MouseButton.LeftButton)
    give_reason(qtbot, REASON)
    settle(qtbot, window)
    item = stored_case(qtbot, window, bench.cases["VLU-0001"]).item("3.2.1")
    assert (item.state, item.na_reason) == (ItemState.NA_CHOICE, REASON)
    assert item.missing is None  # no rationale needed for a judgement not applicable
    qtbot.waitUntil(lambda: panel.na.isChecked(), timeout=TIMEOUT)
    assert panel.na_reason.isVisible()
    assert panel.na_reason.text() == f"Not applicable because: {REASON}"
    assert not panel.yes.isChecked() and not panel.no.isChecked()

    # Undo takes it back to no judgement at all.
    view.undo()
    settle(qtbot, window)
    assert stored_case(qtbot, window, bench.cases["VLU-0001"]).item("3.2.1").state is (
        ItemState.UNANSWERED
    )

    # A key question the framework expects judged Yes or No has no such choice, by click or key.
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT):
        window.open_case(bench.cases["REF0001"])
    view.go_to("2.1.1")
    qtbot.waitUntil(lambda: view.panels.currentWidget() is panel, timeout=TIMEOUT)
    assert not panel.na.isVisible()
    with qtbot.waitSignal(view.message, timeout=TIMEOUT) as said:
        press(qtbot, "A")
    assert "Not applicable is not allowed here" in said.args[0]
    settle(qtbot, window)
    assert stored_case(qtbot, window, bench.cases["REF0001"]).item("2.1.1").state is (
        ItemState.UNANSWERED
    )
    close_window(qtbot, window)
