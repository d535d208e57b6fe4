"""What goes into the packaged application, in one place.

The PyInstaller spec (``fieldwork.spec``) builds its data files, hidden imports
and exclusions from this module, and ``tests/test_packaging.py`` checks the same
lists against the code and the ``resources/`` folder, so a data file the
application loads but the spec leaves out fails the test suite rather than an
inspector's first morning.

This folder must never get an ``__init__.py``: ``packaging`` is also the name of
a library PyInstaller and pip import, and a regular package here would shadow
it. The spec and the tests load this file by its path.

No PyInstaller or Qt import here: the tests import this module without either.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESOURCES = REPO / "resources"

APP_NAME = "Fieldwork"
#: The executable's name inside the one-folder build (``fieldwork.exe`` on Windows).
EXECUTABLE = "fieldwork"
#: Windows only: the same program without a console window, for shortcuts.
GUI_EXECUTABLE_WINDOWS = "fieldwork-gui"
BUNDLE_ID = "uk.gov.justiceinspectorates.fieldwork"
PUBLISHER = "Fieldwork"
COPYRIGHT = "Fieldwork contributors, MIT licence"
DESCRIPTION = "Case assessment for probation inspections"

#: The environment variable that makes the GUI quit once its main window is
#: ready (``ui/app.py`` reads it), for the smoke test.
SMOKE_QUIT_VARIABLE = "FIELDWORK_SMOKE_QUIT"

#: Every kind of file under ``resources/`` the application reads at run time, as
#: (folder, glob) pairs relative to ``resources/``. A file under ``resources/``
#: that no pattern matches fails ``tests/test_packaging.py``: either it is
#: needed (add its pattern here) or it belongs somewhere else.
RESOURCE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("frameworks", "*.json"),  # inspection frameworks, found by id at run time
    ("schemas", "*.json"),  # JSON Schemas for frameworks and bundles
    ("reference", "*.json"),  # published figures (demo data, comparisons)
    ("questionnaires", "*.json"),  # interview questionnaires, found by framework id
    ("icons", "*.svg"),
    ("icons", "*.png"),
    ("icons", "*.ico"),
    ("icons", "*.icns"),
    ("translations", "*.qm"),  # compiled Qt translations, when there are any
    ("wordlists", "*.txt"),  # the EFF wordlist passphrases are generated from
    ("wordlists", "README.md"),  # its source and licence (CC BY 3.0 US), shipped with it
)

#: Compiled modules PyInstaller is told about by name: the SQLCipher binding's extension
#: (imported with ``from sqlcipher3._sqlite3 import *``) and the strength estimator, which
#: is imported when first needed.
NATIVE_IMPORTS: tuple[str, ...] = (
    "sqlcipher3",
    "sqlcipher3.dbapi2",
    "sqlcipher3._sqlite3",
    "zxcvbn",
)

#: Data files inside installed libraries that our code reads by path, as
#: (package, folder in it, file globs). PyInstaller collects a library's code,
#: not its data; ``tests/test_packaging.py`` finds every ``Path(lib.__file__)``
#: in our code and fails unless it is listed here.
PACKAGE_DATA: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # The last-resort Unicode font of the case sheets (fieldwork/reports/styles.py).
    ("reportlab", "fonts", ("Vera*.ttf", "bitstream-vera-license.txt")),
)

#: Files under ``resources/`` that are deliberately not shipped.
RESOURCE_EXCLUDES: tuple[str, ...] = ("translations/*.ts",)

#: The application's icon files, relative to ``resources/``.
ICON_SVG = "icons/fieldwork.svg"
ICON_PNG = "icons/fieldwork-256.png"
ICON_ICO = "icons/fieldwork.ico"
ICON_ICNS = "icons/fieldwork.icns"

#: The Qt modules the application uses. The spec excludes every other PySide6
#: module, and the test suite fails if code under ``ui/`` imports one not listed
#: here, so the package stays small without breaking a feature at run time.
QT_MODULES_USED: frozenset[str] = frozenset(
    {"QtCore", "QtGui", "QtWidgets", "QtPdf", "QtPdfWidgets", "QtPrintSupport", "QtSvg"}
)

#: Qt modules that are never used, excluded even when the installed PySide6
#: does not list them (a full PySide6 install brings them all).
QT_MODULES_NEVER: tuple[str, ...] = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCharts", "QtConcurrent", "QtDataVisualization",
    "QtDBus", "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer",
    "QtLabsStyleKit", "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetwork",
    "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPositioning", "QtQml",
    "QtQmlFeatures", "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest",
    "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus",
    "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvgWidgets", "QtTest",
    "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick",
    "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
)  # fmt: skip

#: Python modules that only development tools use.
PYTHON_EXCLUDES: tuple[str, ...] = (
    "tkinter",
    "pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "importlinter",
    "grimp",
    "ruff",
    "pip",
    "setuptools",
    "pkg_resources",
    "IPython",
)


#: Files PyInstaller's hooks collect that the application never uses, as
#: prefixes of their place in the bundle (forward slashes).
BUNDLED_EXCLUDES: tuple[str, ...] = ("PySide6/Qt/translations/",)


#: Qt plugins PyInstaller's hooks collect that the application never loads, by plugin folder
#: and name (without "lib" and the file's extension); ``None`` leaves out the whole folder.
#: Qt opens every plugin in a folder it searches (every platform plugin at start-up, every
#: image format at the first icon) to read its metadata, so each one left in costs
#: start-up time, and the first start-up after installing reads each from disk.
UNUSED_QT_PLUGINS: dict[str, tuple[str, ...] | None] = {
    # Kept: xcb and wayland (Linux desktops), windows, cocoa, offscreen and minimal (tests).
    "platforms": ("qeglfs", "qlinuxfb", "qminimalegl", "qvkkhrdisplay", "qvnc"),
    # Kept: svg (the icons), ico and icns (the application's icon files); PNG is built in.
    "imageformats": ("qgif", "qjpeg", "qpdf", "qtga", "qtiff", "qwbmp", "qwebp"),
    "egldeviceintegrations": None,  # full-screen EGL devices without a window system
    "generic": None,  # evdev and TUIO input, for devices without a window system
}


#: PyInstaller runtime hooks that run when their module is first imported instead of before
#: the application's first line (``deferred_hooks.py``), by hook: the module each adjusts.
#: Run at start-up, they imported Qt for every command-line call, and multiprocessing,
#: subprocess and pkgutil, which the application from source never imports to open a
#: workspace.
DEFERRED_RUNTIME_HOOKS: dict[str, str] = {
    "pyi_rth_pyside6": "PySide6",
    "pyi_rth_multiprocessing": "multiprocessing",
    "pyi_rth_pkgutil": "pkgutil",
    "pyi_rth_inspect": "inspect",
}
#: The one runtime hook that stands in for them.
DEFERRED_HOOK = "pyi_rth_fieldwork_deferred"


def defer_runtime_hooks(
    scripts: list[tuple[str, str, str]], folder: Path
) -> list[tuple[str, str, str]]:
    """The build's scripts (runtime hooks, then the entry point; PyInstaller's ``a.scripts``)
    with the hooks of ``DEFERRED_RUNTIME_HOOKS`` replaced, where the first of them stood, by
    one hook written into ``folder`` that runs each of them after its module's first import."""
    deferred = {
        DEFERRED_RUNTIME_HOOKS[name]: Path(path).read_text(encoding="utf-8")
        for name, path, _ in scripts
        if name in DEFERRED_RUNTIME_HOOKS
    }
    if not deferred:
        return list(scripts)
    hook = Path(folder) / f"{DEFERRED_HOOK}.py"
    template = (Path(__file__).resolve().parent / "deferred_hooks.py").read_text(encoding="utf-8")
    hook.write_text(f"{template}\n\ndefer({deferred!r})\n", encoding="utf-8")
    result: list[tuple[str, str, str]] = []
    for entry in scripts:
        if entry[0] not in DEFERRED_RUNTIME_HOOKS:
            result.append(entry)
        elif all(name != DEFERRED_HOOK for name, _, _ in result):
            result.append((DEFERRED_HOOK, str(hook), "PYSOURCE"))
    return result


def keep_bundled_file(destination: str) -> bool:
    """False for a file the hooks collected that the package should leave out."""
    name = destination.replace("\\", "/")
    if any(name.startswith(prefix) for prefix in BUNDLED_EXCLUDES):
        return False
    return not _unused_qt_plugin(name)


def _unused_qt_plugin(name: str) -> bool:
    parts = name.split("/")
    if parts[0] != "PySide6" or "plugins" not in parts[:-2]:
        return False
    folder = parts[parts.index("plugins") + 1]
    if folder not in UNUSED_QT_PLUGINS:
        return False
    unused = UNUSED_QT_PLUGINS[folder]
    if unused is None:
        return True
    plugin = parts[-1].split(".")[0]
    return plugin.removeprefix("lib") in unused


def resource_files(resources: Path = RESOURCES) -> list[Path]:
    """The resource files the package ships, relative to ``resources/``, sorted."""
    chosen: set[Path] = set()
    for folder, pattern in RESOURCE_PATTERNS:
        for path in (resources / folder).glob(pattern):
            if path.is_file():
                chosen.add(path.relative_to(resources))
    return sorted(p for p in chosen if not _excluded(p))


def unpackaged_files(resources: Path = RESOURCES) -> list[Path]:
    """Files under ``resources/`` that no pattern ships and no exclusion explains."""
    shipped = set(resource_files(resources))
    return sorted(
        path.relative_to(resources)
        for path in resources.rglob("*")
        if path.is_file()
        and path.relative_to(resources) not in shipped
        and not _excluded(path.relative_to(resources))
        and "__pycache__" not in path.parts
    )


def _excluded(relative: Path) -> bool:
    return any(relative.match(pattern) for pattern in RESOURCE_EXCLUDES)


def datas(resources: Path = RESOURCES) -> list[tuple[str, str]]:
    """PyInstaller ``datas``: (source file, destination folder in the bundle)."""
    return [
        (str(resources / relative), str(Path("resources") / relative.parent))
        for relative in resource_files(resources)
    ]


def package_datas() -> list[tuple[str, str]]:
    """PyInstaller ``datas`` for ``PACKAGE_DATA``, from the installed libraries."""
    import importlib.util

    result = []
    for package, folder, patterns in PACKAGE_DATA:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise LookupError(f"{package} is not installed; it is needed for {folder}/")
        source = Path(next(iter(spec.submodule_search_locations))) / folder
        files = sorted({path for pattern in patterns for path in source.glob(pattern)})
        if not files:
            raise LookupError(f"{source} has none of {', '.join(patterns)}")
        result += [(str(path), f"{package}/{folder}") for path in files]
    return result


def dynamic_imports(repo: Path = REPO) -> list[str]:
    """Modules the application imports by name at run time, which PyInstaller cannot see.

    The CLI imports its command modules from ``COMMAND_MODULES`` and the GUI from
    ``GUI_MODULE``, and the main window its features from ``EXTENSIONS``, with
    ``importlib``; all are read from the source so that a newly registered module is
    packaged too.
    """
    cli = repo / "fieldwork" / "cli" / "__init__.py"
    names = _string_list(cli, "COMMAND_MODULES") + _string_list(cli, "GUI_MODULE")
    names += [
        entry.partition(":")[0]
        for entry in _string_list(repo / "ui" / "extensions.py", "EXTENSIONS")
    ]
    return names


def _string_list(path: Path, variable: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id == variable and value is not None:
            result = ast.literal_eval(value)  # a list, a dict (its keys) or one string
            return [result] if isinstance(result, str) else [str(item) for item in result]
    raise LookupError(f"{path}: no list named {variable}")


def qt_excludes(installed: list[str] | None = None) -> list[str]:
    """``PySide6.X`` module names to exclude: every Qt module the application does not use."""
    names = set(QT_MODULES_NEVER)
    if installed is not None:
        names |= set(installed)
    return sorted(f"PySide6.{name}" for name in names - QT_MODULES_USED)


def installed_qt_modules() -> list[str]:
    """The Qt modules of the installed PySide6 (without importing Qt)."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations)))
    modules = set()
    for path in folder.iterdir():
        match = re.match(r"(Qt\w+)\.(abi3\.so|pyd|.*\.so)$", path.name)
        if match:
            modules.add(match.group(1))
    return sorted(modules)


def version(repo: Path = REPO) -> str:
    """The application's version, from ``fieldwork/__init__.py`` (read, not imported)."""
    text = (repo / "fieldwork" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise LookupError("fieldwork/__init__.py has no __version__")
    return match.group(1)


def version_tuple(text: str) -> tuple[int, int, int, int]:
    """A Windows four-part version (1.2.3 -> (1, 2, 3, 0)); non-numeric parts count as 0."""
    parts = [int(p) if p.isdigit() else 0 for p in re.split(r"[.+-]", text)[:4]]
    return tuple((parts + [0, 0, 0, 0])[:4])  # type: ignore[return-value]
