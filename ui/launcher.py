"""The ``fieldwork`` console entry point: the core CLI, with the GUI as its default command."""

from __future__ import annotations

import sys
from pathlib import Path

from fieldwork.cli import main as cli_main


def open_gui(workspace: Path | None) -> int:
    from ui.app import run  # Qt is imported only when the GUI is wanted

    _start_log_file()
    return run(workspace)


def _start_log_file() -> None:
    """Log the GUI session to the user's log folder; a failure there never stops the app."""
    from fieldwork.errors import FieldworkError
    from fieldwork.userdirs import start_log_file

    try:
        start_log_file()
    except FieldworkError as exc:
        print(f"fieldwork: warning: {exc.message}", file=sys.stderr)


def main() -> None:
    sys.exit(cli_main(open_gui=open_gui))


if __name__ == "__main__":
    main()
