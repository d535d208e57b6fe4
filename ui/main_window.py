"""The main window: the workspace's case list."""

from __future__ import annotations

import importlib
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QTableView

from fieldwork.errors import FieldworkError
from fieldwork.service import CaseSummary, Service
from ui.case_list import CaseListModel
from ui.extensions import EXTENSIONS
from ui.runner import ServiceRunner


class MainWindow(QMainWindow):
    cases_loaded = Signal(int)  # number of cases now listed

    def __init__(self, workspace: Path, *, user: str | None = None):
        super().__init__()
        self.workspace_path = workspace
        self.setWindowTitle(f"{workspace.name} — Fieldwork")
        self.runner = ServiceRunner(lambda: Service.open(workspace, user=user), self)
        self.case_model = CaseListModel(parent=self)
        self.case_table = QTableView(self)
        self.case_table.setModel(self.case_model)
        self.case_table.setAccessibleName("Cases")
        self.case_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.case_table.horizontalHeader().setStretchLastSection(True)
        self.setCentralWidget(self.case_table)
        self.resize(1000, 640)
        file_menu = self.menu("&File")
        quit_action = file_menu.addAction("&Quit", QKeySequence.StandardKey.Quit, self.close)
        quit_action.setMenuRole(quit_action.MenuRole.QuitRole)
        for name in EXTENSIONS:
            module, _, function = name.partition(":")
            getattr(importlib.import_module(module), function)(self)
        self.statusBar().showMessage("Opening workspace…")
        self.refresh()

    def menu(self, title: str) -> QMenu:
        """The menu with this title, created at the end of the menu bar if it is new."""
        for action in self.menuBar().actions():
            if action.menu() is not None and action.text() == title:
                return action.menu()  # type: ignore[return-value]
        return self.menuBar().addMenu(title)

    def refresh(self) -> None:
        def fetch(service: Service) -> tuple[dict[str, str], list[CaseSummary]]:
            titles = {s.id: s.title for s in service.framework.samples}
            return titles, service.cases()

        self.runner.submit(fetch, self._show_cases, self.show_error)

    def _show_cases(self, result: tuple[dict[str, str], list[CaseSummary]]) -> None:
        titles, cases = result
        self.case_model._sample_titles = titles
        self.case_model.set_cases(cases)
        self.case_table.resizeColumnsToContents()
        self.statusBar().showMessage(f"{len(cases)} cases")
        self.cases_loaded.emit(len(cases))

    def show_error(self, error: BaseException) -> None:
        if isinstance(error, FieldworkError):
            QMessageBox.warning(self, "Fieldwork", error.message)
        else:
            QMessageBox.critical(
                self,
                "Fieldwork: internal error",
                f"Something went wrong inside Fieldwork:\n{error!r}",
            )

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.runner.stop()
        super().closeEvent(event)
