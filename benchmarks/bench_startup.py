"""Start-up: process start to the main window with the 200-case list, against a bare PySide6
window in the same run; and the installed application's start-up against the source's.

``python -m benchmarks startup`` runs these alone (``make bench BENCH=startup``).
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import QUIET_QT, BenchData, Figure, paired_measured

# In the order the application loads them (fieldwork.cli -> ui.launcher -> ui.app): the
# ``ui`` package first, then Qt.
APP = """
import sys
from ui.main_window import MainWindow
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
window = MainWindow(__import__("pathlib").Path(sys.argv[1]), user="bench")
window.cases_loaded.connect(lambda n: (print("ready", n, flush=True), app.quit()))
window.show()
app.exec()
window.close()
"""

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTableView, QTreeView
from PySide6.QtGui import QStandardItemModel
from PySide6.QtCore import QTimer
app = QApplication(sys.argv[:1])
window = QMainWindow()
splitter = QSplitter()
tree, table = QTreeView(), QTableView()
tree.setModel(QStandardItemModel(10, 1)); table.setModel(QStandardItemModel(200, 7))
splitter.addWidget(tree); splitter.addWidget(table)
window.setCentralWidget(splitter)
window.show()
QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
"""


ROOT = Path(__file__).resolve().parents[1]


def _compile_project() -> None:
    """Bytecode for the project, as an installed application has (pip and PyInstaller compile
    it); a shell with PYTHONDONTWRITEBYTECODE would otherwise compile every module on each
    start-up and measure the compiler, not Fieldwork."""
    for package in ("fieldwork", "ui"):
        compileall.compile_dir(ROOT / package, quiet=1)


def _launch(script: str, *args: str) -> float:
    """Milliseconds from process start to the line "ready" of a Python script."""
    # both scripts drop the same Qt notice (harness.QUIET_QT)
    return _until_ready([sys.executable, "-c", QUIET_QT + script, *args])


def _until_ready(command: list[str], env: dict[str, str] | None = None) -> float:
    """Milliseconds from process start to the line "ready"."""
    env = dict(env or os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # What it says on stderr is kept aside (the packaged app's Qt notices among it) and shown
    # only if it fails.
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("ready"):
                elapsed = (time.perf_counter() - start) * 1000
                break
        else:
            proc.communicate()
            errors.seek(0)
            raise RuntimeError(f"{command[0]} never reported ready:\n{errors.read()}")
        proc.communicate()
    return elapsed


def startup(data: BenchData, repeat: int = 5) -> Figure:
    workspace = data.standard_workspace
    _compile_project()
    # in turn, so that both see the same machine load
    measured = paired_measured(lambda: _launch(APP, str(workspace)), lambda: _launch(BARE), repeat)
    return measured.figure(
        "start-up: process start to main window with 200-case list",
        "ms",
        "≤ 4 × floor and ≤ 1 s",
        limit=4.0,
        absolute_limit=1000.0,
    )


#: The application ``make package`` builds (Linux and Windows; macOS has it inside the .app).
PACKAGED = (
    ROOT / "dist" / "Fieldwork" / ("fieldwork.exe" if sys.platform == "win32" else "fieldwork")
)


def packaged_startup(data: BenchData, repeat: int = 5) -> Figure | None:
    """The installed application's start-up against the source start-up, in the same run:
    both run ``fieldwork open`` (the packaged executable, and ``packaging/entry.py`` with this
    Python) until the case list is shown, as ``make package-test`` does. Measured only
    when a build exists (``make package``)."""
    if not PACKAGED.is_file():
        return None
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-packaged-") as folder:
        home = Path(folder)
        workspace = home / "standard.fieldwork"
        workspace.write_bytes(data.standard_workspace.read_bytes())
        env = {**os.environ, "HOME": str(home), "FIELDWORK_SMOKE_QUIT": "1"}
        env.update({f"XDG_{k}_HOME": str(home / k.lower()) for k in ("CONFIG", "DATA", "STATE")})
        source_command = [sys.executable, str(ROOT / "packaging" / "entry.py")]
        _until_ready([str(PACKAGED), "open", str(workspace)], env)  # the first reads it from disk
        measured = paired_measured(  # in turn, so that both see the same machine load
            lambda: _until_ready([str(PACKAGED), "open", str(workspace)], env),
            lambda: _until_ready([*source_command, "open", str(workspace)], env),
            repeat,
        )
    return measured.figure(
        "start-up: installed app (make package) to the 350-case list",
        "ms",
        "≤ 1.5 × source start-up",
        limit=1.5,
    )


def run(data: BenchData) -> list[Figure]:
    figures = [startup(data)]
    try:
        packaged = packaged_startup(data)
    except RuntimeError as exc:  # a build older than the source, say: not a figure
        print(f"(installed-app start-up not measured: {exc}; rebuild it with `make package`)")
        return figures
    if packaged is None:
        print(f"(no installed-app start-up: {PACKAGED} is not built; run `make package`)")
    else:
        figures.append(packaged)
    return figures
