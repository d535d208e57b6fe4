"""The GUI and encryption: the passphrase asked before the window opens, the offer to encrypt
a plain workspace, and the idle lock that loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from fieldwork.service import Service
from fieldwork.store import encrypt_workspace, is_encrypted
from tests.test_gui_helpers import (
    TIMEOUT,
    close_window,
    focused,
    make_workbench,
    press,
    settings_in,
    settle,
    stored_case,
    type_text,
)
from ui import unlock
from ui.main_window import MainWindow

PASS = "lantern orbit mossy tundra"
COST = 14


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return settings_in(tmp_path)


def when_modal(qtbot, kind: type, act) -> None:
    """Once a modal dialog of ``kind`` shows, ``act(dialog)`` (from the event loop)."""

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            act(dialog)
        else:
            QTimer.singleShot(20, check)

    QTimer.singleShot(0, check)


def test_unlock_dialog_refuses_a_wrong_passphrase_and_returns_the_key(qtbot, tmp_path):
    path = tmp_path / "laptop.fieldwork"
    Service.create(path, passphrase=PASS, kdf_log2_n=COST).close()
    seen: list[str] = []

    def answer(dialog: unlock.PassphraseDialog) -> None:
        if not seen:
            qtbot.keyClicks(dialog.field, "wrong guess entirely")
            qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
            seen.append(dialog.problem.text())
            assert dialog.isVisible()  # still asking
            dialog.field.clear()
            qtbot.keyClicks(dialog.field, PASS)
            qtbot.keyClick(dialog.field, Qt.Key.Key_Return)

    when_modal(qtbot, unlock.PassphraseDialog, answer)
    key = unlock.ask_key(None, path)
    assert seen and "does not open this workspace" in seen[0]
    assert key is not None and key.matches(PASS)


def test_cancelling_the_unlock_opens_nothing(qtbot, tmp_path, settings):
    path = tmp_path / "laptop.fieldwork"
    Service.create(path, passphrase=PASS, kdf_log2_n=COST).close()
    when_modal(qtbot, unlock.PassphraseDialog, lambda d: d.reject())
    assert unlock.prepare(None, path, settings) == (False, None)


def test_opening_a_plain_workspace_offers_encryption(qtbot, tmp_path, settings, monkeypatch):
    path = tmp_path / "inspection.fieldwork"
    Service.create(path).close()
    real = unlock.encrypt_workspace
    monkeypatch.setattr(
        unlock, "encrypt_workspace", lambda p, phrase: real(p, phrase, kdf_log2_n=COST)
    )

    def choose_encrypt(box: QMessageBox) -> None:
        [encrypt] = [b for b in box.buttons() if "Encrypt" in b.text()]
        encrypt.click()

    def fill(dialog: unlock.EncryptDialog) -> None:
        qtbot.keyClicks(dialog.first, "password1")
        assert not dialog.ok.isEnabled() and "Too easy to guess" in dialog.strength.text()
        dialog.first.clear()
        dialog.generate()  # the generator fills both fields with a strong passphrase
        assert len(dialog.first.text().split()) == 6 and dialog.ok.isEnabled()
        generated.append(dialog.first.text())
        dialog.ok.click()

    generated: list[str] = []
    when_modal(qtbot, QMessageBox, choose_encrypt)
    QTimer.singleShot(0, lambda: when_modal(qtbot, unlock.EncryptDialog, fill))
    go_ahead, key = unlock.prepare(None, path, settings)
    assert go_ahead and key is not None and key.matches(generated[0])
    assert is_encrypted(path)


def test_declining_for_good_is_remembered(qtbot, tmp_path, settings):
    path = tmp_path / "inspection.fieldwork"
    Service.create(path).close()

    def never(box: QMessageBox) -> None:
        [button] = [b for b in box.buttons() if "ask again" in b.text()]
        button.click()

    when_modal(qtbot, QMessageBox, never)
    assert unlock.prepare(None, path, settings) == (True, None)
    # asked no more: no dialog shows (one would block this call until the test times out)
    assert unlock.prepare(None, path, settings) == (True, None)
    assert not is_encrypted(path)


def test_idle_lock_hides_the_work_and_keeps_a_note_being_typed(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    key = encrypt_workspace(bench.path, PASS, kdf_log2_n=COST)
    case_id = bench.cases["REF0001"]
    settings.setValue(unlock.LOCK_MINUTES_KEY, 5)
    window = MainWindow(bench.path, user="Helen", settings=settings, key=key)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT):
        window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    lock = window.idle_lock
    assert lock is not None and lock.timer.isActive()
    assert lock.timer.interval() == 5 * 60_000
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT):
        window.open_case(case_id)
    press(qtbot, "E")
    type_text(qtbot, "Half a sentence")
    editor = focused()
    lock.timer.timeout.emit()  # the idle time has passed
    assert lock.locked and not window.centralWidget().isVisible()
    assert not window.menuBar().isEnabled()
    dialog = lock.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog, timeout=TIMEOUT)
    dialog.reject()  # Escape does not unlock
    assert dialog.isVisible() and lock.locked
    qtbot.keyClicks(dialog.field, "not the passphrase")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert lock.locked and "not this workspace's passphrase" in dialog.problem.text()
    dialog.field.clear()
    qtbot.keyClicks(dialog.field, PASS)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert not lock.locked and window.centralWidget().isVisible()
    assert lock.timer.isActive()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor, timeout=TIMEOUT)
    type_text(qtbot, " and the rest.")
    press(qtbot, Qt.Key.Key_PageDown)
    settle(qtbot, window)
    assert stored_case(qtbot, window, case_id).item("2.1.1.1").note == (
        "Half a sentence and the rest."
    )
    close_window(qtbot, window)
    with Service.open(bench.path, passphrase=PASS, backup=False) as service:
        assert service.case(case_id).item("2.1.1.1").note == "Half a sentence and the rest."


def test_input_restarts_the_idle_time_and_zero_means_never(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    key = encrypt_workspace(bench.path, PASS, kdf_log2_n=COST)
    settings.setValue(unlock.LOCK_MINUTES_KEY, 0)
    window = MainWindow(bench.path, user="Helen", settings=settings, key=key)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT):
        window.show()
    lock = window.idle_lock
    assert lock is not None and not lock.timer.isActive()  # 0: never locks
    settings.setValue(unlock.LOCK_MINUTES_KEY, 3)
    lock._restart()
    assert lock.timer.isActive() and lock.timer.interval() == 3 * 60_000

    class Spy:
        def __init__(self) -> None:
            self.starts = 0

        def isActive(self) -> bool:
            return True

        def start(self) -> None:
            self.starts += 1

    real, spy = lock.timer, Spy()
    lock.timer = spy  # type: ignore[assignment]
    try:
        qtbot.keyClick(window.case_table, Qt.Key.Key_Down)
        assert spy.starts >= 1  # a key press starts the idle time again
        qtbot.mouseClick(window.case_table.viewport(), Qt.MouseButton.LeftButton)
        assert spy.starts >= 2
    finally:
        lock.timer = real
    close_window(qtbot, window)


def test_a_plain_workspace_window_has_no_lock(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    window = MainWindow(bench.path, user="Helen", settings=settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT):
        window.show()
    assert window.idle_lock is None
    close_window(qtbot, window)


def test_passphrase_dialog_does_not_keep_the_text(qtbot):
    dialog = unlock.PassphraseDialog(None, title="t", text="x", verify=lambda p: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.field, PASS)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.field.text() == ""


def test_lock_now_and_choosing_the_idle_time_from_the_file_menu(
    qtbot, tmp_path, clock, settings, monkeypatch
):
    bench = make_workbench(tmp_path, clock)
    key = encrypt_workspace(bench.path, PASS, kdf_log2_n=COST)
    window = MainWindow(bench.path, user="Helen", settings=settings, key=key)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT):
        window.show()
    lock = window.idle_lock
    assert lock is not None
    file_items = [a.text() for a in window.menu("&File").actions()]
    assert "&Lock now" in file_items and "Lock &after idle time…" in file_items
    monkeypatch.setattr(unlock.QInputDialog, "getInt", lambda *args, **kw: (25, True))
    lock.minutes_action.trigger()
    assert unlock.lock_minutes(settings) == 25 and lock.timer.interval() == 25 * 60_000
    lock.lock_action.trigger()
    assert lock.locked and not window.centralWidget().isVisible()
    dialog = lock.dialog
    qtbot.keyClicks(dialog.field, PASS)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert not lock.locked and window.centralWidget().isVisible()
    close_window(qtbot, window)


def test_a_generated_demo_is_not_offered_encryption(qtbot, tmp_path, settings):
    """`make run` opens the demo: its cases are made up, so no question stands in the way
    (a question would block this call until the test times out)."""
    from fieldwork.demo import DemoSizes, is_demo, make_demo

    path = tmp_path / "demo.fieldwork"
    make_demo(path, sizes=DemoSizes(case_supervision=2, court_reports=1, victim=1)).close()
    assert is_demo(path)
    assert unlock.prepare(None, path, settings) == (True, None)
    plain = tmp_path / "inspection.fieldwork"
    Service.create(plain).close()
    assert not is_demo(plain)
