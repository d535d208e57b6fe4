"""Central ▸ Ratings dashboard…"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.scoring.dashboard import RatingsDashboard


def install(window: MainWindow) -> None:
    """Add Central ▸ Ratings dashboard… to the main window."""
    menu = window.menu("&Central")
    action = menu.addAction("&Ratings dashboard…")
    action.setShortcut(QKeySequence("Ctrl+Shift+R"))
    action.setStatusTip("Score the inspection: ratings, key questions, prompts, panel decisions")
    action.triggered.connect(lambda: open_dashboard(window))


def open_dashboard(window: MainWindow) -> RatingsDashboard:
    from ui.scoring.dashboard import RatingsDashboard  # loaded on first use, not at start-up

    existing = window.findChild(RatingsDashboard)
    dashboard = existing or RatingsDashboard(window)
    dashboard.show()
    dashboard.activateWindow()
    if existing is not None:
        dashboard.refresh()
    return dashboard
