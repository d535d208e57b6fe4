"""Text and tables drawn straight onto the canvas: the case sheets' layout engine.

A 200-case print is 3,600 tables and some 50,000 cells. Laid out as platypus ``Table``s of
``Paragraph``s it cost about three times the same rows as bare tables (profiled: table
layout, paragraph line breaking and the text operators of each drawn string, in about
equal parts). Everything a sheet holds is plain text in a few fixed styles, so here it is
laid out by this module instead:

- lines are broken greedily at spaces, as reportlab breaks a left-aligned paragraph, and
  the breaks of a text at a width are remembered (the framework's wording is the same on
  every sheet); a word wider than its column is cut, so nothing is drawn beyond a cell;
- a ``Grid`` is a ruled table of such cells; it splits between rows, or inside a row too
  tall to move whole (a long note), and repeats its header rows on each page;
- text is written as PDF text operators: each line's encoded once per document, each
  cell's once per document (and kept for the next one when it is printable ASCII).

No markup is read: what a person typed is drawn as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Flowable

#: A piece of text in one font: ``(font name, text)``. The end of a run ends a word.
Run = tuple[str, str]

# Anything but tab and newline in C0 cannot be drawn; a tab is a space.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Printable ASCII: the same glyph codes in every document (see ``_encoded``).
_ASCII = re.compile(r"[\x20-\x7e]*")
# White space a line may break at: any but the no-break space.
_SPACES = re.compile(r"[^\S\n\u00a0]+")


@dataclass(frozen=True)
class Look:
    """A text style: type size and line spacing (the font is the run's)."""

    size: float
    leading: float


# -- breaking text into lines ---------------------------------------------------------------
_WIDTHS: dict[tuple[str, str], float] = {}


def _width(font: str, word: str) -> float:
    """The width of ``word`` at 1 point (widths scale with the size)."""
    width = _WIDTHS.get((font, word))
    if width is None:
        if len(_WIDTHS) > 200_000:  # words typed in notes are many; keep the memory bounded
            _WIDTHS.clear()
        width = _WIDTHS[(font, word)] = stringWidth(word, font, 1000) / 1000
    return width


_BREAK = ("", "")  # a forced line break, from a newline in the text


def _words(runs: tuple[Run, ...]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for font, value in runs:
        for n, part in enumerate(_CONTROL.sub("", value.replace("\t", " ")).split("\n")):
            if n:
                out.append(_BREAK)
            out += [(font, word) for word in _SPACES.split(part) if word]
    return out


def _cut(font: str, word: str, size: float, width: float) -> list[str]:
    """A word wider than ``width`` cut into pieces that each fit (the last may be short)."""
    pieces, start, used = [], 0, 0.0
    for n, char in enumerate(word):
        wide = _width(font, char) * size
        if n > start and used + wide > width + 1e-6:
            pieces.append(word[start:n])
            start, used = n, 0.0
        used += wide
    pieces.append(word[start:])
    return pieces


#: How far a line may run past its width, as reportlab lets it: each space between its words
#: may shrink by this much of its width (reportlab's ``spaceShrinkage``, never drawn shrunk).
SPACE_SHRINK = 0.05


@lru_cache(maxsize=8192)
def broken(
    runs: tuple[Run, ...], size: float, width: float, overhang: float = 0, first: float = 0
) -> tuple[tuple[Run, ...], ...]:
    """``runs`` broken into lines ``width`` points wide at ``size`` (the first line ``first``
    points narrower).

    Greedy, like a left-aligned reportlab paragraph: as many words on a line as fit, one
    space between words (runs of white space collapse); a newline starts a new line. Like
    reportlab, a line may run past its width by ``SPACE_SHRINK`` of each space, but never by
    more than ``overhang``; a word alone wider than the line and ``overhang`` is cut. Each
    line is a tuple of runs, a font change starting a new run. Text with no words gives one
    empty line.
    """
    lines: list[list[tuple[str, str]]] = []
    line: list[tuple[str, str]] = []
    used, ends_broken = 0.0, False
    for font, word in _words(runs):
        ends_broken = not font
        if ends_broken:  # a forced break
            lines.append(line)
            line, used = [], 0.0
            continue
        wide = _width(font, word) * size
        room = width - first if not lines else width
        if line:
            space = _width(line[-1][0], " ") * size
            after = used + space + wide
            if after <= room + min(SPACE_SHRINK * space * len(line), overhang) + 1e-6:
                line.append((font, word))
                used = after
                continue
            lines.append(line)
            line, used = [], 0.0
            room = width
        if wide <= room + overhang + 1e-6:
            line, used = [(font, word)], wide
            continue
        pieces = _cut(font, word, size, room + overhang)
        if room != width and len(pieces) > 1:  # the first line is narrower than the rest
            pieces = pieces[:1] + _cut(font, "".join(pieces[1:]), size, width + overhang)
        *whole, last = pieces
        lines += [[(font, piece)] for piece in whole]
        line, used = [(font, last)], _width(font, last) * size
    if line or ends_broken or not lines:
        lines.append(line)
    return tuple(_joined(words) for words in lines)


def _joined(words: list[tuple[str, str]]) -> tuple[Run, ...]:
    """Words of a line as runs: a word's font, then the words after it in the same font."""
    runs: list[Run] = []
    for font, word in words:
        if runs and runs[-1][0] == font:
            runs[-1] = (font, f"{runs[-1][1]} {word}")
        elif runs:
            runs[-1] = (runs[-1][0], runs[-1][1] + " ")
            runs.append((font, word))
        else:
            runs.append((font, word))
    return tuple(runs)


# -- placed lines and blocks of text ---------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """One line of text, placed: ``top`` is below the top of its block, ``x`` right of its
    left edge."""

    top: float
    x: float
    size: float
    leading: float
    runs: tuple[Run, ...]

    @property
    def bottom(self) -> float:
        return self.top + self.leading


@dataclass(frozen=True)
class Block:
    """A paragraph of a cell: its runs, style, indent, optional label hung to its left (drawn
    at ``label_x``, on its first line), and the space above it (ignored first in a cell)."""

    runs: tuple[Run, ...]
    look: Look
    indent: float = 0
    label: Run | None = None
    label_x: float = 0
    space_before: float = 0


def placed(blocks: Sequence[Block], width: float, overhang: float = 0) -> tuple[Line, ...]:
    """Blocks laid out one under another in ``width`` points, as placed lines (a word may
    run ``overhang`` points past the width rather than be cut)."""
    out: list[Line] = []
    top = 0.0
    for n, block in enumerate(blocks):
        if n:
            top += block.space_before
        size, leading = block.look.size, block.look.leading
        first = 0.0
        if block.label is not None:
            out.append(Line(top, block.label_x, size, leading, (block.label,)))
            # As reportlab sets a bullet: a label too long for its margin pushes the first
            # line right, by as much as it overruns (with 0.6 of the type size as a gap).
            label_end = block.label_x + _width(block.label[0], block.label[1]) * size
            first = max(0.0, label_end + 0.6 * size - block.indent)
        x = block.indent + first
        for runs in broken(block.runs, size, width - block.indent, overhang, first):
            out.append(Line(top, x, size, leading, runs))
            top += leading
            x = block.indent
    return tuple(out)


class Cell:
    """Placed lines, with their height: the text of one table cell, or of a paragraph.

    A document writes the operators of a cell once and shows them again wherever the same
    cell is drawn (``cell`` gives the same cell for the same blocks and column), as when
    200 sheets print the same prompts. A cell of printable ASCII keeps its operators for
    the next document too (see ``show``).
    """

    __slots__ = ("ascii", "fonts", "height", "lines", "shown")

    def __init__(self, lines: tuple[Line, ...]):
        self.lines = lines
        self.height = max((line.bottom for line in lines), default=0.0)
        self.fonts = tuple(sorted({font for line in lines for font, _ in line.runs}))
        self.ascii = all(_ASCII.fullmatch(value) for line in lines for _, value in line.runs)
        self.shown: tuple[tuple[str, ...], float, float, str] | None = None

    def __repr__(self) -> str:
        return f"Cell({self.lines!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and other.lines == self.lines

    def __hash__(self) -> int:
        return hash(self.lines)

    def cut(self, room: float) -> tuple[Cell, Cell]:
        """The lines that end within ``room`` points, and the rest moved up to the top."""
        lines, n = self.lines, 0
        while n < len(lines) and lines[n].bottom <= room:  # placed top to bottom
            n += 1
        rest = lines[n:]
        shift = rest[0].top if rest else 0.0
        return Cell(lines[:n]), Cell(tuple(replace(line, top=line.top - shift) for line in rest))


# -- writing text ------------------------------------------------------------------------------
_ENCODED = "_fieldwork_encoded"  # the canvas attribute holding the document's encoded lines
_SHOWN = "_fieldwork_shown"  # ... its cells' operators
_NAMES = "_fieldwork_font_names"  # ... and the names of its fonts' first subsets


def _encoded(canvas: Any, size: float, runs: tuple[Run, ...]) -> str:
    """The PDF operators that show a line's runs: fonts, sizes and glyph codes of the
    document's font subsets. Made once per document and line (the subsets are the
    document's: a code, once given to a character, stays)."""
    cache: dict[tuple[float, tuple[Run, ...]], str] = canvas.__dict__.setdefault(_ENCODED, {})
    key = (size, runs)
    ops = cache.get(key)
    if ops is None:
        doc, escape, parts = canvas._doc, canvas._escape, []
        tf = f"{fp_str(size)} Tf"
        for font_name, value in runs:
            font = getFont(font_name)
            if _ASCII.fullmatch(value):
                # Printable ASCII has its own codes in every document's first subset (the
                # font's "ASCII readable" subset): no need to ask the font for codes.
                parts.append(f"{font.getSubsetInternalName(0, doc)} {tf} ({escape(value)}) Tj")
                continue
            for subset, codes in font.splitString(value, doc):
                name = font.getSubsetInternalName(subset, doc)
                parts.append(f"{name} {tf} ({escape(codes)}) Tj")
        ops = cache[key] = " ".join(parts)
    return ops


def show(canvas: Any, cell: Cell, x: float, top: float) -> str:
    """The operators (inside BT … ET) that draw ``cell`` with its top left at ``(x, top)``.

    The first line is placed by ``Tm``, each line after relative to the one before (``Td``),
    so what follows ``Tm`` is the same wherever the cell is drawn, and is made once per
    document and cell. For a cell of printable ASCII it is the same in every document whose
    fonts have the same names (the codes of ASCII are fixed, see ``_encoded``), so the cell
    keeps it: a one-case print shows the framework's wording as the print before did.
    """
    doc = canvas._doc
    names: dict[str, str] = canvas.__dict__.setdefault(_NAMES, {})
    for font in cell.fonts:
        if font not in names:
            names[font] = getFont(font).getSubsetInternalName(0, doc)
    key = tuple(names[font] for font in cell.fonts)
    known = cell.shown
    if known is None or known[0] != key:
        shown: dict[int, tuple[Cell, tuple[tuple[str, ...], float, float, str]]]
        shown = canvas.__dict__.setdefault(_SHOWN, {})
        mine = shown.get(id(cell))
        if mine is not None and mine[0] is cell:
            known = mine[1]
        else:
            known = _operators(canvas, cell, key)
            if cell.ascii:
                cell.shown = known
            else:  # kept with the cell, so its id cannot be another's while it is
                shown[id(cell)] = (cell, known)
    _, first_x, first_y, ops = known
    return f"1 0 0 1 {fp_str(x + first_x)} {fp_str(top + first_y)} Tm {ops}" if ops else ""


def _operators(
    canvas: Any, cell: Cell, key: tuple[str, ...]
) -> tuple[tuple[str, ...], float, float, str]:
    """A cell's operators after its first line's ``Tm``, and where that line starts."""
    parts: list[str] = []
    first_x = first_y = at_x = at_y = 0.0
    for line in cell.lines:
        if line.runs:
            y = -line.top - line.size
            ops = _encoded(canvas, line.size, line.runs)
            if parts:
                parts.append(f"{fp_str(line.x - at_x)} {fp_str(y - at_y)} Td {ops}")
            else:
                parts.append(ops)
                first_x, first_y = line.x, y
            at_x, at_y = line.x, y
    return key, first_x, first_y, " ".join(parts)


def _draw(canvas: Any, ops: list[str]) -> None:
    canvas._code.append("\n".join(ops))


PAD_LEFT = PAD_RIGHT = 4.0
PAD_TOP, PAD_BOTTOM = 2.5, 3.5
GRID_WIDTH = 0.5
#: How far a line may run into the right padding of its cell (or the page's margin).
OVERHANG = PAD_RIGHT / 2
GREY_FILL = "0.88 0.88 0.88 rg"  # styles.GREY, for header rows
#: A row taller than this (its text) may be split across pages; a shorter one moves whole.
SPLIT_ROW_ABOVE = 8 * 11.0


# -- flowables ---------------------------------------------------------------------------------
class Text(Flowable):
    """A paragraph of plain text (runs in one look) across the frame's width."""

    def __init__(
        self,
        runs: tuple[Run, ...],
        look: Look,
        *,
        space_before: float = 0,
        space_after: float = 0,
        lines: Cell | None = None,
    ):
        super().__init__()
        self.runs, self.look, self.lines = runs, look, lines
        self.spaceBefore, self.spaceAfter = space_before, space_after

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self.lines is None:
            self.lines = Cell(placed([Block(self.runs, self.look)], available_width, OVERHANG))
        self.width, self.height = available_width, self.lines.height
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        assert self.lines is not None
        first, rest = self.lines.cut(available_height)
        if not first.lines or not rest.lines:
            return []
        return [
            Text(self.runs, self.look, space_before=self.spaceBefore, lines=first),
            Text(self.runs, self.look, space_after=self.spaceAfter, lines=rest),
        ]

    def draw(self) -> None:
        assert self.lines is not None
        _draw(self.canv, ["BT 0 g", show(self.canv, self.lines, 0, self.height), "ET"])


@dataclass(frozen=True)
class Row:
    """A table row: one cell per column, or one cell across them all."""

    cells: tuple[Cell, ...]
    spans: bool = False
    shaded: bool = False  # a header row: grey behind it
    rule_below: float = 0  # a heavier rule below it, this wide

    @property
    def content(self) -> float:
        return max(cell.height for cell in self.cells)


@lru_cache(maxsize=4096)  # the wording of a framework is some hundreds of cells
def cell(blocks: tuple[Block, ...], column: float) -> Cell:
    """A cell: its blocks laid out in a column ``column`` points wide, less padding.

    A long word may run into the right padding, as reportlab's lines do, never past it: a
    word wider than that is cut. The same blocks in the same column give the same cell."""
    return Cell(placed(blocks, column - PAD_LEFT - PAD_RIGHT, OVERHANG))


class Grid(Flowable):
    """A ruled table drawn directly: grid lines, grey header rows repeated on each page it
    runs onto, text aligned to the top of each cell."""

    def __init__(
        self,
        columns: Sequence[float],
        rows: Sequence[Row],
        *,
        header_rows: int = 1,
        space_before: float = 0,
    ):
        super().__init__()
        self.columns = tuple(columns)
        self.rows = tuple(rows)
        self.header_rows = header_rows
        self.spaceBefore = space_before
        self.heights = [row.content + PAD_TOP + PAD_BOTTOM for row in self.rows]
        self.width = sum(self.columns)
        self.height = sum(self.heights)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        heads = self.header_rows
        room = available_height - sum(self.heights[:heads])
        first = heads
        # Stricter than the frame's own test (which allows a millionth of a point), so a
        # table the frame could not place is never found to fit whole here.
        while first < len(self.rows) and self.heights[first] <= room - 1e-3:
            room -= self.heights[first]
            first += 1
        if first == len(self.rows):
            return []
        here, there = list(self.rows[:first]), list(self.rows[first:])
        row = self.rows[first]
        if row.content > SPLIT_ROW_ABOVE:
            parts = _split_row(row, room - PAD_TOP - PAD_BOTTOM)
            if parts is not None:
                here.append(parts[0])
                there[0] = parts[1]
        if len(here) == heads:
            return []  # not even one row fits: the whole table goes to the next page
        header = list(self.rows[:heads])
        return [
            Grid(self.columns, here, header_rows=heads, space_before=self.spaceBefore),
            Grid(self.columns, header + there, header_rows=heads),
        ]

    def draw(self) -> None:
        canvas = self.canv
        edges = [0.0]
        for column in self.columns:
            edges.append(edges[-1] + column)
        tops = [self.height]
        for height in self.heights:
            tops.append(tops[-1] - height)
        ys = [fp_str(top) for top in tops]
        right = fp_str(edges[-1])
        ops = ["q"]
        shaded = [n for n, row in enumerate(self.rows) if row.shaded]
        if shaded:
            ops.append(GREY_FILL)
            ops += [f"0 {ys[n + 1]} {right} {fp_str(self.heights[n])} re" for n in shaded]
            ops.append("f")
        ops.append("BT 0 g")
        for n, row in enumerate(self.rows):
            top = tops[n] - PAD_TOP
            for column, cell in enumerate(row.cells):
                ops.append(show(canvas, cell, edges[column] + PAD_LEFT, top))
        ops.append("ET")
        # The grid: a rule above and below every row, the outer sides, and the rules between
        # the columns of each run of rows that do not span them.
        ops.append(f"0 G {fp_str(GRID_WIDTH)} w 2 J")
        ops += [f"0 {y} m {right} {y} l" for y in ys]
        ops += [f"{x} {ys[-1]} m {x} {ys[0]} l" for x in ("0", right)]
        inner = [fp_str(x) for x in edges[1:-1]]
        start: int | None = None
        for n, next_row in enumerate((*self.rows, None)):
            if next_row is not None and not next_row.spans:
                start = n if start is None else start
            elif start is not None:
                ops += [f"{x} {ys[n]} m {x} {ys[start]} l" for x in inner]
                start = None
        ops.append("S")
        for n, row in enumerate(self.rows):
            if row.rule_below:
                y = ys[n + 1]
                ops.append(f"{fp_str(row.rule_below)} w 0 {y} m {right} {y} l S")
        ops.append("Q")
        _draw(canvas, ops)


def _split_row(row: Row, room: float) -> tuple[Row, Row] | None:
    """A row cut where ``room`` points of its text end: the lines that fit, and the rest
    (moved up to the top of their cell). None when no line fits."""
    cut = [cell.cut(room) for cell in row.cells]
    if not any(here.lines for here, _ in cut):
        return None
    return (
        Row(tuple(here for here, _ in cut), row.spans, row.shaded),
        Row(tuple(there for _, there in cut), row.spans, row.shaded, row.rule_below),
    )
