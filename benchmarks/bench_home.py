"""The home view on the 10,000-case workspace, and the next prompt with auto-advance.

Measured on the real main window (offscreen under ``make bench``): the home figure runs
from asking for the summary (on the window's store thread) to the panel repainted with
it; the auto-advance figure from the answer key to the next item shown, laid out and
repainted, as the event loop leaves it (``bench_workbench.settle``).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

# the window's open, wait and close, as the workbench's figures drive them
from benchmarks.bench_workbench import _app, _close, _open, _wait, settle
from benchmarks.harness import BenchData, Figure, percentile

ANSWERS = 200


def _window(app, path: Path, folder: Path):  # type: ignore[no-untyped-def]
    """The main window on ``path`` at the size of a 1366×768 laptop, its cases listed."""
    window, _ms = _open(app, path, folder)
    window.resize(1366, 768)
    return window


def home_figure(data: BenchData, folder: Path) -> Figure:
    app = _app()
    window = _window(app, data.national_workspace, folder)
    _wait(app, lambda: window.home.panel.summary is not None)
    times = []
    for _ in range(7):
        shown: list[object] = []
        window.home.shown.connect(shown.append)
        start = time.perf_counter()
        window.home.refresh(window.runner)
        _wait(app, lambda shown=shown: bool(shown))
        window.home.panel.repaint()
        times.append((time.perf_counter() - start) * 1000)
        window.home.shown.disconnect()
    assert window.home.panel.summary is not None
    assert window.home.panel.summary.total >= 10_000
    _close(app, window)
    return Figure(
        "home view on the 10,000-case workspace (ask to panel repainted)",
        statistics.median(times),
        "ms",
        "<= 300 ms",
        limit=300,
    )


def auto_advance_figures(data: BenchData, folder: Path) -> list[Figure]:
    """p95 of one answer key with auto-advance: the answer saved and the next item that
    needs one shown, navigator and panel repainted. None until the view can auto-advance."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from fieldwork.applicability import ItemKind
    from fieldwork.demo import DemoSizes, make_demo

    path = folder / "advance.fieldwork"
    make_demo(path, seed=3, sizes=DemoSizes(40, 0, 0), complete=0.0).close()
    app = _app()
    window = _window(app, path, folder)
    view = window.case_view
    if not hasattr(view, "auto_advance"):
        _close(app, window)
        return []
    window.preferences.auto_advance = True
    samples: list[float] = []
    cpu_samples: list[float] = []  # the GUI thread's own CPU time: what a loaded machine adds
    saved_samples: list[float] = []  # the GUI thread's CPU time to show the answer saved
    judgement_samples: list[float] = []  # the answers that moved on to a judgement
    row = 0
    while len(samples) < ANSWERS and row < window.case_model.rowCount():
        case = window.case_model.case_at(row)
        row += 1
        opened: list[str] = []
        window.case_opened.connect(opened.append)
        window.open_case(case.id)
        _wait(app, lambda opened=opened: bool(opened))
        window.case_opened.disconnect()
        view.focus_navigator()
        app.processEvents()
        while len(samples) < ANSWERS:
            item = view.current_item
            if item is None or not view._needs_answer(item):
                break
            others = [i for i in view.session.detail.items if i.item_id != item.item_id]
            if item.kind is ItemKind.JUDGEMENT or not any(map(view._needs_answer, others)):
                # a judgement's key goes to its rationale, and the last answer has nowhere
                # to go: answered, not timed
                QTest.keyClick(view.navigator, Qt.Key.Key_Y)
                if item.kind is ItemKind.JUDGEMENT:
                    note = view.judgement_panel.note
                    QTest.keyClicks(note, "Sound work.")
                    QTest.keyClick(note, Qt.Key.Key_Escape)
                _wait(app, lambda: not view.session.busy, 10)
                if view.current_item.item_id == item.item_id:
                    break
                continue
            settle()  # what the last step left to do is not this answer's
            start, cpu = time.perf_counter(), time.thread_time()
            QTest.keyClick(view.navigator, Qt.Key.Key_Y)
            moved = view.current_item.item_id != item.item_id
            settle()
            samples.append((time.perf_counter() - start) * 1000)
            cpu_samples.append((time.thread_time() - cpu) * 1000)
            assert moved, "auto-advance did not move on"
            if view.current_item.kind is ItemKind.JUDGEMENT:
                judgement_samples.append(samples[-1])
            # then the store's reply: the navigator, progress and status show the answer
            # saved (its wait for the disk is not the GUI thread's; its CPU time is)
            cpu = time.thread_time()
            _wait(app, lambda: not view.session.busy, 10)
            settle()
            saved_samples.append((time.thread_time() - cpu) * 1000)
        window.close_case()
    _close(app, window)
    return [
        Figure(
            "next prompt with auto-advance, p95 (answer key to next item laid out, repainted)",
            percentile(samples, 95),
            "ms",
            "p95 <= 16 ms",
            limit=16,
        ),
        Figure(
            "  of which the GUI thread's own CPU time, p95",
            percentile(cpu_samples, 95),
            "ms",
            "(wall time less waiting)",
        ),
        Figure(
            "  of which the answers moving on to a judgement (its panel for the prompt's), p95",
            percentile(judgement_samples, 95),
            "ms",
            "(part of the above)",
        ),
        Figure(
            "  then the answer shown saved (store's reply), GUI-thread CPU, p95",
            percentile(saved_samples, 95),
            "ms",
            "(a frame of its own)",
        ),
    ]


def run(data: BenchData) -> list[Figure]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fieldwork-home-") as scratch:
        folder = Path(scratch)
        figures = [home_figure(data, folder), *auto_advance_figures(data, folder)]
    return figures
