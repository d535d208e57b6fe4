"""The ``fieldwork`` command line: demo, info and errors."""

from __future__ import annotations

import argparse
import importlib
import json
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from fieldwork import __version__, cli
from fieldwork.cli import main
from fieldwork.service import Service

ROOT = Path(__file__).resolve().parents[1]


def test_demo_is_reproducible_and_mixed(tmp_path, capsys):
    first, second = tmp_path / "a.fieldwork", tmp_path / "b.fieldwork"
    assert main(["demo", str(first), "--seed", "7"]) == 0
    assert main(["demo", str(second), "--seed", "7"]) == 0
    assert "Created" in capsys.readouterr().out
    with Service.open(first) as a, Service.open(second) as b:
        rows_a = [(c.sample, c.reference, c.status, c.done, dict(c.attributes)) for c in a.cases()]
        rows_b = [(c.sample, c.reference, c.status, c.done, dict(c.attributes)) for c in b.cases()]
        assert rows_a == rows_b
        assert {c.sample for c in a.cases()} == {"case-supervision", "court-reports", "victim"}
        assert {c.status for c in a.cases()} == {"not started", "in progress", "complete"}
        for case in a.cases():
            if case.status == "complete":
                assert a.missing(case.id) == []


def test_demo_sizes_and_all_complete(tmp_path):
    path = tmp_path / "bench.fieldwork"
    assert (
        main(
            [
                "demo",
                str(path),
                "--case-supervision",
                "5",
                "--court-reports",
                "3",
                "--victim",
                "2",
                "--all-complete",
            ]
        )
        == 0
    )
    with Service.open(path) as service:
        cases = service.cases()
        assert len(cases) == 10
        assert all(c.status == "complete" and c.done == c.total for c in cases)


def test_info(tmp_path, capsys):
    path = tmp_path / "demo.fieldwork"
    main(["demo", str(path)])
    capsys.readouterr()
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "North West NPS division (demo)" in out
    assert "hmip-probation-2018" in out
    assert "Case supervision" in out and "Statutory victim work" in out
    assert "All samples                             42" in out


def test_errors_are_clear_and_exit_nonzero(tmp_path, capsys):
    bad = tmp_path / "bad.fieldwork"
    bad.write_text("not a database", encoding="utf-8")
    assert main(["info", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"fieldwork: error: {bad}: ")
    assert "not an SQLite database" in err
    existing = tmp_path / "demo.fieldwork"
    main(["demo", str(existing)])
    assert main(["demo", str(existing)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_info_reports_a_damaged_workspace_plainly(tmp_path, capsys):
    """info skips the full integrity check to start fast; damage it meets is still an
    error naming the file, never a traceback."""
    path = tmp_path / "demo.fieldwork"
    main(["demo", str(path)])
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        [root] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cases'").fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = b"\xa5" * page_size  # the cases table's first page
    path.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["info", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"fieldwork: error: {path}: the workspace cannot be read, it may be")
    assert "malformed" in err
    assert "restore the newest backup" in err or "no backup found" in err


def test_console_script_version():
    fieldwork = [sys.executable, "-m", "fieldwork.cli", "--version"]
    result = subprocess.run(fieldwork, capture_output=True, text=True, check=True)
    assert result.stdout == f"fieldwork {__version__}\n"


def test_the_console_script_is_the_core_cli():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["fieldwork"] == "fieldwork.cli:main"


# A fresh interpreter where Qt cannot be imported (as on a server with no PySide6): it runs
# one command line and reports, as JSON, its exit status and which modules were loaded.
NO_QT = """
import contextlib, io, json, sys
sys.modules["PySide6"] = None  # any import of it now fails
sys.modules["shiboken6"] = None
from fieldwork.cli import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        status = main(sys.argv[1:])
    except SystemExit as exit:
        status = exit.code
print(json.dumps({"status": status, "out": out.getvalue(), "err": err.getvalue(),
                  "modules": sorted(m for m in sys.modules if sys.modules[m] is not None)}))
"""

HEAVY = ("jsonschema", "reportlab", "openpyxl", "cryptography", "fastjsonschema")


def run_without_qt(*argv: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", NO_QT, *argv], capture_output=True, text=True, check=True, cwd=ROOT
    )
    report: dict[str, Any] = json.loads(result.stdout)
    report["loaded"] = {m.split(".")[0] for m in report["modules"]}
    return report


def test_the_cli_runs_with_qt_unimportable(tmp_path):
    path = tmp_path / "demo.fieldwork"
    made = run_without_qt("demo", str(path), "--case-supervision", "2")
    assert made["status"] == 0 and "Created" in made["out"]
    info = run_without_qt("info", str(path))
    assert info["status"] == 0 and "North West NPS division (demo)" in info["out"]
    assert not {"ui", "PySide6", "shiboken6"} & (made["loaded"] | info["loaded"])


def test_open_says_plainly_when_the_application_is_not_installed(tmp_path):
    for argv in (("open", str(tmp_path / "x.fieldwork")), ()):
        report = run_without_qt(*argv)
        assert report["status"] == 2
        assert "the graphical application is not available here" in report["err"]
        assert "PySide6 is not installed" in report["err"]


def test_a_broken_gui_is_not_mistaken_for_a_missing_one(monkeypatch, capsys):
    def fails_with(error: ImportError) -> None:
        def import_module(name: str) -> object:
            raise error

        monkeypatch.setattr(cli.importlib, "import_module", import_module)

    fails_with(ModuleNotFoundError("No module named 'ui'", name="ui"))
    assert cli.open_application(None) == 2  # a core-only install: said plainly
    assert "ui is not installed" in capsys.readouterr().err
    for broken in (
        ImportError("cannot import name 'gone' from 'ui.app'", name="ui.app"),
        ModuleNotFoundError("No module named 'ui.gone'", name="ui.gone"),
        ModuleNotFoundError("No module named 'missing_dependency'", name="missing_dependency"),
    ):
        fails_with(broken)
        with pytest.raises(ImportError):
            cli.open_application(None)


def test_version_and_info_load_only_what_they_need(tmp_path):
    """Start-up speed by construction: --version loads no command and no library of ours
    beyond the package; info reads the workspace as it is (``store.reading``): neither the
    service nor sqlite-utils nor the lock library, never bundles, reports or spreadsheets."""
    version = run_without_qt("--version")
    assert version["status"] == 0 and version["out"] == f"fieldwork {__version__}\n"
    ours = {m for m in version["modules"] if m.startswith("fieldwork.")}
    assert ours == {"fieldwork.cli", "fieldwork.errors"}
    assert not {"sqlite_utils", *HEAVY} & version["loaded"]

    path = tmp_path / "demo.fieldwork"
    main(["demo", str(path), "--case-supervision", "2"])
    info = run_without_qt("info", str(path))
    assert info["status"] == 0
    assert "fieldwork.store" in info["modules"]
    assert "fieldwork.service" not in info["modules"]
    assert not {"sqlite_utils", "filelock"} & info["loaded"]
    assert not set(HEAVY) & info["loaded"]
    assert not {
        m
        for m in info["modules"]
        if m.startswith(("fieldwork.bundles", "fieldwork.reports", "fieldwork.scoring"))
    }


def test_each_command_is_found_in_the_module_that_registers_it():
    for module, commands in cli.COMMAND_MODULES.items():
        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers()
        importlib.import_module(module).register(subparsers)
        assert tuple(subparsers.choices) == commands, module
        for command in commands:
            assert cli.modules_for(["--user", "x", command, "--help"]) == [module]
    everything = list(cli.COMMAND_MODULES)
    assert cli.modules_for(["--help"]) == everything
    assert cli.modules_for(["no-such-command"]) == everything
    assert cli.modules_for(["--version"]) == cli.modules_for([]) == []


def test_help_and_unknown_commands_list_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["no-such-command"])
    error = capsys.readouterr().err
    for commands in cli.COMMAND_MODULES.values():
        for command in commands:
            assert command in listed and repr(command) in error
