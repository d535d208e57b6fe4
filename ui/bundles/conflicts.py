"""The conflicts between a laptop's and central's answers, and their resolution."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldwork.bundles.conflicts import Conflict

if TYPE_CHECKING:
    pass


class ConflictsDialog(QDialog):
    """The open conflicts; keep central's or the bundle's version of the selected one."""

    resolve_requested = Signal(str, str)  # conflict id, "current" or "incoming"

    def __init__(self, found: list[Conflict], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Conflicts")
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Conflicts")
        layout.addWidget(self.list)
        self.keep_current = QPushButton("Keep &central's version", self)
        self.keep_incoming = QPushButton("Keep the &bundle's version", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.keep_current, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.keep_incoming, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.keep_current.clicked.connect(lambda: self._keep("current"))
        self.keep_incoming.clicked.connect(lambda: self._keep("incoming"))
        self.show_conflicts(found)
        self.resize(760, 360)

    def show_conflicts(self, found: list[Conflict]) -> None:
        self.list.clear()
        for conflict in found:
            item = QListWidgetItem(conflict.describe(), self.list)
            item.setData(Qt.ItemDataRole.UserRole, conflict.id)
        if found:
            self.list.setCurrentRow(0)
        for button in (self.keep_current, self.keep_incoming):
            button.setEnabled(bool(found))

    def _keep(self, side: str) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.resolve_requested.emit(item.data(Qt.ItemDataRole.UserRole), side)
