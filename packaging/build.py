"""Build the Fieldwork desktop application with PyInstaller, and its installer.

    python packaging/build.py               # the application: dist/Fieldwork/ (dist/Fieldwork.app)
    python packaging/build.py --installer   # then the installer for this system
    python packaging/build.py --clean       # forget PyInstaller's cache first

Run it with the Python of an environment that has the project and its
``package`` extra installed (``pip install -e ".[package]"``); ``make package``
does that. The installer is a ``.tar.gz`` on Linux, an Inno Setup ``.exe`` on
Windows (``iscc`` must be on PATH or in its usual folder) and a ``.dmg`` on
macOS (``hdiutil``, part of macOS). See docs/packaging.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def load_manifest() -> ModuleType:
    # By path: this folder is not a package (see manifest.py).
    spec = importlib.util.spec_from_file_location("fieldwork_manifest", HERE / "manifest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


manifest = load_manifest()


def app_folder(dist: Path) -> Path:
    """The built application: a folder, or the .app bundle on macOS."""
    if sys.platform == "darwin":
        return dist / f"{manifest.APP_NAME}.app"
    return dist / manifest.APP_NAME


def check_sources() -> None:
    """Fail before a long build if a resource or the icon is missing."""
    problems = []
    for icon in (manifest.ICON_SVG, manifest.ICON_PNG, manifest.ICON_ICO, manifest.ICON_ICNS):
        if not (manifest.RESOURCES / icon).is_file():
            problems.append(f"resources/{icon} is missing (run packaging/make_icons.py)")
    if not manifest.resource_files():
        problems.append("resources/ has no files to package")
    for path in manifest.unpackaged_files():
        problems.append(
            f"resources/{path.as_posix()} matches no pattern in packaging/manifest.py "
            "RESOURCE_PATTERNS: add one, or move the file out of resources/"
        )
    if importlib.util.find_spec("PyInstaller") is None:
        problems.append(
            f'PyInstaller is not installed for {sys.executable}: pip install -e ".[package]"'
        )
    if problems:
        raise SystemExit("packaging/build.py:\n  " + "\n  ".join(problems))


def build_app(dist: Path, work: Path, *, clean: bool) -> Path:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={dist}",
        f"--workpath={work}",
        str(HERE / "fieldwork.spec"),
    ]
    if clean:
        command.insert(3, "--clean")
    subprocess.run(command, check=True, cwd=REPO, env=pyinstaller_environment())
    folder = app_folder(dist)
    if not folder.exists():
        raise SystemExit(f"packaging/build.py: PyInstaller finished but {folder} is missing")
    return folder


def pyinstaller_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment PyInstaller builds in."""
    env = dict(os.environ if environ is None else environ)
    env.pop("FIELDWORK_RESOURCES", None)  # the build must use the repository's resources
    # The modules in the executable's archive stored, not deflated: the application inflated
    # each one it imported at every start-up (about 20 ms for the 200-odd modules the first
    # window loads, of a start-up of 250-400 ms). The executable grows from 8 to 20 MB on
    # disk; the installers, compressed as a whole, come out slightly smaller.
    env["PYINSTALLER_ZLIB_COMPRESSION_LEVEL"] = "0"
    return env


def build_installer(dist: Path) -> Path:
    version = manifest.version()
    if sys.platform == "win32":
        return _inno_setup(dist, version)
    if sys.platform == "darwin":
        return _disk_image(dist, version)
    return _tarball(dist, version)


def _tarball(dist: Path, version: str) -> Path:
    machine = platform.machine().lower() or "unknown"
    archive = dist / f"{manifest.APP_NAME}-{version}-linux-{machine}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(app_folder(dist), arcname=f"{manifest.APP_NAME}-{version}")
    return archive


def _inno_setup(dist: Path, version: str) -> Path:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
            candidate = Path(base or "") / "Inno Setup 6" / "ISCC.exe"
            if base and candidate.is_file():
                iscc = str(candidate)
                break
    if iscc is None:
        raise SystemExit(
            "packaging/build.py: Inno Setup's iscc was not found (choco install innosetup)"
        )
    subprocess.run(
        [
            iscc,
            f"/DAppVersion={version}",
            f"/DAppNumericVersion={'.'.join(map(str, manifest.version_tuple(version)))}",
            f"/DSourceDir={app_folder(dist)}",
            f"/DOutputDir={dist}",
            f"/DIconFile={manifest.RESOURCES / manifest.ICON_ICO}",
            str(HERE / "windows" / "fieldwork.iss"),
        ],
        check=True,
    )
    return dist / f"{manifest.APP_NAME}-{version}-setup.exe"


def _disk_image(dist: Path, version: str) -> Path:
    image = dist / f"{manifest.APP_NAME}-{version}.dmg"
    subprocess.run(
        ["bash", str(HERE / "macos" / "make_dmg.sh"), str(app_folder(dist)), str(image), version],
        check=True,
    )
    return image


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="output folder")
    parser.add_argument(
        "--work", type=Path, default=REPO / "build" / "pyinstaller", help="PyInstaller's cache"
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument(
        "--installer", action="store_true", help="also build this system's installer"
    )
    args = parser.parse_args(argv)
    check_sources()
    started = time.perf_counter()
    folder = build_app(args.dist.resolve(), args.work.resolve(), clean=args.clean)
    took = time.perf_counter() - started
    size = folder_size(folder) / 1_000_000
    print(f"built {folder} ({size:.0f} MB) in {took:.0f} s")
    if args.installer:
        installer = build_installer(args.dist.resolve())
        print(f"built {installer} ({installer.stat().st_size / 1_000_000:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
