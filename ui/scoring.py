"""Central ▸ Ratings dashboard…: the scoring tables and charts, the ratings panel's and the lead
inspector's decisions, and drill-down from any figure to the cases behind it.

The dashboard shows the tables of ``fieldwork.scoring.tables`` as they are, so every figure
reads the same here as in the PDF and the CSV files. Every read and write goes through
``window.runner``; the dialogs only show and call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
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
    Row,
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

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex


def install(window: MainWindow) -> None:
    """Add Central ▸ Ratings dashboard… to the main window."""
    menu = window.menu("&Central")
    action = menu.addAction("&Ratings dashboard…")
    action.setShortcut(QKeySequence("Ctrl+Shift+R"))
    action.setStatusTip("Score the inspection: ratings, key questions, prompts, panel decisions")
    action.triggered.connect(lambda: open_dashboard(window))


def open_dashboard(window: MainWindow) -> RatingsDashboard:
    existing = window.findChild(RatingsDashboard)
    dashboard = existing or RatingsDashboard(window)
    dashboard.show()
    dashboard.activateWindow()
    if existing is not None:
        dashboard.refresh()
    return dashboard


# -- a table model over a scoring table -------------------------------------------------------
class ScoringTableModel(QAbstractTableModel):
    """Shows one ``Table`` as it is; holds only the rows it was given, never queries."""

    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._table = Table("", "", (), ())

    @property
    def table(self) -> Table:
        return self._table

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def row_at(self, row: int) -> Row:
        return self._table.rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._table.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._table.columns):
            return self._table.columns[section]
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._table.rows):
            return None
        row = self._table.rows[index.row()]
        if not 0 <= index.column() < len(row.cells):
            return None
        cell = row.cells[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return "" if cell is None else str(cell)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(cell, int):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and (row.heading or row.emphasis):
            font = QFont()
            font.setBold(True)
            return font
        if role == self.RowRole:
            return row
        return None


def _table_view(name: str, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view


# -- the chart --------------------------------------------------------------------------------
class BandChart(QWidget):
    """A standard's key questions as bars against the band thresholds (50, 65, 80%).

    Drawn with the palette's colours, so it follows the light or dark theme; bands are told
    apart by shade and name, not by colour alone, and each bar carries its figure.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.standard: StandardScore | None = None
        self.setAccessibleName("Key questions against the band thresholds")
        self.setMinimumHeight(120)

    def set_standard(self, standard: StandardScore | None) -> None:
        self.standard = standard
        self.setAccessibleDescription(self.describe())
        self.setMinimumHeight(60 + 34 * len(standard.key_questions) if standard else 120)
        self.updateGeometry()
        self.update()

    def describe(self) -> str:
        if self.standard is None or not self.standard.key_questions:
            return "No key questions to chart."
        return "; ".join(f"{f.item_id}: {f.shown}" for f in self.standard.key_questions)

    def sizeHint(self) -> QSize:
        return QSize(520, self.minimumHeight())

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        base = palette.color(QPalette.ColorRole.Base)
        painter.fillRect(self.rect(), base)
        standard = self.standard
        if standard is None or not standard.key_questions:
            painter.setPen(text)
            message = (
                "Domain 1 standards are rated by the lead inspector: there is no chart."
                if standard is not None
                else "Select a standard to see its key questions."
            )
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, message)
            return
        metrics = painter.fontMetrics()
        left = metrics.horizontalAdvance("0.0.00") + 12
        right = 16
        top = 2 * metrics.height() + 6
        bottom = metrics.height() + 8
        width = max(10, self.width() - left - right)
        height = self.height() - top - bottom

        def x(pct: float) -> float:
            return left + width * pct / 100

        bands = standard.rules.bands if standard.rules else ()
        for n, band in enumerate(bands):
            upper = band.next.lowest if band.next else 100
            shade = QColor(text)
            shade.setAlpha(18 if n % 2 == 0 else 36)
            painter.fillRect(QRectF(x(band.lowest), top, x(upper) - x(band.lowest), height), shade)
            painter.setPen(text)
            label = band.rating.value if band.rating is not Rating.REQUIRES_IMPROVEMENT else "RI"
            painter.drawText(
                QRectF(x(band.lowest), 0, x(upper) - x(band.lowest), top - 4),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                label,
            )
            if band.lowest:
                pen = QPen(text, 1, Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.drawLine(int(x(band.lowest)), top, int(x(band.lowest)), top + height + 4)
        painter.setPen(text)
        for tick in sorted({0, 100, *(band.lowest for band in bands)}):
            painter.drawText(
                QRectF(x(tick) - 20, top + height + 4, 40, metrics.height()),
                int(Qt.AlignmentFlag.AlignHCenter),
                f"{tick}%",
            )
        figures = standard.key_questions
        slot = height / len(figures)
        bar = min(22.0, slot * 0.6)
        lowest = standard.lowest
        highlight = palette.color(QPalette.ColorRole.Highlight)
        for n, figure in enumerate(figures):
            y = top + n * slot + (slot - bar) / 2
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y, left - 6, bar),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                figure.item_id,
            )
            pct = figure.percentage
            if pct is None:
                painter.drawText(
                    QRectF(x(0) + 4, y, width, bar),
                    int(Qt.AlignmentFlag.AlignVCenter),
                    "no applicable cases",
                )
                continue
            is_lowest = lowest is not None and figure.item_id == lowest.item_id
            rect = QRectF(x(0), y, x(pct) - x(0), bar)
            painter.fillRect(rect, highlight if is_lowest else base)
            painter.setPen(QPen(text, 1.5 if is_lowest else 1))
            painter.drawRect(rect)
            painter.setPen(text)
            label = f"{pct}% ({figure.yes}/{figure.applicable})"
            painter.drawText(
                QRectF(x(pct) + 4, y, width, bar), int(Qt.AlignmentFlag.AlignVCenter), label
            )


# -- dialogs ----------------------------------------------------------------------------------
class DecisionDialog(QDialog):
    """A rating and the words behind it: the ratings panel's reasons or the lead inspector's
    evidence. OK is offered once the words are given."""

    def __init__(
        self,
        parent: QWidget,
        *,
        title: str,
        intro: str,
        rating: Rating | None,
        words_label: str,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        about = QLabel(intro, self)
        about.setWordWrap(True)
        about.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(about)
        form = QFormLayout()
        self.rating = QComboBox(self)
        self.rating.setAccessibleName("Rating")
        for choice in Rating:
            self.rating.addItem(choice.value, choice)
        if rating is not None:
            self.rating.setCurrentIndex(list(Rating).index(rating))
        form.addRow("&Rating:", self.rating)
        self.words = QPlainTextEdit(self)
        self.words.setAccessibleName(words_label)
        self.words.setTabChangesFocus(True)
        form.addRow(f"&{words_label}:", self.words)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.ok_button.setEnabled(False)
        self.words.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.words.toPlainText().strip()))
        )
        self.resize(520, 360)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def chosen(self) -> tuple[Rating, str]:
        return self.rating.currentData(), self.words.toPlainText().strip()


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
        self.table = _table_view("Cases behind the figure", self)
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
        view = _table_view(name, parent)
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

        self._save(lambda _service: export_tables(all_tables(scores), target))

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

        self._save(lambda _service: [write_report(scores, target)])

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
