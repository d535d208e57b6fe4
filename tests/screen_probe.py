"""Run by tests/test_gui_screens.py in a fresh process per screen size and scale factor
(``QT_SCALE_FACTOR`` must be set before the QApplication exists): opens the main window
on a small workspace, a case, a judgement and every dialog, and prints one JSON line of
what it measured and every piece of text that did not fit.

    python -m tests.screen_probe WIDTHxHEIGHT FOLDER
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _platform(width: int, height: int, folder: Path) -> None:
    config = folder / "screen.json"
    screen = {"name": "probe", "x": 0, "y": 0, "width": width, "height": height}
    screen |= {"logicalDpi": 96, "logicalDpiX": 96, "logicalDpiY": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def clipped(widget: Any) -> list[str]:
    """Labels and buttons under ``widget`` (shown ones) whose text does not fit them."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    problems = []
    for label in widget.findChildren(QLabel):
        if not label.isVisible() or not label.text() or label.pixmap() and not label.text():
            continue
        if label.parent() is not None and type(label.parent()).__name__ == "QToolTip":
            continue
        if label.wordWrap():
            needed_h = label.heightForWidth(label.width())
            needed_w = label.minimumSizeHint().width()
        else:
            needed_w, needed_h = label.sizeHint().width(), label.sizeHint().height()
        scrolled = _in_scroll_area(label)
        if label.width() + 1 < needed_w or (needed_h > label.height() + 1 and not scrolled):
            problems.append(
                f"{widget.windowTitle()}: label {label.text()[:50]!r} is "
                f"{label.width()}x{label.height()}, needs {needed_w}x{needed_h}"
            )
    problems += cut_off(widget)
    for button in widget.findChildren(QAbstractButton):
        if not button.isVisible() or not button.text():
            continue
        if button.width() + 1 < button.sizeHint().width() and type(button).__name__ not in (
            "QToolButton",
        ):
            problems.append(
                f"{widget.windowTitle()}: button {button.text()!r} is {button.width()} wide, "
                f"needs {button.sizeHint().width()}"
            )
    return problems


def cut_off(widget: Any) -> list[str]:
    """Controls and text that a parent cuts off at the side (or, outside a scrolled area,
    at the bottom): what the inspector cannot see or reach by scrolling."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QLabel,
        QLineEdit,
        QScrollArea,
        QTabBar,
        QWidget,
    )

    problems = []
    kinds = (QLabel, QAbstractButton, QComboBox, QLineEdit)
    for child in widget.findChildren(QWidget):
        if not child.isVisible() or not isinstance(child, kinds):
            continue
        if isinstance(child, QLabel | QAbstractButton) and not child.text():
            continue
        if type(child).__name__ in ("QToolButton",) and isinstance(child.parent(), QTabBar):
            continue
        seen = child.visibleRegion().boundingRect()
        if seen.isEmpty():
            continue  # scrolled out of view, or under another page
        scrolled = _in_scroll_area(child)
        text = child.text() if hasattr(child, "text") else child.accessibleName()
        if seen.width() + 1 < child.width():
            problems.append(
                f"{widget.windowTitle()}: {type(child).__name__} {str(text)[:40]!r} is cut "
                f"off at the side ({seen.width()} of {child.width()} shown)"
            )
        elif seen.height() + 1 < child.height() and not scrolled:
            problems.append(
                f"{widget.windowTitle()}: {type(child).__name__} {str(text)[:40]!r} is cut "
                f"off at the bottom ({seen.height()} of {child.height()} shown)"
            )
    for bar in widget.findChildren(QTabBar):
        if bar.isVisible() and bar.width() + 1 < bar.sizeHint().width():
            problems.append(
                f"{widget.windowTitle()}: tabs {[bar.tabText(i) for i in range(bar.count())]} "
                f"need {bar.sizeHint().width()}, have {bar.width()}"
            )
    del QScrollArea
    return problems


def _in_scroll_area(widget: Any) -> bool:
    from PySide6.QtWidgets import QScrollArea

    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def main(argv: list[str]) -> int:
    width, height = (int(n) for n in argv[0].split("x"))
    folder = Path(argv[1])
    _platform(width, height, folder)
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QDialog

    app = QApplication([sys.argv[0]])
    from tests.conftest import FakeClock
    from tests.test_gui_helpers import make_workbench
    from ui import help as help_dialogs
    from ui.main_window import MainWindow
    from ui.widgets import ask_reason, fits, show_saved

    def wait(done: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("the window did not get there")
            app.processEvents()
            time.sleep(0.002)

    def settle() -> None:
        for _ in range(20):
            app.processEvents()

    bench = make_workbench(folder, FakeClock())
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bench.path, user="Helen", settings=settings)
    loaded: list[int] = []
    window.cases_loaded.connect(loaded.append)
    window.show()
    wait(lambda: bool(loaded))
    wait(lambda: window.home.panel.summary is not None)
    settle()
    screen = window.screen().availableGeometry()
    out: dict[str, Any] = {
        "screen": [screen.width(), screen.height()],
        "window": [window.width(), window.height()],
        "fits": fits(window) and screen.contains(window.frameGeometry()),
        "problems": [],
    }
    out["problems"] += clipped(window)

    opened: list[str] = []
    window.case_opened.connect(opened.append)
    window.open_case(bench.cases["REF0001"])
    wait(lambda: bool(opened))
    view = window.case_view
    settle()
    out["problems"] += [f"prompt: {p}" for p in clipped(view.prompt_panel)]
    view.go_to("2.1.1")
    settle()
    listing = view.judgement_panel.prompt_list
    chars = listing.fontMetrics().averageCharWidth()
    out["answer_list_chars"] = listing.viewport().width() / chars
    out["problems"] += [f"judgement: {p}" for p in clipped(view.judgement_panel)]
    out["window_after_case"] = [window.width(), window.height()]
    out["fits_after_case"] = fits(window)

    dialogs: list[tuple[str, Callable[[], object]]] = [
        ("settings", window.edit_settings),
        ("about", window.show_about),
        ("keys", window.show_shortcuts),
        (
            "reason",
            lambda: ask_reason(
                window,
                "Change a completed case",
                "Case REF0001 is marked complete. Say why you are changing it; the reason is "
                "kept in the case's history.",
                lambda reason: None,
            ),
        ),
        (
            "saved",
            lambda: show_saved(
                window,
                "Case summary sheets saved",
                "Saved 1 case summary sheet as",
                folder / "REF0001 2019-07-12.pdf",
            ),
        ),
    ]
    for name in ("open_setup", "open_import", "open_allocation", "open_rotate_keys"):
        central = getattr(window, "central", None)
        if central is not None and hasattr(central, name):
            dialogs.append((name, getattr(central, name)))
    try:
        from ui.sampling import open_sample_dialog

        dialogs.append(("sample", lambda: open_sample_dialog(window)))
    except ImportError:
        pass
    bundles = getattr(window, "bundles", None)
    if bundles is not None:
        dialogs += [("export", bundles.export), ("make keys", bundles.make_keys)]
    try:
        from ui.scoring.menu import open_dashboard

        dialogs.append(("dashboard", lambda: open_dashboard(window)))
    except ImportError:
        pass
    panel = getattr(window, "interview_panel", None)
    if panel is not None:
        from fieldwork.interviews.questionnaire import OFFICER
        from fieldwork.interviews.store import Interviews

        made: list[Any] = []
        window.runner.submit(
            lambda s: Interviews(s).create(OFFICER, "Jo Bloggs", case_ids=[bench.cases["REF0001"]]),
            made.append,
        )
        wait(lambda: bool(made))
        dialogs.append(("interview", lambda: panel.open_interview(made[0].id)))
    out["dialogs"] = []
    for name, opener in dialogs:
        before = {w for w in app.topLevelWidgets() if w.isVisible()}
        opener()
        settle()
        wait(lambda: not window.runner.busy)
        settle()
        shown = [
            w
            for w in app.topLevelWidgets()
            if w.isVisible() and w not in before and (isinstance(w, QDialog) or name == "interview")
        ]
        for dialog in shown:
            out["dialogs"].append(name)
            if not screen.contains(dialog.frameGeometry()):
                out["problems"].append(
                    f"{name}: dialog {dialog.frameGeometry().getRect()} is off the screen"
                )
            out["problems"] += [f"{name}: {p}" for p in clipped(dialog)]
            dialog.close()
            settle()
    del help_dialogs
    view.flush()
    window.close()
    settle()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
