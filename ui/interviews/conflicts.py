"""Interviews ▸ Interview conflicts…: the versions of interview records two sides changed,
each settled by keeping central's or taking the incoming one (in the history)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from fieldwork.interviews.records import InterviewConflict, conflicts, resolve
from fieldwork.scoring.tables import Row, Table
from fieldwork.service import Service
from ui.runner import ServiceRunner
from ui.scoring.table import ScoringTableModel, table_view

COLUMNS = ("Interview", "Item", "Central", "Incoming", "Bundle", "Kept since")


def _value(record: object, entity: str) -> str:
    if not isinstance(record, dict) or not record:
        return "—"
    if entity == "answer":
        value = record.get("value")
        return "(none)" if value is None else str(value)
    return f"revision {record.get('revision', '?')}" if "revision" in record else "central's"


class InterviewConflictsDialog(QDialog):
    """The open interview conflicts; a choice resolves the selected one."""

    listed = Signal(int)
    failed = Signal(object)

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Interview conflicts")
        self.runner = runner
        self.rows: list[InterviewConflict] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel("Reading the conflicts…", self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.view = table_view("Interview conflicts", self)
        self.model = ScoringTableModel(self.view)
        self.view.setModel(self.model)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(self)
        self.keep_button = QPushButton("Keep &central's", self)
        self.take_button = QPushButton("Take the &incoming", self)
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.take_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.keep_button.clicked.connect(lambda: self.resolve_selected("current"))
        self.take_button.clicked.connect(lambda: self.resolve_selected("incoming"))
        self.resize(820, 420)
        self.refresh()

    def refresh(self) -> None:
        self.runner.submit(lambda service: conflicts(service), self._show, self._failed)

    def _show(self, found: list[InterviewConflict]) -> None:
        self.rows = found
        table = Table(
            "interview-conflicts",
            "Interview conflicts",
            COLUMNS,
            tuple(
                Row(
                    (
                        c.reference,
                        c.item_id or "the interview's own fields",
                        _value(c.current, c.entity),
                        _value(c.incoming, c.entity),
                        c.bundle_id[:8],
                        c.created_at[:16],
                    )
                )
                for c in found
            ),
        )
        self.model.set_table(table)
        self.view.resizeColumnsToContents()
        if found:
            self.view.selectRow(0)
        self.summary.setText(
            f"{len(found)} interview record(s) changed on both sides; central's version is "
            "kept until you choose."
            if found
            else "No interview conflicts."
        )
        self.keep_button.setEnabled(bool(found))
        self.take_button.setEnabled(bool(found))
        self.listed.emit(len(found))

    def resolve_selected(self, keep: str) -> None:
        row = self.view.currentIndex().row()
        if not 0 <= row < len(self.rows):
            return
        conflict_id = self.rows[row].id

        def op(service: Service) -> list[InterviewConflict]:
            resolve(service, conflict_id, keep)
            return conflicts(service)

        self.runner.submit(op, self._show, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.summary.setText(f"Not done: {error}")
        self.failed.emit(error)
