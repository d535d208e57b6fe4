"""The preview of a bundle before it is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldwork.bundles.importer import ImportPlan

if TYPE_CHECKING:
    pass


class PreviewDialog(QDialog):
    """What importing a bundle will do: counts, then every change; Import or Cancel."""

    COLUMNS = ("What", "Case", "Item", "Detail")

    def __init__(self, plan: ImportPlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import return bundle")
        self.setAccessibleName("Import preview")
        layout = QVBoxLayout(self)
        self.summary = QLabel("\n".join(plan.describe()[:2]), self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.changes = QTableWidget(len(plan.changes), len(self.COLUMNS), self)
        self.changes.setAccessibleName("Changes")
        self.changes.setHorizontalHeaderLabels(self.COLUMNS)
        self.changes.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.changes.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.changes.verticalHeader().hide()
        for row, change in enumerate(plan.changes):
            cells = (change.action, change.case_reference, change.item, change.detail)
            for column, text in enumerate(cells):
                self.changes.setItem(row, column, QTableWidgetItem(text))
        self.changes.resizeColumnsToContents()
        self.changes.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.changes)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton(
            "&Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(760, 440)

    def row_texts(self) -> list[str]:
        """Each row of the table as one line of text."""
        return [
            "  ".join(
                item.text() if (item := self.changes.item(row, c)) else ""
                for c in range(self.changes.columnCount())
            )
            for row in range(self.changes.rowCount())
        ]
