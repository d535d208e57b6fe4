"""Central ▸ Sample…: the menu entry. The dialog's module (``ui.sampling``) and the core's
sampling modules are loaded when the dialog is first opened, not at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def install(window: MainWindow) -> None:
    """Add Central ▸ Sample… to the main window."""
    menu = window.menu("&Central")
    # No shortcut of its own: Ctrl+Shift+S is Save As almost everywhere (Alt+C, M reaches it).
    action = menu.addAction("Sa&mple…")
    action.setStatusTip("Import the eligible population, draw the sample and see its working")
    action.triggered.connect(lambda: _open_sample_dialog(window))


def _open_sample_dialog(window: MainWindow) -> None:
    from ui.sampling import open_sample_dialog

    open_sample_dialog(window)
