"""Small widgets shared by the case view: text that scales with the system font, the note
editor that saves as it is typed, and the reason dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

#: How long typing may pause before a note is saved. Leaving the item, the case or the
#: window saves it at once, whatever the pause.
NOTE_SAVE_DELAY_MS = 400


Key = QKeySequence | QKeySequence.StandardKey | Qt.Key | str


def key_sequences(*keys: Key) -> list[QKeySequence]:
    """Shortcuts in order, a standard key expanded to every binding the platform gives it
    (``QKeySequence(StandardKey.Close)`` alone would keep only the first, Ctrl+F4)."""
    out: list[QKeySequence] = []
    for key in keys:
        if isinstance(key, QKeySequence.StandardKey):
            found = QKeySequence.keyBindings(key)
        elif isinstance(key, Qt.Key):
            found = [QKeySequence(key)]
        else:
            found = [QKeySequence(key)]
        out.extend(k for k in found if not k.isEmpty() and k not in out)
    return out


class ScaledLabel(QLabel):
    """A label whose font is the system font scaled, and follows it when it changes."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        scale: float = 1.0,
        bold: bool = False,
        accessible_name: str = "",
    ):
        super().__init__(text, parent)
        self._scale, self._bold = scale, bold
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName(accessible_name or text or "Text")
        self._apply_font()

    def _apply_font(self) -> None:
        font = QFont(QApplication.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * self._scale)
        else:
            font.setPixelSize(round(font.pixelSize() * self._scale))
        font.setBold(self._bold)
        self.setFont(font)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ApplicationFontChange:
            self._apply_font()
        super().changeEvent(event)


class NoteEditor(QPlainTextEdit):
    """A note or rationale that is saved as it is typed.

    ``edited(item_id, text)`` is emitted after a short pause in typing, and at once by
    ``flush()``, which the case view calls whenever the inspector leaves the item, the
    case or the window, and which leaving the editor calls too: nothing typed is lost.
    """

    edited = Signal(str, str)  # item id, text
    leave = Signal()  # Escape: back to the answers

    def __init__(self, accessible_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setTabChangesFocus(True)
        self._item_id = ""
        self._dirty = False
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self.textChanged.connect(self._typed)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)

    @property
    def item_id(self) -> str:
        return self._item_id

    @property
    def dirty(self) -> bool:
        return self._dirty

    def load(self, item_id: str, text: str) -> None:
        """Show an item's note, unless the inspector is typing this very note."""
        if item_id == self._item_id and self._dirty:
            return
        self._item_id = item_id
        if self.toPlainText() != text:
            self._loading = True
            try:
                self.setPlainText(text)
                self.moveCursor(self.textCursor().MoveOperation.End)
            finally:
                self._loading = False

    def _typed(self) -> None:
        if self._loading or not self._item_id:
            return
        self._dirty = True
        self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        if self._dirty:
            self._dirty = False
            self.edited.emit(self._item_id, self.toPlainText())

    def discard(self) -> None:
        """Forget unsaved typing (the inspector declined to change a completed case)."""
        self._timer.stop()
        self._dirty = False

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.flush()
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.flush()
            self.leave.emit()
            return
        super().keyPressEvent(event)


class ReasonDialog(QDialog):
    """Asks for a short reason (not applicable, or changing a completed case).

    Opened window-modal with ``open()``, never ``exec()``: the answer arrives through
    ``on_reason`` so nothing waits in a nested event loop.
    """

    def __init__(
        self,
        parent: QWidget,
        title: str,
        explanation: str,
        on_reason: Callable[[str], None],
        *,
        text: str = "",
        on_cancel: Callable[[], None] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        label = QLabel(explanation, self)
        label.setWordWrap(True)
        self.reason_edit = QLineEdit(text, self)
        self.reason_edit.setAccessibleName("Reason")
        label.setBuddy(self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("OK")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)
        self._on_reason = on_reason
        self._on_cancel = on_cancel
        self._check()
        layout.activate()  # size constraints settle before the window exists
        self.resize(max(self.sizeHint().width(), label.fontMetrics().averageCharWidth() * 60), 0)

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason_edit.text().strip()))

    def accept(self) -> None:
        reason = self.reason_edit.text().strip()
        if not reason:
            return
        super().accept()
        self._on_reason(reason)

    def reject(self) -> None:
        super().reject()
        if self._on_cancel is not None:
            self._on_cancel()


def ask_reason(
    parent: QWidget, title: str, explanation: str, on_reason: Callable[[str], None], **kwargs: Any
) -> ReasonDialog:
    """Open a reason dialog window-modally; ``on_reason`` receives the reason if one is given."""
    dialog = ReasonDialog(parent, title, explanation, on_reason, **kwargs)
    previous = QApplication.focusWidget()

    def give_focus_back() -> None:
        # Keyboard work goes on where it was, even where the platform activates nothing.
        parent.window().activateWindow()
        if previous is not None and previous.isVisible():
            previous.setFocus(Qt.FocusReason.PopupFocusReason)

    dialog.finished.connect(give_focus_back)
    dialog.open()
    dialog.reason_edit.setFocus()
    return dialog
