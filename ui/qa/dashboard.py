"""The QA dashboard dialog (its menu entry is ``ui.qa.install``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
)

from fieldwork.answers import Answer
from fieldwork.errors import FieldworkError
from fieldwork.qa import double, register, report, review, threads
from fieldwork.scoring.tables import Row, Table
from fieldwork.service import Service
from ui.scoring.table import ScoringTableModel, table_view

if TYPE_CHECKING:
    from ui.main_window import MainWindow

TABS = (
    ("qa-agreement", "&Agreement"),
    ("qa-flags", "F&lags"),
    ("qa-register", "&Register"),
    ("qa-inspectors", "&Inspectors"),
    ("qa-threads", "&Threads"),
)


def open_dashboard(window: MainWindow) -> QaDashboard:
    existing = window.findChild(QaDashboard)
    dashboard = existing or QaDashboard(window)
    dashboard.show()
    dashboard.activateWindow()
    if existing is not None:
        dashboard.refresh()
    return dashboard


class QaDashboard(QDialog):
    tables_shown = Signal(object)  # list[Table]
    saved = Signal(object)  # the paths written
    failed = Signal(object)  # an error shown to the user

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Quality assurance — Fieldwork")
        self.setModal(False)
        layout = QVBoxLayout(self)
        self.summary = QLabel("Reading…", self)
        self.summary.setAccessibleName("Quality assurance summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tabs = QTabWidget(self)
        self.models: dict[str, ScoringTableModel] = {}
        self.views: dict[str, QTableView] = {}
        self.inspector_names: list[str] = []
        for key, title in TABS:
            model = ScoringTableModel(self)
            view = table_view(title.replace("&", ""), self)
            view.setModel(model)
            self.views[key] = view
            self.models[key] = model
            self.tabs.addTab(view, title)
        layout.addWidget(self.tabs, 1)
        draw = QHBoxLayout()
        self.share = QDoubleSpinBox(self)
        self.share.setRange(0.01, 1.0)
        self.share.setSingleStep(0.05)
        self.share.setValue(0.1)
        self.share.setAccessibleName("Share of each inspector's complete cases")
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 2_000_000_000)
        self.seed.setAccessibleName("Seed of the QA draw")
        self.draw_button = QPushButton("&Draw QA sample", self)
        self.draw_button.clicked.connect(lambda: self.draw())
        for widget in (QLabel("Share:", self), self.share, QLabel("Seed:", self), self.seed,
                       self.draw_button):  # fmt: skip
            draw.addWidget(widget)
        draw.addStretch(1)
        self.refresh_button = QPushButton("Re&fresh", self)
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.tables_button = QPushButton("Save ta&bles…", self)
        self.tables_button.clicked.connect(lambda: self.save_tables())
        self.report_button = QPushButton("Save PDF re&port…", self)
        self.report_button.clicked.connect(lambda: self.save_report())
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        for button in (self.refresh_button, self.tables_button, self.report_button, close):
            draw.addWidget(button)
        # The lead's actions on the selected row of the tab they belong to.
        act = QHBoxLayout()
        self.action_buttons: dict[str, tuple[QPushButton, ...]] = {}
        for tab, buttons in (
            ("qa-threads", (("Open a t&hread…", self.open_thread),
                            ("Re&solve thread", self.resolve_selected),
                            ("Re&open thread", self.reopen_selected))),
            ("qa-register", (("A&ccept case", self.accept_selected),
                             ("Ret&urn case for changes…", self.return_selected),
                             ("&Mark a second time…", self.double_mark_selected))),
            ("qa-flags", (("Ad&judicate…", self.adjudicate_selected),)),
        ):  # fmt: skip
            made = []
            for text, slot in buttons:
                button = QPushButton(text, self)
                button.clicked.connect(lambda _checked=False, slot=slot: slot())
                act.addWidget(button)
                made.append(button)
            self.action_buttons[tab] = tuple(made)
        act.addStretch(1)
        layout.addLayout(act)
        layout.addLayout(draw)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter in a table must not draw or close
        self.tabs.currentChanged.connect(lambda _index: self._show_actions())
        self._show_actions()
        self.resize(1000, 640)
        self.refresh()

    # -- the lead's actions ------------------------------------------------------------------
    def _show_actions(self) -> None:
        current = TABS[self.tabs.currentIndex()][0]
        for tab, buttons in self.action_buttons.items():
            for button in buttons:
                button.setVisible(tab == current)

    def selected(self, key: str) -> Row | None:
        """The selected row of a tab's table (None if none is)."""
        view = self.views[key]
        row = view.currentIndex().row()
        model = self.models[key]
        return model.row_at(row) if 0 <= row < model.rowCount() else None

    def _act(self, op: Callable[[Service], object]) -> None:
        self.window_.runner.submit(op, lambda _result: self.refresh(), self._failed)

    def open_thread(
        self, reference: str | None = None, item: str | None = None, text: str | None = None
    ) -> None:
        """Open a review thread on a case's item ("" for the whole case)."""
        if reference is None or item is None or text is None:
            reference, ok = QInputDialog.getText(self, "Open a review thread", "Case reference:")
            if not ok or not reference.strip():
                return
            item, ok = QInputDialog.getText(
                self,
                "Open a review thread",
                "Prompt, key question or attribute (empty: the whole case):",
            )
            if not ok:
                return
            text, ok = QInputDialog.getMultiLineText(self, "Open a review thread", "Comment:")
            if not ok:
                return
        ref, on, said = reference.strip(), item.strip(), text

        def op(service: Service) -> str:
            return threads.open_thread(service, service.find_case(ref).id, on, said)

        self._act(op)

    def double_mark_selected(self, inspector: str | None = None) -> None:
        """Choose the selected register case for a blind second marking by ``inspector``."""
        row = self.selected("qa-register")
        if row is None:
            return
        if inspector is None:
            names = self.inspector_names
            inspector, ok = QInputDialog.getItem(
                self, "Mark a second time", "Second inspector (blind):", names, 0, False
            )
            if not ok:
                return
        who, case_id = inspector, str(row.value)
        self._act(lambda service: double.choose(service, case_id, who))

    def resolve_selected(self) -> None:
        row = self.selected("qa-threads")
        if row is not None:
            self._act(lambda service: threads.resolve(service, str(row.value)))

    def reopen_selected(self, text: str | None = None) -> None:
        row = self.selected("qa-threads")
        if row is None:
            return
        if text is None:
            text, ok = QInputDialog.getText(self, "Reopen the thread", "What is still to do:")
            if not ok:
                return
        self._act(lambda service: threads.reopen(service, str(row.value), text))

    def accept_selected(self) -> None:
        row = self.selected("qa-register")
        if row is not None:
            self._act(lambda service: review.move(service, str(row.value), "accept"))

    def return_selected(self, reason: str | None = None) -> None:
        row = self.selected("qa-register")
        if row is None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(self, "Return for changes", "Reason:")
            if not ok:
                return
        self._act(lambda service: review.move(service, str(row.value), "return", reason))

    def adjudicate_selected(self, answer: Answer | None = None, reason: str | None = None) -> None:
        row = self.selected("qa-flags")
        if row is None or row.item_id is None:
            return
        if answer is None or reason is None:
            choice, ok = QInputDialog.getItem(
                self, "Adjudicate", f"Agreed answer to {row.item_id}:", ["Yes", "No"], 0, False
            )
            if not ok:
                return
            reason, ok = QInputDialog.getText(self, "Adjudicate", "Reason:")
            if not ok:
                return
            answer = Answer.YES if choice == "Yes" else Answer.NO
        item_id, case_id, agreed, why = row.item_id, str(row.value), answer, reason
        self._act(lambda service: double.adjudicate(service, case_id, item_id, agreed, why))

    def refresh(self) -> None:
        today = datetime.now(UTC).date()

        def read(service: Service) -> tuple[list[Table], list[str]]:
            return report.tables(service, today), [i.name for i in service.inspectors()]

        self.window_.runner.submit(read, self._show, self._failed)

    def _show(self, read: tuple[list[Table], list[str]]) -> None:
        tables, self.inspector_names = read
        for table in tables:
            self.models[table.key].set_table(table)
        by_key = {t.key: t for t in tables}
        overall = by_key["qa-agreement"].rows[0].cells
        flags = len(by_key["qa-flags"].rows)
        marked = overall[2] or 0
        agreement = f"{overall[4]}%" if overall[4] is not None else "no figure yet"
        self.summary.setText(
            f"{marked} item(s) marked twice; agreement {agreement}. "
            f"{flags} disagreement(s) could change a band or a rating. "
            f"{len(by_key['qa-register'].rows)} case(s) in the QA register."
        )
        self.tables_shown.emit(tables)

    def _failed(self, error: BaseException) -> None:
        message = error.message if isinstance(error, FieldworkError) else str(error)
        self.summary.setText(f"⚠ {message}")
        self.failed.emit(error)

    def draw(self) -> None:
        share, seed = self.share.value(), self.seed.value()
        self.window_.runner.submit(
            lambda service: register.draw(service, share, seed),
            lambda _drawn: self.refresh(),
            self._failed,
        )

    def save_tables(self, folder: str | Path | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Save the QA tables into a folder")
            if not folder:
                return
        target = Path(folder)
        today = datetime.now(UTC).date()
        self._save(lambda service: report.export(service, target, today=today))

    def save_report(self, path: str | Path | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the QA report", "quality-assurance.pdf", "PDF files (*.pdf)"
            )
            if not path:
                return
        target = Path(path)
        now = datetime.now(UTC)
        self._save(
            lambda service: [target] if report.write_pdf(service, target, printed_at=now) else []
        )

    def _save(self, op: Callable[[Service], list[Path]]) -> None:
        self.window_.runner.submit(op, self.saved.emit, self._failed)
