"""The case sheets' own layout (``fieldwork.reports.drawn``): lines never wider than their
cell, tables that split between rows and inside a row too tall to move, with their header
rows repeated, and never a word lost. Checked on the flowables and on the PDF read back
(each piece of text at the position the PDF draws it)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from fieldwork.answers import Answer
from fieldwork.reports import case_sheets_pdf
from fieldwork.reports.drawn import (
    OVERHANG,
    PAD_BOTTOM,
    PAD_RIGHT,
    PAD_TOP,
    Block,
    Grid,
    Look,
    Row,
    broken,
    cell,
    placed,
    show,
)
from fieldwork.reports.furniture import MARGIN, WIDTH
from fieldwork.reports.styles import BOLD, FONT, ITALIC, forget_subsets, register_fonts
from fieldwork.service import Service
from tests.conftest import answer_everything

PRINTED = datetime(2020, 1, 20, 14, 5)
CELL = Look(8.5, 11)


def _visible(value: str) -> str:
    """The characters a line shows: no control characters, no breaking white space."""
    value = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value)
    return "".join(c for c in value if c == "\u00a0" or not c.isspace())


def _width(runs: tuple[tuple[str, str], ...], size: float) -> float:
    return sum(stringWidth(value, font, size) for font, value in runs)


# -- breaking lines --------------------------------------------------------------------------
ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMWZ0123456789.,;:'\"()-?!&<>")
    + ["Ł", "ş", "é", "—", "’", "Ж", " ", " ", " ", "\n", "\t", "\u00a0", "\x07", "W" * 30]
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(ALPHABET, max_size=120).map("".join),
    width=st.floats(min_value=30, max_value=400),
    first=st.sampled_from([0.0, 3.0, 10.0]),
    bold=st.booleans(),
)
def test_no_line_is_wider_than_its_width_and_no_character_is_lost(
    text: str, width: float, first: float, bold: bool
) -> None:
    register_fonts()
    font = BOLD if bold else FONT
    lines = broken(((font, text),), 8.5, width + first, 0, first)
    assert lines, "even no text is one (empty) line"
    assert _width(lines[0], 8.5) <= width + 1e-6, lines[0]  # the first line is narrower
    for line in lines[1:]:
        assert _width(line, 8.5) <= width + first + 1e-6, line
    shown = "".join(value for line in lines for _, value in line)
    assert _visible(shown) == _visible(text)  # every character, in order
    assert len(lines) >= 1 + text.count("\n")  # each newline breaks the line


def test_words_fill_each_line_as_reportlab_fills_a_paragraph() -> None:
    register_fonts()
    words = "Does assessment analyse the service user's diversity and personal circumstances"
    width = stringWidth("Does assessment analyse the service", FONT, 8.5) + 1
    lines = broken(((FONT, words),), 8.5, width)
    assert [value for line in lines for _, value in line] == [
        "Does assessment analyse the service",
        "user's diversity and personal",
        "circumstances",
    ]


def test_a_line_may_overhang_by_a_shrunk_space_but_never_past_the_overhang() -> None:
    register_fonts()
    text = "word " * 40
    exact = stringWidth("word " * 9 + "word", FONT, 8.5)  # ten words exactly
    for overhang in (0.0, 2.0):
        for line in broken(((FONT, text),), 8.5, exact - 0.5, overhang):
            assert _width(line, 8.5) <= exact - 0.5 + overhang + 1e-6
    # With room to shrink the spaces (as reportlab does), the tenth word still fits.
    first = broken(((FONT, text),), 8.5, exact - 0.5, 2.0)[0]
    assert first[0][1].count("word") == 10


def test_fonts_change_inside_a_line_and_a_newline_breaks_it() -> None:
    register_fonts()
    runs = ((BOLD, "Prompts left out"), (FONT, "(by rule): 2.1.1.1;\n2.1.1.2"), (ITALIC, "x"))
    assert broken(runs, 8, 400) == (
        ((BOLD, "Prompts left out "), (FONT, "(by rule): 2.1.1.1;")),
        ((FONT, "2.1.1.2 "), (ITALIC, "x")),
    )


def test_a_long_label_pushes_the_first_line_of_its_note_right_as_a_bullet_does() -> None:
    register_fonts()
    look, indent, at = Look(8.5, 11), 20 * mm, 2 * mm
    words = ((FONT, "one two three " * 20),)
    for label, pushed in (("Rationale:", True), ("Note:", False)):
        lines = placed([Block(words, look, indent, (BOLD, label), at)], 300)
        label_line, first, second = lines[:3]
        assert (label_line.x, label_line.runs) == (at, ((BOLD, label),))
        end = at + stringWidth(label, BOLD, 8.5) + 0.6 * 8.5  # reportlab's bullet gap
        assert first.x == (end if pushed else indent) and second.x == indent
        assert first.top == label_line.top and second.top == first.top + 11
        assert first.x + _width(first.runs, 8.5) <= 300 + 1e-6


# -- tables that split -----------------------------------------------------------------------
COLUMNS = (50.0, 200.0, 60.0)


def _plain_row(*values: str, **kwargs: object) -> Row:
    return Row(
        tuple(cell((Block(((FONT, v),), CELL),), c) for v, c in zip(values, COLUMNS, strict=True)),
        **kwargs,  # type: ignore[arg-type]
    )


def _texts(grid: Grid) -> list[str]:
    return [
        " ".join(v for line in c.lines for _, v in line.runs)
        for row in grid.rows
        for c in row.cells
    ]


register_fonts()  # before the header row below is laid out
HEADER = _plain_row("Item", "Wording", "Answer", shaded=True)


def test_a_table_splits_between_rows_and_repeats_its_header() -> None:
    register_fonts()
    body = [_plain_row(f"1.{n}", f"Prompt {n} wording", "Yes") for n in range(40)]
    grid = Grid(COLUMNS, [HEADER, *body])
    height = 17 * 5 + 10  # the header and four rows, and some
    first, rest = grid.split(sum(COLUMNS), height)
    assert isinstance(first, Grid) and isinstance(rest, Grid)
    assert first.rows[0] == rest.rows[0] == HEADER
    assert first.wrap(0, 0)[1] <= height
    assert len(first.rows) == 5
    assert first.rows[1:] + rest.rows[1:] == tuple(body)  # every row, once, in order


def test_a_row_taller_than_a_page_splits_inside_itself_and_keeps_every_line() -> None:
    register_fonts()
    note = " ".join(f"word{n}" for n in range(3000))
    tall = Row(
        (
            cell((Block(((FONT, "1.1"),), CELL),), COLUMNS[0]),
            cell((Block(((FONT, note),), CELL),), COLUMNS[1]),
            cell((Block(((FONT, "No"),), CELL),), COLUMNS[2]),
        )
    )
    page = 700.0
    parts: list[Grid] = []
    grid = Grid(COLUMNS, [HEADER, tall, _plain_row("1.2", "after", "Yes")])
    assert grid.height > 2 * page
    while grid.height > page:
        here, grid = grid.split(sum(COLUMNS), page)  # type: ignore[assignment]
        assert isinstance(here, Grid) and here.height <= page
        assert here.rows[0] == HEADER and grid.rows[0] == HEADER
        parts.append(here)
    parts.append(grid)
    assert len(parts) >= 3
    words = " ".join(" ".join(_texts(Grid(COLUMNS, p.rows[1:]))) for p in parts).split()
    assert [w for w in words if w.startswith("word")] == note.split()
    assert words.count("1.1") == 1 and words.count("No") == 1  # the short cells, once
    assert words[-3:] == ["1.2", "after", "Yes"]


def test_a_short_row_moves_whole_and_nothing_fitting_moves_the_table() -> None:
    register_fonts()
    three = _plain_row("1.1", "one two three four five six seven " * 4, "Yes")
    assert 2 < len(three.cells[1].lines) <= 8
    grid = Grid(COLUMNS, [HEADER, _plain_row("1.0", "x", "y"), three])
    room = grid.heights[0] + grid.heights[1] + PAD_TOP + PAD_BOTTOM + 11  # one line of three
    first, rest = grid.split(sum(COLUMNS), room)
    assert first.rows[1:] == (grid.rows[1],)  # type: ignore[attr-defined]
    assert rest.rows[1:] == (three,)  # type: ignore[attr-defined]
    assert grid.split(sum(COLUMNS), grid.heights[0] + 5) == []  # not even one row


def test_a_cell_kept_from_one_document_shows_in_the_next_with_that_ones_font_names() -> None:
    register_fonts()
    judgement = cell((Block(((BOLD, "Judgement"),), CELL), Block(((FONT, "Yes"),), CELL)), 60)
    one, two = Canvas(io.BytesIO()), Canvas(io.BytesIO())
    getFont(ITALIC).getSubsetInternalName(0, two._doc)  # another font named first in two
    shown = {}
    for canvas in (one, two, one):
        names = [getFont(f).getSubsetInternalName(0, canvas._doc) for f in (BOLD, FONT)]
        ops = show(canvas, judgement, 10, 100)
        assert f"{names[0]} 8.5 Tf (Judgement) Tj" in ops and f"{names[1]} 8.5 Tf (Yes)" in ops
        shown[id(canvas)] = names
    assert shown[id(one)] != shown[id(two)]


# -- in the PDF ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Piece:
    page: int
    x: float
    y: float
    font: str
    size: float
    text: str

    @property
    def right(self) -> float:
        return self.x + stringWidth(self.text, self.font, self.size)


def _pieces(pdf: bytes) -> list[Piece]:
    out: list[Piece] = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages):

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            base = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
            name = BOLD if "Bold" in base else ITALIC if "Oblique" in base else FONT
            if text.strip():
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                out.append(Piece(number, x, y, name, size, text.rstrip("\n ")))  # noqa: B023

        page.extract_text(visitor_text=visit)
    return out


LONG_WORD = "Reference:" + "ABCDEFGHIJ" * 30  # 310 letters without a space
ITEM, WORDING, ANSWER = 21 * mm, WIDTH - 52 * mm, 31 * mm


def test_text_is_never_drawn_beyond_its_cell(service: Service, make_case) -> None:
    register_fonts()
    case = make_case(cluster="Z" * 80)  # an attribute value wider than its column
    answer_everything(service, case.id)
    service.set_note(case.id, "2.1.1.1", f"See {LONG_WORD} and {'wide' * 40} for the plan.")
    service.answer(case.id, "2.4.1.2", Answer.NOT_APPLICABLE, na_reason=LONG_WORD)
    pdf, _ = case_sheets_pdf(service, [case.id], printed_at=PRINTED, invariant=True)
    pieces = _pieces(pdf)
    quarter = WIDTH / 4
    attributes = [0, 1.3 * quarter, 2 * quarter, 3.3 * quarter, WIDTH]
    items = [0, ITEM, ITEM + WORDING, WIDTH]
    [standard] = [p for p in pieces if p.page == 0 and p.text.endswith("Assessment")]
    checked = 0
    for piece in pieces:
        if not 30 * mm < piece.y < 297 * mm - 30 * mm or piece.x < MARGIN + 1:
            continue  # the page's header and footer, and headings
        table = attributes if piece.page == 0 and piece.y > standard.y else items
        if piece.size != 8.5:  # a key question's title, or what does not apply: a whole row
            table = [0, WIDTH]
        edges = [MARGIN + edge for edge in table]
        for left, right in zip(edges, edges[1:], strict=False):
            if left + 1 < piece.x < right:
                # drawn inside this column: ends before its edge (a line may run into the
                # right padding by the overhang, no further)
                assert piece.right <= right - PAD_RIGHT + OVERHANG + 0.01, piece
                checked += 1
    assert checked > 100
    # Nothing is lost: the long word is all there, cut across lines, in order.
    text = "".join(p.text for p in pieces)
    assert _visible(LONG_WORD) in _visible(text)
    assert "Z" * 80 in _visible(text)


def test_a_note_of_one_paragraph_longer_than_a_page_runs_on_whole(
    service: Service, make_case
) -> None:
    case = make_case()
    words = [f"w{n}" for n in range(2500)]  # one paragraph, no blank line to break at
    service.answer(case.id, "2.1.1.2", Answer.NO)
    service.set_note(case.id, "2.1.1.2", " ".join(words))
    pdf, written = case_sheets_pdf(service, [case.id], printed_at=PRINTED, invariant=True)
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    text = " ".join(pages)
    found = [w for w in text.split() if re.fullmatch(r"w\d+", w)]
    assert found == words  # every word, once, in order
    spanned = [n for n, page in enumerate(pages) if "w0 " in page or "w2499" in page]
    assert spanned[-1] - spanned[0] >= 2  # over three pages or more
    for n in range(spanned[0], spanned[-1] + 1):
        # the key question's title and column headings are repeated on every page
        assert "2.1.1 Does assessment focus sufficiently" in pages[n], n
        assert "Item Wording, notes and rationale Answer" in pages[n], n
        assert f"Page {n + 1} of {written.pages}" in pages[n]
    # the row's other cells are drawn once, on its first page
    assert text.count("2.1.1.2 Does assessment analyse") == 1


@pytest.mark.parametrize("answered", [False, True])
def test_the_sheet_is_the_same_whichever_documents_came_before(
    service: Service, make_case, answered: bool
) -> None:
    """Lines are encoded once per document and font subsets kept across documents: a PDF
    built after others is byte for byte the PDF built from nothing kept."""
    first, second = make_case(), make_case("victim", stage="post-sentence")
    service.set_note(first.id, "2.1.1.1", "Łukasz — Zoë ’s plan")
    if answered:
        answer_everything(service, second.id)
    service.set_note(second.id, "3.2.1.1", "Ştefan’s «note» ĳ")

    def pdf(*ids: str) -> bytes:
        return case_sheets_pdf(service, list(ids), printed_at=PRINTED, invariant=True)[0]

    pdf(first.id)
    pdf(first.id, second.id)
    after_others = pdf(second.id)
    forget_subsets()
    broken.cache_clear()
    cell.cache_clear()  # cells keep their operators from one document to the next
    assert pdf(second.id) == after_others
    assert "Ştefan’s «note» ĳ" in " ".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(after_others)).pages
    )
