"""Central ▸ Inspection set-up…, Import cases… and Allocation…: the lead inspector's set-up.

Each dialog only shows and calls: every read and write is an operation of
``fieldwork.central`` or ``fieldwork.allocation`` run through ``window.runner``, the
same functions the ``fieldwork setup`` and ``fieldwork allocate`` commands call. After
a change the main window's case list is fetched again (``window.refresh()``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldwork.allocation import AllocationResult, Assignment, allocate_balanced
from fieldwork.central import (
    ROLES,
    AllocationRow,
    CasesImport,
    add_inspector,
    allocate_cases,
    allocation_rows,
    cases_plan,
    import_cases,
    set_up_inspection,
)
from fieldwork.errors import FieldworkError
from fieldwork.sampling.population import saved_mappings
from fieldwork.sampling.reader import PopulationError, mapping_from_text
from fieldwork.service import Inspection, Inspector, Service
from ui.widgets import ask_reason

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
UNALLOCATED = "(unallocated)"


class _Dialog(QDialog):
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


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text, buddy.parentWidget())
    label.setBuddy(buddy)
    return label


# -- Inspection set-up --------------------------------------------------------------------------
@dataclass(frozen=True)
class SetupState:
    inspection: Inspection | None
    framework: str  # the framework's title, id and version
    inspectors: tuple[Inspector, ...]


def _setup_state(service: Service) -> SetupState:
    f = service.framework
    return SetupState(
        service.inspection(),
        f"{f.title} ({f.id}, version {f.version})",
        tuple(service.inspectors()),
    )


class SetupDialog(_Dialog):
    """The inspection (created here if the workspace has none) and its inspectors."""

    state_shown = Signal(object)  # SetupState
    created = Signal(object)  # Inspection
    inspector_added = Signal(object)  # Inspector

    def __init__(self, window: MainWindow):
        super().__init__(window, "Inspection set-up")
        self.state: SetupState | None = None
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Inspection name")
        self.name.setPlaceholderText("e.g. North West Division of the NPS")
        self.provider = QLineEdit(self)
        self.provider.setAccessibleName("Provider")
        self.dates = QCheckBox("Fieldwork from", self)
        self.dates.setAccessibleName("Fieldwork dates known")
        self.dates.setChecked(True)
        self.start = QDateEdit(self)
        self.end = QDateEdit(self)
        today = QDate.currentDate()
        for edit, name, day in (
            (self.start, "Fieldwork start", today),
            (self.end, "Fieldwork end", today.addDays(11)),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setDate(day)
            edit.setAccessibleName(name)
        self.framework = QLabel(self)
        self.framework.setAccessibleName("Framework")
        self.framework.setWordWrap(True)
        self.create_button = QPushButton("&Create the inspection", self)

        self.inspectors = QTableWidget(0, 3, self)
        self.inspectors.setAccessibleName("Inspectors")
        self.inspectors.setHorizontalHeaderLabels(("Name", "Email", "Role"))
        self.inspectors.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.inspectors.verticalHeader().hide()
        self.inspectors.horizontalHeader().setStretchLastSection(True)
        self.inspector_name = QLineEdit(self)
        self.inspector_name.setAccessibleName("New inspector's name")
        self.inspector_name.setPlaceholderText("name")
        self.email = QLineEdit(self)
        self.email.setAccessibleName("New inspector's email")
        self.email.setPlaceholderText("email (optional)")
        self.role = QComboBox(self)
        self.role.setAccessibleName("New inspector's role")
        self.role.addItems(list(ROLES))
        self.add_button = QPushButton("&Add inspector", self)
        self.close_button = QPushButton("Close", self)

        form = QFormLayout()
        form.addRow(_label("&Name:", self.name), self.name)
        form.addRow(_label("&Provider:", self.provider), self.provider)
        dates = QHBoxLayout()
        dates.addWidget(self.dates)
        dates.addWidget(self.start)
        dates.addWidget(QLabel("to", self))
        dates.addWidget(self.end)
        dates.addStretch(1)
        form.addRow("Dates:", dates)
        form.addRow("Framework:", self.framework)
        add_row = QHBoxLayout()
        add_row.addWidget(self.inspector_name, 2)
        add_row.addWidget(self.email, 2)
        add_row.addWidget(self.role, 1)
        add_row.addWidget(self.add_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error)
        layout.addWidget(QLabel("<b>Inspectors</b>", self))
        layout.addWidget(self.inspectors, 1)
        layout.addLayout(add_row)
        layout.addLayout(bottom)

        self.dates.toggled.connect(self.start.setEnabled)
        self.dates.toggled.connect(self.end.setEnabled)
        self.create_button.clicked.connect(self.create_inspection)
        self.add_button.clicked.connect(self.add_inspector)
        self.inspector_name.returnPressed.connect(self.add_inspector)
        self.close_button.clicked.connect(self.close)
        self.resize(720, 560)
        self.refresh()

    def refresh(self) -> None:
        self._submit(_setup_state, self._show)

    def _show(self, state: SetupState) -> None:
        self.state = state
        inspection = state.inspection
        self.framework.setText(state.framework)
        if inspection is None:
            self.heading.setText(
                "This workspace has no inspection yet. Give its details and create it; then "
                "add the inspectors."
            )
        else:
            self.heading.setText(
                "The inspection of this workspace (its details are fixed once created)."
            )
            self.name.setText(inspection.name)
            self.provider.setText(inspection.provider)
            self.dates.setChecked(bool(inspection.fieldwork_start or inspection.fieldwork_end))
            for edit, day in (
                (self.start, inspection.fieldwork_start),
                (self.end, inspection.fieldwork_end),
            ):
                if day:
                    d = date.fromisoformat(day)
                    edit.setDate(QDate(d.year, d.month, d.day))
        editable = inspection is None
        for widget in (self.name, self.provider, self.dates):
            widget.setEnabled(editable)
        for edit in (self.start, self.end):
            edit.setEnabled(editable and self.dates.isChecked())
        self.create_button.setVisible(editable)
        for control in (self.inspector_name, self.email, self.role, self.add_button):
            control.setEnabled(not editable)
        self.inspectors.setRowCount(len(state.inspectors))
        for row, inspector in enumerate(state.inspectors):
            for column, text in enumerate((inspector.name, inspector.email, inspector.role)):
                self.inspectors.setItem(row, column, QTableWidgetItem(text))
        self.inspectors.resizeColumnsToContents()
        self.state_shown.emit(state)

    def create_inspection(self) -> None:
        name, provider = self.name.text(), self.provider.text()
        start = end = None
        if self.dates.isChecked():
            start = self.start.date().toPython()
            end = self.end.date().toPython()

        def op(service: Service) -> Inspection:
            return set_up_inspection(
                service,
                name,
                provider=provider,
                fieldwork_start=start,  # type: ignore[arg-type]
                fieldwork_end=end,  # type: ignore[arg-type]
            )

        def done(inspection: Inspection) -> None:
            self._clear_error()
            self.window_.statusBar().showMessage(f"Created the inspection {inspection.name}.", 8000)
            self.created.emit(inspection)
            self.refresh()
            self.window_.refresh()
            self.inspector_name.setFocus()

        self._submit(op, done)

    def add_inspector(self) -> None:
        name, email, role = self.inspector_name.text(), self.email.text(), self.role.currentText()

        def done(inspector: Inspector) -> None:
            self._clear_error()
            self.inspector_name.clear()
            self.email.clear()
            self.window_.statusBar().showMessage(
                f"Added {inspector.name} ({inspector.role}).", 8000
            )
            self.inspector_added.emit(inspector)
            self.refresh()

        self._submit(lambda s: add_inspector(s, name, email=email, role=role), done)


# -- Import cases ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportState:
    samples: tuple[tuple[str, str], ...]  # (id, title)
    mappings: tuple[str, ...]  # saved mappings of the chosen sample


class ImportCasesDialog(_Dialog):
    """A sample's cases from a CSV or Excel file: every problem listed, nothing added
    unless the file is clean."""

    imported = Signal(object)  # CasesImport
    problems_shown = Signal(list)  # the problems' lines (file, row, column, problem)

    PROBLEM_COLUMNS = ("Row", "Column", "Problem")

    def __init__(self, window: MainWindow):
        super().__init__(window, "Import cases")
        self.ask_open_file: Callable[[], Path | None] = self._choose_file
        self.sample = QComboBox(self)
        self.sample.setAccessibleName("Sample")
        self.mapping = QComboBox(self)
        self.mapping.setAccessibleName("Saved column mapping")
        self.columns = QPlainTextEdit(self)
        self.columns.setAccessibleName("Column mapping")
        self.columns.setPlaceholderText(
            "One a line, COLUMN=ATTRIBUTE (e.g. Sex=gender, CRN=reference). Columns headed "
            "with an attribute's id or label are found by themselves."
        )
        self.columns.setTabChangesFocus(True)
        self.values = QPlainTextEdit(self)
        self.values.setAccessibleName("Value spellings")
        self.values.setPlaceholderText("One a line, ATTRIBUTE:TEXT=CHOICE (e.g. gender:M=male)")
        self.values.setTabChangesFocus(True)
        for edit in (self.columns, self.values):
            edit.setMaximumHeight(edit.fontMetrics().lineSpacing() * 4)
        self.file = QLineEdit(self)
        self.file.setAccessibleName("File")
        self.file.setPlaceholderText("the CSV or Excel (.xlsx) file, one row per case")
        self.choose_button = QPushButton("C&hoose…", self)
        self.import_button = QPushButton("&Import cases", self)
        self.close_button = QPushButton("Close", self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.problems = QTableWidget(0, len(self.PROBLEM_COLUMNS), self)
        self.problems.setAccessibleName("Problems in the file")
        self.problems.setHorizontalHeaderLabels(self.PROBLEM_COLUMNS)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.verticalHeader().hide()
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.hide()

        form = QFormLayout()
        form.addRow(_label("&Sample:", self.sample), self.sample)
        form.addRow(_label("Saved &mapping:", self.mapping), self.mapping)
        form.addRow(_label("C&olumns:", self.columns), self.columns)
        form.addRow(_label("&Values:", self.values), self.values)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose_button)
        form.addRow(_label("&File:", self.file), file_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Each row of the file becomes a case of the sample, unallocated. The file needs "
                "the case reference and the attributes the sample is stratified on.",
                self,
            )
        )
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.problems, 1)

        self.sample.currentIndexChanged.connect(lambda _i: self._load_mappings())
        self.choose_button.clicked.connect(self._choose)
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.close)
        self.resize(760, 560)
        self._submit(
            lambda s: tuple((x.id, x.title) for x in s.framework.samples), self._show_samples
        )

    def _show_samples(self, samples: Sequence[tuple[str, str]]) -> None:
        self.sample.blockSignals(True)
        for sample_id, title in samples:
            self.sample.addItem(title, sample_id)
        self.sample.blockSignals(False)
        self._load_mappings()

    def _load_mappings(self) -> None:
        sample = self.sample.currentData()
        if sample is None:
            return

        def op(service: Service) -> list[str]:
            return [name for _, name in saved_mappings(service, sample)]

        self._submit(op, self._show_mappings)

    def _show_mappings(self, names: list[str]) -> None:
        self.mapping.clear()
        self.mapping.addItem("(none: match columns by their headings)", None)
        for name in names:
            self.mapping.addItem(name, name)

    def _choose_file(self) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Import cases", "", "Case lists (*.csv *.xlsx);;All files (*)"
        )
        return Path(chosen) if chosen else None

    def _choose(self) -> None:
        path = self.ask_open_file()
        if path is not None:
            self.file.setText(str(path))

    def start_import(self) -> None:
        """Check the file named and, if it is clean, add its cases."""
        text = self.file.text().strip()
        if not text:
            self._choose()
            text = self.file.text().strip()
            if not text:
                return
        path = Path(text)
        sample = self.sample.currentData()
        mapping_name = self.mapping.currentData()
        columns = [line for line in self.columns.toPlainText().splitlines() if line.strip()]
        values = [line for line in self.values.toPlainText().splitlines() if line.strip()]

        def op(service: Service) -> CasesImport:
            chosen = service.framework.sample(sample)
            mapping = mapping_from_text(chosen, cases_plan(service, sample), columns, values)
            return import_cases(service, path, sample, mapping=mapping, mapping_name=mapping_name)

        self.import_button.setEnabled(False)
        self.summary.setText(f"Checking {path.name}…")
        self.runner.submit(op, self._imported, self._import_failed)

    def _imported(self, done: CasesImport) -> None:
        self.import_button.setEnabled(True)
        self._clear_error()
        self.problems.hide()
        self.summary.setText(
            f"Added {done.rows:,} {self.sample.currentText()} cases from {done.file}, "
            "unallocated. Columns used: " + ", ".join(f"{c} → {t}" for c, t in done.columns.items())
        )
        self.window_.statusBar().showMessage(f"Imported {done.rows:,} cases.", 8000)
        self.window_.refresh()
        self.imported.emit(done)

    def _import_failed(self, error: BaseException) -> None:
        self.import_button.setEnabled(True)
        self.summary.clear()
        if not isinstance(error, PopulationError):
            self.problems.hide()
            self._fail(error)
            return
        count = len(error.problems)
        self.error.setText(
            f"{error.file}: {count} problem{'s' if count != 1 else ''}; nothing was imported. "
            "Correct the file (or the column mapping) and import it again."
        )
        self.error.show()
        self.problems.setRowCount(count)
        for row, problem in enumerate(error.problems):
            cells = ("" if problem.row is None else str(problem.row), problem.column or "")
            for column, text in enumerate((*cells, problem.problem)):
                self.problems.setItem(row, column, QTableWidgetItem(text))
        self.problems.resizeColumnToContents(0)
        self.problems.resizeColumnToContents(1)
        self.problems.show()
        self.failed.emit(self.error.text())
        self.problems_shown.emit(error.lines())


# -- Allocation -----------------------------------------------------------------------------------
class AllocationModel(QAbstractTableModel):
    """The cases of the allocation view: rows fetched for it, never queried from ``data()``."""

    COLUMNS = ("Reference", "Sample", "Cluster or court", "Inspector", "Status")
    CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[AllocationRow] = []

    def set_rows(self, rows: Sequence[AllocationRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, number: int) -> AllocationRow:
        return self._rows[number]

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
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
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


class AllocationDialog(_Dialog):
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


# -- the menu -------------------------------------------------------------------------------------
class Central(QObject):
    """The set-up actions of the Central menu of one main window."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.dialogs: dict[str, _Dialog] = {}

    def _open(self, key: str, make: Callable[[MainWindow], _Dialog]) -> Any:
        dialog = self.dialogs.get(key)
        if dialog is None:
            dialog = self.dialogs[key] = make(self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda _=None, key=key: self.dialogs.pop(key, None))
        dialog.show()
        dialog.activateWindow()
        return dialog

    def open_setup(self) -> SetupDialog:
        return self._open("setup", SetupDialog)  # type: ignore[no-any-return]

    def open_import(self) -> ImportCasesDialog:
        return self._open("import", ImportCasesDialog)  # type: ignore[no-any-return]

    def open_allocation(self) -> AllocationDialog:
        return self._open("allocation", AllocationDialog)  # type: ignore[no-any-return]


def install(window: MainWindow) -> None:
    """Add Inspection set-up…, Import cases… and Allocation… to the Central menu."""
    central = Central(window)
    window.central = central  # type: ignore[attr-defined]
    menu = window.menu("&Central")
    if menu.actions():
        menu.addSeparator()
    for text, slot, name, tip in (
        (
            "Inspection &set-up…",
            central.open_setup,
            "setup",
            "Create the inspection and add its inspectors",
        ),
        (
            "Import &cases…",
            central.open_import,
            "import-cases",
            "Add a sample's cases from a CSV or Excel file",
        ),
        (
            "&Allocation…",
            central.open_allocation,
            "allocation",
            "Give cases to inspectors, by hand or in balance",
        ),
    ):
        action = menu.addAction(text)
        action.setObjectName(f"central-{name}")
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False, slot=slot: slot())
