"""Central set-up: a sample's cases straight from CSV or Excel, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldwork.central import (
    add_inspector,
    create_central_workspace,
    import_cases,
    set_up_inspection,
)
from fieldwork.cli import main
from fieldwork.errors import InvalidChange
from fieldwork.sampling.reader import ColumnMapping, PopulationError
from fieldwork.service import Service
from tests.test_bundles_support import file_hash
from tests.test_sampling_support import HEADINGS, MAPPING, case_rows, write_csv, write_xlsx


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def central(tmp_path: Path) -> Path:
    path = tmp_path / "central.fieldwork"
    create_central_workspace(path, "North West", provider="NPS North West", user="lead")
    return path


def test_a_clean_file_adds_every_row_as_an_unallocated_case(service: Service, tmp_path: Path):
    path = write_csv(tmp_path / "sample.csv", case_rows(25))
    done = import_cases(service, path, "case-supervision", mapping=ColumnMapping(MAPPING))
    assert done.rows == 25
    assert done.columns["Sex"] == "gender" and done.columns["CRN"] == "reference"
    cases = service.cases()
    assert [c.reference for c in cases] == [f"E{n:06d}" for n in range(25)]
    assert all(c.inspector_id is None and c.status == "not started" for c in cases)
    first = service.find_case("E000000")
    assert first.attributes["gender"] in ("male", "female")
    assert first.attributes["sentence_date"].startswith("2019-")  # UK dates read as such
    assert first.total > 0  # the framework's items apply to the case at once
    last = service.history()[-1]
    assert (last.entity, last.field, last.new) == (
        "cases",
        "imported:case-supervision",
        "25 cases from sample.csv",
    )


def test_an_excel_file_imports_the_same_way(service: Service, tmp_path: Path):
    path = write_xlsx(tmp_path / "sample.xlsx", case_rows(10))
    assert (
        import_cases(service, path, "case-supervision", mapping=ColumnMapping(MAPPING)).rows == 10
    )
    assert len(service.cases()) == 10


def test_only_the_reference_and_the_rule_attributes_are_required(service: Service, tmp_path: Path):
    path = write_csv(
        tmp_path / "victims.csv",
        [["V001", "post-sentence"], ["V002", "Pre-Release"]],
        headings=("Case reference", "Stage"),
    )
    assert import_cases(service, path, "victim").rows == 2
    assert service.find_case("V002").attributes == {"stage": "pre-release"}


def test_a_bad_file_lists_every_problem_and_the_workspace_is_unchanged(
    capsys: pytest.CaptureFixture[str], central: Path, tmp_path: Path
):
    rows = case_rows(6)
    rows[1][1] = "Unknown"  # not a gender
    rows[3][0] = rows[2][0]  # a duplicate reference
    path = write_csv(tmp_path / "bad.csv", rows)
    before = file_hash(central)
    code, out, err = run(
        capsys, "setup", "cases", central, path, "--sample", "case-supervision", "--map",
        "Sex=gender",
    )  # fmt: skip
    assert code == 1
    assert "2 problem(s); nothing was imported" in err
    assert f"{path}: row 3, column 'Sex': 'Unknown' is not one of: male, female" in err
    assert f"{path}: row 5, column 'CRN': duplicate reference 'E000002' (also on row 4)" in err
    assert file_hash(central) == before
    with Service.open(central, backup=False) as service:
        assert service.cases() == []


def test_a_missing_column_is_reported_with_the_columns_the_file_has(
    capsys: pytest.CaptureFixture[str], central: Path, tmp_path: Path
):
    # "Order" is not mapped to the disposal, which the post-custody prompt's rule reads.
    headings = tuple("Order" if h == "Disposal" else h for h in HEADINGS)
    path = write_csv(tmp_path / "no-disposal.csv", case_rows(3), headings=headings)
    before = file_hash(central)
    code, _, err = run(capsys, "setup", "cases", central, path, "--sample", "case-supervision")
    assert code == 1
    assert f"{path}: row 1: missing column for Disposal" in err
    assert "The file's columns are: 'CRN', 'Sex', 'Order'" in err
    assert file_hash(central) == before


def test_only_columns_a_rule_reads_are_required(service: Service, tmp_path: Path):
    """Court reports need sentenced and allocated_to (3.1.2's rule), not the report type (a
    stratum of the draw, which setup cases does not make); case supervision needs the
    disposal (2.3.1.4's rule), not the gender."""
    reports = write_csv(
        tmp_path / "reports.csv",
        [["PSR-1", "yes", "NPS"], ["PSR-2", "no", "not allocated"]],
        headings=("Report reference", "Sentenced", "Allocated to"),
    )
    assert import_cases(service, reports, "court-reports").rows == 2
    assert service.find_case("PSR-1").attributes == {"sentenced": True, "allocated_to": "NPS"}
    no_allocation = write_csv(
        tmp_path / "reports-2.csv", [["PSR-3", "yes"]], headings=("Report reference", "Sentenced")
    )
    with pytest.raises(PopulationError) as refused:
        import_cases(service, no_allocation, "court-reports")
    assert f"{no_allocation}: row 1: missing column for Allocated to" in refused.value.lines()[0]
    headings = tuple(h for h in HEADINGS if h != "Sex")
    rows = [[c for h, c in zip(HEADINGS, row, strict=True) if h != "Sex"] for row in case_rows(3)]
    supervision = write_csv(tmp_path / "no-sex.csv", rows, headings=headings)
    assert import_cases(service, supervision, "case-supervision").rows == 3


def test_a_case_already_in_the_workspace_is_a_problem_of_its_row(service: Service, tmp_path: Path):
    path = write_csv(tmp_path / "sample.csv", case_rows(4))
    import_cases(service, path, "case-supervision", mapping=ColumnMapping(MAPPING))
    again = write_csv(tmp_path / "more.csv", case_rows(6))
    with pytest.raises(PopulationError) as caught:
        import_cases(service, again, "case-supervision", mapping=ColumnMapping(MAPPING))
    lines = caught.value.lines()
    assert len(lines) == 4
    assert lines[0] == f"{again}: row 2, column 'CRN': case 'E000000' is already in the workspace"
    assert len(service.cases()) == 4


def test_the_cli_imports_a_clean_file_with_a_map(
    capsys: pytest.CaptureFixture[str], central: Path, tmp_path: Path
):
    assert run(capsys, "setup", "inspector", central, "Helen", "--role", "lead inspector")[0] == 0
    path = write_csv(tmp_path / "sample.csv", case_rows(12), headings=HEADINGS)
    code, out, _ = run(
        capsys, "setup", "cases", central, path, "--sample", "case-supervision",
        "--map", "Sex=gender", "--map", "Grade=Responsible officer grade",
    )  # fmt: skip
    assert code == 0, out
    assert "Added 12 Case supervision cases from sample.csv (unallocated)." in out
    with Service.open(central, backup=False) as service:
        assert len(service.cases()) == 12
        assert service.find_case("E000003").attributes["officer_grade"] in ("PO", "PSO", "PQiP")


def test_set_up_refuses_bad_details_and_leaves_no_file(tmp_path: Path):
    from datetime import date

    path = tmp_path / "new.fieldwork"
    with pytest.raises(InvalidChange, match="ends .* before it starts"):
        create_central_workspace(
            path, "North West", fieldwork_start=date(2020, 2, 1), fieldwork_end=date(2020, 1, 1)
        )
    assert not path.exists()
    with pytest.raises(InvalidChange, match="needs a name"):
        create_central_workspace(path, "  ")
    assert not path.exists()


def test_inspectors_need_a_known_role_and_a_plausible_email(tmp_path: Path):
    with Service.create(tmp_path / "c.fieldwork", user="lead") as service:
        set_up_inspection(service, "North West")
        with pytest.raises(InvalidChange, match="not a role"):
            add_inspector(service, "Tom", role="boss")
        with pytest.raises(InvalidChange, match="not an email address"):
            add_inspector(service, "Tom", email="tom.example.org")
        tom = add_inspector(service, "Tom", email="tom@example.org", role="data team")
        assert service.inspectors() == [tom]


def test_cases_given_by_hand_are_assigned_or_moved_with_a_reason_all_or_nothing(
    service: Service, tmp_path: Path
):
    from fieldwork.allocation import assign
    from fieldwork.central import allocate_cases

    import_cases(
        service,
        write_csv(tmp_path / "s.csv", case_rows(3)),
        "case-supervision",
        mapping=ColumnMapping(MAPPING),
    )
    tom = service.add_inspector("Tom")
    ids = [c.id for c in service.cases()]
    assign(service, ids[2], "Helen")
    with pytest.raises(InvalidChange, match="needs a reason"):
        allocate_cases(service, ids, tom.id)  # the first two would be assigned, the last not
    assert [c.inspector_name for c in service.cases()] == [None, None, "Helen"]  # all or nothing
    done = allocate_cases(service, ids, "tom", "Helen is on leave")
    assert [(a.reference, a.previous_inspector_name) for a in done] == [
        ("E000000", None),
        ("E000001", None),
        ("E000002", "Helen"),
    ]
    assert {c.inspector_name for c in service.cases()} == {"Tom"}
    moved = [h for h in service.history(ids[2]) if h.field == "inspector"][-1]
    assert (moved.old, moved.new, moved.reason) == ("Helen", "Tom", "Helen is on leave")


def test_a_balanced_allocation_dry_run_stores_nothing_and_predicts_the_loads(
    service: Service, tmp_path: Path
):
    from fieldwork.allocation import allocate_balanced

    import_cases(
        service,
        write_csv(tmp_path / "s.csv", case_rows(20)),
        "case-supervision",
        mapping=ColumnMapping(MAPPING),
    )
    service.add_inspector("Tom")
    before = service.history()
    preview = allocate_balanced(service, None, dry_run=True)
    assert service.history() == before
    assert all(c.inspector_id is None for c in service.cases())
    done = allocate_balanced(service, None)
    assert preview.loads == done.loads
    assert [load.cases for load in done.loads] == [10, 10]
