"""Central ▸ Quality assurance…: the QA dashboard (issue 17). Agreement between first and
second markings, the flags on rating-changing disagreements, the dip-sample register, each
inspector's QA figures and the review threads; draws the QA sample and saves the tables and
the PDF report. The tables are ``fieldwork.qa.report``'s, so every figure reads the same here
as in the PDF and the CSV files; every read and write goes through ``window.runner``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["install"]


def install(window: MainWindow) -> None:
    """Add Central ▸ Quality assurance… to the main window. The dashboard's module (and the
    core's QA modules) are loaded when it is first opened, not at start-up."""
    action = window.menu("&Central").addAction("&Quality assurance…")
    action.setObjectName("central-qa")
    action.setShortcut(QKeySequence("Ctrl+Shift+Q"))
    action.setStatusTip("Agreement of double marking, flags, the QA register and review threads")
    action.triggered.connect(lambda: _open_dashboard(window))


def _open_dashboard(window: MainWindow) -> None:
    from ui.qa.dashboard import open_dashboard

    open_dashboard(window)
