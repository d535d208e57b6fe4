"""Central ▸ Import cases…: a sample's cases from a CSV or Excel file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from fieldwork.central import (
    CasesImport,
    cases_plan,
    import_cases,
)
from fieldwork.sampling.population import saved_mappings
from fieldwork.sampling.reader import PopulationError, mapping_from_text
from fieldwork.service import Service
from ui.central.dialog import CentralDialog, buddy_label

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class ImportCasesDialog(CentralDialog):
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
        form.addRow(buddy_label("&Sample:", self.sample), self.sample)
        form.addRow(buddy_label("Saved &mapping:", self.mapping), self.mapping)
        form.addRow(buddy_label("C&olumns:", self.columns), self.columns)
        form.addRow(buddy_label("&Values:", self.values), self.values)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.choose_button)
        form.addRow(buddy_label("&File:", self.file), file_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        intro = QLabel(
            "Each row of the file becomes a case of the sample, unallocated. The file needs "
            "the case reference and the attributes the sample is stratified on.",
            self,
        )
        intro.setWordWrap(True)  # one unwrapped line made the dialog wider than a laptop
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
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
