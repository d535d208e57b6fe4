"""What the Central dialogs share: the window's runner, and problems shown in the dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.service import Service

if TYPE_CHECKING:
    from ui.main_window import MainWindow

UNALLOCATED = "(unallocated)"


class CentralDialog(QDialog):
    """What the three dialogs share: the window's runner, and problems shown in the dialog."""

    failed = Signal(str)  # a problem shown in the dialog

    def __init__(self, window: MainWindow, title: str):
        super().__init__(window)
        self.window_ = window
        self.runner = window.runner
        self.setWindowTitle(f"{title} — Fieldwork")
        self.setAccessibleName(title)
        self.error = QLabel(self)
        self.error.setAccessibleName("Problem")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.error.font()
        font.setBold(True)
        self.error.setFont(font)
        self.error.hide()

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, FieldworkError):
            self.error.setText(error.message)
            self.error.show()
            self.failed.emit(error.message)
        else:
            self.window_.show_error(error)

    def _clear_error(self) -> None:
        self.error.hide()
        self.error.clear()

    def _submit(self, op: Callable[[Service], Any], done: Callable[[Any], None]) -> None:
        self.runner.submit(op, done, self._fail)


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text, buddy.parentWidget())
    label.setBuddy(buddy)
    return label
