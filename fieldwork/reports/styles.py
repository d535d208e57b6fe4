"""The look shared by every Fieldwork report: fonts, paragraph styles and the one table style.

Sheets are printed on office printers, so nothing here carries meaning by colour alone: the
only tint is a light grey behind header rows, and every state is spelt out in words.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFName
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, TableStyle
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaFrag, ParaParser

#: Unicode fonts to embed, best first: (regular, bold, italic, bold italic). A sheet holds names
#: and notes typed by people, so a font limited to Latin-1 (Helvetica) would drop letters such
#: as "ł" or "ş". DejaVu Sans is on Linux (and CI); Arial on Windows and macOS; Vera ships with
#: reportlab itself, so there is always a last resort.
_VERA = Path(reportlab.__file__).parent / "fonts"
_DEJAVU = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
)


def _family(folder: str | Path, names: tuple[str, ...]) -> tuple[Path, ...]:
    return tuple(Path(folder) / name for name in names)


FONT_CANDIDATES: tuple[tuple[Path, ...], ...] = (
    _family("/usr/share/fonts/truetype/dejavu", _DEJAVU),
    _family("/usr/share/fonts/dejavu", _DEJAVU),
    _family("C:/Windows/Fonts", ("arial.ttf", "arialbd.ttf", "ariali.ttf", "arialbi.ttf")),
    _family(
        "/System/Library/Fonts/Supplemental",
        ("Arial.ttf", "Arial Bold.ttf", "Arial Italic.ttf", "Arial Bold Italic.ttf"),
    ),
    _family(_VERA, ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")),
)

FONT = "Sheet"
BOLD = "Sheet-Bold"
ITALIC = "Sheet-Italic"
BOLD_ITALIC = "Sheet-BoldItalic"
CELL_SIZE = 8.5


@cache
def register_fonts() -> Path:
    """Register the sheet's font family once per process; returns the regular font's file."""
    for files in FONT_CANDIDATES:
        if all(f.is_file() for f in files):
            for name, file in zip((FONT, BOLD, ITALIC, BOLD_ITALIC), files, strict=True):
                # ASCII readable: printable ASCII keeps its own codes in each document's
                # first subset (fieldwork.reports.drawn relies on it).
                font = TTFont(name, str(file), asciiReadable=True)
                _remember_subsets(font.face)
                pdfmetrics.registerFont(font)
            pdfmetrics.registerFontFamily(
                FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
            )
            return files[0]
    raise RuntimeError(f"no usable font: reportlab's own Vera fonts are missing from {_VERA}")


#: The subsets the sheet's fonts keep, made and compressed (see ``_remember_subsets``).
_KEPT_SUBSETS: list[dict[tuple[int, ...], bytes]] = []


def forget_subsets() -> None:
    """Drop the font subsets kept from earlier documents (they are made again when used)."""
    for kept in _KEPT_SUBSETS:
        kept.clear()


def _remember_subsets(face: Any) -> None:
    """Make the font keep the subsets it has embedded, made and compressed, to embed the same
    subset again as it is.

    A subset of a font is a function of the characters in it, and printing one case after
    another uses much the same characters each time. Making a subset (reading its glyphs
    out of the font file) and compressing it was a third of the cost of a one-case PDF
    beyond the same rows as bare tables (profiled).
    """
    make, add = face.makeSubset, face.addSubsetObjects
    made: dict[tuple[int, ...], bytes] = {}
    packed: dict[tuple[int, ...], bytes] = {}
    _KEPT_SUBSETS.extend((made, packed))

    def make_subset(subset: list[int]) -> bytes:
        key = tuple(subset)
        data = made.get(key)
        if data is None:
            if len(made) >= 32:
                made.clear()
            data = made[key] = make(subset)
        return data

    def add_subset_objects(doc: Any, name: str, subset: list[int]) -> Any:
        descriptor = add(doc, name, subset)
        stream = doc.idToObject.get(f"fontFile:{face.filename}({name})")
        if doc.compression and stream is not None and "Filter" not in stream.dictionary.dict:
            # Compressed here, once, rather than by the document each time: a stream that
            # names its filter is written as it is (reportlab's PDFStream.format).
            key = tuple(subset)
            data = packed.get(key)
            if data is None:
                if len(packed) >= 32:
                    packed.clear()
                data = packed[key] = zlib.compress(stream.content)
            stream.content = data
            stream.dictionary["Filter"] = PDFName("FlateDecode")
        return descriptor

    face.makeSubset = make_subset
    face.addSubsetObjects = add_subset_objects


GREY = colors.Color(0.88, 0.88, 0.88)  # header rows: light enough for any printer
RULE = colors.black


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    key_question: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    note: ParagraphStyle
    small: ParagraphStyle


@cache
def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=9, leading=12, alignment=TA_LEFT, splitLongWords=1
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=CELL_SIZE, leading=11)
    return Styles(
        title=ParagraphStyle(
            "title", parent=body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=2
        ),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=10, leading=13, spaceAfter=8),
        # Headings are kept with what follows by a CondPageBreak before them, which costs
        # far less than keepWithNext's trial layout of the table after.
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=3,
        ),
        key_question=ParagraphStyle(
            "key_question", parent=body, fontName=BOLD, fontSize=9.5, leading=12
        ),
        body=body,
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=BOLD),
        # A note hangs under its label ("Note:", "Rationale:", "Reason:"), drawn as the bullet:
        # the label stays out of the note's own text, which keeps the note's layout simple.
        note=ParagraphStyle(
            "note",
            parent=cell,
            leftIndent=20 * mm,
            bulletIndent=2 * mm,
            bulletFontName=BOLD,
            bulletFontSize=CELL_SIZE,
            spaceBefore=2,
        ),
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, spaceBefore=3),
    )


#: The one table style of every report table: ruled grid, grey bold header row that repeats
#: on each page, text aligned to the top of its cell. Plain-string cells use the cell font.
TABLE_STYLE = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
        ("LEADING", (0, 0), (-1, -1), 11),
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
)


# C0 controls other than tab and newline cannot be drawn and would upset the paragraph parser.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Para(Paragraph):
    """A Paragraph that breaks its lines once per width.

    A table wraps each cell when it measures the table and again when it draws it, and again
    for each part when it splits across pages; the lines only depend on the width.
    """

    _wrapped_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if availWidth == self._wrapped_width and hasattr(self, "blPara"):
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_width = availWidth
        return size  # type: ignore[no-any-return]


def escape(value: str) -> str:
    """``&``, ``<`` and ``>`` as entities, as ``xml.sax.saxutils.escape`` does; that module
    imports urllib, http and ssl (some 20 ms of every start-up) for these three lines."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text(value: str) -> str:
    """User text made safe for a Paragraph: escaped, so ``<b>`` prints as typed, never as markup."""
    return escape(_CONTROL.sub("", value)).replace("\t", " ").replace("\n", "<br/>")


def paragraphs(value: str, style: ParagraphStyle, label: str | None = None) -> list[Para]:
    """A note as paragraphs (split on blank lines), so a long note can break across pages.

    ``label`` is put before the first paragraph as its bullet.
    """
    parts = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", value.replace("\r\n", "\n"))]
    parts = [p for p in parts if p.strip()] or [""]
    return [plain(part, style, label if n == 0 else None) for n, part in enumerate(parts)]


# Characters that make a user's text more than one run of plain words for reportlab's parser.
_NOT_PLAIN = re.compile(r"[&<>\n\x00-\x08\x0b-\x1f\x7f]")


def plain(value: str, style: ParagraphStyle, label: str | None = None) -> Para:
    """User text as a paragraph, as ``Para(text(value), style)`` makes it, for less.

    Most notes are plain words on one line, and what the markup parser makes of those is
    known without running it (parsing was 7 % of a 200-case print, profiled): one fragment
    in the style's font holding the words with their spaces collapsed. Anything else is
    parsed.
    """
    words = cleanBlockQuotedText(value.replace("\t", " "))  # as the parser's caller does
    if not words or _NOT_PLAIN.search(value):
        return Para(text(value), style, bulletText=label)
    fragment = _fragment(style).clone(text=words, link=[], us_lines=[])  # lists of its own
    return Para(words, style, bulletText=label, frags=[fragment])


@cache
def _fragment(style: ParagraphStyle) -> ParaFrag:
    """The fragment reportlab's parser makes of one plain word in ``style``."""
    _, frags, _ = ParaParser().parse("word", style)
    return frags[0]
