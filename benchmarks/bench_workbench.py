"""The workbench's figures: moving to the next prompt, the 10,000-case list, and memory.

Measured on the real main window (offscreen under ``make bench``). Times include Qt's
repaint of what changed, so a figure is the time until the inspector could see it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.harness import QUIET_QT, BenchData, Figure, percentile

ROOT = Path(__file__).resolve().parents[1]
MOVES = 300
#: What the filter box holds after each keystroke: typing two searches and deleting them.
FILTER_TYPING = [
    text[:n]
    for text in ("E123", "pso high")
    for n in [*range(len(text) + 1), *range(len(text) - 1, -1, -1)]
]


def _app():  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([sys.argv[0]])


def _wait(app, done: Callable[[], bool], timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.001)


def settle() -> None:
    """Let Qt finish what an input started, as its event loop would before the next input:
    posted layout requests, repaints of what changed (and the repaints those cause), and
    timers due now. ``QWidget.repaint()`` alone is no measure: it paints before pending
    layouts are done (the panel then lays out and paints again, unmeasured), and repaints
    a whole widget where Qt repaints only what changed."""
    from PySide6.QtCore import QAbstractEventDispatcher, QEventLoop

    dispatcher = QAbstractEventDispatcher.instance()
    assert dispatcher is not None
    while dispatcher.processEvents(QEventLoop.ProcessEventsFlag.AllEvents):
        pass  # something was done: it may have posted more


def _open(app, path: Path, folder: Path):  # type: ignore[no-untyped-def]
    """A main window on ``path``, shown; returns (window, ms until the case list was filled)."""
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    loaded: list[float] = []
    start = time.perf_counter()
    window = MainWindow(path, user="bench", settings=settings)
    window.cases_loaded.connect(lambda n: loaded.append(time.perf_counter()))
    window.resize(1280, 800)
    window.show()
    _wait(app, lambda: bool(loaded))
    window.case_list.table.repaint()
    return window, (time.perf_counter() - start) * 1000


def _close(app, window) -> None:  # type: ignore[no-untyped-def]
    closed: list[bool] = []
    window.window_closed.connect(lambda: closed.append(True))
    window.close()
    _wait(app, lambda: bool(closed))


def next_prompt_figure(data: BenchData, folder: Path) -> Figure:
    """p95 of J (next item) until the navigator and the item panel are laid out and
    repainted (``settle``)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app = _app()
    window, _ = _open(app, data.standard_workspace, folder)
    case = next(
        window.case_model.case_at(r)
        for r in range(window.case_model.rowCount())
        if window.case_model.case_at(r).sample == "case-supervision"
    )
    opened: list[str] = []
    window.case_opened.connect(opened.append)
    window.open_case(case.id)
    _wait(app, lambda: bool(opened))
    view = window.case_view
    view.focus_navigator()
    app.processEvents()
    samples = []
    key = Qt.Key.Key_J
    for _ in range(MOVES):
        before = view.current_item.item_id
        settle()  # what the last move left to do is not this one's
        start = time.perf_counter()
        QTest.keyClick(view.navigator, key)
        settle()
        samples.append((time.perf_counter() - start) * 1000)
        if view.current_item.item_id == before:  # the last item: walk back up
            key = Qt.Key.Key_K if key == Qt.Key.Key_J else Qt.Key.Key_J
    _close(app, window)
    return Figure(
        "move to the next prompt, p95 (key to laid out and repainted)",
        percentile(samples, 95),
        "ms",
        "p95 <= 16 ms",
        limit=16,
    )


def case_list_figures(data: BenchData, folder: Path) -> list[Figure]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app = _app()
    path = data.national_workspace
    window, _ = _open(app, path, folder)  # the first open also writes the hourly backup
    _close(app, window)
    opens = []
    for _ in range(3):
        window, ms = _open(app, path, folder)
        opens.append(ms)
        if len(opens) < 3:
            _close(app, window)
    page = window.case_list
    assert page.model.rowCount() >= 10_000
    titles = {s.id: s.title for s in window.framework.samples}

    # the share of that which is the case list's: fetching the rows (on the window's own
    # store thread) and filling the table, as the window does once the workspace is open;
    # timed once the integrity check beside the work has ended, so as not to time it too
    _wait(app, lambda: window.housekeeper.done)
    fetches, fills = [], []
    for _ in range(3):
        start = time.perf_counter()
        got: list[object] = []
        window.runner.submit(lambda service: service.cases(), got.append)
        _wait(app, lambda got=got: bool(got))
        fetched = time.perf_counter()
        page.set_cases(titles, got[0])  # type: ignore[arg-type]
        page.table.repaint()
        fills.append((time.perf_counter() - fetched) * 1000)
        fetches.append((fetched - start) * 1000)

    page.focus_filter()
    page.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # the worst case: sorted
    app.processEvents()
    keystrokes = []
    for before, after in zip(FILTER_TYPING, FILTER_TYPING[1:], strict=False):
        start = time.perf_counter()
        if len(after) > len(before):
            QTest.keyClick(page.filter_edit, after[-1])
        else:
            QTest.keyClick(page.filter_edit, Qt.Key.Key_Backspace)
        page.table.repaint()
        keystrokes.append((time.perf_counter() - start) * 1000)
        assert page.filter_edit.text() == after, (page.filter_edit.text(), after)
    _close(app, window)

    # the share of it that is opening the store as the window does (integrity check deferred),
    # and the check the window then runs beside the work (ui/housekeeping.py)
    from fieldwork.service import Service
    from fieldwork.store import check_and_back_up

    stores, checks = [], []
    for _ in range(3):
        start = time.perf_counter()
        Service.open(path, backup=False, check=False).close()
        stores.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        check_and_back_up(path, on_connect=None)
        checks.append((time.perf_counter() - start) * 1000)
    opens.sort()
    fills.sort()
    stores.sort()
    return [
        Figure(
            "case list: open a 10,000-case workspace (window to list filled)",
            opens[1],
            "ms",
            "<= 300 ms",
            limit=300,
        ),
        Figure(
            "  of which opening the store (check deferred)",
            stores[1],
            "ms",
            "(part of the above)",
        ),
        Figure(
            "  then integrity check and backup, in the background",
            sorted(checks)[1],
            "ms",
            "(not on the open path)",
        ),
        Figure(
            "  of which fetching 10,000 rows (Service.cases, store thread)",
            sorted(fetches)[1],
            "ms",
            "(part of the above)",
        ),
        Figure(
            "  of which the case list: filling and showing them",
            fills[1],
            "ms",
            "(part of the above)",
        ),
        Figure(
            "case list: apply a filter keystroke, p95 (10,000 cases, sorted)",
            percentile(keystrokes, 95),
            "ms",
            "<= 50 ms",
            limit=50,
        ),
    ]


_MEMORY_SCRIPT = """
import json, resource, sys, tempfile, time
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from ui.main_window import MainWindow
folder = Path(tempfile.mkdtemp())
settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
window = MainWindow(Path(sys.argv[1]), user="bench", settings=settings)
state = {}
window.cases_loaded.connect(lambda n: state.setdefault("cases", n))
window.case_opened.connect(lambda case_id: state.setdefault("case", case_id))
window.resize(1280, 800)
window.show()
deadline = time.time() + 120
while "cases" not in state and time.time() < deadline:
    app.processEvents(); time.sleep(0.001)
table = window.case_list.table
table.sortByColumn(1, table.horizontalHeader().sortIndicatorOrder())
window.case_list.filter_edit.setText("high")
window.case_list.filter_edit.setText("")
window.open_case(window.case_model.case_at(0).id)
while "case" not in state and time.time() < deadline:
    app.processEvents(); time.sleep(0.001)
window.repaint()
# VmHWM is this process's own high-water mark; ru_maxrss would also count the parent's
# memory, which Linux carries over when the child is started by vfork and exec.
status = Path("/proc/self/status")
if status.exists():
    hwm = [line for line in status.read_text().splitlines() if line.startswith("VmHWM:")]
    peak_kb = int(hwm[0].split()[1])
else:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
window.close()
print(json.dumps({"cases": state.get("cases"), "peak_mb": peak_kb / 1024}))
"""


def memory_figure(data: BenchData) -> Figure:
    """Peak RSS of a fresh GUI process with the 10,000-case workspace open (and a case)."""
    path = data.national_workspace
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run(
        [sys.executable, "-c", QUIET_QT + _MEMORY_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["cases"] >= 10_000, figures
    return Figure(
        "memory: GUI with the 10,000-case workspace open, peak RSS",
        figures["peak_mb"],
        "MB",
        "<= 250 MB",
        limit=250,
    )


def run(data: BenchData) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-workbench-") as scratch:
        folder = Path(scratch)
        figures = [next_prompt_figure(data, folder)]
        figures += case_list_figures(data, folder)
    figures.append(memory_figure(data))
    return figures
