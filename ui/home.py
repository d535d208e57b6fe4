"""The home view: what a workspace is and where its work stands, above the case list.

It says which inspection this is, whose workspace (central or an inspector's laptop),
the cases by status with "continue where I left off", when work was last handed in or
read in and how many changes have not been exported yet, and what to do next with the
keys for it. The figures come from ``fieldwork.home`` on the store's thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldwork.dates import uk, uk_moment
from fieldwork.errors import FieldworkError
from fieldwork.home import WITHDRAWN, HomeSummary, home_summary
from fieldwork.service import Service
from ui.runner import ServiceRunner
from ui.widgets import ScaledLabel, set_shortcuts

CONTINUE_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe(summary: HomeSummary) -> dict[str, str]:
    """The home view's texts, by part (also what a screen reader reads)."""
    native = QKeySequence.SequenceFormat.NativeText
    cont = QKeySequence(CONTINUE_KEYS[0]).toString(native)
    if summary.central:
        whose = "Central workspace (the inspectorate)"
    else:
        whose = f"Fieldwork workspace of {summary.owner or 'an inspector'} (a laptop)"
    start, end = summary.fieldwork_dates
    dates = f"Fieldwork {uk(start)} to {uk(end)}" if start and end else ""
    inspection = summary.inspection or "No inspection set up yet"
    if summary.provider:
        inspection += f" · {summary.provider}"
    about = "\n".join(
        line for line in (whose, dates, summary.framework, f"Working as {summary.user}") if line
    )
    s = summary.by_status
    cases = (
        f"{_plural(summary.total, 'case')}: {s.get('not started', 0)} not started · "
        f"{s.get('in progress', 0)} in progress · {s.get('complete', 0)} complete"
    )
    if s.get(WITHDRAWN):
        cases += f" · {s[WITHDRAWN]} moved to another inspector (read-only)"
    if summary.central and summary.unallocated:
        cases += f"\n{summary.unallocated} not yet allocated to an inspector"
    if summary.open_threads:
        cases += f"\nQuality assurance: {_plural(summary.open_threads, 'open review thread')}"
    if summary.returned:
        cases += "\nReturned for changes: " + ", ".join(summary.returned)
    left = summary.left_off
    if left is None:
        resume = "No case to continue."
    elif left.at:
        where = f" at {left.item_id}" if left.item_id else ""
        resume = (
            f"You left off in case {left.reference}{where} ({left.status}), {uk_moment(left.at)}."
        )
    else:
        resume = f"Next case to work: {left.reference} ({left.status})."
    handed: list[str] = []
    if summary.last_export:
        kind = summary.last_export_kind or "bundle"
        handed.append(f"Last {kind} bundle written: {uk_moment(summary.last_export)}")
    else:
        handed.append("No bundle written from this workspace yet")
    if summary.last_import:
        handed.append(f"Last bundle read in: {uk_moment(summary.last_import)}")
    if summary.unexported_changes is not None:
        if summary.unexported_changes:
            handed.append(
                f"{_plural(summary.unexported_changes, 'change')} not yet exported "
                "(Bundles ▸ Export bundle…)"
            )
        else:
            handed.append("Every change has been exported")
    handed.append(
        f"Sync folder: {summary.sync_folder}" if summary.sync_folder else "No sync folder set yet"
    )
    steps = [
        "Enter: open the selected case",
        f"{cont}: continue where you left off" if left is not None else "",
        "Type a reference, or Ctrl+F: find a case",
        "Ctrl+P: print case summary sheets",
        (
            "Central ▸ menus: import, allocate, export assignments, score"
            if summary.central
            else "Bundles ▸ Sync: hand in your work and take new cases"
        ),
        "F1: every key, by task",
    ]
    short = " · ".join([whose, *handed[:-1], "Enter opens a case", "F1: every key"])
    return {
        "inspection": inspection,
        "short": short,
        "about": about,
        "cases": cases,
        "resume": resume,
        "handed": "\n".join(handed),
        "next": "\n".join(step for step in steps if step),
    }


class HomePanel(QFrame):
    """The summary band: four short columns."""

    continue_requested = Signal(str)  # case id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("homePanel")
        self.setAccessibleName("Home")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary: HomeSummary | None = None
        self.inspection = ScaledLabel("", self, scale=1.2, bold=True, accessible_name="Inspection")
        self.about = ScaledLabel("", self, accessible_name="Workspace")
        self.cases = ScaledLabel("", self, bold=True, accessible_name="Cases by status")
        self.resume = ScaledLabel("", self, accessible_name="Where you left off")
        native = QKeySequence.SequenceFormat.NativeText
        self.continue_button = QPushButton(
            f"Continue where I left off   ({QKeySequence(CONTINUE_KEYS[0]).toString(native)})",
            self,
        )
        self.continue_button.setAccessibleName("Continue where I left off")
        self.continue_button.setAutoDefault(False)
        self.continue_button.clicked.connect(self._continue)
        self.handed = ScaledLabel("", self, accessible_name="Bundles and changes not exported")
        self.next_steps = ScaledLabel("", self, accessible_name="What to do next")
        self.short = ScaledLabel("", self, accessible_name="Workspace and handing in")
        self.short.hide()  # the compact view's one line about the workspace
        titles = [
            ScaledLabel(text, self, bold=True)
            for text in ("Workspace", "Cases", "Handing in", "What to do next")
        ]
        self._details = [self.about, self.handed, self.next_steps, *titles]
        self.compact = False
        grid = QGridLayout(self)
        grid.addWidget(self.inspection, 0, 0, 1, 4)
        grid.addWidget(self.short, 3, 0, 1, 4)
        for column, title in enumerate(titles):
            grid.addWidget(title, 1, column)
        grid.addWidget(self.about, 2, 0)
        self.cases_box = QWidget(self)
        cases = QVBoxLayout(self.cases_box)
        cases.setContentsMargins(0, 0, 0, 0)
        cases.addWidget(self.cases)
        cases.addWidget(self.resume)
        cases.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignLeft)
        cases.addStretch(1)
        grid.addWidget(self.cases_box, 2, 1)
        self.grid = grid
        grid.addWidget(self.handed, 2, 2)
        grid.addWidget(self.next_steps, 2, 3)
        for column in range(4):
            grid.setColumnStretch(column, 1)
        for label in (self.about, self.handed, self.next_steps):
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.continue_button.setEnabled(False)
        self.inspection.setText("Opening the workspace…")

    def set_compact(self, compact: bool) -> None:
        """On a short screen only the inspection, the cases and Continue are shown (the
        rest is in the panel's tooltip), so the case list keeps its room."""
        if compact == self.compact:
            return
        self.compact = compact
        for widget in self._details:
            widget.setVisible(not compact)
        self.short.setVisible(compact)
        self.grid.removeWidget(self.cases_box)
        if compact:
            self.grid.addWidget(self.cases_box, 2, 0, 1, 4)
        else:
            self.grid.addWidget(self.cases_box, 2, 1)

    def show_summary(self, summary: HomeSummary) -> None:
        self.summary = summary
        texts = describe(summary)
        self.inspection.setText(texts["inspection"])
        self.about.setText(texts["about"])
        self.cases.setText(texts["cases"])
        self.resume.setText(texts["resume"])
        self.handed.setText(texts["handed"])
        self.next_steps.setText(texts["next"])
        self.short.setText(texts["short"])
        self.continue_button.setEnabled(summary.left_off is not None)
        self.setAccessibleDescription(" ".join(texts.values()))
        self.setToolTip("\n\n".join(texts[k] for k in ("about", "handed", "next")))

    def _continue(self) -> None:
        if self.summary is not None and self.summary.left_off is not None:
            self.continue_requested.emit(self.summary.left_off.case_id)


class HomePage(QWidget):
    """The first page of the main window: the home panel above the case list."""

    continue_requested = Signal(str)  # case id
    shown = Signal(object)  # HomeSummary, once the panel shows it
    failed = Signal(object)  # an error reading the summary

    def __init__(self, case_list: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Home and case list")
        self.panel = HomePanel(self)
        self.panel.continue_requested.connect(self.continue_requested)
        self.case_list = case_list
        case_list.setParent(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel)
        layout.addWidget(case_list, 1)
        self.continue_action = QAction("Co&ntinue where I left off", self)
        set_shortcuts(self.continue_action, *CONTINUE_KEYS)
        self.continue_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.continue_action.triggered.connect(lambda _checked=False: self.panel._continue())
        self.addAction(self.continue_action)

    #: Below this many lines of text the home view is compact (see HomePanel.set_compact).
    COMPACT_LINES = 36

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.panel.set_compact(
            self.height() < self.fontMetrics().lineSpacing() * self.COMPACT_LINES
        )

    def refresh(self, runner: ServiceRunner) -> None:
        """Read the summary again on the store's thread and show it."""

        def failed(error: BaseException) -> None:
            if isinstance(error, FieldworkError):
                self.panel.inspection.setText(f"The summary could not be read: {error.message}")
            else:
                self.failed.emit(error)

        def show(summary: HomeSummary) -> None:
            self.panel.show_summary(summary)
            self.shown.emit(summary)

        runner.submit(lambda service: _summary(service), show, failed)


def _summary(service: Service) -> HomeSummary:
    return home_summary(service)
