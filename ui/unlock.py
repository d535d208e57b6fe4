"""Passphrases in the GUI: unlocking an encrypted workspace before its window opens,
offering to encrypt a plain one, and locking the window after an idle time.

The passphrase is asked once, when the workspace is opened; what is kept is the key
derived from it (``fieldwork.store.WorkspaceKey``), in memory only. After
``security/lock_after_minutes`` (QSettings, 10 by default, 0 for never) without a key
press or a click, the window hides its content and asks for the passphrase again.
Nothing is closed while it is locked: the case being worked on, a note half typed and
the saves already on their way all stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldwork import passphrases
from fieldwork.demo import is_demo
from fieldwork.errors import FieldworkError
from fieldwork.store import (
    WorkspaceKey,
    WrongPassphrase,
    encrypt_workspace,
    is_encrypted,
    key_for,
)

LOCK_MINUTES_KEY = "security/lock_after_minutes"
DEFAULT_LOCK_MINUTES = 10
#: Workspaces whose owner said not to be asked again about encrypting them.
NOT_ENCRYPTED_KEY = "security/left_plain"
#: Events that count as someone at the keyboard.
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)

Verify = Callable[[str], str | None]  # the passphrase typed -> a problem, or None if it opens


class PassphraseDialog(QDialog):
    """Asks for a passphrase; a wrong one is said so and the dialog stays open."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        text: str,
        verify: Verify,
        cancellable: bool = True,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._verify = verify
        self._cancellable = cancellable
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        explanation = QLabel(text, self)
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName("Passphrase")
        self.field.setMinimumWidth(320)
        layout.addWidget(self.field)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox.StandardButton.Ok
        if cancellable:
            buttons |= QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(buttons, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Unlock")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field.setFocus()

    def accept(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            problem = self._verify(self.field.text())
        finally:
            QApplication.restoreOverrideCursor()
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            self.field.selectAll()
            self.field.setFocus()
            return
        self.field.clear()  # the passphrase is not kept, not even in the widget
        self.problem.hide()
        super().accept()

    def reject(self) -> None:
        if self._cancellable:
            super().reject()


def ask_key(parent: QWidget | None, path: Path) -> WorkspaceKey | None:
    """The key of the encrypted workspace at ``path``, from its passphrase; None if cancelled."""
    found: list[WorkspaceKey] = []

    def verify(passphrase: str) -> str | None:
        try:
            found[:] = [key_for(path, passphrase)]
        except WrongPassphrase:
            return "That passphrase does not open this workspace. Check it and try again."
        except FieldworkError as exc:
            return exc.message
        return None

    dialog = PassphraseDialog(
        parent,
        title="Unlock workspace",
        text=f"{path.name} is encrypted. Enter its passphrase to open it.",
        verify=verify,
    )
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return found[0] if accepted and found else None


class EncryptDialog(QDialog):
    """Choose a passphrase (or generate one) and encrypt a plain workspace in place."""

    def __init__(self, parent: QWidget | None, path: Path):
        super().__init__(parent)
        self.path = path
        self.key: WorkspaceKey | None = None
        self.setWindowTitle("Encrypt workspace")
        self.setAccessibleName("Encrypt workspace")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Encrypting {path.name} protects the cases and notes in it, and its backups, if "
            "the laptop is lost. Its passphrase will be asked for whenever it is opened: "
            "if it is forgotten, the work cannot be recovered.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.first = QLineEdit(self)
        self.first.setAccessibleName("New passphrase")
        self.first.setPlaceholderText("New passphrase")
        self.second = QLineEdit(self)
        self.second.setAccessibleName("New passphrase again")
        self.second.setPlaceholderText("The same again")
        for field in (self.first, self.second):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.textChanged.connect(self._update)
            layout.addWidget(field)
        row = QHBoxLayout()
        self.generate_button = QPushButton("&Generate one", self)
        self.generate_button.clicked.connect(self.generate)
        row.addWidget(self.generate_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.strength = QLabel(self)
        self.strength.setWordWrap(True)
        layout.addWidget(self.strength)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Encrypt")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()

    def generate(self) -> None:
        phrase = passphrases.generate()
        for field in (self.first, self.second):
            field.setEchoMode(QLineEdit.EchoMode.Normal)  # shown, to be written down
            field.setText(phrase)

    def _update(self) -> None:
        text = self.first.text()
        strength = passphrases.assess(text, user_inputs=[self.path.stem])
        self.strength.setText(strength.hint if text else "")
        matches = text == self.second.text()
        self.problem.setText("" if matches or not self.second.text() else "They differ.")
        self.ok.setEnabled(strength.acceptable and matches)

    def accept(self) -> None:
        if not self.ok.isEnabled():
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.key = encrypt_workspace(self.path, self.first.text())
        except FieldworkError as exc:
            self.problem.setText(exc.message)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.first.clear()
        self.second.clear()
        super().accept()


def offer_encryption(
    parent: QWidget | None, path: Path, settings: QSettings
) -> WorkspaceKey | None:
    """Opening a plain workspace: offer to encrypt it (unless told not to ask again)."""
    left_plain = [str(p) for p in (settings.value(NOT_ENCRYPTED_KEY) or [])]
    real = str(path.resolve())
    if real in left_plain:
        return None
    box = QMessageBox(parent)
    box.setWindowTitle("Fieldwork")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText(f"{path.name} is not encrypted.")
    box.setInformativeText(
        "Anyone with the laptop could read its cases and notes. Encrypt it now with a passphrase?"
    )
    encrypt = box.addButton("&Encrypt…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("&Not now", QMessageBox.ButtonRole.RejectRole)
    never = box.addButton("&Don't ask again", QMessageBox.ButtonRole.DestructiveRole)
    box.exec()
    if box.clickedButton() is never:
        settings.setValue(NOT_ENCRYPTED_KEY, [*left_plain, real])
        return None
    if box.clickedButton() is not encrypt:
        return None
    dialog = EncryptDialog(parent, path)
    return dialog.key if dialog.exec() == QDialog.DialogCode.Accepted else None


def prepare(
    parent: QWidget | None, path: Path, settings: QSettings, *, offer: bool = True
) -> tuple[bool, WorkspaceKey | None]:
    """Before a window opens ``path``: (go ahead?, the key if it is encrypted)."""
    try:
        encrypted = is_encrypted(path)
        # a generated demo's cases are made up: nothing to offer to protect
        offer = offer and not encrypted and not is_demo(path)
    except FieldworkError:
        return True, None  # the window reports what is wrong with the file
    if encrypted:
        key = ask_key(parent, path)
        return key is not None, key
    return True, offer_encryption(parent, path, settings) if offer else None


def lock_minutes(settings: QSettings) -> int:
    value = settings.value(LOCK_MINUTES_KEY, DEFAULT_LOCK_MINUTES)
    try:
        return max(0, int(str(value)))
    except ValueError:
        return DEFAULT_LOCK_MINUTES


class IdleLock(QObject):
    """Locks ``window`` after the idle time; unlocking needs the workspace's passphrase."""

    def __init__(self, window: QMainWindow, key: WorkspaceKey, settings: QSettings):
        super().__init__(window)
        self.window = window
        self.key = key
        self.settings = settings
        self.locked = False
        self.dialog: PassphraseDialog | None = None
        self._focus: QWidget | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self._restart()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._add_actions()

    def _add_actions(self) -> None:
        """File ▸ Lock now, and Lock after idle time…, before the File menu's last part."""
        menus = [a.menu() for a in self.window.menuBar().actions() if a.text() == "&File"]
        file_menu = next((m for m in menus if isinstance(m, QMenu)), None)
        self.lock_action = QAction("&Lock now", self.window)
        self.lock_action.setShortcut("Ctrl+Shift+L")
        self.lock_action.triggered.connect(lambda _checked=False: self.lock())
        self.minutes_action = QAction("Lock &after idle time…", self.window)
        self.minutes_action.triggered.connect(lambda _checked=False: self.choose_minutes())
        self.window.addAction(self.lock_action)
        if file_menu is None:
            return
        separators = [a for a in file_menu.actions() if a.isSeparator()]
        before = separators[-1] if separators else None
        for action in (self.lock_action, self.minutes_action):
            if before is None:
                file_menu.addAction(action)
            else:
                file_menu.insertAction(before, action)

    def _restart(self) -> None:
        minutes = lock_minutes(self.settings)
        if minutes > 0 and not self.locked:
            self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()

    def choose_minutes(self) -> None:
        minutes, chosen = QInputDialog.getInt(
            self.window,
            "Lock after idle time",
            "Lock the window after this many minutes without use (0: never):",
            lock_minutes(self.settings),
            0,
            240,
        )
        if chosen:
            self.settings.setValue(LOCK_MINUTES_KEY, minutes)
            self._restart()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.locked and event.type() in INPUT_EVENTS and self.timer.isActive():
            self.timer.start()  # someone is there: the idle time starts again
        return False

    def lock(self) -> None:
        if self.locked:
            return
        self.locked = True
        self.timer.stop()
        self._focus = QApplication.focusWidget()
        central = self.window.centralWidget()
        if central is not None:
            central.hide()
        self.window.menuBar().setEnabled(False)
        self.window.statusBar().showMessage("Locked: enter the passphrase to go on.")
        self.dialog = PassphraseDialog(
            self.window,
            title="Fieldwork is locked",
            text=f"{self.window.windowTitle()} was locked after a time without use. Enter "
            "the workspace's passphrase to go on; nothing has been lost.",
            verify=self._verify,
            cancellable=False,
        )
        self.dialog.setModal(True)
        self.dialog.accepted.connect(self._unlocked)
        self.dialog.open()

    def _verify(self, passphrase: str) -> str | None:
        if self.key.matches(passphrase):
            return None
        return "That is not this workspace's passphrase."

    def _unlocked(self) -> None:
        self.locked = False
        central = self.window.centralWidget()
        if central is not None:
            central.show()
        self.window.menuBar().setEnabled(True)
        self.window.statusBar().clearMessage()
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
        if self._focus is not None:
            self._focus.setFocus()
        self._restart()
