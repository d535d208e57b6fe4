"""Central ▸ Sample…: import a population, set the size, see the working, draw the sample.

The dialog shows the sampling report on screen: for a sample already drawn, the stored
draw's working; otherwise a preview of what the Draw button would do with the settings
shown. Every read and write goes through ``window.runner``; the dialog only shows and
calls. Drawing is final (a sample is drawn once per inspection), so the Draw button
asks for a second click, on "Draw now", before anything is stored. The menu entry is
``ui.sampling_menu``'s, so that this module is loaded only when the dialog is opened.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.sampling.draw import (
    Eligibility,
    draw_sample,
    plan_draw,
    read_exclusions,
    stored_draw,
    supervision_window,
)
from fieldwork.sampling.plans import plan_for
from fieldwork.sampling.population import import_population, population_info, saved_mappings
from fieldwork.sampling.reader import PopulationError
from fieldwork.sampling.summary import SamplingSummary, points, preview, sampling_summary
from fieldwork.service import Service

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def open_sample_dialog(window: MainWindow) -> SampleDialog:
    dialog = SampleDialog(window)
    dialog.show()
    dialog.activateWindow()
    return dialog


@dataclass(frozen=True)
class Settings:
    """What the controls say, as plain values for an operation on the worker thread."""

    sample: str
    seed: int
    confidence: float
    margin: float
    size: int | None
    date_from: date | None
    date_to: date | None
    exclude: tuple[str, ...]

    def eligibility(self) -> Eligibility:
        return Eligibility(self.date_from, self.date_to, self.exclude)


@dataclass(frozen=True)
class State:
    """What the worker found for the chosen sample."""

    samples: tuple[tuple[str, str], ...]  # (id, title)
    sample: str
    population: int  # cases imported, 0 if none
    source: str
    drawn: bool
    mappings: tuple[str, ...]
    fieldwork_start: str | None
    has_date: bool
    summary: SamplingSummary | None
    problem: str = ""  # why there is no summary (e.g. nothing eligible)


def _read_state(service: Service, settings: Settings) -> State:
    framework = service.framework
    info = population_info(service, settings.sample)
    drawn = stored_draw(service, settings.sample) is not None
    inspection = service.inspection()
    plan = plan_for(framework, settings.sample)
    summary: SamplingSummary | None = None
    problem = ""
    if drawn:
        summary = sampling_summary(service, settings.sample)
    elif info is not None:
        try:
            summary = preview(
                service,
                plan_draw(
                    service,
                    settings.sample,
                    settings.seed,
                    eligibility=settings.eligibility(),
                    confidence=settings.confidence,
                    margin=settings.margin,
                    size=settings.size,
                ),
            )
        except FieldworkError as exc:
            problem = exc.message
    return State(
        samples=tuple((s.id, s.title) for s in framework.samples),
        sample=settings.sample,
        population=info.rows if info else 0,
        source=info.file if info else "",
        drawn=drawn,
        mappings=tuple(name for _, name in saved_mappings(service, settings.sample)),
        fieldwork_start=inspection.fieldwork_start if inspection else None,
        has_date=plan.date is not None,
        summary=summary,
        problem=problem,
    )


class SampleDialog(QDialog):
    """The central "Sample" view."""

    state_shown = Signal(object)  # State, once the controls and report show it
    drawn = Signal(object)  # SamplingSummary of the sample just drawn
    failed = Signal(str)  # a problem shown in the dialog
    saved = Signal(str)  # path of a report PDF written

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window
        self.runner = window.runner
        self.state: State | None = None
        self._loading = False
        self.setWindowTitle("Sample — Fieldwork")
        self.setAccessibleName("Sample")
        self.resize(980, 760)

        self.sample_box = QComboBox(self)
        self.sample_box.setAccessibleName("Sample")
        self.mapping_box = QComboBox(self)
        self.mapping_box.setAccessibleName("Saved column mapping")
        self.import_button = QPushButton("&Import population…", self)
        self.population_label = QLabel(self)

        self.confidence = QDoubleSpinBox(self)
        self.confidence.setRange(50.0, 99.9)
        self.confidence.setDecimals(1)
        self.confidence.setValue(80.0)
        self.confidence.setSuffix(" %")
        self.confidence.setAccessibleName("Confidence level")
        self.margin = QDoubleSpinBox(self)
        self.margin.setRange(0.5, 25.0)
        self.margin.setDecimals(1)
        self.margin.setValue(5.0)
        self.margin.setSuffix(" points")
        self.margin.setAccessibleName("Margin of error")
        self.by_hand = QCheckBox("Set the size by hand:", self)
        self.size_box = QSpinBox(self)
        self.size_box.setRange(1, 100_000)
        self.size_box.setValue(30)
        self.size_box.setEnabled(False)
        self.size_box.setAccessibleName("Sample size")
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 2_000_000_000)
        self.seed.setValue(date.today().toordinal() % 100_000)
        self.seed.setAccessibleName("Random seed")
        self.seed.setMaximumWidth(180)
        self.window_box = QCheckBox("Only cases dated from", self)
        self.date_from = QDateEdit(self)
        self.date_to = QDateEdit(self)
        for edit, name in ((self.date_from, "Eligible from"), (self.date_to, "Eligible to")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setEnabled(False)
            edit.setAccessibleName(name)
        self.exclude = QLineEdit(self)
        self.exclude.setPlaceholderText("references to leave out, separated by commas or spaces")
        self.exclude.setAccessibleName("Exclusions")
        self.size_label = QLabel(self)
        self.size_label.setAccessibleName("Sample size worked out")

        self.report = QTextBrowser(self)
        self.report.setAccessibleName("Sampling report")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.error.font()
        font.setBold(True)
        self.error.setFont(font)
        self.error.hide()

        self.draw_button = QPushButton("&Draw sample…", self)
        self.confirm_label = QLabel(self)
        self.confirm_button = QPushButton("Draw &now", self)
        self.cancel_button = QPushButton("&Cancel", self)
        self.pdf_button = QPushButton("Save report as &PDF…", self)
        self.close_button = QPushButton("Close", self)
        for widget in (self.confirm_label, self.confirm_button, self.cancel_button):
            widget.hide()

        top = QHBoxLayout()
        top.addWidget(_label("&Sample:", self.sample_box))
        top.addWidget(self.sample_box, 1)
        top.addWidget(_label("Column &mapping:", self.mapping_box))
        top.addWidget(self.mapping_box, 1)
        top.addWidget(self.import_button)

        form = QFormLayout()
        form.addRow("Population:", self.population_label)
        size_row = QHBoxLayout()
        size_row.addWidget(_label("C&onfidence", self.confidence))
        size_row.addWidget(self.confidence)
        size_row.addWidget(_label("margin of &error ±", self.margin))
        size_row.addWidget(self.margin)
        size_row.addWidget(self.by_hand)
        size_row.addWidget(self.size_box)
        size_row.addStretch(1)
        form.addRow("Size:", _row(self, size_row))
        window_row = QHBoxLayout()
        window_row.addWidget(self.window_box)
        window_row.addWidget(self.date_from)
        window_row.addWidget(QLabel("to", self))
        window_row.addWidget(self.date_to)
        window_row.addStretch(1)
        form.addRow("Eligibility:", _row(self, window_row))
        form.addRow("Exclude:", self.exclude)
        form.addRow("See&d:", self.seed)
        form.addRow("", self.size_label)

        buttons = QHBoxLayout()
        buttons.addWidget(self.draw_button)
        buttons.addWidget(self.confirm_label, 1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.report, 1)
        layout.addLayout(buttons)

        self.sample_box.currentIndexChanged.connect(self._sample_changed)
        for spin in (self.confidence, self.margin):
            spin.valueChanged.connect(self.refresh)
        self.seed.valueChanged.connect(self.refresh)
        self.size_box.valueChanged.connect(self.refresh)
        self.by_hand.toggled.connect(self._by_hand_toggled)
        self.window_box.toggled.connect(self._window_toggled)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)
        self.exclude.editingFinished.connect(self.refresh)
        self.import_button.clicked.connect(self._choose_population)
        self.draw_button.clicked.connect(self._ask_to_draw)
        self.confirm_button.clicked.connect(self.draw)
        self.cancel_button.clicked.connect(self._cancel_draw)
        self.pdf_button.clicked.connect(self._choose_pdf)
        self.close_button.clicked.connect(self.close)
        self.refresh()

    # -- reading ------------------------------------------------------------------------------
    def settings(self) -> Settings:
        sample = self.sample_box.currentData() or (
            self.state.sample if self.state else "case-supervision"
        )
        window = self.window_box.isChecked()
        return Settings(
            sample=str(sample),
            seed=self.seed.value(),
            confidence=self.confidence.value(),
            margin=self.margin.value(),
            size=self.size_box.value() if self.by_hand.isChecked() else None,
            date_from=self.date_from.date().toPython() if window else None,  # type: ignore[arg-type]
            date_to=self.date_to.date().toPython() if window else None,  # type: ignore[arg-type]
            exclude=read_exclusions(self.exclude.text().replace(",", "\n").replace(" ", "\n")),
        )

    def refresh(self) -> None:
        """Read the chosen sample's state and show its report (or the draw's preview)."""
        if self._loading:
            return
        settings = self.settings()
        self.runner.submit(lambda service: _read_state(service, settings), self._show, self._fail)

    def _show(self, state: State) -> None:
        self.state = state
        self._loading = True
        try:
            if self.sample_box.count() != len(state.samples):
                self.sample_box.clear()
                for sample_id, title in state.samples:
                    self.sample_box.addItem(title, sample_id)
            self.sample_box.setCurrentIndex(self.sample_box.findData(state.sample))
            current = self.mapping_box.currentText()
            self.mapping_box.clear()
            self.mapping_box.addItem("(match columns by their headings)", None)
            for name in state.mappings:
                self.mapping_box.addItem(name, name)
            if current in state.mappings:
                self.mapping_box.setCurrentText(current)
            self.window_box.setEnabled(state.has_date and not state.drawn)
            if not state.has_date:
                self.window_box.setChecked(False)
            if state.fieldwork_start and not self.window_box.isChecked():
                low, high = supervision_window(date.fromisoformat(state.fieldwork_start))
                self.date_from.setDate(QDate(low.year, low.month, low.day))
                self.date_to.setDate(QDate(high.year, high.month, high.day))
        finally:
            self._loading = False
        if state.drawn and state.summary is not None:
            self._show_settings_of(state.summary)
        for widget in (
            self.confidence,
            self.margin,
            self.by_hand,
            self.seed,
            self.exclude,
            self.import_button,
            self.mapping_box,
        ):
            widget.setEnabled(not state.drawn)
        for edit in (self.date_from, self.date_to):
            edit.setEnabled(self.window_box.isChecked() and not state.drawn)
        self.size_box.setEnabled(self.by_hand.isChecked() and not state.drawn)
        self.draw_button.setEnabled(not state.drawn and state.summary is not None)
        self.pdf_button.setEnabled(state.drawn)
        if state.population:
            self.population_label.setText(
                f"{state.population:,} cases imported from {state.source}"
                + (" — sample drawn" if state.drawn else "")
            )
        else:
            self.population_label.setText("none imported yet: import the provider's list")
        summary = state.summary
        if summary is not None:
            self.size_label.setText(
                f"n = {summary.n} of N = {summary.eligible:,} eligible cases; margin of error "
                f"{points(summary.achieved_margin)} points"
            )
            self.report.setHtml(summary_html(summary))
        else:
            self.size_label.setText("")
            self.report.setHtml(
                f"<p>{html.escape(state.problem)}</p>"
                if state.problem
                else "<p>No population has been imported for this sample yet. Use <b>Import "
                "population…</b> to read the provider's CSV or Excel list of eligible cases.</p>"
            )
        if state.problem:
            self._error(state.problem)
        else:
            self._hide_error()
        self._cancel_draw()
        self.state_shown.emit(state)

    def _show_settings_of(self, summary: SamplingSummary) -> None:
        """Set the controls to the settings the stored draw was made with."""
        self._loading = True
        try:
            self.seed.setValue(summary.seed)
            self.confidence.setValue(summary.size.confidence)
            self.margin.setValue(summary.size.margin)
            self.by_hand.setChecked(summary.size_rule == "given")
            self.size_box.setValue(summary.n)
            window = summary.eligibility
            self.window_box.setChecked(bool(window.date_from or window.date_to))
            for edit, day in ((self.date_from, window.date_from), (self.date_to, window.date_to)):
                if day is not None:
                    edit.setDate(QDate(day.year, day.month, day.day))
            self.exclude.setText(", ".join(window.exclude))
        finally:
            self._loading = False

    # -- importing ----------------------------------------------------------------------------
    def _choose_population(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            "Import the eligible population",
            "",
            "Population lists (*.csv *.xlsx);;All files (*)",
        )
        if chosen:
            self.import_population(Path(chosen))

    def import_population(self, path: Path, mapping_name: str | None = None) -> None:
        """Import a population file for the chosen sample (with the chosen saved mapping)."""
        sample = self.settings().sample
        name = mapping_name or self.mapping_box.currentData()

        def op(service: Service) -> Any:
            return import_population(service, path, sample, mapping_name=name)

        self.runner.submit(op, lambda _: self.refresh(), self._fail)

    # -- drawing ------------------------------------------------------------------------------
    def _ask_to_draw(self) -> None:
        settings = self.settings()
        n = self.state.summary.n if self.state and self.state.summary else 0
        self.confirm_label.setText(
            f"Draw {n} cases with seed {settings.seed}? A sample is drawn once; the cases are "
            "added to the workspace."
        )
        for widget in (self.confirm_label, self.confirm_button, self.cancel_button):
            widget.show()
        self.draw_button.hide()
        self.confirm_button.setFocus()

    def _cancel_draw(self) -> None:
        for widget in (self.confirm_label, self.confirm_button, self.cancel_button):
            widget.hide()
        self.draw_button.show()

    def draw(self) -> None:
        """Draw and store the sample with the settings shown."""
        settings = self.settings()

        def op(service: Service) -> SamplingSummary:
            draw_sample(
                service,
                settings.sample,
                settings.seed,
                eligibility=settings.eligibility(),
                confidence=settings.confidence,
                margin=settings.margin,
                size=settings.size,
            )
            return sampling_summary(service, settings.sample, verify=False)

        def done(summary: SamplingSummary) -> None:
            self.drawn.emit(summary)
            self.window_.refresh()
            self.refresh()

        self._cancel_draw()
        self.draw_button.setEnabled(False)
        self.runner.submit(op, done, self._fail)

    # -- the PDF ------------------------------------------------------------------------------
    def _choose_pdf(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the sampling report", "sampling-report.pdf", "PDF files (*.pdf)"
        )
        if chosen:
            self.save_pdf(Path(chosen))

    def save_pdf(self, path: Path) -> None:
        sample = self.settings().sample
        moment = datetime.now().astimezone()

        def op(service: Service) -> str:
            from fieldwork.sampling.report import write_sampling_report  # reportlab, when used

            return write_sampling_report(service, path, [sample], printed_at=moment).path

        self.runner.submit(op, self.saved.emit, self._fail)

    # -- small things -------------------------------------------------------------------------
    def _sample_changed(self) -> None:
        if not self._loading:
            self.refresh()

    def _by_hand_toggled(self, on: bool) -> None:
        self.size_box.setEnabled(on)
        self.refresh()

    def _window_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.refresh()

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, PopulationError):
            lines = "\n".join(error.lines()[:40])
            more = len(error.problems) - 40
            self._error(
                f"{error.file}: {len(error.problems)} problem(s), nothing was imported:\n{lines}"
                + (f"\n… and {more} more" if more > 0 else "")
            )
        elif isinstance(error, FieldworkError):
            self._error(error.message)
        else:
            self.window_.show_error(error)
        if self.state is not None:
            self.draw_button.setEnabled(not self.state.drawn and self.state.summary is not None)

    def _error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.failed.emit(message)

    def _hide_error(self) -> None:
        self.error.hide()
        self.error.clear()


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text, buddy.parentWidget())
    label.setBuddy(buddy)
    return label


def _row(parent: QWidget, layout: QHBoxLayout) -> QWidget:
    holder = QWidget(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder


def _pct(value: float) -> str:
    return f"{value:.1f}%"


def summary_html(summary: SamplingSummary) -> str:
    """The sampling report as HTML for the on-screen view."""
    e = html.escape
    out = [
        f"<h2>{e(summary.title)}: "
        + ("sample drawn" if summary.drawn else "preview of the draw")
        + "</h2>"
    ]
    steps = "".join(
        f"<tr><td>{e(s.description)}</td><td align=right>−{s.removed:,}</td>"
        f"<td align=right>{s.remaining:,}</td></tr>"
        for s in summary.filters
    )
    out.append(
        "<h3>The population</h3><table border=1 cellspacing=0 cellpadding=3>"
        "<tr><th>Step</th><th>Removed</th><th>Left</th></tr>"
        f"<tr><td>Imported from {e(summary.source)}</td><td></td>"
        f"<td align=right>{summary.population:,}</td></tr>{steps}"
        f"<tr><td><b>Eligible population (N)</b></td><td></td>"
        f"<td align=right><b>{summary.eligible:,}</b></td></tr></table>"
    )
    if summary.size_rule == "given":
        out.append(f"<h3>Sample size</h3><p>Set by hand: n = {summary.n}.</p>")
    else:
        out.append(f"<h3>Sample size</h3><p>{e(summary.size.working())}.</p>")
    if summary.estimated:
        out.append(
            "<p><i>Published data is insufficient for an accurate margin of error for this "
            "work: the size is an estimate (Annexe 2).</i></p>"
        )
    heads = "".join(f"<th>{e(a)}</th>" for a in summary.strata_attributes or ("Stratum",))
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{e(v)}</td>" for v in s.labels or ("all",))
        + f"<td align=right>{s.population:,}</td><td align=right>{_pct(s.population_share)}</td>"
        f"<td align=right>{s.exact:.2f}</td><td align=right>{s.sample}</td>"
        f"<td align=right>{_pct(s.sample_share)}</td><td align=right>{s.reserve}</td></tr>"
        for s in summary.strata
    )
    out.append(
        "<h3>Strata</h3><table border=1 cellspacing=0 cellpadding=3>"
        f"<tr>{heads}<th>Population</th><th>% of N</th><th>Exact share</th><th>Sample</th>"
        f"<th>% of n</th><th>Reserve</th></tr>{rows}</table>"
    )
    shares = "".join(
        f"<tr><td>{e(s.attribute)}</td><td>{e(s.value)}</td>"
        f"<td align=right>{_pct(s.population_share)}</td>"
        f"<td align=right>{_pct(s.sample_share)}</td>"
        f"<td align=right>{s.difference:+.1f}</td></tr>"
        for s in summary.shares
    )
    out.append(
        "<h3>Achieved ratios</h3><table border=1 cellspacing=0 cellpadding=3>"
        "<tr><th>Attribute</th><th>Value</th><th>Population</th><th>Sample</th>"
        f"<th>Difference (points)</th></tr>{shares}</table>"
    )
    subs = "".join(
        f"<tr><td>{e(s.label)}</td><td align=right>{s.population:,}</td>"
        f"<td align=right>{s.sample}</td><td align=right>{points(s.margin)}</td></tr>"
        for s in summary.sub_samples
    )
    out.append(
        "<h3>Margin of error achieved</h3><table border=1 cellspacing=0 cellpadding=3>"
        "<tr><th>Sub-sample</th><th>Population</th><th>Sample</th><th>Margin (points)</th></tr>"
        f"<tr><td><b>Whole sample</b></td><td align=right>{summary.eligible:,}</td>"
        f"<td align=right>{summary.n}</td>"
        f"<td align=right>{points(summary.achieved_margin)}</td></tr>{subs}</table>"
    )
    if summary.replacements:
        replaced = "".join(
            f"<tr><td>{e(r.withdrawn)}</td><td>{e(r.replaced_by)}</td><td>{e(r.reason)}</td></tr>"
            for r in summary.replacements
        )
        out.append(
            "<h3>Replacements from the reserve</h3><table border=1 cellspacing=0 cellpadding=3>"
            f"<tr><th>Withdrawn</th><th>Replaced by</th><th>Reason</th></tr>{replaced}</table>"
        )
    check = {
        True: " Re-drawn with this seed: the same sample.",
        False: " Re-drawn with this seed: DIFFERENT — check the population.",
        None: "",
    }[summary.verified]
    out.append(
        f"<h3>Seed</h3><p>Seed <b>{summary.seed}</b>.{check}</p>"
        f"<p><code>{e(summary.redraw)}</code></p>"
    )
    if not math.isfinite(summary.achieved_margin):
        out.append("<p>No case is drawn.</p>")
    return "".join(out)
