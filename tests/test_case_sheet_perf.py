"""The case sheets' shortcuts draw exactly what the long way draws.

Tables start with their cells already in the look of ``TABLE_STYLE`` (``cell_styles`` and
``TABLE_RULES``), and plain notes skip the markup parser (``plain``). Each is compared with
the long way: cell by cell, fragment by fragment, and as a whole PDF, byte for byte.
"""

from __future__ import annotations

import importlib
import io
import random
from datetime import datetime

from reportlab.platypus import Table
from reportlab.platypus.tables import CellStyle

from fieldwork.reports import case_sheet_flowables, case_sheets_pdf, read_sheets
from fieldwork.reports import styles as sheet_styles
from fieldwork.reports.document import SheetDocument
from fieldwork.reports.styles import (
    TABLE_RULES,
    TABLE_STYLE,
    Para,
    cell_styles,
    paragraphs,
    plain,
    styles,
    text,
)
from fieldwork.service import Service
from tests.conftest import answer_everything

# by name: fieldwork.reports exports a function called case_sheet, which hides the module
case_sheet_module = importlib.import_module("fieldwork.reports.case_sheet")

CELL_PROPERTIES = (
    "fontname",
    "fontsize",
    "leading",
    "valign",
    "leftPadding",
    "rightPadding",
    "topPadding",
    "bottomPadding",
    "color",
    "alignment",
    "background",
)


def _cells(table: Table) -> list[list[tuple[object, ...]]]:
    return [
        [tuple(getattr(c, p) for p in CELL_PROPERTIES) for c in row] for row in table._cellStyles
    ]


def test_cell_styles_and_rules_give_every_cell_what_the_table_style_gives() -> None:
    rows = [["Item", "Wording", "Answer"], ["1.1", "a", "Yes"], ["1.2", "b", "No"]]
    long_way = Table([list(r) for r in rows])
    long_way.setStyle(TABLE_STYLE)
    long_way.setStyle([("FONTNAME", (0, 2), (-1, 2), "Sheet-Bold")])  # a later command still tells
    short_way = Table([list(r) for r in rows], cellStyles=cell_styles(3, 3))
    short_way.setStyle(TABLE_RULES)
    short_way.setStyle([("FONTNAME", (0, 2), (-1, 2), "Sheet-Bold")])
    assert _cells(short_way) == _cells(long_way)
    assert short_way._bkgrndcmds == long_way._bkgrndcmds
    assert short_way._linecmds == long_way._linecmds
    # each cell has its own style: a command on one cell leaves the others alone
    assert short_way._cellStyles[2][0].fontname != short_way._cellStyles[1][0].fontname


def _frags(paragraph: Para) -> list[list[tuple[str, object]]]:
    return [sorted(vars(f).items()) for f in paragraph.frags]


def test_a_plain_note_becomes_the_paragraph_the_parser_would_make() -> None:
    rng = random.Random(5)
    pieces = [*"abc xyzłşüЖ'\"!?.;-()%£€", "\u00a0", "\u2003", "\t", "  ", "word", "&", "<b>", "\n"]
    for _ in range(2000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        for style in (styles().note, styles().cell):
            quick, parsed = plain(raw, style, "Note:"), Para(text(raw), style, bulletText="Note:")
            assert _frags(quick) == _frags(parsed), repr(raw)
            assert (quick.text, quick.bulletText) == (parsed.text, parsed.bulletText)


def test_markup_in_a_note_still_prints_as_typed() -> None:
    [note] = paragraphs("<b>not bold</b> & co", styles().note, "Note:")
    assert "".join(f.text for f in note.frags) == "<b>not bold</b> & co"
    assert not any(f.bold for f in note.frags)


def test_a_sheet_pdf_is_the_same_byte_for_byte_the_long_way(
    service: Service, make_case, monkeypatch
) -> None:
    case = make_case(rosh="high")
    answer_everything(service, case.id)
    service.set_note(case.id, "2.1.1.1", "Seen <twice> & noted\twith a tab\n\nThen a plain one.")
    [sheet] = read_sheets(service, [case.id])

    def pdf() -> bytes:
        out = io.BytesIO()
        SheetDocument(out, title="t", invariant=True).build_story(case_sheet_flowables(sheet))
        return out.getvalue()

    quick = pdf()
    sheet_styles.fixed.cache_clear()

    def parsed(value: str, style, label=None) -> Para:  # the long way for every note
        return Para(text(value), style, bulletText=label)

    def styled(rows: int, columns: int):  # default cells: TABLE_STYLE's commands do the work
        return [[CellStyle(f"{r},{c}") for c in range(columns)] for r in range(rows)]

    monkeypatch.setattr(sheet_styles, "plain", parsed)
    monkeypatch.setattr(case_sheet_module, "plain", parsed)
    monkeypatch.setattr(case_sheet_module, "cell_styles", styled)
    monkeypatch.setattr(case_sheet_module, "TABLE_RULES", TABLE_STYLE)
    assert pdf() == quick
    assert quick.startswith(b"%PDF")  # a real PDF was compared


def test_the_wording_is_shared_as_forms_only_when_there_is_more_than_one_sheet(
    service: Service, make_case
) -> None:
    first, second = make_case(), make_case()
    moment = datetime(2020, 1, 20, 14, 5)
    one, _ = case_sheets_pdf(service, [first.id], printed_at=moment, invariant=True)
    two, _ = case_sheets_pdf(service, [first.id, second.id], printed_at=moment, invariant=True)
    assert b"/FormXob.Shared0" not in one  # drawn directly: a form shown once costs more
    assert b"/FormXob.Shared0" in two
    assert b"/FormXob.FurnitureOfSheet0" in one and b"/FormXob.FurnitureOfSheet1" in two
