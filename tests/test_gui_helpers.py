"""Shared pieces of the workbench GUI tests (no tests of its own): a workspace on disk,
the window, keys sent to whatever has the focus, and questions to the store asked
through the window's own runner (so they see exactly what the GUI wrote)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget

from fieldwork.service import CaseDetail, HistoryRow, Service
from tests.conftest import CASE_SUPERVISION, FakeClock
from ui.main_window import MainWindow
from ui.widgets import ReasonDialog

TIMEOUT = 10_000


@dataclass
class Workbench:
    """A workspace file with an inspection, an inspector and some cases, closed again."""

    path: Path
    cases: dict[str, str]  # reference -> case id


def make_workbench(
    folder: Path,
    clock: FakeClock,
    cases: dict[str, dict[str, Any]] | None = None,
    setup: Callable[[Service, dict[str, str]], None] | None = None,
) -> Workbench:
    path = folder / "fieldwork.fieldwork"
    service = Service.create(path, user="Helen", clock=clock)
    try:
        service.create_inspection("North West", provider="NPS North West")
        helen = service.add_inspector("Helen")
        cases = cases or {
            "REF0001": {"sample": "case-supervision", **CASE_SUPERVISION},
            "REF0002": {"sample": "case-supervision", **CASE_SUPERVISION},
            "PSR-0001": {"sample": "court-reports", "sentenced": True, "allocated_to": "NPS"},
        }
        ids = {}
        for reference, attributes in cases.items():
            attributes = dict(attributes)
            sample = attributes.pop("sample")
            ids[reference] = service.add_case(sample, reference, attributes, helen.id).id
        if setup is not None:
            setup(service, ids)
    finally:
        service.close()
    return Workbench(path, ids)


def open_window(
    qtbot: Any,
    path: Path,
    settings: QSettings,
    *,
    user: str = "Helen",
    auto_advance: bool = False,
) -> MainWindow:
    """The main window, shown with its cases listed. Auto-advance (on by default for the
    inspector) is off unless asked for: most tests move between items themselves."""
    window = MainWindow(path, user=user, settings=settings)
    window.case_view.auto_advance = auto_advance
    qtbot.addWidget(window, before_close_func=_forget_unsaved)
    with qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT):
        window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def _forget_unsaved(window: MainWindow) -> None:
    """Teardown after a failed test: no question about unsaved changes may block it."""
    for session in window.case_view._sessions.values():
        session.discard_pending()


def close_window(qtbot: Any, window: MainWindow) -> None:
    """Close as a user does; wait until the workspace is released."""
    if window._closed:
        return
    with qtbot.waitSignal(window.window_closed, timeout=TIMEOUT):
        window.close()


def settle(qtbot: Any, window: MainWindow) -> None:
    """Wait until every write sent so far has come back from the store."""
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=TIMEOUT)


def ask_store(qtbot: Any, window: MainWindow, op: Callable[[Service], Any]) -> Any:
    """Run ``op`` on the window's own store thread, after everything already sent."""
    box: list[Any] = []
    errors: list[BaseException] = []
    window.runner.submit(op, box.append, errors.append)
    qtbot.waitUntil(lambda: bool(box or errors), timeout=TIMEOUT)
    if errors:
        raise errors[0]
    return box[0]


def stored_case(qtbot: Any, window: MainWindow, case_id: str) -> CaseDetail:
    return ask_store(qtbot, window, lambda service: service.case(case_id))  # type: ignore[no-any-return]


def stored_history(qtbot: Any, window: MainWindow, case_id: str) -> list[HistoryRow]:
    return ask_store(qtbot, window, lambda service: service.history(case_id))  # type: ignore[no-any-return]


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(
    qtbot: Any, key: Qt.Key | str, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key press as the keyboard sends it: to whatever has the focus."""
    qtbot.keyClick(focused(), key, modifier)


def type_text(qtbot: Any, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def reason_dialog(qtbot: Any) -> ReasonDialog:
    qtbot.waitUntil(
        lambda: isinstance(QApplication.activeModalWidget(), ReasonDialog), timeout=TIMEOUT
    )
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, ReasonDialog)
    qtbot.waitUntil(lambda: dialog.reason_edit.hasFocus(), timeout=TIMEOUT)
    return dialog


def no_dialog() -> bool:
    return QApplication.activeModalWidget() is None


def give_reason(qtbot: Any, reason: str) -> None:
    """Answer the reason dialog from the keyboard; wait until the work has the focus back."""
    reason_dialog(qtbot)
    type_text(qtbot, reason)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: no_dialog() and QApplication.focusWidget() is not None, timeout=TIMEOUT)


def settings_in(folder: Path) -> QSettings:
    """Qt settings in a test's own folder, never the user's."""
    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
