"""The outputs read back: CSV and Excel tables, the PDF report, and the command line."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pypdf
import pytest

from fieldwork.cli import main
from fieldwork.scoring import import_previous_figures, score
from fieldwork.scoring.export import WORKBOOK_NAME, data_cells, export_tables
from fieldwork.scoring.report import report_pdf, write_report
from fieldwork.scoring.scores import NO_COMPARABLE_DATA, NOT_RECORDED, Scores
from fieldwork.scoring.tables import all_tables, ratings_table
from fieldwork.service import Service
from tests.conftest import FakeClock
from tests.test_scoring_previous import report_previous_csv
from tests.test_scoring_report_figures import (
    KEY_QUESTION_COUNTS,
    PANEL_REASONS,
    REFERENCE,
    add_unfinished_case,
    enter_report_decisions,
    open_north_west,
)


@pytest.fixture
def north_west(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, clock: FakeClock
) -> Iterator[Service]:
    with open_north_west(tmp_path_factory, tmp_path, clock) as service:
        yield service


@pytest.fixture
def decided(north_west: Service, tmp_path: Path) -> Scores:
    """The report's inspection with its previous figures, panel decisions and domain 1
    ratings entered."""
    import_previous_figures(north_west, report_previous_csv(tmp_path / "previous.csv"))
    enter_report_decisions(north_west)
    return score(north_west)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# -- breakdowns ----------------------------------------------------------------------------------
def test_breakdowns_sum_to_the_whole(north_west: Service) -> None:
    # One case without a cluster recorded: it must still be counted, as "not recorded".
    case = north_west.db.execute(
        "SELECT id, attributes FROM cases WHERE sample = 'case-supervision' LIMIT 1"
    ).fetchone()
    attributes = {**json.loads(case[1]), "cluster": None}
    north_west.db.execute(
        "UPDATE cases SET attributes = ? WHERE id = ?", [json.dumps(attributes), case[0]]
    )
    result = score(north_west)
    attributes_seen = {b.attribute for b in result.breakdowns}
    assert attributes_seen == {
        "officer_grade", "gender", "disposal", "cluster", "rosh", "report_type", "allocated_to",
        "stage",
    }  # fmt: skip
    assert len(result.breakdowns) == 12 * 5 + 2 * 2 + 3
    for breakdown in result.breakdowns:
        figure = breakdown.figure
        assert sum(r.yes for r in breakdown.rows) == figure.yes
        assert sum(r.no for r in breakdown.rows) == figure.no
        assert sum(r.applicable for r in breakdown.rows) == figure.applicable
        assert sum(r.not_applicable for r in breakdown.rows) == figure.not_applicable
    clusters = [b for b in result.breakdowns if b.attribute == "cluster"]
    assert all(b.rows[-1].value == NOT_RECORDED for b in clusters)
    assert clusters[0].rows[-1].applicable == 1


# -- CSV and Excel --------------------------------------------------------------------------------
def test_csv_and_excel_tables_match_the_figures(decided: Scores, tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    tables = all_tables(decided)
    written = export_tables(tables, folder)
    assert {p.name for p in written} == {f"{t.key}.csv" for t in tables} | {WORKBOOK_NAME}

    kq_rows = read_csv(folder / "key-questions.csv")
    assert {r["Id"]: r["Not applicable (inspector)"] for r in kq_rows}["3.2.1"] == "1"
    assert [r["Id"] for r in kq_rows] == sorted(KEY_QUESTION_COUNTS)
    for row in kq_rows:
        size, yes = KEY_QUESTION_COUNTS[row["Id"]]
        assert (int(row["Applicable cases"]), int(row["Satisfactory"])) == (size, yes)
        published = REFERENCE["key_questions"][row["Id"]]
        assert int(row["Current inspection %"]) == published["current"]
        expected_previous = published["previous"]
        # A numeric column holds numbers only: no comparable data is an empty cell.
        assert row["Previous inspection %"] == (
            "" if expected_previous is None else str(expected_previous)
        )

    # Prompts only: no key-question heading rows mixed in.
    prompt_rows = read_csv(folder / "prompts.csv")
    assert len(prompt_rows) == 78
    assert all(r["Id"].count(".") == 3 and r["Applicable answers"] for r in prompt_rows)
    for row in prompt_rows:
        assert int(row["Current inspection %"]) == decided.prompts[row["Id"]].percentage

    # Every numeric column of every CSV holds numbers or nothing; plain UTF-8, no BOM.
    for table in tables:
        raw = (folder / f"{table.key}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), table.key
        for row in read_csv(folder / f"{table.key}.csv"):
            for column in table.numeric:
                assert row[column] == "" or re.fullmatch(r"-?\d+(\.\d+)?", row[column]), (
                    table.key,
                    column,
                    row[column],
                )

    ratings = read_csv(folder / "ratings.csv")
    assert ratings[-1]["Standard"] == "Overall"
    assert (ratings[-1]["Current rating"], ratings[-1]["Score"]) == ("Good", "16")
    by_standard = {r["Standard"].split()[0]: r for r in ratings[:-1]}
    assert by_standard["2.4"]["Provisional rating"] == "Requires improvement"
    assert by_standard["2.4"]["Current rating"] == "Good"
    assert by_standard["2.4"]["Rated by"] == "ratings panel"
    assert by_standard["1.2"]["Rated by"] == "lead inspector"

    profile = read_csv(folder / "profile.csv")
    assert [int(r["Share %"]) for r in profile] == [5, 6, 49, 71, 55, 50]

    grade = read_csv(folder / "breakdown-officer_grade.csv")
    rows_223 = [(r["Responsible officer grade"], r["%"]) for r in grade if r["Id"] == "2.2.3"]
    assert rows_223 == [("all cases", "66"), ("PO", "70"), ("PSO", "50"), ("PQiP", "100")]

    book = openpyxl.load_workbook(folder / WORKBOOK_NAME, read_only=True)
    assert book.sheetnames == [t.key for t in tables]
    for table in tables:
        sheet = list(book[table.key].iter_rows(values_only=True))
        assert sheet[0][0] == table.title
        assert tuple(sheet[1][: len(table.columns)]) == table.columns
        for row, values in zip(data_cells(table), sheet[2:], strict=False):
            assert list(values[: len(row)]) == row
        for column in table.numeric:
            n = table.column(column)
            assert all(
                isinstance(values[n], int | float | type(None))
                for values in sheet[2 : 2 + len(table.data_rows)]
            ), (table.key, column)
    kq_sheet = list(book["key-questions"].iter_rows(values_only=True))
    assert kq_sheet[2][:6] == (
        "2.1.1",
        "Does assessment focus sufficiently on engaging the service user?",
        119,
        95,
        83,
        80,
    )
    book.close()


def test_tables_for_excel_carry_the_byte_order_mark(decided: Scores, tmp_path: Path) -> None:
    export_tables(all_tables(decided), tmp_path / "excel", excel=True)
    raw = (tmp_path / "excel" / "ratings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfStandard,")


def test_tables_to_an_unwritable_place_say_so(decided: Scores, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    from fieldwork.scoring.export import ExportError

    with pytest.raises(ExportError, match="cannot write the tables"):
        export_tables(all_tables(decided), blocker / "tables")


# -- the PDF ------------------------------------------------------------------------------
def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def test_pdf_report_reads_back(decided: Scores, tmp_path: Path) -> None:
    path = write_report(decided, tmp_path / "ratings.pdf", invariant=True)
    pages = pdf_text(path)
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {total}" in page
    ratings = pages[0]
    assert "Score 16/30" in ratings and "Overall rating: Good" in ratings
    assert "2.4 Reviewing" in ratings
    text = "\n".join(pages)
    flat = re.sub(r"\s+", " ", text)
    # Each standard's key questions: the counts and percentages, previous and current.
    for item_id, (size, yes) in KEY_QUESTION_COUNTS.items():
        figure = decided.key_questions[item_id]
        assert f"{yes}/{size}" in flat
        assert f"{figure.percentage}% ({yes}/{size})" in flat  # the chart's label
    assert (
        "Provisional rating Requires improvement: the lowest key question, 2.4.3, is 60% "
        "(70 of 116)" in flat
    )
    assert "Flagged for the ratings panel: the lowest key question, 2.4.3 at 60%" in flat
    assert "9/14 (1 n/a)" in flat  # 3.2.1: one judgement not applicable, left out
    assert "Ratings panel (Data team," in flat
    # Annexe 4 and the profile.
    assert "Annexe 4: Inspection data" in flat
    assert "2.1.1.2 Does assessment analyse the service user’s diversity" in flat
    assert NO_COMPARABLE_DATA in flat
    assert "Proportion of inspected cases with a disability 49% (58/119)" in flat
    assert (
        "Not tested for significance (previous sample size unknown): 2.1.1, 2.1.2, 2.1.3." in flat
    )


def test_pdf_is_byte_stable_and_written_whole(decided: Scores, tmp_path: Path) -> None:
    assert report_pdf(decided, invariant=True) == report_pdf(decided, invariant=True)
    from fieldwork.scoring.report import ReportError

    with pytest.raises(ReportError, match="the folder does not exist"):
        write_report(decided, tmp_path / "missing" / "ratings.pdf")
    occupied = tmp_path / "ratings.pdf"
    occupied.mkdir()  # a folder where the file should go: the write fails, leaving nothing
    with pytest.raises(ReportError, match="cannot write the report"):
        write_report(decided, occupied)
    assert not list(tmp_path.glob(".ratings-*"))
    assert not list(tmp_path.glob(".ratings.pdf.*"))  # the temporary file it is built in


# -- the command line ---------------------------------------------------------------------
def test_cli_end_to_end(north_west: Service, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = north_west.workspace.path
    north_west.close()
    run = lambda *argv: main(["--user", "Lead", *argv])  # noqa: E731

    assert run("score", str(path)) == 0
    out = capsys.readouterr().out
    assert out.startswith("Scored all 261 cases: every case is complete.")
    assert "2.4 Reviewing" in out and "flagged" in out
    assert "No overall rating yet: 4 standard(s) have no rating (1.1, 1.2, 1.3, 1.4)" in out
    assert "2.4: the lowest key question, 2.4.3 at 60%" in out

    assert run("panel", str(path), "--standard", "2.1", "--rating", "Good", "--reason", "x") == 1
    err = capsys.readouterr().err
    assert "fieldwork: error: panel decision on 2.1: standard 2.1 is not flagged" in err

    for standard_id, figures in REFERENCE["standards"].items():
        if standard_id.startswith("1."):
            rating = figures["current"]
            evidence = "Evidence from meetings."
            assert run("domain1", str(path), "--standard", standard_id, "--rating", rating,
                       "--evidence", evidence) == 0  # fmt: skip
    for standard_id in ("2.4", "3.1", "3.2"):
        rating = REFERENCE["standards"][standard_id]["current"]
        assert run("panel", str(path), "--standard", standard_id, "--rating", rating,
                   "--reason", "Within the margin; other key questions high.") == 0  # fmt: skip
    out = capsys.readouterr().out
    assert (
        "Recorded: the ratings panel rated 2.4 Good (provisional Requires improvement, "
        "scored on complete cases only)"
    ) in out

    bad = tmp_path / "bad.csv"
    bad.write_text("item,percentage\n2.1.1,83\n2.1.2,lots\n")
    assert run("previous", str(path), str(bad)) == 1
    assert f"{bad}: row 3, column percentage: 'lots' is not a number" in capsys.readouterr().err
    assert run("previous", str(path), str(report_previous_csv(tmp_path / "prev.csv"))) == 0
    assert "Imported 105 previous figures" in capsys.readouterr().out

    assert run("score", str(path), "--key-questions") == 0
    out = capsys.readouterr().out
    assert "Score 16/30: Good." in out
    assert re.search(r"Overall\s+Good\s+16", out)
    assert re.search(r"2\.4\.3\s+Does reviewing focus.*116\s+70\s+60", out)

    assert run("report", str(path), "-o", str(tmp_path / "ratings.pdf")) == 0
    assert "Score 16/30" in pdf_text(tmp_path / "ratings.pdf")[0]
    assert run("tables", str(path), "-o", str(tmp_path / "tables")) == 0
    assert (tmp_path / "tables" / WORKBOOK_NAME).exists()
    capsys.readouterr()

    assert run("breakdown", str(path), "2.2.3", "--by", "gender", "--cases") == 0
    out = capsys.readouterr().out
    assert re.search(r"female\s+5\s+1\s+20%", out)
    assert out.count(" female ") >= 5
    assert run("breakdown", str(path), "2.2.3", "--by", "shoe_size") == 1
    assert "cases have no attribute 'shoe_size'" in capsys.readouterr().err

    with Service.open(path, backup=False) as service:
        who = {
            h.who for h in service.history() if h.entity in ("panel decision", "domain 1 rating")
        }
        assert who == {"Lead"}


def test_unresolved_conflicts_are_a_warning_on_the_ratings(north_west: Service) -> None:
    case_id = north_west.db.execute("SELECT id FROM cases LIMIT 1").fetchone()[0]
    north_west.db.execute(
        "INSERT INTO conflicts (id, case_id, entity, item_id, current, incoming, inspector_id, "
        "bundle_id, created_at) VALUES ('k1', ?, 'response', '2.1.1', '{}', '{}', 'i', 'b', 'now')",
        [case_id],
    )
    result = score(north_west, breakdowns=None)
    assert result.open_conflicts == 1
    notes = ratings_table(result).notes
    assert "1 answer(s) are in conflict between inspectors and not yet resolved" in notes[1]
    first_page = pypdf.PdfReader(io.BytesIO(report_pdf(result))).pages[0].extract_text()
    assert "resolve the conflicts before publishing" in " ".join(first_page.split())


@pytest.mark.parametrize("include_incomplete", [False, True])
def test_cli_score_says_what_it_left_out_and_agrees_with_panel(
    north_west: Service, capsys: pytest.CaptureFixture, include_incomplete: bool
) -> None:
    add_unfinished_case(north_west)
    path = north_west.workspace.path
    north_west.close()
    scope = ["--include-incomplete"] if include_incomplete else []
    run = lambda *argv: main(["--user", "Panel", *argv])  # noqa: E731

    assert run("score", str(path), *scope) == 0
    out = capsys.readouterr().out
    if include_incomplete:
        assert out.startswith("Scored every case (262), complete or not;")
    else:
        assert out.startswith(
            "Scored the 261 complete cases of 262. Left out 1 incomplete case(s), not yet "
            "marked complete (Statutory victim work 1). Use --include-incomplete"
        )
    reason = PANEL_REASONS["3.2"]
    assert run("panel", str(path), "--standard", "3.2", "--rating", "Good", "--reason", reason,
               *scope) == 0  # fmt: skip
    case_set = "every case, complete or not" if include_incomplete else "complete cases only"
    assert f"scored on {case_set})" in capsys.readouterr().out
    # Scored on the same case set, the decision is current; on the other, it says so.
    assert run("score", str(path), *scope) == 0
    same = capsys.readouterr().out
    assert re.search(r"3\.2 Statutory victim work.*decided Good\s", same)
    assert "data changed since" not in same and "(on " not in same
    other = ["--include-incomplete"] if not include_incomplete else []
    assert run("score", str(path), *other) == 0
    flat = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert f"decided Good (on {case_set})" in flat, flat
