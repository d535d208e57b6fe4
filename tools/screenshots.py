"""Take the workbench screenshots shown in docs/workbench.md: ``python tools/screenshots.py DIR``.

Makes a demo inspection in a scratch folder, opens it in the real main window and
captures the case list, a case in progress (a prompt with its guidance shown), a
key question's judgement, the completion view and the case in the dark theme. With
no display it runs itself again under ``xvfb-run``, so the pictures are the X11
rendering a user would see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1360, 820)


def _rerun_under_xvfb(argv: list[str]) -> int | None:
    if (
        os.environ.get("DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
        or os.environ.get("FIELDWORK_SCREENSHOTS_NESTED")
    ):
        return None
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        print("no display and no xvfb-run: install Xvfb (apt-get install -y xvfb)", file=sys.stderr)
        return 2
    env = {**os.environ, "FIELDWORK_SCREENSHOTS_NESTED": "1"}
    command = [xvfb, "-a", "-s", "-screen 0 1600x1000x24", sys.executable, __file__, *argv]
    return subprocess.call(command, env=env)


def dark_palette():  # type: ignore[no-untyped-def]
    """A dark palette as a desktop's dark theme gives one (Xvfb has no desktop theme)."""
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#2b2b2b"),
        (roles.WindowText, "#e6e6e6"),
        (roles.Base, "#1e1e1e"),
        (roles.AlternateBase, "#262626"),
        (roles.Text, "#e6e6e6"),
        (roles.Button, "#353535"),
        (roles.ButtonText, "#e6e6e6"),
        (roles.Highlight, "#2f65ca"),
        (roles.HighlightedText, "#ffffff"),
        (roles.ToolTipBase, "#353535"),
        (roles.ToolTipText, "#e6e6e6"),
        (roles.PlaceholderText, "#9a9a9a"),
        (roles.Mid, "#444444"),
    ):
        palette.setColor(role, QColor(colour))
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def main(argv: list[str]) -> int:
    rerun = _rerun_under_xvfb(argv)
    if rerun is not None:
        return rerun
    sys.path.insert(0, str(ROOT))

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from fieldwork.applicability import ItemKind
    from fieldwork.demo import make_demo
    from ui.main_window import MainWindow

    out = Path(argv[0] if argv else "docs/images")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Fieldwork")

    def wait(signal: object, timeout_ms: int = 20_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)  # type: ignore[attr-defined]
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def shoot(window: MainWindow, name: str) -> None:
        settle()
        window.grab().save(str(out / name))
        print(f"wrote {out / name}")

    with tempfile.TemporaryDirectory(prefix="fieldwork-shots-") as scratch:
        path = Path(scratch) / "north-west-demo.fieldwork"
        make_demo(path, seed=2020).close()
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(path, user="Helen Adeyemi", settings=settings)
        window.resize(*SIZE)
        window.show()
        wait(window.cases_loaded)
        window.case_list.table.selectRow(2)
        shoot(window, "case-list.png")

        model = window.case_model
        cases = [model.case_at(row) for row in range(model.rowCount())]
        case = next(
            c for c in cases if c.status == "in progress" and c.sample == "case-supervision"
        )
        window.open_case(case.id)
        wait(window.case_opened)
        view = window.case_view
        view.toggle_guidance()
        shoot(window, "case-in-progress.png")

        session = view.session
        assert session is not None
        judged = next(
            i
            for i in session.detail.items
            if i.kind is ItemKind.JUDGEMENT and i.applies and i.missing is None
        )
        view.go_to(judged.item_id)
        shoot(window, "case-judgement.png")

        view.show_completion()
        shoot(window, "case-completion.png")

        # the same case in the system's dark theme (nothing in the workbench sets a colour
        # but the state icons, so the palette decides)
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
        view.side.setCurrentWidget(view.attributes)
        view.go_to(session.detail.first_unanswered().item_id)
        shoot(window, "case-dark.png")
        window.close()
        wait(window.window_closed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
