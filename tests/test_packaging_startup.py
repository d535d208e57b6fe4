"""What the packaged application leaves out to start sooner, and how its start-up is told
against the source start-up (targets.md: ≤ 1.5 × the source start-up, same run)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGING = Path(__file__).resolve().parent.parent / "packaging"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fieldwork_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


manifest = _load("manifest")
smoke = _load("smoke_test")


@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",  # Linux
        "PySide6/plugins/imageformats/qjpeg.dll",  # Windows
        "PySide6/Qt/plugins/imageformats/libqpdf.dylib",  # macOS
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/generic/libqevdevmouseplugin.so",
        "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-x11-integration.so",
        "PySide6/Qt/translations/qtbase_de.qm",
    ],
)
def test_plugins_the_application_never_loads_are_left_out(destination: str) -> None:
    assert not manifest.keep_bundled_file(destination)


@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",  # the smoke test and CI
        "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",  # the icons
        "PySide6/Qt/plugins/imageformats/libqico.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",  # native file dialogs
        "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",  # printing
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "libqjpeg.so",  # not Qt's: left alone
        "resources/icons/fieldwork.svg",
    ],
)
def test_what_the_application_loads_is_kept(destination: str) -> None:
    assert manifest.keep_bundled_file(destination)


def test_the_spec_filters_binaries_as_well_as_data() -> None:
    spec = (PACKAGING / "fieldwork.spec").read_text(encoding="utf-8")
    assert "a.binaries = [entry for entry in a.binaries if manifest.keep_bundled_file(" in spec


def test_the_start_up_line_sets_the_packaged_against_the_source_start_up() -> None:
    line = smoke.startup_summary([2.0, 0.9, 1.0, 1.1], [0.8, 0.7, 0.9])
    assert "2.00 s from launch" in line and "then 1.00 s (median of 3)" in line
    assert "from source in the same run 0.80 s: packaged 1.25 × source" in line
    assert "(target ≤ 1.5 ×, meets)" in line
    slow = smoke.startup_summary([2.0, 1.3, 1.3], [0.8, 0.8])
    assert "packaged 1.62 × source (target ≤ 1.5 ×, MISSES)" in slow
    alone = smoke.startup_summary([2.0, 1.0], [])  # no project here to run from source
    assert "from source" not in alone


def _hook(folder: Path, name: str, module: str) -> tuple[str, str, str]:
    """A stand-in for one of PyInstaller's runtime hooks: counts its runs on its module, and
    notes whether the module had run to its end by then."""
    path = folder / f"{name}.py"
    path.write_text(
        f"import sys\n"
        f"module = sys.modules[{module!r}]\n"
        f"module.hook_runs = getattr(module, 'hook_runs', 0) + 1\n"
        f"module.complete_at_hook = hasattr(module, {LAST_NAME[module]!r})\n",
        encoding="utf-8",
    )
    return (name, str(path), "PYSOURCE")


#: A name each module defines near its end, to tell that it had run when its hook ran.
LAST_NAME = {"pkgutil": "resolve_name", "multiprocessing": "SUBWARNING", "inspect": "_main"}

PROBE = """
import json, sys
exec(compile(open(sys.argv[1], encoding="utf-8").read(), "hook", "exec"), {"__name__": "hook"})
seen = {"at_start": sorted(m for m in ("pkgutil", "multiprocessing") if m in sys.modules)}
import inspect
seen["inspect"] = [inspect.hook_runs, inspect.complete_at_hook]
import multiprocessing.spawn  # its package first, through a submodule
import multiprocessing
seen["multiprocessing"] = [multiprocessing.hook_runs, multiprocessing.complete_at_hook]
import pkgutil
import importlib; importlib.reload(pkgutil)  # a reload is not a first import
seen["pkgutil"] = [pkgutil.hook_runs, pkgutil.complete_at_hook]
seen["loaders"] = sorted({type(m.__loader__).__name__ for m in (pkgutil, multiprocessing)}
                         | {type(m.__spec__.loader).__name__ for m in (pkgutil, multiprocessing)})
seen["source"] = inspect.getsource(pkgutil.read_code).startswith("def read_code")
print(json.dumps(seen))
"""


def test_runtime_hooks_run_after_their_module_is_first_imported(tmp_path: Path) -> None:
    scripts = [
        ("pyi_rth_other", str(tmp_path / "other.py"), "PYSOURCE"),  # not deferred: kept
        _hook(tmp_path, "pyi_rth_pkgutil", "pkgutil"),
        _hook(tmp_path, "pyi_rth_inspect", "inspect"),
        _hook(tmp_path, "pyi_rth_multiprocessing", "multiprocessing"),
        ("entry", str(tmp_path / "entry.py"), "PYSOURCE"),
    ]
    result = manifest.defer_runtime_hooks(scripts, tmp_path)
    hook = tmp_path / f"{manifest.DEFERRED_HOOK}.py"
    assert result == [scripts[0], (manifest.DEFERRED_HOOK, str(hook), "PYSOURCE"), scripts[-1]]
    # A fresh interpreter, as the packaged application's start: inspect is imported before
    # the hooks run (its hook then runs at once), the others after.
    probe = tmp_path / "probe.py"
    probe.write_text("import inspect\n" + PROBE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(probe), str(hook)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["at_start"] == []  # the hooks no longer import their modules at start-up
    assert seen["inspect"] == [1, True]
    assert seen["multiprocessing"] == [1, True]  # once, after the package had run
    assert seen["pkgutil"] == [1, True]
    assert seen["loaders"] == ["SourceFileLoader"]  # the modules keep their own loader
    assert seen["source"] is True


def test_a_build_without_those_hooks_is_left_as_it_is(tmp_path: Path) -> None:
    scripts = [("pyi_rth_other", "other.py", "PYSOURCE"), ("entry", "entry.py", "PYSOURCE")]
    assert manifest.defer_runtime_hooks(scripts, tmp_path) == scripts
    assert not (tmp_path / f"{manifest.DEFERRED_HOOK}.py").exists()


def test_the_spec_defers_the_runtime_hooks_and_the_build_stores_modules_unpacked() -> None:
    spec = (PACKAGING / "fieldwork.spec").read_text(encoding="utf-8")
    assert "a.scripts = manifest.defer_runtime_hooks(a.scripts, Path(workpath))" in spec
    build = _load("build")
    env = build.pyinstaller_environment({"FIELDWORK_RESOURCES": "/elsewhere", "PATH": "/bin"})
    assert env == {"PATH": "/bin", "PYINSTALLER_ZLIB_COMPRESSION_LEVEL": "0"}


FAILS_ONCE = """
import os
if not os.path.exists(os.environ["FLAG"]):
    open(os.environ["FLAG"], "w").close()
    raise RuntimeError("first import fails")
READY = True
"""

RETRY = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("deferred_hooks", sys.argv[1])
hooks = importlib.util.module_from_spec(spec); spec.loader.exec_module(hooks)
count = "import sys; m = sys.modules['fails_once']; m.runs = getattr(m, 'runs', 0) + 1"
hooks.defer({"fails_once": count})
try:
    import fails_once
except RuntimeError:
    pass
import fails_once
print(json.dumps([fails_once.READY, fails_once.runs]))
"""


def test_a_module_whose_first_import_failed_gets_its_hook_when_it_is_imported(
    tmp_path: Path,
) -> None:
    (tmp_path / "fails_once.py").write_text(FAILS_ONCE, encoding="utf-8")
    probe = tmp_path / "probe.py"
    probe.write_text(RETRY, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(probe), str(PACKAGING / "deferred_hooks.py")],  # its folder first
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"FLAG": str(tmp_path / "flag")},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [True, 1]
