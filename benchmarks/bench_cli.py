"""Command-line start-up: ``fieldwork --version`` and ``fieldwork info WORKSPACE``.

Each command runs as its own process, as a user or a script runs it, in turn with the floor
(``python -c "import sqlite3"``, ``harness.paired``) so that both see the same machine load:
the figure is the median of each and of the per-pair ratios.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.harness import BenchData, Figure, Paired, paired

ROOT = Path(__file__).resolve().parents[1]
FLOOR = [sys.executable, "-c", "import sqlite3"]
RUNS = 9


def _fieldwork() -> list[str]:
    """The installed console script (what a user types), else the CLI run as a module."""
    script = Path(sys.executable).with_name("fieldwork.exe" if os.name == "nt" else "fieldwork")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "fieldwork.cli"]


def _run(command: list[str], env: dict[str, str]) -> None:
    """The command as its own process, to its exit; a failure is an error, not a figure."""
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")


def _paired(command: list[str], runs: int = RUNS) -> Paired:
    """The command and the floor, run in turn."""
    # Bytecode for the core, as an installed application has; a shell with
    # PYTHONDONTWRITEBYTECODE would otherwise measure the compiler.
    compileall.compile_dir(ROOT / "fieldwork", quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    _run(command, env)  # warm the file cache once, for both
    _run(FLOOR, env)
    return paired(lambda: _run(command, env), lambda: _run(FLOOR, env), runs)


def _figure(name: str, command: list[str]) -> Figure:
    return _paired(command).figure(
        name, "ms", "≤ 5 × floor and ≤ 300 ms", limit=5.0, absolute_limit=300.0
    )


def run(data: BenchData) -> list[Figure]:
    fieldwork = _fieldwork()
    workspace = str(data.standard_workspace)
    return [
        _figure("command line: fieldwork --version", [*fieldwork, "--version"]),
        _figure(
            "command line: fieldwork info (200-case workspace)", [*fieldwork, "info", workspace]
        ),
    ]
