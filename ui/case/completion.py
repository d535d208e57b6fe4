"""The completion view: everything the case still lacks, each one a key or a click away."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListView, QPushButton, QVBoxLayout, QWidget

from fieldwork.errors import MissingItem
from ui.case.navigator import ITEM_ID_ROLE
from ui.widgets import ScaledLabel

Index = QModelIndex | QPersistentModelIndex


def describe(missing: MissingItem) -> str:
    return f"{missing.item_id}: {missing.what} missing. {missing.text}"


class MissingItemsModel(QAbstractListModel):
    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._missing: list[MissingItem] = []

    def set_missing(self, missing: Sequence[MissingItem]) -> None:
        missing = list(missing)
        if missing == self._missing:
            return
        self.beginResetModel()
        self._missing = missing
        self.endResetModel()

    def missing(self) -> list[MissingItem]:
        return list(self._missing)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._missing)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._missing)):
            return None
        missing = self._missing[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return describe(missing)
        if role == Qt.ItemDataRole.ToolTipRole:
            return missing.text
        if role == ITEM_ID_ROLE:
            return missing.item_id
        return None


class CompletionPanel(QWidget):
    jump_requested = Signal(str)  # item id
    mark_complete_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Completion")
        self.heading = ScaledLabel("", self, bold=True, accessible_name="Completion summary")
        self.model = MissingItemsModel(self)
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setAccessibleName("Missing items")
        self.list.setAccessibleDescription("Enter or double-click goes to the item.")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # a key (Enter) or one click, whatever the platform's habit for activation
        for signal in (self.list.activated, self.list.clicked):
            signal.connect(lambda index: self.jump_requested.emit(index.data(ITEM_ID_ROLE)))
        self.mark_complete = QPushButton("Mark complete   (Ctrl+M)", self)
        self.mark_complete.setAccessibleName("Mark the case complete")
        self.mark_complete.setAutoDefault(False)
        self.mark_complete.clicked.connect(self.mark_complete_requested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.mark_complete)

    def show_missing(self, missing: Sequence[MissingItem], status: str) -> None:
        self.model.set_missing(missing)
        if status == "complete":
            text = "This case is complete."
        elif missing:
            s = "s" if len(missing) != 1 else ""
            text = f"{len(missing)} item{s} missing before this case can be marked complete:"
        else:
            text = "Nothing is missing: the case can be marked complete."
        self.heading.setText(text)
        self.mark_complete.setEnabled(status != "complete")

    def focus_list(self) -> None:
        self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.model.rowCount() and not self.list.currentIndex().isValid():
            self.list.setCurrentIndex(self.model.index(0, 0))
