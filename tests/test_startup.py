"""What the application loads to show its first window, and what it leaves for later.

The start-up figure (benchmarks/bench_startup.py) depends on the first window loading only
what it shows: the case list, the home panel, the case view's actions and the menus. The
dialogs behind the menus (sampling, set-up, scoring, QA, bundles, printing, help) and the
core modules they need are loaded when first opened. These tests start the application as
``fieldwork open`` does, in a process of its own, and look at what it loaded; and they open
each deferred dialog from its menu, so deferring cannot cost a feature.
"""

from __future__ import annotations

import importlib.machinery
import json
import linecache
import os
import subprocess
import sys
import types
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


class _SourceElsewhere:
    """A loader that holds its modules' source itself, not in the file ``__file__`` names."""

    def __init__(self, source: str | None) -> None:
        self.source = source

    def get_source(self, name: str) -> str | None:
        return self.source


class _ReadsItsPath:
    """As PyInstaller's loader of the packaged application's archive: the source is read from
    the file ``__file__`` names, and there is none when that file is not shipped."""

    def __init__(self, path: str) -> None:
        self.path = path

    def get_source(self, name: str) -> str | None:
        try:
            with open(self.path, "rb") as source:
                return source.read().decode("utf-8")
        except FileNotFoundError:
            return None


def _module_without_file(name: str, path: Path, loader: object) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = str(path)
    module.__loader__ = loader
    module.__spec__ = importlib.machinery.ModuleSpec(name, loader, origin=str(path))
    return module


def test_the_cheap_question_answers_as_pyside_for_modules_whose_file_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The packaged application's modules come from its archive: their ``.py`` file is not
    there. The cheap question asks their loader, as ``inspect`` does, and answers the same."""
    import inspect

    import ui  # noqa: F401  # made the hook cheap

    cheap = sys.modules["shibokensupport.feature"]._mod_uses_pyside
    gone = tmp_path / "frozen"  # no such folder: each module's own path in it
    shipped = tmp_path / "shipped.py"
    shipped.write_text("from PySide6 import QtCore\n", encoding="utf-8")
    modules = [
        _module_without_file("archive", gone / "a.py", _ReadsItsPath(str(gone / "a.py"))),
        _module_without_file("qt", gone / "b.py", _SourceElsewhere("import PySide6\n")),
        _module_without_file("plain", gone / "c.py", _SourceElsewhere("import json\n")),
        _module_without_file("no_source", gone / "d.py", _SourceElsewhere(None)),
        _module_without_file("no_loader", gone / "e.py", None),
    ]

    def no_inspect(module: object) -> str:
        raise AssertionError("the cheap question called inspect.getsource")

    monkeypatch.setattr(inspect, "getsource", no_inspect)
    answers = [cheap(module) for module in modules]
    # A file shipped beside the archive is read, as from source.
    assert cheap(_module_without_file("beside", shipped, _ReadsItsPath(str(shipped)))) is True
    monkeypatch.undo()
    # PySide asked after (it leaves its loaders in linecache, which the cheap question heeds)
    assert answers == [cheap.upstream(module) for module in modules]
    assert answers == [False, True, False, False, False]
    # What linecache already holds for a path, PySide reads from there: it is asked.
    cached = str(gone / "f.py")
    linecache.cache[cached] = (16, None, ["import PySide6\n"], cached)
    try:
        module = _module_without_file("cached", gone / "f.py", _ReadsItsPath(cached))
        assert cheap(module) is cheap.upstream(module) is True
    finally:
        linecache.cache.pop(cached, None)


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
