"""Populations as providers send them, for the sampling tests (and a check of the generator)."""

from __future__ import annotations

import csv
import random
import sqlite3
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import openpyxl

HEADINGS = ("CRN", "Sex", "Disposal", "RoSH", "Sentence date", "Cluster", "Grade", "Ethnicity")
CLUSTERS = ("Cheshire", "Cumbria and Lancashire", "Greater Manchester", "Merseyside")


def case_rows(count: int, seed: int = 1, start: date = date(2019, 6, 1)) -> list[list[str]]:
    """Rows of a case-supervision export, in the provider's own spellings."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        rows.append(
            [
                f"E{n:06d}",
                rng.choices(["Male", "Female"], weights=[8, 2])[0],
                rng.choice(["Community Sentence", "Post-Release Licence"]),
                rng.choices(["Low", "Medium", "High", "Very high"], weights=[2, 5, 3, 1])[0],
                (start + timedelta(days=rng.randint(0, 59))).strftime("%d/%m/%Y"),
                rng.choice(CLUSTERS),
                rng.choices(["PO", "PSO", "PQiP"], weights=[6, 3, 1])[0],
                rng.choice(["White", "Ethnic minority"]),
            ]
        )
    return rows


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    headings: Sequence[str] = HEADINGS,
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(headings)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], headings: Sequence[str] = HEADINGS
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Eligible cases"
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


MAPPING = {"Sex": "gender", "Grade": "officer_grade"}


def dump(path: Path) -> list[str]:
    """Everything stored in a workspace, read through a connection of its own."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_the_generator_is_reproducible_and_varied() -> None:
    rows = case_rows(200, seed=3)
    assert rows == case_rows(200, seed=3)
    assert {r[1] for r in rows} == {"Male", "Female"}
    assert len({r[0] for r in rows}) == 200
