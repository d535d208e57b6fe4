"""What the application loads to show its first window, and what it leaves for later.

The start-up figure (benchmarks/bench_startup.py) depends on the first window loading only
what it shows: the case list, the home panel, the case view's actions and the menus. The
dialogs behind the menus (sampling, set-up, scoring, QA, bundles, printing, help) and the
core modules they need are loaded when first opened. These tests start the application as
``fieldwork open`` does, in a process of its own, and look at what it loaded; and they open
each deferred dialog from its menu, so deferring cannot cost a feature.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldwork.demo import DemoSizes, make_demo

ROOT = Path(__file__).resolve().parent.parent

#: Loaded only when a dialog or command needs them; none is needed to show the case list.
DEFERRED = (
    "reportlab",  # the PDFs
    "openpyxl",  # Excel files
    "cryptography",  # bundles' signatures and encryption
    "PySide6.QtPdf",  # printing
    "PySide6.QtPrintSupport",
    "fieldwork.bundles.container",
    "fieldwork.bundles.assignment",
    "fieldwork.bundles.sync",
    "fieldwork.central",
    "fieldwork.sampling.draw",
    "fieldwork.sampling.summary",
    "fieldwork.scoring",
    "fieldwork.qa.double",
    "fieldwork.interviews.figures",
    "fieldwork.reports",
    "ui.bundles.actions",
    "ui.central.setup",
    "ui.central.import_cases",
    "ui.central.allocation",
    "ui.central.keys",
    "ui.sampling",
    "ui.scoring.dashboard",
    "ui.qa.dashboard",
    "ui.interviews.view",
    "ui.help",
)

#: Started as the packaged application's smoke test starts it: ``fieldwork open WORKSPACE``,
#: quitting once the case list is filled; then the modules it had loaded.
START = """
import json, sys
from fieldwork.cli import main
status = main(["open", sys.argv[1]])
print("modules " + json.dumps(sorted(sys.modules)), flush=True)
sys.exit(status)
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("startup") / "demo.fieldwork"
    make_demo(path, seed=5, sizes=DemoSizes(6, 3, 2)).close()
    return path


def _start(workspace: Path) -> tuple[str, set[str]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FIELDWORK_SMOKE_QUIT": "1"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run(
        [sys.executable, "-c", START, str(workspace)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    ready = next(line for line in lines if line.startswith("ready"))
    modules = json.loads(next(line for line in lines if line.startswith("modules "))[8:])
    return ready, set(modules)


def test_the_first_window_loads_no_dialog_and_no_heavy_module(demo: Path) -> None:
    ready, modules = _start(demo)
    assert ready == "ready: 11 cases listed"  # the window really got to its case list
    assert "ui.main_window" in modules and "ui.case.view" in modules
    loaded = sorted(
        name
        for name in DEFERRED
        if name in modules or any(m.startswith(name + ".") for m in modules)
    )
    assert loaded == [], f"loaded at start-up though no first window needs them: {loaded}"


def test_pyside_import_hook_asks_the_cheap_question_with_the_same_answers() -> None:
    import ui.main_window  # noqa: F401  # what the first window loads, to ask about
    import ui.theme
    from ui import cheapen_feature_hook  # importing ui made the hook cheap

    feature = sys.modules["shibokensupport.feature"]
    cheap = feature._mod_uses_pyside
    assert getattr(cheap, "cheap", False), "ui did not replace the hook's inspect.getsource"
    assert cheapen_feature_hook() is False  # once is enough: it does not wrap itself again
    assert cheap(ui.theme) is True and cheap(sys.modules["fieldwork.service"]) is False
    assert cheap(sys) is False  # built in, no file: PySide's own answer
    loaded = [
        m for m in list(sys.modules.values()) if str(getattr(m, "__file__", "")).endswith(".py")
    ]
    assert len(loaded) > 100
    differ = [m.__name__ for m in loaded if cheap(m) != cheap.upstream(m)]
    assert differ == [], f"the cheap question answers these differently: {differ}"


def test_the_deferred_dialogs_open_from_their_menus(qtbot, tmp_path, demo: Path) -> None:
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo, user="tester", settings=settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=20_000):
        window.show()
    actions = {
        (title, action.text().replace("&", "")): action for title, action in window.menu_actions()
    }
    from ui.qa.dashboard import QaDashboard
    from ui.sampling import SampleDialog
    from ui.scoring.dashboard import RatingsDashboard

    for title, text, kind in (
        ("Central", "Sample…", SampleDialog),
        ("Central", "Ratings dashboard…", RatingsDashboard),
        ("Central", "Quality assurance…", QaDashboard),
    ):
        actions[title, text].trigger()
        qtbot.waitUntil(lambda kind=kind: window.findChild(kind) is not None, timeout=10_000)
        dialog = window.findChild(kind)
        assert dialog.isVisible(), text
    # the bundles' object is made when first asked for, and knows the workspace's kind
    assert "bundles" not in window.__dict__
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    assert window.bundles.kind == "central"
    assert window.bundles is window.bundles  # made once
    window.close()
