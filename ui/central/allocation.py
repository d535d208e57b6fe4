"""Central ▸ Allocation…: cases given to inspectors, by hand or in balance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from fieldwork.allocation import AllocationResult, Assignment, allocate_balanced
from fieldwork.central import (
    AllocationRow,
    allocate_cases,
    allocation_rows,
)
from fieldwork.errors import FieldworkError
from fieldwork.service import Inspector, Service
from ui.central.dialog import CentralDialog
from ui.models import RowsModel
from ui.widgets import ask_reason

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
UNALLOCATED = "(unallocated)"


# -- Allocation -----------------------------------------------------------------------------------
class AllocationModel(RowsModel[AllocationRow]):
    """The cases of the allocation view: rows fetched for it, never queried from ``data()``."""

    COLUMNS = ("Reference", "Sample", "Cluster or court", "Inspector", "Status")
    CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                row.reference,
                row.sample_title,
                row.location,
                row.inspector_name or UNALLOCATED,
                row.status,
            )[index.column()]
        if role == self.CASE_ID_ROLE:
            return row.case_id
        return None


class AllocationDialog(CentralDialog):
    """Who holds which case: give selected cases to an inspector (a move asks why), or
    allocate every unallocated case in balance after a preview of the counts."""

    loaded = Signal(int)  # rows listed
    allocated = Signal(list)  # Assignments made by hand
    previewed = Signal(object)  # AllocationResult of the dry run
    balanced = Signal(object)  # AllocationResult stored

    def __init__(self, window: MainWindow):
        super().__init__(window, "Allocation")
        self.model = AllocationModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(self)
        self.filter.setAccessibleName("Filter cases")
        self.filter.setPlaceholderText(
            f"Filter by reference, sample, cluster, inspector or {UNALLOCATED}"
        )
        self.filter.setClearButtonEnabled(True)
        self.table = QTableView(self)
        self.table.setAccessibleName("Cases and their inspectors")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.inspector = QComboBox(self)
        self.inspector.setAccessibleName("Inspector")
        self.inspector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.give_button = QPushButton("&Give the selected cases to", self)
        self.loads = QLabel(self)
        self.loads.setAccessibleName("Cases per inspector")
        self.loads.setWordWrap(True)
        self.by_cluster = QCheckBox("keeping each inspector's cases to few &clusters", self)
        self.by_cluster.setChecked(True)
        self.balance_button = QPushButton("&Balanced allocation…", self)
        self.preview = QTableWidget(0, 4, self)
        self.preview.setAccessibleName("Balanced allocation preview")
        self.preview.setHorizontalHeaderLabels(("Inspector", "Cases now", "New", "Clusters"))
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().hide()
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview_label = QLabel(self)
        self.preview_label.setWordWrap(True)
        self.confirm_button = QPushButton("&Allocate now", self)
        self.cancel_button = QPushButton("Ca&ncel", self)
        self.close_button = QPushButton("Close", self)
        self._hide_preview()

        give = QHBoxLayout()
        give.addWidget(self.give_button)
        give.addWidget(self.inspector, 1)
        give.addStretch(1)
        give.addWidget(self.balance_button)
        give.addWidget(self.by_cluster)
        confirm = QHBoxLayout()
        confirm.addWidget(self.preview_label, 1)
        confirm.addWidget(self.confirm_button)
        confirm.addWidget(self.cancel_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.loads, 1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 3)
        layout.addLayout(give)
        layout.addWidget(self.error)
        layout.addWidget(self.preview, 1)
        layout.addLayout(confirm)
        layout.addLayout(bottom)

        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.give_button.clicked.connect(self.give_selected)
        self.balance_button.clicked.connect(self.preview_balanced)
        self.confirm_button.clicked.connect(self.allocate_balanced)
        self.cancel_button.clicked.connect(self._hide_preview)
        self.close_button.clicked.connect(self.close)
        self.resize(900, 680)
        self.refresh()

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        def op(service: Service) -> tuple[list[AllocationRow], list[Inspector]]:
            return allocation_rows(service), service.inspectors()

        self._submit(op, self._show)

    def _show(self, result: tuple[list[AllocationRow], list[Inspector]]) -> None:
        rows, inspectors = result
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        current = self.inspector.currentData()
        self.inspector.clear()
        for inspector in inspectors:
            self.inspector.addItem(f"{inspector.name} ({inspector.role})", inspector.id)
        found = self.inspector.findData(current)
        if found >= 0:
            self.inspector.setCurrentIndex(found)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.inspector_name or UNALLOCATED] = (
                counts.get(row.inspector_name or UNALLOCATED, 0) + 1
            )
        held = [f"{i.name} {counts.get(i.name, 0)}" for i in inspectors]
        self.loads.setText(
            f"{len(rows)} cases. "
            + " · ".join([*held, f"unallocated {counts.get(UNALLOCATED, 0)}"])
        )
        self.loaded.emit(len(rows))

    def selected_rows(self) -> list[AllocationRow]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.row(n) for n in sorted(rows)]

    # -- by hand ------------------------------------------------------------------------------
    def give_selected(self) -> None:
        """Give the selected cases to the chosen inspector; moving a case asks why."""
        chosen = self.selected_rows()
        inspector_id = self.inspector.currentData()
        if not chosen or inspector_id is None:
            self._fail(FieldworkError("select the cases, and the inspector to give them to"))
            return
        name = self.inspector.currentText().rsplit(" (", 1)[0]
        moving = [r for r in chosen if r.inspector_id not in (None, inspector_id)]
        ids = [r.case_id for r in chosen]
        if not moving:
            self._give(ids, inspector_id, "")
            return
        refs = ", ".join(f"{r.reference} ({r.inspector_name})" for r in moving[:5])
        more = f" and {len(moving) - 5} more" if len(moving) > 5 else ""
        ask_reason(
            self,
            "Move cases",
            f"Moving {refs}{more} to {name}. Say why; the reason is kept in each case's history.",
            lambda reason: self._give(ids, inspector_id, reason),
        )

    def _give(self, case_ids: list[str], inspector_id: str, reason: str) -> None:
        def done(assignments: list[Assignment]) -> None:
            self._clear_error()
            moved = sum(1 for a in assignments if a.previous_inspector_id)
            self.window_.statusBar().showMessage(
                f"Gave {len(assignments)} cases to the inspector ({moved} moved).", 8000
            )
            self.refresh()
            self.window_.refresh()
            self.allocated.emit(assignments)

        self._submit(lambda s: allocate_cases(s, case_ids, inspector_id, reason), done)

    # -- balanced -----------------------------------------------------------------------------
    def preview_balanced(self) -> None:
        """Show what a balanced allocation of every unallocated case would give each
        inspector; nothing is stored until "Allocate now"."""
        by_cluster = self.by_cluster.isChecked()
        self._submit(
            lambda s: (allocate_balanced(s, None, by_cluster, dry_run=True), s.inspectors()),
            self._show_preview,
        )

    def _show_preview(self, result: tuple[AllocationResult, list[Inspector]]) -> None:
        plan, _ = result
        new: dict[str, int] = {}
        for a in plan.assignments:
            new[a.inspector_id] = new.get(a.inspector_id, 0) + 1
        self.preview.setRowCount(len(plan.loads))
        for row, load in enumerate(plan.loads):
            added = new.get(load.inspector_id, 0)
            places = ", ".join(f"{p} {n}" for p, n in load.locations.items())
            for column, text in enumerate(
                (load.name, str(load.cases - added), f"+{added}", places)
            ):
                self.preview.setItem(row, column, QTableWidgetItem(text))
        self.preview.resizeColumnsToContents()
        if plan.assignments:
            self.preview_label.setText(
                f"Allocate {len(plan.assignments)} unallocated cases as shown?"
                + (f" {len(plan.unallocated)} would stay unallocated." if plan.unallocated else "")
            )
        else:
            self.preview_label.setText("Every case is allocated: there is nothing to do.")
        for widget in (self.preview, self.preview_label, self.cancel_button):
            widget.show()
        self.confirm_button.setVisible(bool(plan.assignments))
        self.confirm_button.setFocus()
        self.previewed.emit(plan)

    def _hide_preview(self) -> None:
        for widget in (self.preview, self.preview_label, self.confirm_button, self.cancel_button):
            widget.hide()

    def allocate_balanced(self) -> None:
        by_cluster = self.by_cluster.isChecked()

        def done(result: AllocationResult) -> None:
            self._hide_preview()
            self._clear_error()
            self.window_.statusBar().showMessage(
                f"Allocated {len(result.assignments)} cases in balance.", 8000
            )
            self.refresh()
            self.window_.refresh()
            self.balanced.emit(result)

        self._submit(lambda s: allocate_balanced(s, None, by_cluster), done)
