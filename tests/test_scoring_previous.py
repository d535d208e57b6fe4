"""Previous-inspection figures: CSV import, its errors, and the comparisons they give."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path
from statistics import NormalDist

import pytest

from fieldwork.scoring import import_previous_figures, score
from fieldwork.scoring.records import PreviousFiguresError, previous_figures
from fieldwork.scoring.scores import NO_COMPARABLE_DATA
from fieldwork.service import Service
from tests.conftest import FakeClock
from tests.test_scoring_report_figures import REFERENCE, open_north_west


@pytest.fixture
def north_west(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, clock: FakeClock
) -> Iterator[Service]:
    with open_north_west(tmp_path_factory, tmp_path, clock) as service:
        yield service


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def report_previous_csv(path: Path, sizes: dict[str, int] | None = None) -> Path:
    """The report's previous figures (no sample sizes are published), as the data team
    would type them."""
    sizes = sizes or {}
    rows = [["item", "percentage", "sample_size", "rating"]]
    for standard_id, figures in REFERENCE["standards"].items():
        rows.append([standard_id, "", "", figures["previous"]])
    for group in ("key_questions", "prompts"):
        for item_id, figures in REFERENCE[group].items():
            previous = figures["previous"]
            size = sizes.get(item_id)
            rows.append([item_id, "" if previous is None else f"{previous}%", str(size or ""), ""])
    return write_csv(path, rows)


def test_report_previous_figures_import_and_compare(north_west: Service, tmp_path: Path) -> None:
    figures = import_previous_figures(north_west, report_previous_csv(tmp_path / "prev.csv"))
    assert len(figures) == 10 + 17 + 78
    result = score(north_west, breakdowns=None)
    assert result.standard("2.4").previous is not None
    assert result.standard("3.2").previous.value == "Outstanding"  # type: ignore[union-attr]
    engaging = result.comparisons["2.1.1"]
    assert engaging.previous_shown == "83%" and engaging.change == -3
    assert engaging.significant is None
    assert engaging.note == "-3 points; previous sample size unknown, so significance not tested"
    # Where the question changed, the report says so, and so do we.
    assert result.comparisons["2.1.1.2"].note == NO_COMPARABLE_DATA
    assert result.comparisons["2.1.1.2"].previous_shown == NO_COMPARABLE_DATA
    assert all(result.comparisons[k].note == NO_COMPARABLE_DATA for k in ("3.2.1", "3.2.2.1"))
    assert result.comparisons["2.4.2"].note.startswith("no change")


def test_significance_with_known_sample_sizes(north_west: Service, tmp_path: Path) -> None:
    path = report_previous_csv(tmp_path / "prev.csv", {"2.3.2": 90, "2.1.1": 100})
    import_previous_figures(north_west, path)
    result = score(north_west, breakdowns=None)
    # 2.3.2: 71% of 90 before, 68 of 119 (57.1%) now.
    p1, n1, p2, n2 = 0.71, 90, 68 / 119, 119
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p_value = 2 * (1 - NormalDist().cdf(abs(z)))
    desistance = result.comparisons["2.3.2"]
    assert desistance.significance is not None
    assert desistance.significance.z == pytest.approx(z)
    assert p_value < 0.1 and desistance.significant is True
    assert desistance.note.startswith("-14 points; significant at 0.1 (z = -2.0")
    # 2.1.1: 83% of 100 before, 95 of 119 (79.8%) now: not significant.
    assert result.comparisons["2.1.1"].significant is False
    assert "not significant" in result.comparisons["2.1.1"].note


def test_import_is_recorded_in_the_history_and_replaces_the_last(
    north_west: Service, tmp_path: Path
) -> None:
    import_previous_figures(
        north_west, write_csv(tmp_path / "a.csv", [["item", "percentage"], ["2.1.1", "83"]])
    )
    import_previous_figures(
        north_west,
        write_csv(
            tmp_path / "b.csv", [["Item", "Percentage", "Sample size"], ["2.1.2", "81", "95"]]
        ),
    )
    assert set(previous_figures(north_west)) == {"2.1.2"}
    rows = [
        (h.item_id, h.old, h.new) for h in north_west.history() if h.entity == "previous figure"
    ]
    assert rows == [
        ("2.1.1", None, "83%"),
        ("2.1.2", None, "81% (n=95)"),
        ("2.1.1", "83%", None),
    ]


@pytest.mark.parametrize(
    ("rows", "place", "problem"),
    [
        ([["item", "sample_size"], ["2.1.1", "5"]], "row 1", "no 'percentage' column"),
        ([["item", "percentage", "colour"]], "row 1", "unknown column 'colour'"),
        ([["item", "percentage"], ["9.9.9", "50"]], "row 2, column item",
         "'9.9.9' is not a standard, key question or prompt"),
        ([["item", "percentage"], ["2.1.1", "eighty"]], "row 2, column percentage",
         "'eighty' is not a number"),
        ([["item", "percentage"], ["2.1.1", "101"]], "row 2, column percentage",
         "'101' is not between 0 and 100"),
        ([["item", "percentage"], ["2.1.1", "80"], ["", ""], ["2.1.1", "81"]],
         "row 4, column item", "2.1.1 appears twice (first on row 2)"),
        ([["item", "percentage", "sample_size"], ["2.1.1", "80", "12.5"]],
         "row 2, column sample_size", "'12.5' is not a whole number"),
        ([["item", "percentage", "sample_size"], ["2.1.1", "80", "0"]],
         "row 2, column sample_size", "the sample size must be at least 1"),
        ([["item", "percentage", "sample_size"], ["2.1.1.2", "", "90"]],
         "row 2, column sample_size", "a sample size without a percentage"),
        ([["item", "percentage", "rating"], ["2.1.1", "80", "Good"]], "row 2, column rating",
         "only a standard has a rating"),
        ([["item", "percentage", "rating"], ["2.1", "", "Fab"]], "row 2, column rating",
         "'Fab' is not a rating"),
        ([["item", "percentage"], ["2.1", "80"]], "row 2, column percentage",
         "a standard has a rating, not a percentage"),
        ([["item", "percentage"], ["2.1.1", "80", "extra"]], "row 2", "3 cells but the header"),
        ([["item", "percentage"]], None, "no figures below the header row"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_naming_file_row_and_column(
    north_west: Service, tmp_path: Path, rows: list[list[str]], place: str | None, problem: str
) -> None:
    import_previous_figures(
        north_west, write_csv(tmp_path / "good.csv", [["item", "percentage"], ["2.1.1", "83"]])
    )
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(PreviousFiguresError) as caught:
        import_previous_figures(north_west, path)
    error = caught.value
    assert error.file == str(path)
    assert error.place == place
    assert problem in error.problem
    assert error.message.startswith(str(path))
    # Nothing changed: the earlier import is still there.
    assert set(previous_figures(north_west)) == {"2.1.1"}


def test_unreadable_files(north_west: Service, tmp_path: Path) -> None:
    with pytest.raises(PreviousFiguresError, match="file not found"):
        import_previous_figures(north_west, tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("item,percentage\n2.1.1,83\n# caf\xe9\n".encode("latin-1"))
    with pytest.raises(PreviousFiguresError, match="not UTF-8 text"):
        import_previous_figures(north_west, latin1)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(PreviousFiguresError, match="the file is empty"):
        import_previous_figures(north_west, empty)


def test_excel_csv_with_byte_order_mark_and_decimals(north_west: Service, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffitem,percentage,sample_size\r\n2.1.1,83.3,120\r\n".encode())
    import_previous_figures(north_west, path)
    figure = previous_figures(north_west)["2.1.1"]
    assert str(figure.percentage) == "83.3" and figure.sample_size == 120
    comparison = score(north_west, breakdowns=None).comparisons["2.1.1"]
    assert str(comparison.change) == "-3.3"
