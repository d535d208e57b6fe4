"""Interview figures on paper and in tables: the ratings report's key data read back from
the PDF, the CSV and Excel tables, the interview summary sheet and the command line."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pypdf
import pytest

from fieldwork.cli import main
from fieldwork.errors import StorageError
from fieldwork.interviews.figures import interview_figures
from fieldwork.interviews.report import (
    interview_sheets_pdf,
    interview_tables,
    key_data_by_standard,
    write_interview_sheets,
)
from fieldwork.interviews.store import Interviews
from fieldwork.scoring import score
from fieldwork.scoring.export import WORKBOOK_NAME, export_tables
from fieldwork.scoring.report import report_pdf
from fieldwork.service import Service
from tests.interviews_support import constructed

PRINTED = datetime(2020, 1, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
def interviews(service: Service) -> Interviews:
    return constructed(service)


def flat(data: bytes) -> str:
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]
    return re.sub(r"\s+", " ", "\n".join(pages))


def test_ratings_report_prints_the_key_data_tables(interviews: Interviews) -> None:
    service = interviews.service
    figures = interview_figures(service)
    text = flat(report_pdf(score(service), invariant=True, evidence=key_data_by_standard(figures)))
    # 1.1: "Key data", previous 81%, current: everyone agreed in the constructed set.
    assert (
        "Key data Previous inspection Current inspection Proportion of staff interviewed who "
        "agreed that the organisation prioritised quality 81% 100%"
    ) in text
    # 1.2: the workload table, the other way round: 3 of 6 POs, 1 of 3 PSOs unmanageable.
    assert "Workload data Previous inspection Current inspection" in text
    assert "describing workload as unmanageable 56% 50%" in text
    assert "describing workload as unmanageable 0% 33%" in text
    # Other figures with their counts; NA left out (4 of 5 agreed).
    assert (
        "agreed that, when necessary, reasonable adjustments had been put in place for them "
        "4 of 5 80%" in text
    )
    assert "previous sample size unknown, so significance not tested" in text


def test_the_report_without_interviews_is_unchanged(interviews: Interviews) -> None:
    scores = score(interviews.service)
    assert "Key data" not in flat(report_pdf(scores, invariant=True))


def test_csv_and_excel_tables(interviews: Interviews, tmp_path: Path) -> None:
    tables = interview_tables(interview_figures(interviews.service))
    written = export_tables(tables, tmp_path)
    assert [p.name for p in written] == [
        "interviews.csv",
        "interviews-breakdown.csv",
        WORKBOOK_NAME,
    ]
    with (tmp_path / "interviews.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["Figure"]: r for r in csv.DictReader(fh)}
    po = rows[
        "Proportion of POs (or equivalent) in this NPS division describing workload as unmanageable"
    ]
    assert (po["Counted"], po["Applicable"], po["Current %"], po["Previous %"]) == (
        "3",
        "6",
        "50",
        "56",
    )
    assert po["Published %"] == "45"
    with (tmp_path / "interviews-breakdown.csv").open(encoding="utf-8-sig", newline="") as fh:
        breakdown = list(csv.DictReader(fh))
    workload = [
        (r["By"], r["Group"], r["Counted"], r["Applicable"])
        for r in breakdown
        if r["Figure"].startswith(
            "Proportion of responsible officers interviewed who agreed that their workload"
        )
    ]
    assert ("grade", "PO", "3", "6") in workload
    assert ("cluster", "Merseyside", "1", "5") in workload
    sheet = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME).worksheets[0]
    assert any("prioritised quality" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_interview_summary_sheet_reads_back(interviews: Interviews, tmp_path: Path) -> None:
    first = interviews.find("Officer 1")
    interviews.set_note(
        first.id, "ro-workload-measure", "Tool says 118 per cent", edit_reason="added"
    )
    interviews.set_notes(
        first.id, "Held by phone.\n\nOfficer covering a second team.", edit_reason="x"
    )
    open_one = interviews.find("Officer open")
    path = write_interview_sheets(
        interviews, [first.id, open_one.id], tmp_path / "sheets.pdf", printed_at=PRINTED
    )
    reader = pypdf.PdfReader(path)
    first_text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "Interview summary sheet: Officer 1" in first_text
    assert "Responsible officer grade PO" in first_text
    assert "Local delivery unit or cluster Cheshire" in first_text
    everything = flat(path.read_bytes())
    assert "Note: Tool says 118 per cent" in everything
    assert "Reason: none needed" in everything  # Officer 1 said not applicable
    assert "Officer covering a second team." in everything
    assert "Nothing: every item this interview needs is done." in everything
    # The open interview lists what it still lacks.
    assert "ro-quality-prioritised Answer The organisation prioritises quality." in everything
    assert "Page 1 of" in everything and "OFFICIAL-SENSITIVE" in everything


def test_sheets_refuse_a_missing_folder(interviews: Interviews, tmp_path: Path) -> None:
    first = interviews.find("Officer 1")
    with pytest.raises(StorageError, match="folder does not exist"):
        write_interview_sheets(
            interviews, [first.id], tmp_path / "no" / "x.pdf", printed_at=PRINTED
        )
    pdf = interview_sheets_pdf(interviews, [first.id], printed_at=PRINTED, invariant=True)
    assert pdf == interview_sheets_pdf(interviews, [first.id], printed_at=PRINTED, invariant=True)


def test_cli_report_and_tables_carry_the_interviews(
    interviews: Interviews, workspace_path: Path, tmp_path: Path
) -> None:
    interviews.service.close()
    pdf = tmp_path / "ratings.pdf"
    assert main(["report", str(workspace_path), "--output", str(pdf)]) == 0
    assert "Workload data" in flat(pdf.read_bytes())
    out = tmp_path / "tables"
    out.mkdir()
    assert main(["tables", str(workspace_path), "--output", str(out)]) == 0
    assert (out / "interviews.csv").exists()


def test_cli_lists_interviews_figures_and_sheets(
    interviews: Interviews,
    workspace_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    interviews.service.close()
    assert main(["interviews", str(workspace_path)]) == 0
    out = capsys.readouterr().out
    assert "Officer 3  responsible-officer PO  complete (13/13)" in out
    assert "11 interview(s)" in out
    assert main(["interviews", str(workspace_path), "--figures"]) == 0
    assert "Interview figures by grade and cluster" in capsys.readouterr().out
    pdf = tmp_path / "sheets.pdf"
    args = ["interviews", str(workspace_path), "--sheets", str(pdf), "--interview", "Officer 2"]
    assert main(args) == 0
    assert "Interview summary sheet: Officer 2" in flat(pdf.read_bytes())
    assert main([*args[:4], "--interview", "Nobody"]) == 1
    assert "no interview 'Nobody'" in capsys.readouterr().err


def test_cli_plans_an_interview_for_two_cases(
    service: Service, workspace_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    helen = service.inspectors()[0]
    for ref in ("E1", "E2"):
        service.add_case("case-supervision", ref, {"officer_grade": "PQiP"})
    service.db.execute("UPDATE cases SET inspector_id = ?", [helen.id])
    service.close()
    args = ["interviews", str(workspace_path), "--plan", "responsible-officer"]
    assert main([*args, "--reference", "Officer Z", "--case", "E1", "--case", "E2"]) == 0
    assert "Planned responsible-officer interview Officer Z for E1, E2" in capsys.readouterr().out
    assert main(args) == 1
    assert "--plan needs --reference" in capsys.readouterr().err
    with Service.open(workspace_path) as reopened:
        planned = Interviews(reopened).find("Officer Z")
        assert (planned.grade, planned.inspector_id, planned.status) == (
            "PQiP",
            helen.id,
            "not started",
        )
