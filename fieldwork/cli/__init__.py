"""The ``fieldwork`` command line.

Each command lives in a module of this package that defines
``register(subparsers)``; the modules are listed in ``COMMAND_MODULES``. The
GUI is opened through a callback the launcher in ``ui/`` passes in, so the core
never imports Qt.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from fieldwork import __version__
from fieldwork.errors import FieldworkError

OpenGui = Callable[[Path | None], int]

COMMAND_MODULES = [
    "fieldwork.cli.core",
    "fieldwork.cli.scoring",
    "fieldwork.cli.sampling",
    "fieldwork.cli.printing",
    "fieldwork.cli.bundles",
    "fieldwork.cli.setup",
    "fieldwork.cli.security",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldwork",
        description="Case assessment for probation inspections. With no command, opens the "
        "application.",
    )
    parser.add_argument("--version", action="version", version=f"fieldwork {__version__}")
    parser.add_argument("--user", help="name recorded in the history (default: your login)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, *, open_gui: OpenGui | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None or args.command == "open":
        if open_gui is None:
            print("fieldwork: the graphical application is not available here", file=sys.stderr)
            return 2
        return open_gui(getattr(args, "workspace", None))
    from fieldwork.cli.security import asking_passphrases

    try:
        with asking_passphrases():  # an encrypted workspace's: environment or terminal
            return int(args.run(args) or 0)
    except FieldworkError as exc:
        print(f"fieldwork: error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fieldwork: interrupted", file=sys.stderr)
        return 130
