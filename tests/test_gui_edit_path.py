"""The typed edit path and the one failure path, from a key press to the store and back.

An answer travels as ``Answer`` from the button to ``Service.answer``; each undo command
carries the service call it makes; a key press builds the case once at most (the service
hands back the case it left with its ``Change``), and only an attribute change evaluates
what applies again. A bug goes to the internal-error dialog and the log, with its
traceback; work beside the store's queue reports through the same runner.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

import fieldwork.service
from fieldwork.answers import Answer
from fieldwork.applicability import ItemKind, ItemState
from fieldwork.errors import InvalidChange
from fieldwork.service import Service
from tests.conftest import CASE_SUPERVISION
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
)
from ui.case.session import answer_edit, judge_edit
from ui.main_window import MainWindow
from ui.runner import ServiceRunner


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return settings_in(tmp_path)


def open_case(qtbot: Any, window: MainWindow, case_id: str) -> None:
    """Open a case once the workspace check beside the store is over (it may write)."""
    qtbot.waitUntil(lambda: checked(window), timeout=TIMEOUT)
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT):
        window.open_case(case_id)
    settle(qtbot, window)


def checked(window: MainWindow) -> bool:
    thread = window.housekeeper._thread
    return thread is not None and not thread.is_alive()


class Dialogs:
    """QMessageBox.warning / critical, recorded instead of shown (they are modal)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.warnings: list[str] = []
        self.critical: list[str] = []
        import ui.main_window

        box = ui.main_window.QMessageBox
        monkeypatch.setattr(box, "warning", lambda _p, _t, text, *a: self.warnings.append(text))
        monkeypatch.setattr(box, "critical", lambda _p, _t, text, *a: self.critical.append(text))


# -- the typed edit path -----------------------------------------------------------------------
def test_an_edit_carries_the_service_call_it_makes(tmp_path, clock):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    with Service.open(bench.path, backup=False, user="Helen") as service:
        change = answer_edit("2.1.1.1", Answer.NO).call(service, case_id, "")
        judged = judge_edit("2.1.1", Answer.YES).call(service, case_id, "")
        # the Change carries the case as the store now holds it
        assert change.detail.item("2.1.1.1").state is ItemState.NO
        assert judged.detail.item("2.1.1.1").state is ItemState.NO
        assert judged.detail.item("2.1.1").state is ItemState.YES
    with Service.open(bench.path, backup=False) as service:
        stored = service.case(case_id)
    assert stored == judged.detail


def test_an_answer_travels_typed_from_the_key_to_the_service(
    qtbot, tmp_path, clock, settings, monkeypatch
):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    given: list[object] = []
    answer = Service.answer

    def spy(self: Service, case: str, prompt: str, value: Any, **kwargs: Any) -> Any:
        given.append(value)
        return answer(self, case, prompt, value, **kwargs)

    monkeypatch.setattr(Service, "answer", spy)
    window = open_window(qtbot, bench.path, settings)
    open_case(qtbot, window, case_id)
    view = window.case_view
    answered: list[object] = []
    view.prompt_panel.answer_requested.connect(answered.append)
    view.prompt_panel.no.click()
    press(qtbot, "Y")
    settle(qtbot, window)
    assert answered == [Answer.NO]  # the button's signal carries the member itself
    assert given == [Answer.NO, Answer.YES]
    assert all(type(value) is Answer for value in given)
    assert stored_case(qtbot, window, case_id).item("2.1.1.1").state is ItemState.YES
    close_window(qtbot, window)


def test_undo_restores_the_stored_answer_from_the_typed_state(
    qtbot, tmp_path, clock, settings, monkeypatch
):
    """Undo takes the old value from the item's state (a member), not from any text."""

    def not_applicable(service: Service, ids: dict[str, str]) -> None:
        service.answer(ids["REF0001"], "2.4.1.2", Answer.NOT_APPLICABLE, na_reason="No barriers.")

    bench = make_workbench(tmp_path, clock, setup=not_applicable)
    case_id = bench.cases["REF0001"]
    # What the screen says of a state must not matter to undo.
    import ui.case.navigator

    monkeypatch.setattr(
        ui.case.navigator, "STATE_WORDS", {s: "?" for s in ui.case.navigator.STATE_WORDS}
    )
    window = open_window(qtbot, bench.path, settings)
    open_case(qtbot, window, case_id)
    view = window.case_view
    session = view.session
    assert session is not None
    assert session.latest_answer("2.4.1.2") is Answer.NOT_APPLICABLE
    view.go_to("2.4.1.2")
    press(qtbot, "Y")
    settle(qtbot, window)
    assert stored_case(qtbot, window, case_id).item("2.4.1.2").state is ItemState.YES
    window.case_view.undo()
    settle(qtbot, window)
    item = stored_case(qtbot, window, case_id).item("2.4.1.2")
    assert item.state is ItemState.NA_CHOICE
    assert item.na_reason == "No barriers."
    close_window(qtbot, window)


def count_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts each build of a case's items (every applicability rule evaluated)."""
    builds: list[int] = []
    build = fieldwork.service.case_items

    def counted(*args: Any, **kwargs: Any) -> Any:
        builds.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(fieldwork.service, "case_items", counted)
    return builds


def test_a_key_press_builds_the_case_at_most_once(qtbot, tmp_path, clock, settings, monkeypatch):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    open_case(qtbot, window, case_id)
    view = window.case_view
    builds = count_builds(monkeypatch)
    stored: list[object] = []
    assert view.session is not None
    view.session.stored.connect(lambda detail, change: stored.append(detail))

    press(qtbot, "Y")  # an answer: what applies is not evaluated again
    settle(qtbot, window)
    qtbot.waitUntil(lambda: bool(stored), timeout=TIMEOUT)
    assert builds == []
    assert view.session.detail.item("2.1.1.1").state is ItemState.YES
    assert view.navigator_model.item(view.navigator.currentIndex()) is not None

    view.attributes.editor("children").click()  # an attribute: evaluated once
    settle(qtbot, window)
    assert builds == [1]
    assert view.session.detail.summary.attributes["children"] is True
    close_window(qtbot, window)


def test_a_case_kept_by_the_service_is_read_again_after_any_other_write(tmp_path, clock):
    """The service keeps the cases it built; a write by another path, or by another
    connection, makes them stale."""
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    with Service.open(bench.path, backup=False, user="Helen") as service:
        service.answer(case_id, "2.1.1.1", Answer.YES)
        assert service.case(case_id) is service.case(case_id)  # kept, not built again
        # a free function writing through the same connection (as bundles do)
        with service.workspace.write() as db:
            db.execute(
                "UPDATE responses SET value = 'no' WHERE case_id = ? AND item_id = '2.1.1.1'",
                [case_id],
            )
        assert service.case(case_id).item("2.1.1.1").state is ItemState.NO
        # another connection to the same file
        other = sqlite3.connect(bench.path)
        with other:
            other.execute(
                "UPDATE responses SET note = 'from elsewhere' WHERE case_id = ?", [case_id]
            )
        other.close()
        assert service.case(case_id).item("2.1.1.1").note == "from elsewhere"
        # a case read inside a transaction that is then rolled back is not kept
        with pytest.raises(RuntimeError), service.workspace.write() as db:
            db.execute("UPDATE responses SET note = 'rolled back' WHERE case_id = ?", [case_id])
            assert service.case(case_id).item("2.1.1.1").note == "rolled back"
            raise RuntimeError("the import failed half way")
        assert service.case(case_id).item("2.1.1.1").note == "from elsewhere"
        # nor the case an answer leaves, when the answer is part of a larger transaction
        with pytest.raises(RuntimeError), service.workspace.write():
            service.set_note(case_id, "2.1.1.1", "rolled back too")
            raise RuntimeError("the import failed half way")
        assert service.case(case_id).item("2.1.1.1").note == "from elsewhere"
        # and the next answer starts from what the store holds
        change = service.answer(case_id, "2.1.1.2", Answer.YES)
        assert change.detail.item("2.1.1.1").note == "from elsewhere"
        assert change.detail == service.case(case_id)


def test_marking_complete_says_so_from_the_store_not_from_the_change(
    qtbot, tmp_path, clock, settings
):
    def everything(service: Service, ids: dict[str, str]) -> None:
        for item in service.case(ids["REF0001"]).items:
            if not item.applies:
                continue
            if item.kind is ItemKind.JUDGEMENT:
                service.judge(ids["REF0001"], item.item_id, Answer.YES, rationale="Sound.")
            else:
                service.answer(ids["REF0001"], item.item_id, Answer.YES)

    bench = make_workbench(
        tmp_path, clock, {"REF0001": {"sample": "case-supervision", **CASE_SUPERVISION}}, everything
    )
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    open_case(qtbot, window, case_id)
    view = window.case_view
    messages: list[str] = []
    view.message.connect(messages.append)
    press(qtbot, "Y")  # an answer that changes nothing says nothing of completion
    settle(qtbot, window)
    assert not [m for m in messages if "marked complete" in m]
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        press(qtbot, "M", Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert "Case REF0001 marked complete." in messages
    assert stored_case(qtbot, window, case_id).summary.status == "complete"
    close_window(qtbot, window)


# -- one failure path ----------------------------------------------------------------------
def test_a_bug_in_an_edit_goes_to_the_internal_error_dialog_and_the_log(
    qtbot, tmp_path, clock, settings, monkeypatch, caplog
):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    dialogs = Dialogs(monkeypatch)
    window = open_window(qtbot, bench.path, settings)
    open_case(qtbot, window, case_id)
    view = window.case_view

    def broken(self: Service, *args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug in answering")

    monkeypatch.setattr(Service, "answer", broken)
    with caplog.at_level(logging.ERROR):
        press(qtbot, "Y")
        settle(qtbot, window)
        qtbot.waitUntil(lambda: bool(dialogs.critical), timeout=TIMEOUT)
    assert "ZeroDivisionError" in dialogs.critical[0]
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is ZeroDivisionError]
    assert logged, "the bug is logged with its traceback"
    assert logged[0].exc_info is not None and logged[0].exc_info[2] is not None
    assert view.banner.isHidden()  # not a retryable "not saved" problem banner
    assert view.session is not None and len(view.session.pending) == 1  # kept, not lost
    assert "NOT saved" in view.save_indicator.text()

    monkeypatch.undo()  # the bug fixed: the kept answer can be saved
    Dialogs(monkeypatch)
    view.retry_saving()
    settle(qtbot, window)
    assert stored_case(qtbot, window, case_id).item("2.1.1.1").state is ItemState.YES
    close_window(qtbot, window)


def test_a_job_without_its_own_error_handler_shows_the_error(
    qtbot, tmp_path, clock, settings, monkeypatch, caplog
):
    bench = make_workbench(tmp_path, clock)
    dialogs = Dialogs(monkeypatch)
    window = open_window(qtbot, bench.path, settings)

    def refused(service: Service) -> None:
        raise InvalidChange("there is no such case", place="case X")

    def buggy(service: Service) -> None:
        raise KeyError("bug")

    window.runner.submit(refused)
    qtbot.waitUntil(lambda: bool(dialogs.warnings), timeout=TIMEOUT)
    assert "there is no such case" in dialogs.warnings[0]
    with caplog.at_level(logging.ERROR):
        window.runner.submit(buggy)
        qtbot.waitUntil(lambda: bool(dialogs.critical), timeout=TIMEOUT)
    assert "KeyError" in dialogs.critical[0]
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)
    close_window(qtbot, window)


def test_work_beside_the_store_reports_through_the_runner(qtbot, tmp_path):
    errors: list[BaseException] = []
    runner = ServiceRunner(lambda: Service.create(tmp_path / "w.fieldwork"), on_error=errors.append)
    try:
        done: list[int] = []
        thread = runner.beside(lambda: 6 * 7, done.append, name="beside-test")
        qtbot.waitUntil(lambda: bool(done), timeout=TIMEOUT)
        assert done == [42]
        thread.join(TIMEOUT / 1000)
        assert not thread.is_alive()
        assert not runner.busy  # work beside the store does not hold closing up

        def fails() -> int:
            raise OSError("the printer went away")

        runner.beside(fails, done.append, name="beside-test")
        qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT)
        assert isinstance(errors[0], OSError) and done == [42]
    finally:
        runner.stop()


def test_a_bug_in_the_workspace_check_reaches_the_window(
    qtbot, tmp_path, clock, settings, monkeypatch, caplog
):
    """The integrity check runs beside the store through the runner: a bug in it is shown
    and logged by the window, no longer only logged on a thread of its own."""
    import ui.housekeeping

    def broken(path: Path, on_connect: Any = None, key: Any = None) -> None:
        raise AttributeError("a bug in the check")

    monkeypatch.setattr(ui.housekeeping, "check_and_back_up", broken)
    bench = make_workbench(tmp_path, clock)
    dialogs = Dialogs(monkeypatch)
    with caplog.at_level(logging.ERROR):
        window = open_window(qtbot, bench.path, settings)
        qtbot.waitUntil(lambda: bool(dialogs.critical), timeout=TIMEOUT)
    assert "AttributeError" in dialogs.critical[0]
    assert any(r.exc_info and r.exc_info[0] is AttributeError for r in caplog.records)
    assert ask_store(qtbot, window, lambda s: s.case(bench.cases["REF0001"])) is not None
    close_window(qtbot, window)
