"""Every scoring table as a CSV file and as a sheet of one Excel workbook."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from fieldwork.errors import FieldworkError
from fieldwork.scoring.tables import Cell, Table

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


def number(cell: Cell | float) -> int | float | None:
    """A cell of a numeric column as a number, or None (a statement such as "no applicable
    cases" is no number: the column holds nothing there, and the table's notes say why)."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, int | float):
        return cell
    try:
        value = Decimal(cell.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def data_cells(table: Table) -> list[list[Cell | float]]:
    """The table's data rows as a data file holds them: layout-only headings left out, and
    numeric columns holding numbers only."""
    numeric = [name in table.numeric for name in table.columns]
    return [
        [number(c) if n else c for c, n in zip(row.cells, numeric, strict=True)]
        for row in table.data_rows
    ]


def csv_encoding(excel: bool) -> str:
    """UTF-8; with a byte-order mark only for Excel, which needs it to read UTF-8."""
    return "utf-8-sig" if excel else "utf-8"


def write_csv(table: Table, path: Path, *, excel: bool = False) -> Path:
    """One table as CSV: plain UTF-8 (``excel``: with the byte-order mark Excel wants)."""
    with path.open("w", encoding=csv_encoding(excel), newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(table.columns)
        for cells in data_cells(table):
            writer.writerow(["" if c is None else c for c in cells])
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
        for row, cells in zip(table.data_rows, data_cells(table), strict=True):
            sheet.append(cells)
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


def export_tables(
    tables: Sequence[Table], folder: str | Path, *, excel: bool = False
) -> list[Path]:
    """Write ``<key>.csv`` for every table and ``ratings-tables.xlsx`` into ``folder``
    (``excel``: the CSV files with a byte-order mark, for Excel)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = [write_csv(t, folder / f"{t.key}.csv", excel=excel) for t in tables]
        written.append(write_workbook(tables, folder / WORKBOOK_NAME))
    except OSError as exc:
        raise ExportError(
            f"cannot write the tables ({exc.strerror or exc}); choose a folder you can write to",
            file=str(folder),
        ) from None
    return written
