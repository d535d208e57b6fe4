"""Features that add their own menus and actions to the main window.

Each entry is a function ``install(window)`` called once when the main window
is built; it adds actions with ``window.menu("&Title")``. Keeping the list here
lets features (printing, bundles, scoring, sampling) grow without the main
window knowing each of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Install = Callable[["MainWindow"], None]

#: "module:function" names, imported when the main window is built.
EXTENSIONS: list[str] = [
    "ui.sampling_menu:install",
    "ui.central:install",
    "ui.printing:install",
    "ui.scoring:install",
    "ui.bundles:install",
    "ui.interviews:install",
    "ui.qa:install",
]
