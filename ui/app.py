"""Start the Qt application."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QFileDialog

from ui.main_window import MainWindow


def run(workspace: Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Fieldwork")
    app.setOrganizationName("Fieldwork")
    settings = QSettings()
    if workspace is None:
        last = settings.value("last_workspace")
        if last and Path(str(last)).exists():
            workspace = Path(str(last))
        else:
            chosen, _ = QFileDialog.getOpenFileName(
                None, "Open workspace", "", "Fieldwork workspaces (*.fieldwork)"
            )
            if not chosen:
                return 0
            workspace = Path(chosen)
    settings.setValue("last_workspace", str(workspace.resolve()))
    window = MainWindow(workspace)
    window.show()
    return int(app.exec())
