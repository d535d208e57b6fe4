"""The ``fieldwork`` console entry point: the core CLI, with the GUI as its default command."""

from __future__ import annotations

import sys
from pathlib import Path

from fieldwork.cli import main as cli_main


def open_gui(workspace: Path | None) -> int:
    from ui.app import run  # Qt is imported only when the GUI is wanted

    return run(workspace)


def main() -> None:
    sys.exit(cli_main(open_gui=open_gui))


if __name__ == "__main__":
    main()
