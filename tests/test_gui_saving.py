"""Saving you can trust: notes are saved as typed, and a failed write is told plainly and
kept until it can be saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from fieldwork.applicability import ItemState
from fieldwork.service import Service
from tests.test_gui_helpers import (
    TIMEOUT,
    ask_store,
    close_window,
    make_workbench,
    open_window,
    press,
    settings_in,
    settle,
    stored_case,
    type_text,
)
from ui.case.navigator import state_text
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return settings_in(tmp_path)


def open_first_case(qtbot, window: MainWindow, case_id: str) -> None:
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT):
        window.open_case(case_id)


def read_only(qtbot, window: MainWindow, on: bool) -> None:
    """Make the workspace refuse writes, as a read-only file or a full disk does."""
    ask_store(qtbot, window, lambda s: s.db.execute(f"PRAGMA query_only = {int(on)}"))


def test_a_note_is_saved_as_it_is_typed(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    open_first_case(qtbot, window, case_id)
    view = window.case_view
    press(qtbot, "E")
    type_text(qtbot, "Seen the OASys")
    note = view.prompt_panel.note
    assert note.dirty
    qtbot.waitUntil(lambda: not note.dirty, timeout=TIMEOUT)  # a pause in typing saves it
    settle(qtbot, window)
    assert stored_case(qtbot, window, case_id).item("2.1.1.1").note == "Seen the OASys"
    assert "All changes saved" in view.save_indicator.text()
    # typing on, then moving straight to the next item: saved on leaving the item
    type_text(qtbot, " assessment.")
    press(qtbot, Qt.Key.Key_PageDown)
    assert view.current_item.item_id == "2.1.1.2"
    settle(qtbot, window)
    assert stored_case(qtbot, window, case_id).item("2.1.1.1").note == (
        "Seen the OASys assessment."
    )
    # one undo takes back the whole note, however many saves it took
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, "Z", CTRL)
    settle(qtbot, window)
    assert stored_case(qtbot, window, case_id).item("2.1.1.1").note == ""
    close_window(qtbot, window)


def test_closing_the_window_mid_sentence_loses_nothing(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    open_first_case(qtbot, window, case_id)
    press(qtbot, "Y")
    press(qtbot, "G")
    view = window.case_view
    view.go_to("2.1.1")
    press(qtbot, "N")
    press(qtbot, "E")
    type_text(qtbot, "Half a sentence")
    assert view.judgement_panel.note.dirty
    close_window(qtbot, window)  # no pause, no leaving the item

    with Service.open(bench.path, backup=False) as service:
        detail = service.case(case_id)
        assert detail.item("2.1.1.1").state is ItemState.YES
        assert detail.item("2.1.1").state is ItemState.NO
        assert detail.item("2.1.1").note == "Half a sentence"


def test_a_failed_write_is_told_plainly_and_kept_until_saved(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    open_first_case(qtbot, window, case_id)
    view = window.case_view
    press(qtbot, "Y")  # saved
    settle(qtbot, window)

    read_only(qtbot, window, True)
    press(qtbot, "J")
    press(qtbot, "N")
    settle(qtbot, window)
    banner = view.banner
    assert banner.isVisible()
    assert "answer No to prompt 2.1.1.2 was not saved" in banner.message.text()
    assert "could not be saved" in banner.message.text()  # the store's own words
    assert banner.retry_button.isVisible()
    assert "1 change NOT saved" in view.save_indicator.text()
    # what is shown is what the workspace holds
    assert view.prompt_panel.state.text() == "Not answered"
    assert not view.prompt_panel.no.isChecked()
    assert state_text(view.session.detail.item("2.1.1.2")) == "Not answered"
    # a note typed meanwhile fails too, and stays in the field
    press(qtbot, "E")
    type_text(qtbot, "Diversity was not considered.")
    press(qtbot, Qt.Key.Key_Escape)
    settle(qtbot, window)
    assert "2 changes NOT saved" in view.save_indicator.text()
    assert view.prompt_panel.note.toPlainText() == "Diversity was not considered."
    stored = stored_case(qtbot, window, case_id)
    assert stored.item("2.1.1.1").state is ItemState.YES  # nothing already saved is lost
    assert stored.item("2.1.1.2").state is ItemState.UNANSWERED
    assert stored.item("2.1.1.2").note == ""

    # going back to the case list asks first; Cancel keeps the inspector on the case
    answer_message_box(qtbot, QMessageBox.StandardButton.Cancel)
    press(qtbot, "W", CTRL)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=TIMEOUT)
    assert window.pages.currentWidget() is view
    assert len(view.session.pending) == 2

    read_only(qtbot, window, False)  # the problem is fixed
    press(qtbot, "S", CTRL)  # try again
    settle(qtbot, window)
    assert not banner.isVisible()
    assert "All changes saved" in view.save_indicator.text()
    assert view.prompt_panel.no.isChecked()
    close_window(qtbot, window)
    with Service.open(bench.path, backup=False) as service:
        detail = service.case(case_id)
        assert detail.item("2.1.1.1").state is ItemState.YES
        assert detail.item("2.1.1.2").state is ItemState.NO
        assert detail.item("2.1.1.2").note == "Diversity was not considered."


def test_undoing_an_unsaved_change_cancels_it(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    open_first_case(qtbot, window, case_id)
    view = window.case_view
    read_only(qtbot, window, True)
    press(qtbot, "N")
    settle(qtbot, window)
    assert len(view.session.pending) == 1
    read_only(qtbot, window, False)
    press(qtbot, "Z", CTRL)  # the inspector takes it back instead
    settle(qtbot, window)
    assert view.session.pending == []
    assert stored_case(qtbot, window, case_id).item("2.1.1.1").state is ItemState.UNANSWERED
    close_window(qtbot, window)


def test_an_unreadable_date_is_shown_at_its_field_and_not_kept(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    open_first_case(qtbot, window, case_id)
    view = window.case_view
    date = view.attributes.editor("sentence_date")
    date.setFocus()
    type_text(qtbot, "31/02/2020")
    press(qtbot, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert "02/2020 has no day 31" in date.problem  # the reason, at the field
    assert date.error.isVisible()
    assert date.edit.text() == "31/02/2020"  # what was typed stays to be corrected
    assert not view.banner.isVisible()
    assert view.session.pending == []
    assert view.session.undo_stack.count() == 0
    assert "sentence_date" not in stored_case(qtbot, window, case_id).summary.attributes
    close_window(qtbot, window)


def answer_message_box(qtbot, button: QMessageBox.StandardButton) -> None:
    """Press ``button`` on the next message box, from inside its own event loop."""

    def press_when_shown() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(10, press_when_shown)

    QTimer.singleShot(0, press_when_shown)
