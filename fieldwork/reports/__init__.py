"""PDF reports: case summary sheets (and, in time, the ratings report).

Built with reportlab platypus. A report is a function from data to flowables; the page
template draws the furniture (marking, header, footer, "Page X of Y"). No Qt here.
"""

from fieldwork.errors import PrintCancelled
from fieldwork.reports.case_sheet import (
    CaseSheet,
    SheetsWritten,
    build_sheets,
    case_sheet,
    case_sheet_flowables,
    case_sheets_pdf,
    read_sheets,
    write_case_sheets,
)

__all__ = [
    "CaseSheet",
    "PrintCancelled",
    "SheetsWritten",
    "build_sheets",
    "case_sheet",
    "case_sheet_flowables",
    "case_sheets_pdf",
    "read_sheets",
    "write_case_sheets",
]
