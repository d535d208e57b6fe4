"""Smoke test of the built application, with no display and no Python of its own.

    python packaging/smoke_test.py                 # tests dist/Fieldwork (make package-test)
    python packaging/smoke_test.py --app PATH      # another build's executable

It runs the packaged executable as an inspector's laptop would, in a temporary
home folder, with Qt's offscreen platform:

1. ``--version`` prints the version the package was built from;
2. ``demo`` makes a workspace in a temporary folder;
3. ``info`` reads it back (frameworks, schemas and reference data are found);
4. ``print`` writes a case summary sheet as a PDF (skipped, saying so, if this
   build has no ``print`` command yet);
5. ``open`` shows the main window offscreen until it has listed the cases
   (``FIELDWORK_SMOKE_QUIT=1`` makes it print "ready" and quit), timing it, and
   the same from source in the same run, when this Python has the project
   installed (targets.md: the packaged start-up ≤ 1.5 × the source start-up);
6. the application wrote nothing into its own folder, and its log went to the
   per-user log folder.

Only the standard library is used, so any Python 3.11 runs it (without the
project installed, it skips the comparison with the source start-up).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
STEP_TIMEOUT = 180  # seconds; a hung step fails rather than blocking CI


def load_manifest() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fieldwork_manifest", HERE / "manifest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


manifest = load_manifest()


class StepFailed(Exception):
    pass


class Skipped(Exception):
    pass


def default_app() -> Path:
    dist = REPO / "dist"
    if sys.platform == "darwin":
        return dist / f"{manifest.APP_NAME}.app" / "Contents" / "MacOS" / manifest.EXECUTABLE
    suffix = ".exe" if sys.platform == "win32" else ""
    return dist / manifest.APP_NAME / f"{manifest.EXECUTABLE}{suffix}"


class Smoke:
    def __init__(self, app: Path, scratch: Path, *, startup_runs: int = 3):
        self.app = app
        self.scratch = scratch
        self.home = scratch / "home"
        self.home.mkdir()
        self.workspace = scratch / "work" / "smoke.fieldwork"
        self.workspace.parent.mkdir()
        self.env = self._environment()
        self.startup_seconds: list[float] = []
        self.source_seconds: list[float] = []
        self.startup_runs = startup_runs

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            # Nothing from a development checkout may leak into the packaged app.
            if key not in ("FIELDWORK_RESOURCES", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
            and not key.startswith("XDG_")
        }
        env.update(
            {
                "QT_QPA_PLATFORM": "offscreen",
                "HOME": str(self.home),
                "XDG_CONFIG_HOME": str(self.home / ".config"),
                "XDG_DATA_HOME": str(self.home / ".local" / "share"),
                "XDG_STATE_HOME": str(self.home / ".local" / "state"),
                "XDG_CACHE_HOME": str(self.home / ".cache"),
                "PYTHONIOENCODING": "utf-8",
            }
        )
        env.pop(manifest.SMOKE_QUIT_VARIABLE, None)
        if sys.platform == "win32":
            # Known folders on Windows come from the shell, not from these, so
            # on a CI runner the log goes to the runner's own AppData.
            env["USERPROFILE"] = str(self.home)
        return env

    def run(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        command = [str(self.app), *args]
        try:
            result = subprocess.run(
                command,
                env=self.env,
                cwd=self.scratch,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=STEP_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:
            raise StepFailed(f"{' '.join(args)}: no answer after {STEP_TIMEOUT} s") from exc
        if result.returncode != expect:
            raise StepFailed(
                f"`fieldwork {' '.join(args)}` exited {result.returncode} (expected {expect})\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    # The steps -----------------------------------------------------------------

    def version(self) -> str:
        out = self.run("--version").stdout.strip()
        wanted = f"fieldwork {manifest.version()}"
        if out != wanted:
            raise StepFailed(f"--version printed {out!r}, expected {wanted!r}")
        return out

    def demo(self) -> str:
        # The standard data set of targets.md (200 / 120 / 30 cases, fully
        # answered), so that the start-up time below is the one targets.md sets.
        self.run(
            "--user", "Smoke", "demo", str(self.workspace), "--seed", "7",
            "--case-supervision", "200", "--court-reports", "120", "--victim", "30",
            "--all-complete",
        )  # fmt: skip
        if not self.workspace.is_file():
            raise StepFailed(f"demo did not create {self.workspace}")
        return f"{self.workspace.stat().st_size // 1024} KB workspace"

    def info(self) -> str:
        out = self.run("info", str(self.workspace)).stdout
        for wanted in ("Framework:", "Inspection: North West", "All samples"):
            if wanted not in out:
                raise StepFailed(f"info did not print {wanted!r}:\n{out}")
        return next(line for line in out.splitlines() if line.startswith("Inspection:"))

    def print_sheet(self) -> str:
        probe = subprocess.run(
            [str(self.app), "print", "--help"],
            env=self.env,
            cwd=self.scratch,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
        )
        if probe.returncode != 0:
            raise Skipped("this build has no `fieldwork print` command yet")
        pdf = self.scratch / "sheets.pdf"
        self.run("print", str(self.workspace), "--all", "--sample", "victim", "--output", str(pdf))
        data = pdf.read_bytes() if pdf.is_file() else b""
        if not data.startswith(b"%PDF") or b"%%EOF" not in data[-1024:]:
            raise StepFailed(f"print did not write a PDF at {pdf}")
        return f"{len(data) // 1024} KB PDF"

    def encrypted(self) -> str:
        """A copy of the workspace encrypted and read back: SQLCipher is in the build."""
        if not self.workspace.is_file():
            raise StepFailed("no workspace to encrypt (the demo step failed)")
        copy = self.workspace.with_name("encrypted.fieldwork")
        shutil.copyfile(self.workspace, copy)
        env = dict(self.env, FIELDWORK_PASSPHRASE="smoke test lantern orbit mossy tundra")
        saved, self.env = self.env, env
        try:
            self.run("encrypt", str(copy))
            if copy.read_bytes()[:16] == b"SQLite format 3\x00":
                raise StepFailed(f"encrypt left {copy} a plain SQLite file")
            out = self.run("info", str(copy)).stdout
        finally:
            self.env = saved
        if "Inspection: North West" not in out:
            raise StepFailed(f"info did not read the encrypted copy:\n{out}")
        phrase = self.run("passphrase").stdout.split()
        if len(phrase) != 6:
            raise StepFailed(f"passphrase printed {phrase!r}, not six words")
        return "encrypted, read back; passphrase generated"

    def window(self) -> str:
        packaged = [str(self.app)]
        seconds, ready = self._until_ready(packaged)
        self.startup_seconds = [seconds]
        source = source_command() if self.startup_runs else None
        for _ in range(self.startup_runs):  # interleaved: both see the same machine load
            if source:
                self.source_seconds.append(self._until_ready(source)[0])
            self.startup_seconds.append(self._until_ready(packaged)[0])
        return f"{ready} after {seconds:.2f} s"

    def _until_ready(self, command: list[str]) -> tuple[float, str]:
        """Launch the GUI offscreen; seconds until it said ready, and what it said."""
        env = dict(self.env, **{manifest.SMOKE_QUIT_VARIABLE: "1"})
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, "open", str(self.workspace)],
            env=env,
            cwd=self.scratch,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # one pipe: two could fill and stall the app
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert process.stdout is not None
        ready_at = None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("ready") and ready_at is None:
                ready_at = time.perf_counter()
        try:
            process.wait(timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            raise StepFailed("the application did not quit after it was ready") from exc
        if process.returncode != 0 or ready_at is None:
            raise StepFailed(
                f"the main window never said ready (exit {process.returncode})\n"
                f"output:\n{''.join(lines)}"
            )
        ready = next(line for line in lines if line.startswith("ready")).strip()
        return ready_at - started, ready

    def left_alone(self, before: dict[str, tuple[int, int]]) -> str:
        after = snapshot(app_root(self.app))
        changed = sorted(
            name for name in set(before) | set(after) if before.get(name) != after.get(name)
        )
        if changed:
            raise StepFailed(
                "the application wrote into its own folder: " + ", ".join(changed[:10])
            )
        if sys.platform.startswith("linux"):
            log = self.home / ".local" / "state" / manifest.APP_NAME / "log" / "fieldwork.log"
            if not log.is_file() or "starting" not in log.read_text(encoding="utf-8"):
                raise StepFailed(f"no log in the per-user log folder ({log})")
            return f"log at ~/{log.relative_to(self.home).as_posix()}"
        return "nothing written beside the executable"


def source_command() -> list[str] | None:
    """The application run from source by this Python, if it has the project installed."""
    probe = subprocess.run(
        [sys.executable, "-c", "import fieldwork, ui.launcher"], capture_output=True, timeout=60
    )
    return [sys.executable, str(HERE / "entry.py")] if probe.returncode == 0 else None


def startup_summary(packaged: list[float], source: list[float]) -> str:
    """The start-up line: the first launch, then the packaged against the source start-up."""
    first, *again = packaged
    line = f"start-up:    {first:.2f} s from launch to the 350-case list shown"
    if again:
        line += f"; then {statistics.median(again):.2f} s (median of {len(again)})"
    if again and source:
        ratio = statistics.median(again) / statistics.median(source)
        verdict = "meets" if ratio <= STARTUP_RATIO else "MISSES"
        line += (
            f"\n             from source in the same run {statistics.median(source):.2f} s: "
            f"packaged {ratio:.2f} × source (target ≤ {STARTUP_RATIO} ×, {verdict})"
        )
    return line


#: targets.md: the installed application starts within 1.5 × the source start-up.
STARTUP_RATIO = 1.5


def app_root(executable: Path) -> Path:
    """The folder the installer copies: the one-folder build, or the .app bundle."""
    for parent in executable.parents:
        if parent.suffix == ".app":
            return parent
    return executable.parent


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        path.relative_to(folder).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }


def folder_size(folder: Path) -> int:
    return sum(size for size, _ in snapshot(folder).values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke test of the built Fieldwork application.")
    parser.add_argument("--app", type=Path, default=default_app(), help="the built executable")
    parser.add_argument(
        "--startup-runs",
        type=int,
        default=3,
        metavar="N",
        help="launch the window N more times to time the start-up (default 3)",
    )
    args = parser.parse_args(argv)
    app = args.app.resolve()
    if not app.is_file():
        print(f"smoke test: no application at {app}; build it first (make package)")
        return 2
    root = app_root(app)
    before = snapshot(root)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="fieldwork-smoke-") as scratch:
        smoke = Smoke(app, Path(scratch), startup_runs=args.startup_runs)
        steps: list[tuple[str, Callable[[], str]]] = [
            ("--version", smoke.version),
            ("demo", smoke.demo),
            ("info", smoke.info),
            ("print", smoke.print_sheet),
            ("encrypt", smoke.encrypted),
            ("open (offscreen)", smoke.window),
            ("own folder untouched", lambda: smoke.left_alone(before)),
        ]
        for name, step in steps:
            try:
                detail = step()
            except Skipped as skip:
                print(f"SKIP {name}: {skip}")
                continue
            except StepFailed as fail:
                failed += 1
                print(f"FAIL {name}: {fail}")
                continue
            passed += 1
            print(f"ok   {name}: {detail}")
        print()
        print(f"application: {root} ({folder_size(root) / 1_000_000:.0f} MB on disk)")
        if smoke.startup_seconds:
            print(startup_summary(smoke.startup_seconds, smoke.source_seconds))
    # The closing line in the form CI reads.
    print(f"smoke: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
