"""``fieldwork export-data``: tidy long-format data for analysts, read back with the csv
module and checked against the store, with its codebook and workbook."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from fieldwork.answers import Answer
from fieldwork.cli import main
from fieldwork.scoring.dataset import WORKBOOK, export_data
from fieldwork.scoring.export import ExportError
from fieldwork.service import Service
from tests.conftest import answer_everything

REASON = "The victim asked for no contact."


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:  # plain UTF-8: no BOM expected
        return list(csv.DictReader(fh))


@pytest.fixture
def worked(service: Service, make_case) -> Service:  # type: ignore[no-untyped-def]
    """Cases of all three samples in every state: complete, in progress, not started; answers,
    notes, not applicable by choice (a prompt and a judgement) and by rule."""
    supervision = make_case(disposal="community sentence")  # 2.3.1.4 does not apply by rule
    answer_everything(service, supervision.id)
    service.answer(supervision.id, "2.3.1.6", Answer.NOT_APPLICABLE, na_reason="No breach.")
    service.set_note(supervision.id, "2.1.1.1", 'Motivation, "readiness" and more,\nover lines.')
    service.mark_complete(supervision.id)
    victim = make_case("victim", stage="post-sentence")
    answer_everything(service, victim.id)
    service.judge(victim.id, "3.2.1", Answer.NOT_APPLICABLE, na_reason=REASON)
    service.mark_complete(victim.id)
    report = make_case("court-reports", sentenced=True, allocated_to="NPS")
    service.answer(report.id, "3.1.1.1", Answer.NO)
    service.judge(report.id, "3.1.1", Answer.NO, rationale="Thin sources.")
    make_case("case-supervision")  # not started
    return service  # type: ignore[no-any-return]


def test_the_long_format_read_back_reproduces_every_response_in_the_store(
    worked: Service, tmp_path: Path
) -> None:
    done = export_data(worked, tmp_path / "data")
    rows = read(tmp_path / "data" / "responses.csv")
    assert done.responses == len(rows)
    # One row per case and item of its sample.
    expected_rows = sum(len(worked.case(c.id).items) for c in worked.cases())
    assert len(rows) == expected_rows
    assert len({(r["case_id"], r["item_id"]) for r in rows}) == len(rows)
    by_key = {(r["case_id"], r["item_id"]): r for r in rows}
    stored = worked.db.execute(
        "SELECT case_id, item_id, kind, value, na_reason, note, updated_by, updated_at, "
        "revision FROM responses"
    ).fetchall()
    assert len(stored) > 60
    for case_id, item_id, kind, value, na_reason, note, by, at, revision in stored:
        row = by_key[(case_id, item_id)]
        assert row["item_kind"] == kind
        assert row["answer"] == (value or "")
        assert row["satisfactory"] == {"yes": "1", "no": "0"}.get(value or "", "")
        assert row["na_reason"] == na_reason and row["note"] == note
        assert (row["answered_by"], row["answered_at"], row["revision"]) == (by, at, str(revision))
    framework = worked.framework
    assert {(r["framework_id"], r["framework_hash"]) for r in rows} == {
        (framework.id, framework.content_hash)
    }
    # The three kinds of "not applicable" and "unanswered" are told apart.
    victim = worked.find_case("REF0002")
    judgement = by_key[(victim.id, "3.2.1")]
    assert (judgement["answer"], judgement["na_kind"], judgement["na_reason"]) == (
        "na", "inspector", REASON,
    )  # fmt: skip
    assert judgement["item_wording"] == framework.key_question("3.2.1").text
    supervision = worked.find_case("REF0001")
    by_rule = by_key[(supervision.id, "2.3.1.4")]
    assert (by_rule["answer"], by_rule["na_kind"], by_rule["answered_by"]) == ("", "rule", "")
    untouched = by_key[(worked.find_case("REF0004").id, "2.1.1")]
    assert (untouched["answer"], untouched["na_kind"], untouched["revision"]) == ("", "", "")


def test_cases_codebook_and_workbook(worked: Service, tmp_path: Path) -> None:
    export_data(worked, tmp_path / "data")
    folder = tmp_path / "data"
    cases = read(folder / "cases.csv")
    assert [c["case_reference"] for c in cases] == ["REF0001", "REF0004", "REF0003", "REF0002"]
    first = {c["case_reference"]: c for c in cases}
    assert first["REF0001"]["status"] == "complete" and first["REF0001"]["gender"] == "male"
    assert first["REF0001"]["risk_of_harm_factors"] == "1" and first["REF0001"]["children"] == "0"
    assert first["REF0003"]["sentenced"] == "1" and first["REF0003"]["gender"] == ""
    book = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
    for name in ("responses.csv", "cases.csv"):
        with (folder / name).open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        columns = book["files"][name]["columns"]
        assert [c["name"] for c in columns] == header
        for column in columns:
            values = {r[column["name"]] for r in read(folder / name)}
            if column["type"] == "integer":
                assert all(v == "" or v.lstrip("-").isdigit() for v in values), column["name"]
            if column["type"] == "code":
                assert values <= set(column["codes"]), column["name"]
    codebook_rows = read(folder / "codebook.csv")
    assert {(r["file"], r["column"]) for r in codebook_rows} == {
        (f, c["name"]) for f, spec in book["files"].items() for c in spec["columns"]
    }
    workbook = openpyxl.load_workbook(folder / WORKBOOK, read_only=True)
    assert workbook.sheetnames == ["responses", "cases", "codebook"]
    sheet = list(workbook["responses"].iter_rows(values_only=True))
    assert len(sheet) == 1 + len(read(folder / "responses.csv"))
    workbook.close()
    assert not (folder / "responses.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_command_writes_the_folder_and_excel_gets_its_mark(
    worked: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = worked.workspace.path
    worked.close()
    assert main(["export-data", str(path), "-o", str(tmp_path / "out"), "--excel"]) == 0
    out = capsys.readouterr().out
    assert "response rows of 4 cases" in out and "codebook.json" in out
    assert (tmp_path / "out" / "cases.csv").read_bytes().startswith(b"\xef\xbb\xbfcase_id,")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with Service.open(path, backup=False) as service, pytest.raises(ExportError, match="cannot"):
        export_data(service, blocker / "data")
