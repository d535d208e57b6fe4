"""The GUI's door from the command line: ``fieldwork`` with no command, or ``fieldwork open``.

The console entry point is ``fieldwork.cli:main``; it imports this module by name
(``fieldwork.cli.GUI_MODULE``) only to open the application, so no other command
loads Qt.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fieldwork.errors import FieldworkError
from fieldwork.userdirs import start_log_file
from ui.app import run


def open_gui(workspace: Path | None) -> int:
    _start_log_file()
    return run(workspace)


def _start_log_file() -> None:
    """Log the GUI session to the user's log folder; a failure there never stops the app."""
    try:
        start_log_file()
    except FieldworkError as exc:
        print(f"fieldwork: warning: {exc.message}", file=sys.stderr)
