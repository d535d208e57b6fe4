"""Take the screenshots shown in docs/: ``python tools/screenshots.py DIR``.

Makes a demo inspection in a scratch folder, opens it in the real main window on a
1366×768 screen (the commonest laptop screen) and captures the home view and case list,
a case in progress (a prompt with its guidance shown), a key question's judgement, the
completion view, QA comments, the case in the dark theme, the export-assignment dialog,
and central's import problems and balanced allocation. Then, in a second process on a
1280×720 screen at 150 % scaling (853×480 left for the window), a judgement as a small
laptop shows it. With no display it runs itself under ``xvfb-run``, so the pictures are
the X11 rendering a user would see.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCREEN = "1366x768"
SMALL_SCREEN = "1280x720"
SMALL_SCALE = "1.5"
SMALL_SHOT = "case-1280x720-150.png"


def _rerun_under_xvfb(argv: list[str], screen: str, env: dict[str, str]) -> int:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        print("no display and no xvfb-run: install Xvfb (apt-get install -y xvfb)", file=sys.stderr)
        return 2
    env = {**env, "FIELDWORK_SCREENSHOTS_NESTED": "1"}
    env.pop("QT_QPA_PLATFORM", None)
    command = [xvfb, "-a", "-s", f"-screen 0 {screen}x24", sys.executable, __file__, *argv]
    return subprocess.call(command, env=env)


def _case_csv(path: Path, count: int, *, bad: bool = False) -> Path:
    """A provider's case-supervision export, in its own spellings (like the tests')."""
    rng = random.Random(15)
    clusters = ("Cheshire", "Cumbria and Lancashire", "Greater Manchester", "Merseyside")
    rows = []
    for n in range(count):
        rows.append(
            [
                f"E{900000 + n:06d}",
                rng.choices(["Male", "Female"], weights=[8, 2])[0],
                rng.choice(["Community Sentence", "Post-Release Licence"]),
                rng.choices(["Low", "Medium", "High", "Very high"], weights=[2, 5, 3, 1])[0],
                f"{rng.randint(1, 28):02d}/0{rng.randint(6, 7)}/2019",
                rng.choice(clusters),
                rng.choices(["PO", "PSO", "PQiP"], weights=[6, 3, 1])[0],
                rng.choice(["White", "Ethnic minority"]),
            ]
        )
    if bad:
        rows[0][2] = "Suspended"  # no such disposal
        rows[3][4] = "31/02/2019"  # no such day
        rows[4][0] = rows[2][0]  # a duplicate reference
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ("CRN", "Sex", "Disposal", "RoSH", "Sentence date", "Cluster", "Grade", "Ethnicity")
        )
        writer.writerows(rows)
    return path


def main(argv: list[str]) -> int:
    small = os.environ.get("FIELDWORK_SCREENSHOTS_SMALL") == "1"
    if not os.environ.get("FIELDWORK_SCREENSHOTS_NESTED"):
        code = _rerun_under_xvfb(argv, SCREEN, dict(os.environ))
        if code:
            return code
        small_env = {
            **os.environ,
            "FIELDWORK_SCREENSHOTS_SMALL": "1",
            "QT_SCALE_FACTOR": SMALL_SCALE,
        }
        return _rerun_under_xvfb(argv, SMALL_SCREEN, small_env)
    sys.path.insert(0, str(ROOT))

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from fieldwork.applicability import ItemKind
    from fieldwork.bundles.conflicts import add_qa_comment
    from fieldwork.demo import make_demo
    from ui import theme
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

    def settle(window: MainWindow | None = None) -> None:
        for _ in range(10):
            app.processEvents()
        if window is not None:
            while window.runner.busy:
                app.processEvents()
            for _ in range(10):
                app.processEvents()

    def shoot(widget: QWidget, name: str) -> None:
        settle()
        widget.grab().save(str(out / name))
        print(f"wrote {out / name} ({widget.width()}×{widget.height()})")

    with tempfile.TemporaryDirectory(prefix="fieldwork-shots-") as scratch:
        folder = Path(scratch)
        path = folder / "north-west-demo.fieldwork"
        service = make_demo(path, seed=2020, user="Helen Adeyemi")
        cases = service.cases()
        commented = next(
            c for c in cases if c.status == "in progress" and c.sample == "case-supervision"
        )
        detail = service.case(commented.id)
        first = detail.first_unanswered() or detail.items[0]
        add_qa_comment(
            service,
            commented.id,
            first.item_id,
            "The OASys assessment is dated after the sentence: check which one you read.",
        )
        add_qa_comment(service, commented.id, "", "Please finish this case before the sync.")
        service.close()
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(path, user="Helen Adeyemi", settings=settings)
        window.setGeometry(window.screen().availableGeometry())  # a maximised window
        window.show()
        wait(window.cases_loaded)
        settle(window)
        view = window.case_view
        model = window.case_model
        rows = [model.case_at(row) for row in range(model.rowCount())]
        in_progress = next(
            c
            for c in rows
            if c.status == "in progress" and c.sample == "case-supervision" and c != commented
        )

        if small:
            window.open_case(in_progress.id)
            wait(window.case_opened)
            session = view.session
            assert session is not None
            judged = next(
                i
                for i in session.detail.items
                if i.kind is ItemKind.JUDGEMENT and i.applies and i.missing is None
            )
            view.go_to(judged.item_id)
            settle(window)
            shoot(window, SMALL_SHOT)
            window.close()
            return 0

        window.case_list.table.selectRow(2)
        shoot(window, "case-list.png")

        window.open_case(in_progress.id)
        wait(window.case_opened)
        view.toggle_guidance()
        settle(window)
        shoot(window, "case-in-progress.png")

        session = view.session
        assert session is not None
        judged = next(
            i
            for i in session.detail.items
            if i.kind is ItemKind.JUDGEMENT and i.applies and i.missing is None
        )
        view.toggle_guidance()
        view.go_to(judged.item_id)
        settle(window)
        shoot(window, "case-judgement.png")

        view.show_completion()
        settle(window)
        shoot(window, "case-completion.png")

        window.close_case()
        window.open_case(commented.id)
        wait(window.case_opened)
        wait(view.comments_shown)
        settle(window)
        shoot(window, "case-qa-comment.png")
        window.close_case()

        # central: a bad export's problems, a clean one imported, a balanced allocation
        central = window.central  # type: ignore[attr-defined]
        importing = central.open_import()
        settle(window)
        importing.file.setText(str(_case_csv(folder / "provider-export.csv", 12, bad=True)))
        importing.columns.setPlainText("Sex=gender\nGrade=officer_grade")
        importing.start_import()
        wait(importing.problems_shown)
        settle(window)
        shoot(importing, "central-import-problems.png")
        importing.file.setText(str(_case_csv(folder / "provider-export-2.csv", 12)))
        importing.start_import()
        wait(importing.imported)
        settle(window)
        importing.close()
        allocation = central.open_allocation()
        settle(window)
        allocation.preview_balanced()
        wait(allocation.previewed)
        settle(window)
        shoot(allocation, "central-allocation.png")
        allocation.close()

        bundles = window.bundles  # type: ignore[attr-defined]
        bundles.export()
        settle(window)
        dialog = bundles.export_dialog
        assert dialog is not None
        dialog.passphrase.passphrase.setText("cello")
        settle(window)
        shoot(dialog, "export-assignment.png")
        dialog.reject()

        # the same case in the system's dark theme (the palette decides the colours)
        window.open_case(in_progress.id)
        wait(window.case_opened)
        theme.set_palette(app, theme.dark_palette())
        view.side.setCurrentWidget(view.attributes)
        first_missing = session.detail.first_unanswered()
        if first_missing is not None:
            view.go_to(first_missing.item_id)
        settle(window)
        shoot(window, "case-dark.png")
        window.close()
        wait(window.window_closed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
