"""Start the Qt application."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QFileDialog

from fieldwork import userdirs
from fieldwork.errors import FieldworkError
from fieldwork.paths import resources_dir
from ui.main_window import MainWindow
from ui.settings import Preferences
from ui.unlock import prepare

#: Set to 1, the application quits as soon as the main window lists its cases,
#: after printing "ready": the packaged application's smoke test uses it.
SMOKE_QUIT = "FIELDWORK_SMOKE_QUIT"
SMOKE_TIMEOUT_MS = 120_000


def run(workspace: Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # the GUI's application, never a bare core one
    app.setApplicationName("Fieldwork")
    app.setOrganizationName("Fieldwork")
    app.setWindowIcon(app_icon())
    settings = QSettings()
    if workspace is None:
        last = settings.value("last_workspace") if Preferences(settings).reopen_last else None
        if last and Path(str(last)).exists():
            workspace = Path(str(last))
        else:
            chosen, _ = QFileDialog.getOpenFileName(
                None, "Open workspace", _open_folder(), "Fieldwork workspaces (*.fieldwork)"
            )
            if not chosen:
                return 0
            workspace = Path(chosen)
    smoke = os.environ.get(SMOKE_QUIT) == "1"
    go_ahead, key = prepare(None, workspace, settings, offer=not smoke)
    if not go_ahead:
        return 0
    settings.setValue("last_workspace", str(workspace.resolve()))
    window = MainWindow(workspace, key=key, settings=settings)  # the settings read once
    if os.environ.get(SMOKE_QUIT) == "1":
        _quit_when_ready(app, window)
    window.show()
    return int(app.exec())


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addFile(str(resources_dir() / "icons" / f"fieldwork-{size}.png"))
    return icon


def _open_folder() -> str:
    """Where the open dialog starts: Documents/Fieldwork if it exists, else Documents."""
    try:
        folder = userdirs.workspaces_dir()
        return str(folder if folder.is_dir() else userdirs.documents_dir())
    except FieldworkError:
        return ""


def _quit_when_ready(app: QApplication, window: MainWindow) -> None:
    def ready(count: int) -> None:
        print(f"ready: {count} cases listed", flush=True)
        window.close()

    def too_slow() -> None:
        print(f"fieldwork: not ready after {SMOKE_TIMEOUT_MS // 1000} s", file=sys.stderr)
        app.exit(1)

    window.cases_loaded.connect(ready)
    QTimer.singleShot(SMOKE_TIMEOUT_MS, app, too_slow)
