"""Drill-down: the cases behind a figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
)

from fieldwork.scoring.scores import CaseBehind
from ui.scoring.table import table_view

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex


class CasesBehindModel(QAbstractTableModel):
    COLUMNS = ("Reference", "Answer", "Inspector", "Status")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[CaseBehind] = []
        self._attribute: str | None = None

    def set_cases(self, rows: Sequence[CaseBehind], attribute: str | None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._attribute = attribute
        self.endResetModel()

    def case_at(self, row: int) -> CaseBehind:
        return self._rows[row]

    def _columns(self) -> tuple[str, ...]:
        return self.COLUMNS + ((self._attribute,) if self._attribute else ())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        columns = self._columns()
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(columns)
        ):
            return columns[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= index.row() < len(self._rows):
            return None
        case = self._rows[index.row()]
        values = [case.reference, case.answer, case.inspector or "", case.status]
        if self._attribute:
            value = case.attributes.get(self._attribute)
            values.append("not recorded" if value is None else str(value))
        return values[index.column()] if 0 <= index.column() < len(values) else None


class CasesBehindDialog(QDialog):
    """The cases behind a figure; Enter or a double click opens one in the main window."""

    def __init__(self, window: MainWindow, title: str, rows: Sequence[CaseBehind],
                 attribute: str | None):  # fmt: skip
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        counts: dict[str, int] = {}
        for case in rows:
            counts[case.answer] = counts.get(case.answer, 0) + 1
        summary = ", ".join(f"{n} {answer}" for answer, n in sorted(counts.items()))
        self.summary = QLabel(f"{len(rows)} case(s): {summary or 'none'}", self)
        layout.addWidget(self.summary)
        self.model = CasesBehindModel(self)
        self.model.set_cases(rows, attribute)
        self.table = table_view("Cases behind the figure", self)
        self.table.setModel(self.model)
        self.table.resizeColumnsToContents()
        self.table.activated.connect(self._open)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 460)

    def _open(self, index: QModelIndex) -> None:
        case = self.model.case_at(index.row())
        self.window_.open_case(case.case_id)
