"""The case list: a table model over the rows the service returned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from fieldwork.service import CaseSummary

Index = QModelIndex | QPersistentModelIndex


class CaseListModel(QAbstractTableModel):
    """One row per case; holds only what the service fetched, never queries."""

    COLUMNS = ("Sample", "Reference", "Status", "Complete", "Inspector")

    def __init__(self, sample_titles: dict[str, str] | None = None, parent: Any = None):
        super().__init__(parent)
        self._rows: list[CaseSummary] = []
        self._sample_titles = sample_titles or {}

    def set_cases(self, rows: Sequence[CaseSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def case_at(self, row: int) -> CaseSummary:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        case = self._rows[index.row()]
        column = index.column()
        if column == 0:
            return self._sample_titles.get(case.sample, case.sample)
        if column == 1:
            return case.reference
        if column == 2:
            return case.status
        if column == 3:
            return f"{case.completeness}%"
        if column == 4:
            return case.inspector_name or ""
        return None
