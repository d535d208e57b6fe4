"""The ratings dashboard: the scoring tables and charts, decisions and drill-down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fieldwork.scoring.panel import decide, rate_domain1
from fieldwork.scoring.records import import_previous_figures
from fieldwork.scoring.rules import Rating
from fieldwork.scoring.scores import CaseBehind, Scores, StandardScore, cases_behind, score
from fieldwork.scoring.tables import (
    Table,
    all_tables,
    breakdown_table,
    key_questions_table,
    panel_table,
    profile_table,
    prompts_table,
    ratings_table,
)
from fieldwork.service import Service
from ui.scoring.cases_behind import CasesBehindDialog
from ui.scoring.chart import BandChart
from ui.scoring.decision import DecisionDialog
from ui.scoring.table import ScoringTableModel, table_view

if TYPE_CHECKING:
    from ui.main_window import MainWindow


# -- the dashboard ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Drill:
    """What a double click asks for: the cases behind one figure (or one breakdown row)."""

    item_id: str
    attribute: str | None
    value: Any
    title: str


class RatingsDashboard(QDialog):
    """The ratings, key questions, prompts, profile, breakdowns and panel decisions."""

    scores_shown = Signal(object)  # Scores
    cases_shown = Signal(object)  # CasesBehindDialog
    saved = Signal(object)  # the paths written
    failed = Signal(object)  # an error shown to the user

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window
        self.scores: Scores | None = None
        self.setWindowTitle("Ratings dashboard — Fieldwork")
        self.setModal(False)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.summary = QLabel("Scoring…", self)
        self.summary.setAccessibleName("Overall rating")
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.summary.setFont(font)
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        self.only_complete = QCheckBox("Score &complete cases only", self)
        self.only_complete.setChecked(True)
        self.only_complete.setToolTip(
            "The data team scores completed cases. Untick to include cases still in progress "
            "(their unanswered items are left out)."
        )
        self.only_complete.toggled.connect(lambda _checked: self.refresh())
        top.addWidget(self.only_complete)
        self.refresh_button = QPushButton("Re&fresh", self)
        self.refresh_button.clicked.connect(lambda: self.refresh())
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.warning = QLabel("", self)
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("Warnings about the figures")
        self.warning.setVisible(False)
        layout.addWidget(self.warning)

        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)
        self.models: dict[str, ScoringTableModel] = {}
        self.views: dict[str, QTableView] = {}

        # Ratings: the table, and the selected standard's key questions and chart.
        ratings_page = QSplitter(Qt.Orientation.Vertical, self)
        self.ratings_view = self._add_view("ratings", "Ratings", ratings_page)
        detail = QWidget(ratings_page)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self.statement = QLabel("", detail)
        self.statement.setWordWrap(True)
        self.statement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail_layout.addWidget(self.statement)
        buttons = QHBoxLayout()
        self.panel_button = QPushButton("Record &panel decision…", detail)
        self.panel_button.clicked.connect(lambda: self.record_panel_decision())
        self.domain1_button = QPushButton("Enter &domain 1 rating…", detail)
        self.domain1_button.clicked.connect(lambda: self.enter_domain1_rating())
        buttons.addWidget(self.panel_button)
        buttons.addWidget(self.domain1_button)
        buttons.addStretch(1)
        detail_layout.addLayout(buttons)
        detail_split = QSplitter(Qt.Orientation.Horizontal, detail)
        self.standard_view = self._add_view("standard", "Key questions of the standard",
                                            detail_split)  # fmt: skip
        self.chart = BandChart(detail_split)
        detail_split.addWidget(self.chart)
        detail_split.setStretchFactor(0, 3)
        detail_split.setStretchFactor(1, 2)
        detail_layout.addWidget(detail_split, 1)
        ratings_page.addWidget(detail)
        self.tabs.addTab(ratings_page, "&Ratings")
        self.ratings_view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_standard(current.row())
        )

        for key, title in (
            ("key-questions", "&Key questions"),
            ("prompts", "Prompts (&Annexe 4)"),
            ("profile", "Pro&file"),
            ("panel", "Ratings pa&nel"),
        ):
            self.tabs.addTab(self._add_view(key, title.replace("&", ""), self), title)

        breakdown_page = QWidget(self)
        breakdown_layout = QVBoxLayout(breakdown_page)
        chooser = QFormLayout()
        self.breakdown_by = QComboBox(breakdown_page)
        self.breakdown_by.setAccessibleName("Break down by")
        self.breakdown_by.currentIndexChanged.connect(self._show_breakdown)
        chooser.addRow("Break down &by:", self.breakdown_by)
        breakdown_layout.addLayout(chooser)
        breakdown_layout.addWidget(self._add_view("breakdown", "Breakdown", breakdown_page))
        self.tabs.addTab(breakdown_page, "&Breakdowns")

        bottom = QHBoxLayout()
        hint = QLabel("Double-click a figure, or press Enter on it, to see the cases behind it.")
        hint.setWordWrap(True)  # unwrapped, it made the dashboard wider than a laptop screen
        bottom.addWidget(hint, 1)
        self.previous_button = QPushButton("Import &previous figures…", self)
        self.previous_button.setToolTip(
            "A CSV file: item, percentage (empty: no comparable data), optional sample_size "
            "and rating (standards)"
        )
        self.previous_button.clicked.connect(lambda: self.import_previous())
        bottom.addWidget(self.previous_button)
        self.tables_button = QPushButton("Save &tables…", self)
        self.tables_button.clicked.connect(lambda: self.save_tables())
        self.report_button = QPushButton("Save PDF &report…", self)
        self.report_button.clicked.connect(lambda: self.save_report())
        bottom.addWidget(self.tables_button)
        bottom.addWidget(self.report_button)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        bottom.addWidget(close)
        layout.addLayout(bottom)

        self._set_busy(True)
        self.resize(1100, 760)
        self.refresh()

    # -- building ------------------------------------------------------------------------------
    def _add_view(self, key: str, name: str, parent: QWidget) -> QTableView:
        model = ScoringTableModel(self)
        view = table_view(name, parent)
        view.setModel(model)
        view.activated.connect(lambda index, key=key: self._drill(key, index.row()))
        self.models[key] = model
        self.views[key] = view
        if isinstance(parent, QSplitter):
            parent.addWidget(view)
        return view

    def _set_busy(self, busy: bool) -> None:
        for widget in (
            self.refresh_button,
            self.tables_button,
            self.report_button,
            self.previous_button,
        ):
            widget.setEnabled(not busy)
        if busy:
            self.panel_button.setEnabled(False)
            self.domain1_button.setEnabled(False)

    # -- scoring ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        only_complete = self.only_complete.isChecked()
        self._set_busy(True)
        self.summary.setText("Scoring…")
        self.window_.runner.submit(
            lambda service: score(service, only_complete=only_complete),
            self._show_scores,
            self._failed,
        )

    def _show_scores(self, scores: Scores) -> None:
        self.scores = scores
        selected = self.ratings_view.currentIndex().row()
        self.summary.setText(scores.overall.statement)
        self.warning.setText("\n".join(f"⚠ {w}" for w in scores.warnings))
        self.warning.setVisible(bool(scores.warnings))
        self.models["ratings"].set_table(ratings_table(scores))
        self.models["key-questions"].set_table(key_questions_table(scores))
        self.models["prompts"].set_table(prompts_table(scores))
        self.models["profile"].set_table(profile_table(scores))
        self.models["panel"].set_table(panel_table(scores))
        attributes: list[tuple[str, str]] = []
        for b in scores.breakdowns:
            if (b.attribute, b.attribute_label) not in attributes:
                attributes.append((b.attribute, b.attribute_label))
        current = self.breakdown_by.currentData()
        self.breakdown_by.blockSignals(True)
        self.breakdown_by.clear()
        for attribute, label in attributes:
            self.breakdown_by.addItem(label, attribute)
        found = self.breakdown_by.findData(current)
        self.breakdown_by.setCurrentIndex(max(found, 0))
        self.breakdown_by.blockSignals(False)
        self._show_breakdown()
        for view in self.views.values():
            view.resizeColumnsToContents()
            for column in range(view.model().columnCount()):
                if view.columnWidth(column) > 420:
                    view.setColumnWidth(column, 420)
            view.resizeRowsToContents()
        self._set_busy(False)
        row = selected if 0 <= selected < len(scores.standards) else self._first_flagged(scores)
        self.ratings_view.selectRow(row)
        self._show_standard(row)
        self.scores_shown.emit(scores)

    @staticmethod
    def _first_flagged(scores: Scores) -> int:
        for n, standard in enumerate(scores.standards):
            if standard.flagged and standard.decision is None:
                return n
        return 0

    def _show_breakdown(self, *args: object) -> None:
        if self.scores is None:
            return
        attribute = self.breakdown_by.currentData()
        chosen = [b for b in self.scores.breakdowns if b.attribute == attribute]
        model = self.models["breakdown"]
        model.set_table(breakdown_table(chosen) if chosen else Table("", "", (), ()))
        self.views["breakdown"].resizeColumnsToContents()
        self.views["breakdown"].resizeRowsToContents()

    def selected_standard(self) -> StandardScore | None:
        row = self.ratings_view.currentIndex().row()
        if self.scores is None or not 0 <= row < len(self.scores.standards):
            return None
        return self.scores.standards[row]

    def _show_standard(self, row: int) -> None:
        if self.scores is None or not 0 <= row < len(self.scores.standards):
            return
        standard = self.scores.standards[row]
        lines = [f"{standard.id} {standard.title}: {standard.statement}"]
        lines += [f"• {flag.text}" for flag in standard.flags]
        if standard.decision:
            d = standard.decision
            lines.append(f"Ratings panel ({d.decided_by}, {d.decided_at[:16]}): {d.reasons}")
        if standard.domain1:
            lines.append(f"Evidence ({standard.domain1.entered_by}): {standard.domain1.evidence}")
        self.statement.setText("\n".join(lines))
        self.models["standard"].set_table(key_questions_table(self.scores, standard)
                                          if standard.assessed == "case"
                                          else Table("", "", (), ()))  # fmt: skip
        if standard.assessed == "inspection":  # domain 1: the interview evidence instead
            from ui.interviews.panel import fill_evidence

            fill_evidence(self.models["standard"], self.window_.runner, standard.id)
        standard_view = self.views["standard"]
        standard_view.resizeColumnsToContents()
        if standard_view.model().columnCount() > 1:
            standard_view.setColumnWidth(1, min(standard_view.columnWidth(1), 320))
        standard_view.resizeRowsToContents()
        self.chart.set_standard(standard)
        self.panel_button.setEnabled(standard.assessed == "case" and standard.flagged)
        self.panel_button.setToolTip(
            "The ratings panel decides on flagged standards only"
            if standard.assessed == "case" and not standard.flagged
            else ""
        )
        self.domain1_button.setEnabled(standard.assessed == "inspection")

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if self.scores is not None:
            self._show_standard(self.ratings_view.currentIndex().row())
        self.summary.setText("The last action failed: see the message.")
        self.failed.emit(error)
        self.window_.show_error(error)

    # -- decisions -------------------------------------------------------------------------------
    def record_panel_decision(self) -> DecisionDialog | None:
        standard = self.selected_standard()
        if standard is None or standard.assessed != "case" or not standard.flagged:
            return None
        intro = "\n".join(
            [f"{standard.id} {standard.title}", standard.statement]
            + [f"• {flag.text}" for flag in standard.flags]
        )
        current = standard.decision.final if standard.decision else standard.provisional
        dialog = DecisionDialog(
            self,
            title=f"Ratings panel decision on {standard.id}",
            intro=intro,
            rating=current,
            words_label="Reasons",
        )
        if standard.decision:
            dialog.words.setPlainText(standard.decision.reasons)
        standard_id = standard.id
        dialog.accepted.connect(lambda: self._submit_decision(standard_id, *dialog.chosen()))
        dialog.open()
        return dialog

    def _submit_decision(self, standard_id: str, rating: Rating, reasons: str) -> None:
        only_complete = self.only_complete.isChecked()  # the case set the panel is shown
        self._run(
            lambda service: decide(
                service, standard_id, rating, reasons, only_complete=only_complete
            )
        )

    def enter_domain1_rating(self) -> DecisionDialog | None:
        standard = self.selected_standard()
        if standard is None or standard.assessed != "inspection":
            return None
        dialog = DecisionDialog(
            self,
            title=f"Domain 1 rating of {standard.id}",
            intro=f"{standard.id} {standard.title}: the lead inspector's single judgement, "
            "using all the relevant sources of evidence.",
            rating=standard.domain1.rating if standard.domain1 else None,
            words_label="Evidence",
        )
        if standard.domain1:
            dialog.words.setPlainText(standard.domain1.evidence)
        from ui.interviews.panel import show_evidence

        show_evidence(dialog, self.window_.runner, standard.id)  # the interviews beside it
        standard_id = standard.id
        dialog.accepted.connect(lambda: self._submit_domain1(standard_id, *dialog.chosen()))
        dialog.open()
        return dialog

    def _submit_domain1(self, standard_id: str, rating: Rating, evidence: str) -> None:
        self._run(lambda service: rate_domain1(service, standard_id, rating, evidence))

    def _run(self, op: Callable[[Service], object]) -> None:
        """A change, then a fresh scoring, in order on the worker thread."""
        only_complete = self.only_complete.isChecked()
        self._set_busy(True)

        def change_then_score(service: Service) -> Scores:
            op(service)
            return score(service, only_complete=only_complete)

        self.window_.runner.submit(change_then_score, self._show_scores, self._failed)

    def import_previous(self, path: str | Path | None = None) -> None:
        """Replace the previous inspection's figures with those of a CSV file."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import the previous inspection's figures", "", "CSV files (*.csv)"
            )
            if not path:
                return
        source = Path(path)
        self._run(lambda service: import_previous_figures(service, source))

    # -- drill-down ------------------------------------------------------------------------------
    def _drill(self, key: str, row: int) -> None:
        model = self.models[key]
        if not 0 <= row < model.rowCount():
            return
        picked = model.row_at(row)
        if picked.item_id is None:
            return
        title = f"Cases behind {picked.item_id}"
        if picked.attribute is not None:
            shown = "not recorded" if picked.value is None else picked.value
            title += f" ({picked.attribute}: {shown})"
        self.drill_down(Drill(picked.item_id, picked.attribute, picked.value, title))

    def drill_down(self, drill: Drill) -> None:
        only_complete = self.only_complete.isChecked()

        def fetch(service: Service) -> list[CaseBehind]:
            return cases_behind(
                service,
                drill.item_id,
                only_complete=only_complete,
                attribute=drill.attribute,
                value=drill.value,
            )

        self.window_.runner.submit(
            fetch, lambda rows: self._show_cases(drill, rows), self.window_.show_error
        )

    def _show_cases(self, drill: Drill, rows: list[CaseBehind]) -> None:
        dialog = CasesBehindDialog(self.window_, drill.title, rows, drill.attribute)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.cases_shown.emit(dialog)

    # -- saving ----------------------------------------------------------------------------------
    def save_tables(self, folder: str | Path | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Save the tables into a folder")
            if not folder:
                return
        scores = self.scores
        if scores is None:
            return
        target = Path(folder)
        from fieldwork.scoring.export import export_tables  # openpyxl loads when first used
        from ui.interviews.panel import interview_output_tables

        only = scores.only_complete
        self._save(
            lambda service: export_tables(
                all_tables(scores) + interview_output_tables(service, only_complete=only), target
            )
        )

    def save_report(self, path: str | Path | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the ratings report", "ratings.pdf", "PDF files (*.pdf)"
            )
            if not path:
                return
        scores = self.scores
        if scores is None:
            return
        target = Path(path)
        from fieldwork.scoring.report import write_report  # reportlab loads when first used
        from ui.interviews.panel import interview_evidence

        only = scores.only_complete
        self._save(
            lambda service: [
                write_report(
                    scores, target, evidence=interview_evidence(service, only_complete=only)
                )
            ]
        )

    def _save(self, op: Callable[[Service], list[Path]]) -> None:
        self._set_busy(True)

        def done(paths: list[Path]) -> None:
            self._set_busy(False)
            self._show_standard(self.ratings_view.currentIndex().row())
            self.summary.setText(
                f"{self.scores.overall.statement if self.scores else ''} "
                f"Saved {len(paths)} file(s) to {paths[0].parent if paths else ''}."
            )
            self.saved.emit(paths)

        self.window_.runner.submit(op, done, self._failed)
