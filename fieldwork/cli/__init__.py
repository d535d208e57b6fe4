"""The ``fieldwork`` command line, and the ``fieldwork`` console script's entry point.

Each command lives in a module of this package that defines
``register(subparsers)``; ``COMMAND_MODULES`` lists the modules with the commands
each registers. Only the module of the command being run is imported (all of them
for ``--help`` or a command not known), so ``fieldwork --version`` imports no command
and ``fieldwork info`` only the service, not bundles, reports or spreadsheets.

With no command, or ``open``, the graphical application opens: the GUI module is
imported by name (``GUI_MODULE``) only then, so the core never imports Qt and every
other command runs where PySide6 is not installed.
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

#: Each command module, in the order ``--help`` lists them, with the commands it registers.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "fieldwork.cli.core": ("demo", "info", "open"),
    "fieldwork.cli.scoring": (
        "score",
        "report",
        "tables",
        "export-data",
        "panel",
        "domain1",
        "previous",
        "breakdown",
    ),
    "fieldwork.cli.sampling": ("population", "sample", "allocate"),
    "fieldwork.cli.printing": ("print",),
    "fieldwork.cli.bundles": (
        "keys",
        "export",
        "import",
        "verify",
        "sync",
        "conflicts",
        "resolve",
        "comment",
    ),
    "fieldwork.cli.setup": ("setup",),
    "fieldwork.cli.interviews": ("interviews",),
    "fieldwork.cli.security": ("encrypt", "passphrase"),
}

#: The GUI's module; its ``open_gui(workspace)`` runs the application. Imported by name,
#: and only for ``fieldwork open`` or no command: the core never imports ``ui``.
GUI_MODULE = "ui.launcher"

_GLOBAL_OPTIONS_WITH_VALUE = ("--user",)


def command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word that is neither an option nor an option's
    value; None if there is none."""
    words = iter(argv)
    for word in words:
        if word in _GLOBAL_OPTIONS_WITH_VALUE:
            next(words, None)
        elif word == "--" or not word.startswith("-"):
            return next(words, None) if word == "--" else word
    return None


def modules_for(argv: Sequence[str]) -> list[str]:
    """The command modules needed to parse ``argv``: the named command's; every module for
    help or an unknown command (so the help and the error list every command); none for
    ``--version`` or no command."""
    command = command_in(argv)
    if command is None:
        asks_help = any(word in ("-h", "--help") for word in argv)
        return list(COMMAND_MODULES) if asks_help else []
    known = [m for m, commands in COMMAND_MODULES.items() if command in commands]
    return known or list(COMMAND_MODULES)


def build_parser(modules: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the commands of ``modules`` (default: every command)."""
    parser = argparse.ArgumentParser(
        prog="fieldwork",
        description="Case assessment for probation inspections. With no command, opens the "
        "application.",
    )
    parser.add_argument("--version", action="version", version=f"fieldwork {__version__}")
    parser.add_argument("--user", help="name recorded in the history (default: your login)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if modules is None else modules:
        importlib.import_module(name).register(subparsers)
    return parser


def open_application(workspace: Path | None) -> int:
    """Open the graphical application (``GUI_MODULE``); exit status 2 where Qt or the GUI
    package is not installed. Any other failure to import it is a fault of ours, raised."""
    try:
        gui = importlib.import_module(GUI_MODULE)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        gui_package = GUI_MODULE.split(".")[0]
        if not (missing in ("PySide6", "shiboken6") or exc.name == gui_package):
            raise
        print(
            f"fieldwork: the graphical application is not available here ({missing} is not "
            "installed); every other command works without it",
            file=sys.stderr,
        )
        return 2
    return int(gui.open_gui(workspace))


def main(argv: Sequence[str] | None = None, *, open_gui: OpenGui = open_application) -> int:
    """Run the command line on ``argv`` (default: the process's arguments); the exit status."""
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(modules_for(words)).parse_args(words)
    if args.command is None or args.command == "open":
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
