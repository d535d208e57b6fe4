"""The sampling and allocation commands, run as a user runs them."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from fieldwork.cli import main
from fieldwork.service import Service
from tests.test_sampling_support import case_rows, dump, write_csv


@pytest.fixture
def workspace(workspace_path: Path, clock: object) -> Path:
    with Service.create(workspace_path, user="Lead") as service:
        service.create_inspection("North West", fieldwork_start=date(2020, 1, 13))
        for name in ("Helen", "Tom", "Grace"):
            service.add_inspector(name)
    return workspace_path


def run(*argv: object) -> int:
    return main([str(a) for a in argv])


def test_sample_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("sample", "size", "--population", 1000) == 0
    assert "Sample size: 142" in capsys.readouterr().out
    assert run("sample", "size", "--population", 3000, "--confidence", 80, "--margin", 5) == 0
    assert "Sample size: 156" in capsys.readouterr().out


def test_import_draw_report_replace_allocate(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    population = write_csv(tmp_path / "nps.csv", case_rows(800, seed=8, start=date(2019, 6, 1)))
    assert (
        run(
            "population",
            "import",
            workspace,
            population,
            "--sample",
            "case-supervision",
            "--map",
            "Sex=gender",
            "--map",
            "Grade=Responsible officer grade",
            "--save-mapping",
            "NPS North West",
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Imported 800 cases" in out and "Saved the column mapping as 'NPS North West'" in out

    # The saved mapping is enough the next time.
    assert (
        run(
            "population",
            "import",
            workspace,
            population,
            "--sample",
            "case-supervision",
            "--mapping",
            "NPS North West",
        )
        == 0
    )
    assert "replaces the 800 cases" in capsys.readouterr().out

    exclusions = tmp_path / "exclude.txt"
    exclusions.write_text("E000010\nE000011\n", encoding="utf-8")
    assert (
        run(
            "sample",
            "draw",
            workspace,
            "--sample",
            "case-supervision",
            "--seed",
            42,
            "--supervised-months",
            "6-7",
            "--exclude",
            exclusions,
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Sentence or release date from 2019-06-13 to 2019-07-13" in out
    drawn = int(out.split("Drew ")[1].split()[0])
    assert "--seed 42 --eligible-from 2019-06-13 --eligible-to 2019-07-13" in out

    report = tmp_path / "sampling.pdf"
    assert run("sample", "report", workspace, "-o", report) == 0
    assert "Wrote the sampling report" in capsys.readouterr().out
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(report.read_bytes())).pages)
    assert "Seed 42" in text

    with Service.open(workspace, backup=False) as service:
        first = service.cases()[0].reference
    assert run("sample", "replace", workspace, "--case", first, "--reason", "in custody") == 0
    assert f"Replaced {first} with" in capsys.readouterr().out

    assert run("allocate", workspace, "--balanced") == 0
    out = capsys.readouterr().out
    assert f"Allocated {drawn} cases." in out
    with Service.open(workspace, backup=False) as service:
        loads = sorted(len(service.cases(inspector_id=i.id)) for i in service.inspectors())
        case = service.cases()[0]
    assert sum(loads) == drawn and loads[-1] - loads[0] <= 1

    other = next(n for n in ("Helen", "Tom", "Grace") if n != case.inspector_name)
    assert run("allocate", workspace, "--case", case.reference, "--to", other) == 1
    assert "needs a reason" in capsys.readouterr().err
    assert (
        run(
            "allocate",
            workspace,
            "--case",
            case.reference,
            "--to",
            other,
            "--reason",
            "conflict of interest",
        )
        == 0
    )
    assert (
        f"Moved {case.reference} from {case.inspector_name} to {other}" in capsys.readouterr().out
    )

    assert run("allocate", workspace) == 0
    assert "Unallocated: 0" in capsys.readouterr().out


def test_bad_file_lists_every_problem_and_stores_nothing(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = case_rows(5)
    rows[1][1] = "X"
    rows[3][0] = rows[0][0]
    path = write_csv(tmp_path / "bad.csv", rows)
    before = dump(workspace)
    assert (
        run(
            "population",
            "import",
            workspace,
            path,
            "--sample",
            "case-supervision",
            "--map",
            "Sex=gender",
            "--map",
            "Grade=officer_grade",
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "2 problem(s); nothing was imported" in err
    assert "row 3, column 'Sex': 'X' is not one of: male, female" in err
    assert "row 5, column 'CRN': duplicate reference 'E000000' (also on row 2)" in err
    assert dump(workspace) == before


def test_unknown_attribute_in_a_mapping(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "nps.csv", case_rows(3))
    assert (
        run(
            "population",
            "import",
            workspace,
            path,
            "--sample",
            "case-supervision",
            "--map",
            "Sex=sex",
        )
        == 1
    )
    assert "'sex' is not something a Case supervision column can hold" in capsys.readouterr().err


def test_dry_run_stores_nothing(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "nps.csv", case_rows(200))
    run(
        "population",
        "import",
        workspace,
        path,
        "--sample",
        "case-supervision",
        "--map",
        "Sex=gender",
        "--map",
        "Grade=officer_grade",
    )
    capsys.readouterr()
    before = dump(workspace)
    assert (
        run("sample", "draw", workspace, "--sample", "case-supervision", "--seed", 1, "--dry-run")
        == 0
    )
    assert "draw preview (nothing stored)" in capsys.readouterr().out
    assert dump(workspace) == before
