"""What the packaged application leaves out to start sooner, and how its start-up is told
against the source start-up (targets.md: ≤ 1.5 × the source start-up, same run)."""

from __future__ import annotations

import importlib.util
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
