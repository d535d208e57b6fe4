"""The ``fieldwork`` command line: demo, info and errors."""

from __future__ import annotations

import subprocess
import sys

from fieldwork.cli import main
from fieldwork.service import Service


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


def test_console_script_version():
    fieldwork = [sys.executable, "-m", "ui.launcher", "--version"]
    result = subprocess.run(fieldwork, capture_output=True, text=True, check=True)
    assert result.stdout.startswith("fieldwork ")
