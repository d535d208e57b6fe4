"""Command-line start-up: ``fieldwork --version`` and ``fieldwork info WORKSPACE``.

Each command runs as its own process, as a user or a script runs it, interleaved with
the floor (``python -c "import sqlite3"``) so that both see the same machine load; the
best of several runs is kept, since a shared machine only ever adds time.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.harness import BenchData, Figure

ROOT = Path(__file__).resolve().parents[1]
FLOOR = [sys.executable, "-c", "import sqlite3"]
RUNS = 9


def _fieldwork() -> list[str]:
    """The installed console script (what a user types), else the CLI run as a module."""
    script = Path(sys.executable).with_name("fieldwork.exe" if os.name == "nt" else "fieldwork")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "fieldwork.cli"]


def _run(command: list[str], env: dict[str, str]) -> float:
    """Milliseconds from process start to its exit; a failure is an error, not a figure."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return elapsed


def _best(command: list[str], runs: int = RUNS) -> tuple[float, float]:
    """(best of the command, best of the floor), run in turn."""
    # Bytecode for the core, as an installed application has; a shell with
    # PYTHONDONTWRITEBYTECODE would otherwise measure the compiler.
    compileall.compile_dir(ROOT / "fieldwork", quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    _run(command, env)  # warm the file cache once, for both
    _run(FLOOR, env)
    timings, floor = [], []
    for _ in range(runs):
        floor.append(_run(FLOOR, env))
        timings.append(_run(command, env))
    return min(timings), min(floor)


def _figure(name: str, command: list[str]) -> Figure:
    value, floor = _best(command)
    return Figure(
        name,
        value,
        "ms",
        "≤ 5 × floor and ≤ 300 ms",
        floor=floor,
        limit=5.0,
        absolute_limit=300.0,
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
