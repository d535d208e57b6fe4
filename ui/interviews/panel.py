"""The interview list beside the case list, its menu, and the interview evidence shown
beside a domain-one rating.

``install(window)`` (listed in ``ui.extensions``) puts an ``InterviewPanel`` beside the case
list on the home page and adds an Interviews menu: new officer interview for the selected cases, new
service-user interview for the selected case, open the interview, print summary sheets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.interviews.questionnaire import OFFICER, SERVICE_USER
from fieldwork.interviews.store import Interviews, InterviewSummary
from fieldwork.service import Service
from ui.models import RowsModel
from ui.runner import ServiceRunner

if TYPE_CHECKING:  # scoring's tables and the interview window are loaded on first use
    from fieldwork.scoring.tables import Table
    from ui.interviews.view import InterviewView
    from ui.main_window import MainWindow
    from ui.scoring.table import ScoringTableModel

Index = QModelIndex | QPersistentModelIndex
KIND = {OFFICER: "Officer", SERVICE_USER: "Service user"}


class InterviewListModel(RowsModel[InterviewSummary]):
    """The interviews as rows; holds the summaries it was given, never queries."""

    COLUMNS = ("Interview", "Status", "Done", "Kind", "Grade", "Cluster", "Cases")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.row_at(index)
        if r is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        cells = (
            r.reference,
            r.status,
            f"{r.done}/{r.total}",
            KIND.get(r.questionnaire, r.questionnaire),
            r.grade,
            r.cluster,
            ", ".join(r.case_references),
        )
        return cells[index.column()] if 0 <= index.column() < len(cells) else None


class InterviewPanel(QWidget):
    """The list of interviews with their status; Enter opens the one selected."""

    opened = Signal(object)  # the InterviewView shown
    listed = Signal(int)

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.model = InterviewListModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Interviews")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self.views: list[InterviewView] = []

    def refresh(self) -> None:
        def fetch(service: Service) -> list[InterviewSummary]:
            if "interviews" not in service.db.table_names():
                return []
            return Interviews(service).summaries()

        self.runner.submit(fetch, self._listed)

    def _listed(self, rows: list[InterviewSummary]) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.listed.emit(len(rows))

    def selected(self) -> InterviewSummary | None:
        row = self.table.currentIndex().row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def open_row(self, row: int) -> InterviewView | None:
        if not 0 <= row < len(self.model.rows):
            return None
        return self.open_interview(self.model.rows[row].id)

    def open_interview(self, interview_id: str) -> InterviewView:
        from ui.interviews.view import InterviewView

        view = InterviewView(self.runner, interview_id)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.changed.connect(lambda _change: self.refresh())
        view.destroyed.connect(lambda *_: self.views.remove(view) if view in self.views else None)
        self.views.append(view)
        view.show()
        self.opened.emit(view)
        return view


# -- the domain-one evidence ---------------------------------------------------------------
def evidence_table(figures_table: Table, standard_id: str) -> Table:
    """The interview figures of one standard, as a table to show beside its rating."""
    from fieldwork.scoring.tables import Table

    picked = figures_table.column("Standard")
    keep = ("Figure", "Counted", "Applicable", "Current %", "Previous %")
    columns = [figures_table.column(c) for c in keep]
    rows = tuple(
        type(r)(tuple(r.cells[i] for i in columns), item_id=r.item_id, standard_id=r.standard_id)
        for r in figures_table.rows
        if r.cells[picked] == standard_id
    )
    return Table(f"interviews-{standard_id}", "Interview evidence", keep, rows)


def fill_evidence(model: ScoringTableModel, runner: ServiceRunner, standard_id: str) -> None:
    """Show the interview figures informing ``standard_id`` in ``model``, fetched on the
    runner; a model moved on to another table by then is left alone."""
    from fieldwork.scoring.tables import Table

    key = f"interviews-{standard_id}"
    model.set_table(Table(key, "Interview evidence", (), ()))

    def fetch(service: Service) -> Table:
        from fieldwork.interviews.figures import interview_figures
        from fieldwork.interviews.report import interview_tables

        return evidence_table(interview_tables(interview_figures(service))[0], standard_id)

    def done(table: Table) -> None:
        if model.table.key == key:
            model.set_table(table)

    runner.submit(fetch, done)


def show_evidence(parent: QWidget, runner: ServiceRunner, standard_id: str) -> QTableView:
    """Add the interview figures informing ``standard_id`` to ``parent``'s layout (a rating
    dialog), above its buttons; returns the table view, filled when they arrive."""
    from ui.scoring.table import ScoringTableModel, table_view

    view = table_view("Interview evidence", parent)
    model = ScoringTableModel(view)
    view.setModel(model)
    label = QLabel(f"Interview evidence for {standard_id}:", parent)
    layout = parent.layout()
    if isinstance(layout, QBoxLayout):
        at = max(0, layout.count() - 1)  # above the dialog's buttons
        layout.insertWidget(at, label)
        layout.insertWidget(at + 1, view)

    def arrived() -> None:
        view.resizeColumnsToContents()
        view.setColumnWidth(0, min(view.columnWidth(0), 360))
        if not model.rowCount():
            label.setText(f"No interview figures inform {standard_id}.")

    model.modelReset.connect(arrived)
    fill_evidence(model, runner, standard_id)
    return view


def interview_evidence(service: Service, *, only_complete: bool = True) -> dict[str, Any]:
    """Standard id → the interview flowables of the ratings report (on the worker thread)."""
    from fieldwork.interviews.figures import interview_figures
    from fieldwork.interviews.report import key_data_by_standard

    return key_data_by_standard(interview_figures(service, only_complete=only_complete))


def interview_output_tables(service: Service, *, only_complete: bool = True) -> list[Table]:
    """The interview tables for the CSV files and the workbook (on the worker thread)."""
    from fieldwork.interviews.figures import interview_figures
    from fieldwork.interviews.report import interview_tables

    return interview_tables(interview_figures(service, only_complete=only_complete))


# -- the main window -------------------------------------------------------------------------
def install(window: MainWindow) -> None:
    """Put the interview list beside the case list and add the Interviews menu."""
    panel = InterviewPanel(window.runner, window)
    # Beside the case list, on the home page, so a case open keeps the whole width; folded
    # away until asked for (Interviews ▸ Show the interview list): on a laptop screen the
    # case list needs the width more than a list used a few times a day.
    home = window.home
    layout = home.layout()
    split = QSplitter(home)
    split.setObjectName("interviews_split")
    split.setChildrenCollapsible(True)
    if isinstance(layout, QBoxLayout):
        layout.insertWidget(layout.indexOf(home.case_list), split, 1)
    split.addWidget(home.case_list)  # moves the list out of the page's layout, into the split
    split.addWidget(panel)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 1)
    split.setSizes([1, 0])
    window.interview_panel = panel  # type: ignore[attr-defined]
    window.cases_loaded.connect(lambda _n: panel.refresh())
    window.case_closed.connect(lambda _case_id: panel.refresh())
    menu = window.menu("&Interviews")

    def add(text: str, slot: Any, keys: str = "") -> QAction:
        action = QAction(text, window)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def new(kind: str) -> None:
        case_ids = window.selected_case_ids()
        if kind == SERVICE_USER and len(case_ids) != 1:
            window.statusBar().showMessage("Select the one case the service user is on.", 8000)
            return
        label = "officer's name" if kind == OFFICER else "service user's reference"
        reference, ok = QInputDialog.getText(window, "New interview", f"The {label}:")
        if not ok or not reference.strip():
            return

        def created(summary: InterviewSummary) -> None:
            panel.refresh()
            panel.open_interview(summary.id)

        window.runner.submit(
            lambda s: Interviews(s).create(kind, reference, case_ids=case_ids),
            created,
            window.show_error,
        )

    def print_sheets() -> None:
        chosen = panel.selected()
        if chosen is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            window, "Save the interview summary sheet", f"{chosen.reference}.pdf", "PDF (*.pdf)"
        )
        if not path:
            return

        def write(service: Service) -> Path:
            from fieldwork.interviews.report import write_interview_sheets

            return write_interview_sheets(
                Interviews(service), [chosen.id], path, printed_at=datetime.now(UTC)
            )

        window.runner.submit(
            write,
            lambda p: window.statusBar().showMessage(f"Saved {p}", 8000),
            window.show_error,
        )

    add("New &officer interview for the selected cases…", lambda: new(OFFICER))
    add("New &service-user interview for the selected case…", lambda: new(SERVICE_USER))
    add("Op&en the selected interview", lambda: panel.open_row(panel.table.currentIndex().row()))
    add("&Print the selected interview's summary sheet…", print_sheets)

    def show_conflicts() -> None:
        from ui.interviews.conflicts import InterviewConflictsDialog

        dialog = InterviewConflictsDialog(window.runner, window)
        dialog.failed.connect(window.show_error)
        dialog.finished.connect(lambda _result: panel.refresh())
        dialog.open()

    add("Interview &conflicts…", show_conflicts)

    def show_list() -> None:
        window.close_case()
        sizes = split.sizes()
        if sizes[1] == 0:  # folded away by hand: open it again
            split.setSizes([max(1, sizes[0] - 360), 360])
        panel.table.setFocus()

    add("Show the interview &list", show_list, "Ctrl+Shift+I")
