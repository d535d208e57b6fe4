"""Every scoring table as a CSV file and as a sheet of one Excel workbook."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

from fieldwork.errors import FieldworkError
from fieldwork.scoring.tables import Table

WORKBOOK_NAME = "ratings-tables.xlsx"


class ExportError(FieldworkError):
    """The tables could not be written where asked."""


def _sheet_name(table: Table, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "-", table.key)[:31]
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f"~{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.casefold())
    return name


def write_csv(table: Table, path: Path) -> Path:
    """One table as CSV (UTF-8 with a byte-order mark, so Excel reads its dashes and quotes)."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow(["" if c is None else c for c in row.cells])
    return path


def write_workbook(tables: Sequence[Table], path: Path) -> Path:
    """Every table in one workbook: a sheet per table, its title in the first row, then the
    header and the rows, then the notes."""
    from openpyxl import Workbook  # loaded when a workbook is first written
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table, taken))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(list(table.columns))
        for cell in sheet[2]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append(list(row.cells))
            if row.heading or row.emphasis:
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
        for note in table.notes:
            sheet.append([])
            sheet.append([note])
        for n, name in enumerate(table.columns, start=1):
            longest = max(
                [len(name)] + [len(str(r.cells[n - 1])) for r in table.rows if r.cells[n - 1]]
            )
            sheet.column_dimensions[sheet.cell(row=2, column=n).column_letter].width = min(
                max(10, longest + 2), 70
            )
        sheet.freeze_panes = "A3"
    book.save(path)
    return path


def export_tables(tables: Sequence[Table], folder: str | Path) -> list[Path]:
    """Write ``<key>.csv`` for every table and ``ratings-tables.xlsx`` into ``folder``."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = [write_csv(t, folder / f"{t.key}.csv") for t in tables]
        written.append(write_workbook(tables, folder / WORKBOOK_NAME))
    except OSError as exc:
        raise ExportError(
            f"cannot write the tables ({exc.strerror or exc}); choose a folder you can write to",
            file=str(folder),
        ) from None
    return written
