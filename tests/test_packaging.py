"""The packaged application: what the PyInstaller spec ships, and the per-user folders.

The spec is run here with stand-ins for PyInstaller's build classes, so these
tests need no PyInstaller and no build; they read what the spec would hand to
PyInstaller. The built application itself is tested by ``make package-test``
(packaging/smoke_test.py), which is too slow for ``make test``.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import logging
import os
import pkgutil
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib
import types
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import platformdirs
import pytest

import fieldwork
from fieldwork import userdirs
from fieldwork.cli import COMMAND_MODULES, GUI_MODULE
from fieldwork.cli import main as cli_main
from fieldwork.paths import resources_dir
from ui.extensions import EXTENSIONS

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
RESOURCES = REPO / "resources"
CODE_FOLDERS = (REPO / "fieldwork", REPO / "ui")


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


manifest = _load("fieldwork_manifest_under_test", PACKAGING / "manifest.py")


def _code_files() -> list[Path]:
    return sorted(p for folder in CODE_FOLDERS for p in folder.rglob("*.py"))


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


# ---------------------------------------------------------------------------
# Running the spec with stand-ins for PyInstaller


@dataclass
class SpecRun:
    analysis: dict[str, Any]
    exes: list[dict[str, Any]]
    collect: dict[str, Any]
    bundle: dict[str, Any] | None
    collected_datas: list[tuple[str, str, str]] = field(default_factory=list)


QT_TRANSLATION = ("PySide6/Qt/translations/qtbase_de.qm", "/qt/qtbase_de.qm", "DATA")


def _collect_submodules(package: str) -> list[str]:
    module = importlib.import_module(package)
    names = [package]
    # Like PyInstaller's, a module that fails to import is left out, not fatal.
    walk = pkgutil.walk_packages(module.__path__, f"{package}.", onerror=lambda name: None)
    names += [info.name for info in walk]
    return names


class _Recorded:
    def __init__(self, *args: Any, **kwargs: Any):
        self.args = args
        self.kwargs = kwargs


#: Runtime hooks PyInstaller adds for this application (its own and its hooks' packages').
RUNTIME_HOOKS = (
    "pyi_rth_pkgutil",
    "pyi_rth_inspect",
    "pyi_rth_pyside6",
    "pyi_rth_multiprocessing",
    "pyi_rth_cryptography_openssl",
)
RUNTIME_HOOK = PACKAGING / "entry.py"  # any Python file stands in for each hook's source


def run_spec(monkeypatch: pytest.MonkeyPatch, platform: str, workpath: str = "") -> SpecRun:
    """Execute packaging/fieldwork.spec as PyInstaller would on ``platform``."""
    workpath = workpath or tempfile.mkdtemp(prefix="fieldwork-spec-")
    calls: dict[str, list[dict[str, Any]]] = {"EXE": [], "COLLECT": [], "BUNDLE": []}
    analyses: list[dict[str, Any]] = []

    class Analysis:
        def __init__(self, scripts: list[str], **kwargs: Any):
            analyses.append(dict(kwargs, scripts=scripts))
            self.pure: list[Any] = []
            # Runtime hooks, as PyInstaller's analysis adds them before the entry point.
            self.scripts: list[Any] = [
                (name, str(RUNTIME_HOOK), "PYSOURCE") for name in RUNTIME_HOOKS
            ] + [("entry", scripts[0], "PYSOURCE")]
            self.binaries: list[Any] = []
            # PyInstaller's TOC form: (name in the bundle, source, kind), plus a
            # file its Qt hook would add.
            self.datas = [
                (f"{dest}/{Path(src).name}", src, "DATA") for src, dest in kwargs["datas"]
            ]
            self.datas.append(QT_TRANSLATION)

    def recorder(kind: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> dict[str, Any]:
            entry = dict(kwargs, args=args)
            calls[kind].append(entry)
            return entry

        return record

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = _collect_submodules  # type: ignore[attr-defined]
    versioninfo = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in (
        "VSVersionInfo",
        "FixedFileInfo",
        "StringFileInfo",
        "StringTable",
        "StringStruct",
        "VarFileInfo",
        "VarStruct",
    ):
        setattr(versioninfo, name, type(name, (_Recorded,), {}))
    win32 = types.ModuleType("PyInstaller.utils.win32")
    win32.versioninfo = versioninfo  # type: ignore[attr-defined]
    for name, module in {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
        "PyInstaller.utils.win32": win32,
        "PyInstaller.utils.win32.versioninfo": versioninfo,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)

    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "SPECPATH": str(PACKAGING),
        "workpath": workpath,  # PyInstaller's build folder
        "Analysis": Analysis,
        "PYZ": lambda *a, **k: ("PYZ", a),
        "EXE": recorder("EXE"),
        "COLLECT": recorder("COLLECT"),
        "BUNDLE": recorder("BUNDLE"),
    }
    source = (PACKAGING / "fieldwork.spec").read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "platform", platform)
    try:
        exec(compile(source, "fieldwork.spec", "exec"), namespace)
    finally:
        monkeypatch.undo()
    [analysis] = analyses
    [collect] = calls["COLLECT"]
    collected = [item for arg in collect["args"] if isinstance(arg, list) for item in arg]
    return SpecRun(
        analysis=analysis,
        exes=calls["EXE"],
        collect=collect,
        bundle=calls["BUNDLE"][0] if calls["BUNDLE"] else None,
        collected_datas=[item for item in collected if isinstance(item, tuple)],
    )


@pytest.fixture(scope="module")
def linux_spec() -> SpecRun:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return run_spec(monkeypatch, "linux")


# ---------------------------------------------------------------------------
# Every resource the application loads is in the spec


def _all_resource_files() -> set[Path]:
    return {
        p.relative_to(RESOURCES)
        for p in RESOURCES.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_every_file_under_resources_matches_a_packaging_pattern():
    missing = [p.as_posix() for p in manifest.unpackaged_files()]
    assert missing == [], (
        f"resources/ files that the package would leave out: {missing}; add a pattern to "
        "RESOURCE_PATTERNS in packaging/manifest.py"
    )


def test_the_pattern_check_catches_a_file_in_a_new_folder(tmp_path):
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "frameworks" / "probation.json").write_text("{}")
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "Sheet.ttf").write_bytes(b"\0")
    (tmp_path / "translations").mkdir()
    (tmp_path / "translations" / "fieldwork_cy.ts").write_text("<TS/>")  # source, not shipped
    assert manifest.resource_files(tmp_path) == [Path("frameworks/probation.json")]
    assert manifest.unpackaged_files(tmp_path) == [Path("fonts/Sheet.ttf")]


def test_the_spec_ships_every_resource_file_in_its_place(linux_spec):
    shipped = {
        Path(src).resolve().relative_to(RESOURCES): dest
        for src, dest in linux_spec.analysis["datas"]
        if Path(src).resolve().is_relative_to(RESOURCES)
    }
    expected = {p for p in _all_resource_files() if not manifest._excluded(p)}
    assert set(shipped) == expected
    for relative, dest in shipped.items():
        # fieldwork/paths.py looks in <bundle>/resources/<the same folder>.
        assert Path(dest) == Path("resources") / relative.parent, relative


def test_the_spec_ships_the_library_data_our_code_reads(linux_spec):
    shipped = {(Path(src).name, dest) for src, dest in linux_spec.analysis["datas"]}
    assert ("Vera.ttf", "reportlab/fonts") in shipped
    assert ("VeraBd.ttf", "reportlab/fonts") in shipped


def test_code_finds_data_files_only_through_fieldwork_paths_or_listed_libraries():
    """A module that reads a file beside its own source breaks once frozen (its
    ``__file__`` is inside PyInstaller's archive): data must live in resources/,
    or in a library listed in PACKAGE_DATA."""
    listed = {package for package, _, _ in manifest.PACKAGE_DATA}
    problems = []
    for path in _code_files():
        tree = _tree(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "__file__":
                if _relative(path) != "fieldwork/paths.py":
                    problems.append(f"{_relative(path)}:{node.lineno} uses its own __file__")
            elif isinstance(node, ast.Attribute) and node.attr == "__file__":
                owner = node.value.id if isinstance(node.value, ast.Name) else "?"
                if owner not in listed:
                    problems.append(
                        f"{_relative(path)}:{node.lineno} reads files beside {owner}; "
                        "list them in PACKAGE_DATA (packaging/manifest.py)"
                    )
            elif isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += [alias.name for alias in node.names]
                if any(n in ("importlib.resources", "pkgutil", "pkg_resources") for n in names):
                    problems.append(f"{_relative(path)}:{node.lineno} loads package data")
    assert problems == []


def _literal_resource_paths() -> list[tuple[str, str]]:
    """(place in the code, path under resources/) for every literal resource path."""
    found = []
    for path in _code_files():
        tree = _tree(path)
        for node in ast.walk(tree):
            place = f"{_relative(path)}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "schema_path"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append((place, f"schemas/{node.args[0].value}.schema.json"))
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                parts: list[str] = []
                left: ast.expr = node
                while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Div):
                    parts.insert(0, left.right)  # type: ignore[arg-type]
                    left = left.left
                if (
                    isinstance(left, ast.Call)
                    and isinstance(left.func, ast.Name)
                    and left.func.id == "resources_dir"
                ):
                    literal = []
                    for part in parts:
                        if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                            break
                        literal.append(part.value)
                    found.append((place, "/".join(literal)))
    return found


def test_resource_paths_named_in_the_code_are_packaged():
    paths = _literal_resource_paths()
    # The scan sees the loads we know of; if it saw none, it would check nothing.
    assert ("reference/north-west-2020.json") in {p for _, p in paths}
    assert "schemas/framework.schema.json" in {p for _, p in paths}
    shipped = {p.as_posix() for p in manifest.resource_files()}
    folders = {folder for folder, _ in manifest.RESOURCE_PATTERNS}
    for place, path in paths:
        if (RESOURCES / path).is_file() or "." in Path(path).name:
            assert path in shipped, f"{place} loads resources/{path}, which is not packaged"
        else:
            assert path.split("/")[0] in folders, f"{place} reads resources/{path}/"


def test_the_core_runs_from_the_packaged_layout(linux_spec, tmp_path, monkeypatch):
    """Lay the spec's data files out as the frozen application has them, and point
    fieldwork.paths at that folder as a frozen run does (``sys._MEIPASS``)."""
    bundle = tmp_path / "_internal"
    for src, dest in linux_spec.analysis["datas"]:
        (bundle / dest).mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, bundle / dest)
    monkeypatch.delenv("FIELDWORK_RESOURCES", raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert resources_dir() == bundle / "resources"

    from fieldwork.demo import DemoSizes, make_demo
    from fieldwork.framework import DEFAULT_FRAMEWORK, available_frameworks, framework_by_id

    assert set(available_frameworks()) == set(available_frameworks(RESOURCES / "frameworks"))
    for framework_id in available_frameworks():
        assert Path(framework_by_id(framework_id).path).is_relative_to(bundle)
    service = make_demo(tmp_path / "demo.fieldwork", sizes=DemoSizes(3, 2, 1))
    assert service.framework.id == DEFAULT_FRAMEWORK
    assert len(service.cases()) == 6
    service.close()
    for schema_file in (bundle / "resources" / "schemas").glob("*.json"):
        document = json.loads(schema_file.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(document).check_schema(document)
    for size in (16, 32, 256):
        assert (bundle / "resources" / "icons" / f"fieldwork-{size}.png").is_file()
    assert (bundle / "reportlab" / "fonts" / "Vera.ttf").is_file()


# ---------------------------------------------------------------------------
# Modules: imported by name, and the Qt modules left out


def test_modules_imported_by_name_are_hidden_imports(linux_spec):
    by_name = list(COMMAND_MODULES) + [GUI_MODULE]
    by_name += [entry.partition(":")[0] for entry in EXTENSIONS]
    assert manifest.dynamic_imports() == by_name
    assert set(by_name) <= set(linux_spec.analysis["hiddenimports"])
    assert {"fieldwork.cli.core", "ui.main_window", "ui.launcher"} <= set(
        linux_spec.analysis["hiddenimports"]
    )


def test_the_sqlcipher_binding_is_packaged(linux_spec):
    """Its compiled module is imported by a star import from Python code: named, so the
    build carries it (the smoke test then encrypts and reads a workspace with the build)."""
    import sqlcipher3._sqlite3  # noqa: F401  (the module named is the one installed)

    assert "sqlcipher3._sqlite3" in manifest.NATIVE_IMPORTS
    assert set(manifest.NATIVE_IMPORTS) <= set(linux_spec.analysis["hiddenimports"])


def _qt_modules_imported() -> dict[str, str]:
    found = {}
    for path in _code_files():
        tree = _tree(path)
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "PySide6" and len(parts) > 1 and parts[1].startswith("Qt"):
                    found.setdefault(parts[1], f"{_relative(path)}:{node.lineno}")
    return found


def test_qt_modules_the_code_imports_are_not_excluded(linux_spec):
    imported = _qt_modules_imported()
    assert {"QtCore", "QtGui", "QtWidgets"} <= set(imported)
    unlisted = {m: place for m, place in imported.items() if m not in manifest.QT_MODULES_USED}
    assert unlisted == {}, "add these to QT_MODULES_USED in packaging/manifest.py"
    excluded = set(linux_spec.analysis["excludes"])
    assert not {f"PySide6.{m}" for m in imported} & excluded


def test_unused_qt_modules_are_excluded(linux_spec):
    excluded = set(linux_spec.analysis["excludes"])
    for module in ("QtWebEngineCore", "Qt3DCore", "QtQuick", "QtQml", "QtMultimedia", "QtNetwork"):
        assert f"PySide6.{module}" in excluded
    installed = manifest.installed_qt_modules()
    assert "QtCore" in installed
    for module in set(installed) - manifest.QT_MODULES_USED:
        assert f"PySide6.{module}" in excluded


def test_qt_translations_are_left_out_and_ours_kept(linux_spec):
    names = {dest for dest, _, _ in linux_spec.collected_datas}
    assert QT_TRANSLATION[0] not in names
    assert "resources/frameworks/hmip-probation-2018.json" in names


# ---------------------------------------------------------------------------
# Executables, icons and version information on each system


def test_linux_build_is_one_stripped_console_executable(linux_spec):
    [exe] = linux_spec.exes
    assert exe["name"] == "fieldwork"
    assert exe["console"] is True
    assert exe["strip"] is True
    assert linux_spec.collect["name"] == "Fieldwork"
    assert linux_spec.bundle is None
    assert Path(linux_spec.analysis["scripts"][0]) == PACKAGING / "entry.py"


def test_runtime_hooks_that_import_their_module_are_deferred(monkeypatch, tmp_path):
    run = run_spec(monkeypatch, "linux", str(tmp_path))
    [exe] = run.exes
    hook = tmp_path / "pyi_rth_fieldwork_deferred.py"
    scripts = exe["args"][1]
    assert scripts == [
        ("pyi_rth_fieldwork_deferred", str(hook), "PYSOURCE"),
        ("pyi_rth_cryptography_openssl", str(RUNTIME_HOOK), "PYSOURCE"),  # sets a variable
        ("entry", str(PACKAGING / "entry.py"), "PYSOURCE"),
    ]
    deferred = hook.read_text(encoding="utf-8")
    assert deferred.startswith(PACKAGING.joinpath("deferred_hooks.py").read_text("utf-8"))
    assert "\ndefer({'pkgutil': " in deferred
    assert all(f"'{name}': " in deferred for name in ("inspect", "PySide6", "multiprocessing"))


def test_windows_build_has_a_console_and_a_windowed_executable(monkeypatch):
    run = run_spec(monkeypatch, "win32")
    assert [(e["name"], e["console"]) for e in run.exes] == [
        ("fieldwork", True),
        ("fieldwork-gui", False),
    ]
    for exe in run.exes:
        assert Path(exe["icon"]).suffix == ".ico" and Path(exe["icon"]).is_file()
        assert exe["strip"] is False  # stripping would break signing
        version = exe["version"]
        assert type(version).__name__ == "VSVersionInfo"
        fixed = version.kwargs["ffi"].kwargs
        assert fixed["filevers"] == manifest.version_tuple(fieldwork.__version__)
    iss = (PACKAGING / "windows" / "fieldwork.iss").read_text(encoding="utf-8")
    assert "fieldwork-gui.exe" in iss
    assert "PrivilegesRequired=lowest" in iss  # no administrator rights needed


def test_macos_build_is_an_app_bundle_that_is_not_background_only(monkeypatch):
    run = run_spec(monkeypatch, "darwin")
    [exe] = run.exes
    assert run.bundle is not None
    plist = run.bundle["info_plist"]
    assert plist["CFBundleExecutable"] == exe["name"]
    assert plist["LSBackgroundOnly"] is False
    assert plist["CFBundleShortVersionString"] == fieldwork.__version__
    assert Path(run.bundle["icon"]).suffix == ".icns" and Path(run.bundle["icon"]).is_file()
    assert run.bundle["name"] == "Fieldwork.app"


def test_one_version_everywhere():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == fieldwork.__version__ == manifest.version()
    assert manifest.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert manifest.version_tuple("1.2.3rc1") == (1, 2, 0, 0)
    assert pyproject["project"]["scripts"]["fieldwork"] == "fieldwork.cli:main"
    entry = ast.parse((PACKAGING / "entry.py").read_text(encoding="utf-8"))
    assert any(
        isinstance(n, ast.ImportFrom) and n.module == "fieldwork.cli" and n.names[0].name == "main"
        for n in ast.walk(entry)
    )


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_the_icon_files_are_what_they_claim():
    icons = RESOURCES / "icons"
    svg = ET.parse(icons / "fieldwork.svg").getroot()
    assert svg.get("viewBox") == "0 0 256 256"
    for size in (16, 24, 32, 48, 64, 128, 256, 512, 1024):
        assert _png_size(icons / f"fieldwork-{size}.png") == (size, size)
    ico = (icons / "fieldwork.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = {(ico[6 + 16 * i] or 256) for i in range(count)}
    assert {16, 32, 48, 256} <= sizes
    icns = (icons / "fieldwork.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


# ---------------------------------------------------------------------------
# Per-user folders


@pytest.fixture
def fake_platformdirs(tmp_path, monkeypatch):
    places = {
        "documents": tmp_path / "Docs",
        "config": tmp_path / "Config" / "Fieldwork",
        "data": tmp_path / "Data" / "Fieldwork",
        "log": tmp_path / "Logs" / "Fieldwork",
    }
    calls = []

    def fake(kind):
        def where(*args, **kwargs):
            calls.append((kind, args, kwargs))
            return places[kind]

        return where

    monkeypatch.setattr(platformdirs, "user_documents_path", fake("documents"))
    monkeypatch.setattr(platformdirs, "user_config_path", fake("config"))
    monkeypatch.setattr(platformdirs, "user_data_path", fake("data"))
    monkeypatch.setattr(platformdirs, "user_log_path", fake("log"))
    return places, calls


def test_folders_are_the_ones_platformdirs_gives(fake_platformdirs):
    places, calls = fake_platformdirs
    assert userdirs.documents_dir() == places["documents"]
    assert userdirs.workspaces_dir() == places["documents"] / "Fieldwork"
    assert userdirs.settings_dir() == places["config"]
    assert userdirs.data_dir() == places["data"]
    assert userdirs.log_dir() == places["log"]
    assert userdirs.log_file() == places["log"] / "fieldwork.log"
    # Asked for by the application's name, with no vendor folder above it.
    assert ("config", ("Fieldwork",), {"appauthor": False}) in calls
    assert ("log", ("Fieldwork",), {"appauthor": False}) in calls


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_linux_folders_follow_the_xdg_conventions(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_DOCUMENTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "cfg"))
    assert userdirs.workspaces_dir() == home / "Documents" / "Fieldwork"
    assert userdirs.settings_dir() == home / "cfg" / "Fieldwork"
    assert userdirs.log_dir() == home / ".local" / "state" / "Fieldwork" / "log"


def _frozen_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    app = tmp_path / "Programs" / "Fieldwork"
    app.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app / "fieldwork"))
    return app


def test_no_folder_is_beside_the_executable(tmp_path, monkeypatch):
    app = _frozen_at(tmp_path, monkeypatch)
    assert userdirs.application_dir() == app.resolve()
    for where in (
        userdirs.documents_dir,
        userdirs.workspaces_dir,
        userdirs.settings_dir,
        userdirs.data_dir,
        userdirs.log_dir,
        userdirs.default_demo_path,
    ):
        assert not where().resolve().is_relative_to(app.resolve()), where.__name__


def test_a_folder_inside_the_application_is_refused(tmp_path, monkeypatch):
    app = _frozen_at(tmp_path, monkeypatch)
    monkeypatch.setattr(platformdirs, "user_log_path", lambda *a, **k: app / "logs")
    with pytest.raises(userdirs.UserFolderError) as caught:
        userdirs.log_dir()
    assert str(app / "logs") in caught.value.message
    assert "application's own folder" in caught.value.message


def test_a_relative_folder_is_refused(monkeypatch):
    # What platformdirs gives when the system names no home folder.
    monkeypatch.setattr(platformdirs, "user_documents_path", lambda: Path("~/Documents"))
    with pytest.raises(userdirs.UserFolderError, match="does not say where your documents"):
        userdirs.workspaces_dir()


def test_not_frozen_there_is_no_application_folder():
    assert userdirs.application_dir() is None


def test_default_demo_path_never_overwrites(fake_platformdirs):
    places, _ = fake_platformdirs
    folder = places["documents"] / "Fieldwork"
    first = userdirs.default_demo_path()
    assert first == folder / "North West demo.fieldwork"
    folder.mkdir(parents=True)
    first.write_bytes(b"")
    assert userdirs.default_demo_path() == folder / "North West demo (2).fieldwork"


def test_ensure_dir_says_which_folder_it_cannot_create(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(userdirs.UserFolderError) as caught:
        userdirs.ensure_dir(blocker / "Fieldwork")
    assert str(blocker / "Fieldwork") in caught.value.message


@pytest.fixture
def root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers[:]:
        if handler not in handlers:
            handler.close()
            root.removeHandler(handler)
    root.setLevel(level)


def test_the_log_goes_to_a_rotating_file_in_the_log_folder(
    fake_platformdirs, root_logger, monkeypatch
):
    places, _ = fake_platformdirs
    monkeypatch.setattr(userdirs, "LOG_MAX_BYTES", 2_000)
    path = userdirs.start_log_file()
    assert path == places["log"] / "fieldwork.log"
    assert userdirs.start_log_file() == path  # a second call adds no second handler
    ours = [h for h in root_logger.handlers if getattr(h, "baseFilename", None) == str(path)]
    assert len(ours) == 1
    for n in range(100):
        logging.getLogger("fieldwork.test").info("line %d of the log, long enough to rotate", n)
    ours[0].flush()
    text = path.read_text(encoding="utf-8")
    assert "line 99 of the log" in text
    backups = sorted(path.parent.glob("fieldwork.log.*"))
    assert 1 <= len(backups) <= userdirs.LOG_BACKUPS
    assert all(b.stat().st_size <= 2_000 for b in backups)
    everything = "".join(p.read_text(encoding="utf-8") for p in [path, *backups])
    assert f"Fieldwork {fieldwork.__version__} starting" in everything


def test_demo_without_a_path_goes_to_the_documents_folder(fake_platformdirs, capsys):
    places, _ = fake_platformdirs
    argv = ["demo", "--case-supervision", "2", "--court-reports", "1", "--victim", "1"]
    assert cli_main(argv) == 0
    made = places["documents"] / "Fieldwork" / "North West demo.fieldwork"
    assert made.is_file()
    assert str(made) in capsys.readouterr().out
    assert cli_main(argv) == 0  # a second demo gets a new name
    assert (made.parent / "North West demo (2).fieldwork").is_file()


# ---------------------------------------------------------------------------
# The GUI start: open dialog, icon, smoke-test quit


@pytest.fixture
def fresh_app_names(qapp):
    name, organisation = qapp.applicationName(), qapp.organizationName()
    yield qapp
    qapp.setApplicationName(name)
    qapp.setOrganizationName(organisation)


def test_the_open_dialog_starts_in_the_workspaces_folder(
    fake_platformdirs, fresh_app_names, monkeypatch
):
    from PySide6.QtCore import QSettings

    import ui.app

    places, _ = fake_platformdirs
    fresh_app_names.setApplicationName("Fieldwork")
    fresh_app_names.setOrganizationName("Fieldwork")
    QSettings().remove("last_workspace")
    asked = []

    def no_choice(parent, caption, folder, filters):
        asked.append(folder)
        return "", ""

    monkeypatch.setattr(ui.app.QFileDialog, "getOpenFileName", no_choice)
    assert ui.app.run(None) == 0  # the user cancelled: nothing opens
    (places["documents"] / "Fieldwork").mkdir(parents=True)
    assert ui.app.run(None) == 0
    assert asked == [str(places["documents"]), str(places["documents"] / "Fieldwork")]
    assert not fresh_app_names.windowIcon().isNull()


def test_smoke_quit_prints_ready_and_quits_once_the_cases_are_listed(
    fresh_app_names, tmp_path, monkeypatch, capsys
):
    import ui.app
    from fieldwork.demo import DemoSizes, make_demo

    workspace = tmp_path / "smoke.fieldwork"
    make_demo(workspace, sizes=DemoSizes(2, 1, 1)).close()
    monkeypatch.setenv(ui.app.SMOKE_QUIT, "1")
    assert ui.app.SMOKE_QUIT == manifest.SMOKE_QUIT_VARIABLE
    assert ui.app.run(workspace) == 0
    assert "ready: 4 cases listed" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# The smoke test of the built application is wired up


@pytest.mark.skipif(sys.platform == "win32", reason="Windows builds with packaging/build.py")
def test_make_package_test_builds_then_runs_the_smoke_test():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "package-test: package" in makefile
    dry = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "package-test"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "packaging/build.py" in dry
    assert dry.index("packaging/build.py") < dry.index("packaging/smoke_test.py")
    assert '".[dev,package]"' in dry
    assert "make package-test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def _fake_app(tmp_path: Path, script: str) -> Path:
    app = tmp_path / "Fieldwork" / "fieldwork"
    app.parent.mkdir()
    app.write_text(f"#!/bin/sh\n{script}\n")
    app.chmod(0o755)
    return app


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in application is a shell script")
def test_the_smoke_script_passes_an_application_that_works(tmp_path):
    """The smoke script run against the application from source, through a
    stand-in executable: every step it checks, the source passes."""
    app = _fake_app(tmp_path, f'exec "{sys.executable}" -m fieldwork.cli "$@"')
    script = [sys.executable, str(PACKAGING / "smoke_test.py"), "--startup-runs", "0"]
    result = subprocess.run(
        [*script, "--app", str(app)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "FIELDWORK_SMOKE_QUIT"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for step in ("--version", "demo", "info", "open (offscreen)", "own folder untouched"):
        assert f"ok   {step}:" in out
    assert "ready: 350 cases listed after" in out
    assert ("ok   print:" in out) or ("SKIP print:" in out)
    assert out.rstrip().splitlines()[-1].endswith(" passed, 0 failed")


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in application is a shell script")
def test_the_smoke_script_fails_an_application_that_does_not_start(tmp_path):
    app = _fake_app(tmp_path, 'echo "fieldwork 9.9"; touch "$(dirname "$0")/written-here"')
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "smoke_test.py"), "--app", str(app)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "FAIL --version: --version printed 'fieldwork 9.9'" in result.stdout
    assert "FAIL open (offscreen)" in result.stdout
    assert "wrote into its own folder: written-here" in result.stdout
    assert "FAIL encrypt" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1] == "smoke: 0 passed, 7 failed"
