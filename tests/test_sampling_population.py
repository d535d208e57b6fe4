"""Importing a provider's population: mapping, normalising, and refusing bad files whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldwork.errors import FieldworkError, InvalidChange
from fieldwork.framework import AttributeValue
from fieldwork.sampling.population import (
    MemberJson,
    import_population,
    population,
    population_info,
    save_mapping,
    saved_mapping,
)
from fieldwork.sampling.reader import ColumnMapping, PopulationError
from fieldwork.service import Service
from tests.test_sampling_support import HEADINGS, MAPPING, case_rows, dump, write_csv, write_xlsx


def imported(service: Service, path: Path, **kwargs: object) -> int:
    mapping = kwargs.pop("mapping", ColumnMapping(MAPPING))
    return import_population(
        service,
        path,
        "case-supervision",
        mapping=mapping,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    ).rows


def test_csv_import_normalises_values_to_the_frameworks_choices(
    service: Service, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "nps.csv", case_rows(50))
    assert imported(service, path) == 50
    cases = population(service, "case-supervision")
    first = cases[0]
    assert first.reference == "E000000"
    assert first.attributes["disposal"] in ("community sentence", "post-release licence")
    assert {c.attributes["gender"] for c in cases} == {"male", "female"}
    assert {c.attributes["rosh"] for c in cases} <= {"low", "medium", "high", "very high"}
    assert first.attributes["sentence_date"].startswith("2019-")  # DD/MM/YYYY read as UK dates
    info = population_info(service, "case-supervision")
    assert info is not None and (info.file, info.rows) == ("nps.csv", 50)
    assert service.history()[-1].entity == "population"


def test_excel_import_reads_the_first_sheet(service: Service, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "nps.xlsx", case_rows(30))
    assert imported(service, path) == 30


def test_excel_dates_and_numbers_are_read_as_values(service: Service, tmp_path: Path) -> None:
    from datetime import datetime

    rows = [[1001, "Male", "Community sentence", "Low", datetime(2019, 6, 3), "Cheshire", "PO", ""]]
    path = write_xlsx(tmp_path / "nps.xlsx", rows)
    imported(service, path)
    [case] = population(service, "case-supervision")
    assert case.reference == "1001"
    assert case.attributes["sentence_date"] == "2019-06-03"
    assert case.attributes["ethnicity"] is None


def test_columns_named_as_the_framework_names_them_need_no_mapping(
    service: Service, tmp_path: Path
) -> None:
    headings = ("Case reference", "Gender", "disposal", "RISK OF SERIOUS HARM")
    headings += ("sentence_date", "Local delivery unit or cluster", "Responsible officer grade")
    rows = [["A1", "female", "post-release licence", "high", "2019-06-04", "Cheshire", "PSO"]]
    path = write_csv(tmp_path / "plain.csv", rows, headings)
    assert imported(service, path, mapping=None) == 1


def test_a_saved_mapping_is_reused_with_value_aliases(service: Service, tmp_path: Path) -> None:
    rows = [r[:1] + ["M" if r[1] == "Male" else "F"] + r[2:] for r in case_rows(20)]
    path = write_csv(tmp_path / "codes.csv", rows)
    mapping = ColumnMapping(MAPPING, {"gender": {"M": "male", "F": "female"}})
    import_population(service, path, "case-supervision", mapping=mapping, save_as="NPS North West")
    again = import_population(service, path, "case-supervision", mapping_name="NPS North West")
    assert again.rows == 20 and again.replaced == 20
    stored = saved_mapping(service, "case-supervision", "NPS North West")
    assert stored.columns["Sex"] == "gender" and stored.values["gender"]["M"] == "male"


def test_a_mapping_can_be_saved_on_its_own(service: Service) -> None:
    save_mapping(service, "court-reports", "Court team", ColumnMapping({"PSR no": "reference"}))
    assert saved_mapping(service, "court-reports", "Court team").columns == {"PSR no": "reference"}
    with pytest.raises(InvalidChange, match="no saved column mapping 'Other'.*Court team"):
        saved_mapping(service, "court-reports", "Other")


# -- bad files: every problem reported, nothing stored -----------------------------------------
def refused(service: Service, workspace_path: Path, path: Path, **kwargs: object) -> FieldworkError:
    before = dump(workspace_path)
    with pytest.raises(FieldworkError) as caught:
        imported(service, path, save_as="should not be saved", **kwargs)
    assert dump(workspace_path) == before, "a refused file changed the workspace"
    assert str(path) in caught.value.message
    return caught.value


def test_missing_columns_are_named_with_the_columns_found(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    headings = ("CRN", "Sex", "Disposal", "Cluster", "Grade")
    path = write_csv(tmp_path / "short.csv", [["E1", "Male", "Licence", "X", "PO"]], headings)
    error = refused(service, workspace_path, path)
    assert "missing columns for Risk of serious harm, Sentence or release date" in error.message
    assert "'CRN', 'Sex', 'Disposal'" in error.message


def test_unknown_values_are_all_reported_by_row_and_column(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    rows = case_rows(10)
    rows[2][1] = "Unknown"
    rows[5][3] = "Severe"
    rows[7][4] = "31/02/2019"
    rows[8][1] = ""
    error = refused(service, workspace_path, write_csv(tmp_path / "bad.csv", rows))
    assert isinstance(error, PopulationError)
    lines = [p.line() for p in error.problems]
    assert lines == [
        "row 4, column 'Sex': 'Unknown' is not one of: male, female",
        "row 7, column 'RoSH': 'Severe' is not one of: low, medium, high, very high",
        "row 9, column 'Sentence date': '31/02/2019' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        "row 10, column 'Sex': empty, but every case needs its Gender (male, female)",
    ]
    assert "4 problems, nothing was imported" in error.message


def test_duplicate_references_are_refused(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    rows = case_rows(6)
    rows[4][0] = rows[1][0]
    error = refused(service, workspace_path, write_csv(tmp_path / "dup.csv", rows))
    assert "row 6, column 'CRN': duplicate reference 'E000001' (also on row 3)" in error.message


def test_an_empty_file_is_refused(service: Service, workspace_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "the file is empty" in refused(service, workspace_path, path).message
    headings_only = write_csv(tmp_path / "headings.csv", [])
    assert "heading row but no cases" in refused(service, workspace_path, headings_only).message


def test_utf16_text_is_named_as_such(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "unicode.csv", case_rows(5), encoding="utf-16")
    error = refused(service, workspace_path, path)
    assert "UTF-16" in error.message and "CSV UTF-8" in error.message


def test_latin1_text_is_named_with_the_row_and_can_be_read_when_asked(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    rows = case_rows(5)
    rows[3][5] = "Bury St Edmund’s Café"  # é and ’ as Windows-1252 bytes
    path = write_csv(tmp_path / "windows.csv", rows, encoding="cp1252")
    error = refused(service, workspace_path, path)
    assert "not UTF-8" in error.message and "row 5" in error.message and "cp1252" in error.message
    assert imported(service, path, encoding="cp1252") == 5
    clusters = {c.attributes["cluster"] for c in population(service, "case-supervision")}
    assert "Bury St Edmund’s Café" in clusters


def test_old_excel_and_broken_workbooks_are_refused(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    assert ".xls" in refused(service, workspace_path, old).message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(write_xlsx(tmp_path / "ok.xlsx", case_rows(3)).read_bytes()[:300])
    assert "not a readable Excel workbook" in refused(service, workspace_path, broken).message


def test_a_mapping_to_something_the_sample_lacks_is_refused(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "nps.csv", case_rows(3))
    error = refused(
        service, workspace_path, path, mapping=ColumnMapping({**MAPPING, "Cluster": "region"})
    )
    assert "'Cluster'" in error.message and "'region'" in error.message


def test_two_columns_for_one_attribute_are_refused(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    headings = (*HEADINGS, "Gender")
    rows = [[*r, "male"] for r in case_rows(3)]
    error = refused(service, workspace_path, write_csv(tmp_path / "twice.csv", rows, headings))
    assert "both this column and 'Sex' hold Gender" in error.message


def test_a_missing_file_is_a_clear_error(service: Service, tmp_path: Path) -> None:
    with pytest.raises(FieldworkError, match="file not found"):
        imported(service, tmp_path / "nowhere.csv")


def test_a_file_with_hundreds_of_problems_lists_them_all(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    rows = case_rows(300)
    for row in rows:
        row[1] = "?"
    error = refused(service, workspace_path, write_csv(tmp_path / "all-bad.csv", rows))
    assert isinstance(error, PopulationError)
    assert len(error.problems) == 300
    assert "and 280 more" in error.message


def test_blank_rows_are_skipped_and_filled_cells_past_the_headings_refused(
    service: Service, workspace_path: Path, tmp_path: Path
) -> None:
    rows = case_rows(4)
    blank = [" ", "", "\t", "", "", "", "", ""]
    padded = [*rows[2], "  ", ""]  # blank cells past the headings are no problem
    path = write_csv(tmp_path / "blank.csv", [rows[0], blank, rows[1], padded])
    assert imported(service, path) == 3
    assert [c.reference for c in population(service, "case-supervision")] == [
        "E000000",
        "E000001",
        "E000002",
    ]
    short = rows[3][:2]  # a row cut short: its missing cells are empty
    longer = [*rows[1], "", "surprise"]
    path = write_csv(tmp_path / "ragged.csv", [rows[0], longer, short])
    error = refused(service, workspace_path, path)
    assert isinstance(error, PopulationError)
    lines = [p.line() for p in error.problems]
    assert lines[0] == "row 3: the row has 10 cells but there are 8 headings"
    assert lines[1] == (
        "row 4, column 'Disposal': empty, but every case needs its Disposal "
        "(community sentence, post-release licence)"
    )


def test_the_stored_json_is_what_json_writes(service: Service, tmp_path: Path) -> None:
    """Each row's attributes are joined from members encoded once (``MemberJson``): the
    text stored must be exactly what ``json.dumps`` writes, whatever the values hold."""
    clusters = ['Cheshire "East"', "Back\\slash", "Ynys Môn – Gwynedd", "東京", "Tab\there", ""]
    flags = ["yes", "no", "", "Y", "N", "yes"]
    rows = [
        [*row[:5], cluster, *row[6:], flag]
        for row, cluster, flag in zip(case_rows(6), clusters, flags, strict=True)
    ]
    path = write_csv(tmp_path / "awkward.csv", rows, (*HEADINGS, "children"))
    with pytest.raises(PopulationError, match="row 7, column 'Cluster': empty"):
        imported(service, path)  # every case needs its cluster
    rows[5][5] = "Cheshire"
    assert imported(service, write_csv(tmp_path / "fixed.csv", rows, (*HEADINGS, "children"))) == 6
    stored = service.db.execute(
        "SELECT attributes, extra FROM population ORDER BY reference"
    ).fetchall()
    for attributes, extra in stored:
        assert attributes == json.dumps(json.loads(attributes), ensure_ascii=False)
        assert extra == "{}"
    cases = population(service, "case-supervision")
    assert [c.attributes["cluster"] for c in cases] == [*clusters[:5], "Cheshire"]
    assert [c.attributes["children"] for c in cases] == [True, False, None, True, False, True]


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"a": "x", "b": True, "c": False, "d": None},
        {"d": None, "a": "x"},  # the order kept
        {"quote": 'say "no"', "slash": "a\\b", "line": "a\nb", "accent": "é", "emoji": "🙂"},
        {"same": "1", "other": True},  # text "1" and True are different members
        {"same": True, "other": "1"},
    ],
)
def test_member_json_writes_what_json_dumps_writes(values: dict[str, AttributeValue]) -> None:
    encoder = MemberJson()
    for _ in range(2):  # encoded, then joined from members remembered
        assert encoder.encode(values) == json.dumps(values, ensure_ascii=False)
