"""The A4 document that holds one or more sheets: page furniture, page numbers and bookmarks.

A story is a run of sheets, each opened by a ``SheetStart`` marker that carries what the
page furniture shows (inspection, case, sample, inspector, date printed) and the title of
its bookmark. Pages are numbered within their sheet ("Page 2 of 3" of one case), since each
sheet is filed on its own.

"of 3" is not known until the sheet's last page is laid out. Rather than lay everything out
twice (``multiBuild``, which doubles the time of a 200-case run), each page draws a PDF form
XObject named for its sheet where the total goes, and the form, holding just the number, is
defined once the sheet ends. PDF allows a form to be used before it is defined; viewers,
printers and text extraction all see "Page 2 of 3".
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from fieldwork.errors import FieldworkError, StorageError
from fieldwork.reports.furniture import MARGIN, MARKING, PAGE_HEIGHT, PAGE_WIDTH
from fieldwork.reports.styles import BOLD, FONT, RULE, register_fonts

TOP = 26 * mm  # header band
BOTTOM = 24 * mm  # footer band
FOOTER_SIZE = HEADER_SIZE = 8.5

#: Called as ``progress(done, total)``; it may raise to stop the build.
Progress = Callable[[int, int], None]
Written = TypeVar("Written")


def write_whole(
    path: Path,
    write: Callable[[IO[bytes]], Written],
    *,
    what: str = "the PDF",
    error: type[FieldworkError] = StorageError,
) -> Written:
    """Write a file whole or not at all, as every PDF Fieldwork writes is: ``write`` fills a
    temporary file beside ``path``, which is then moved into place. A problem is raised as
    ``error`` naming the file, and nothing is left behind (not even when ``write`` raises
    something else, e.g. a cancelled print)."""
    if path.is_dir():
        raise error(f"cannot write {what} here: this is a folder; give a file name", file=str(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise error("the folder does not exist", file=str(path))
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise error(f"cannot write here ({exc.strerror or exc})", file=str(path)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            written = write(stream)
        os.replace(temp, path)
    except OSError as exc:
        raise error(f"cannot write {what} ({exc.strerror or exc})", file=str(path)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return written


@dataclass(frozen=True)
class Furniture:
    """What the header and footer of each page of one sheet show."""

    inspection: str
    case: str  # e.g. "Case reference E123456"
    sample: str
    inspector: str
    printed_at: datetime


def printed(moment: datetime) -> str:
    """The date printed as a reader expects it: "13 January 2020, 09:00"."""
    return f"{moment.day} {moment:%B %Y, %H:%M}"


class SheetStart(Flowable):
    """A zero-size marker opening a sheet: sets the page furniture and adds a bookmark."""

    def __init__(self, furniture: Furniture, bookmark: str):
        super().__init__()
        self.furniture = furniture
        self.bookmark = bookmark
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass  # SheetDocument.afterFlowable does the work, where it can reach the document


@dataclass(frozen=True)
class Built:
    """What a build produced: the pages of each sheet, in order."""

    sheet_pages: tuple[int, ...]

    @property
    def pages(self) -> int:
        return sum(self.sheet_pages)


class SheetDocument(BaseDocTemplate):
    """A4 portrait, one frame, furniture drawn at the end of each page."""

    def __init__(
        self,
        out: str | IO[bytes],
        *,
        title: str,
        invariant: bool = False,
        progress: Progress | None = None,
        sheets: int = 1,
    ):
        register_fonts()
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=TOP,
            bottomMargin=BOTTOM,
            title=title,
            subject=MARKING,
            creator="Fieldwork",
            author="",
            invariant=1 if invariant else 0,
            displayDocTitle=1,
        )
        frame = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates([PageTemplate("sheet", [frame], onPageEnd=self._furniture)])
        self._progress = progress
        self._sheets = sheets
        self._sheet = -1
        self._furniture_of: Furniture | None = None
        self._pages: list[int] = []  # pages of each sheet so far
        self._furniture_forms: set[str] = set()  # the sheets whose furniture is drawn
        # Where "Page 12 of 13" starts: a three-digit total still ends at the right margin.
        self._numbering = PAGE_WIDTH - MARGIN - stringWidth("Page 000 of 000", FONT, FOOTER_SIZE)

    # -- building -----------------------------------------------------------------------
    def build_story(self, story: Sequence[Flowable]) -> Built:
        """Lay out and save the story in one pass; returns the page count of each sheet."""
        self._doSave = 0  # save ourselves, once the last sheet's total is written
        self.build(list(story))
        self._write_total()
        self.canv.save()
        return Built(tuple(self._pages))

    def beforeDocument(self) -> None:  # noqa: N802 (reportlab's hook)
        if self._sheets > 1:
            self.canv.showOutline()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802
        if not isinstance(flowable, SheetStart):
            return
        self._write_total()
        self._sheet += 1
        self._pages.append(0)
        self._furniture_of = flowable.furniture
        key = f"sheet-{self._sheet}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.bookmark, key, level=0, closed=True)
        if self._progress is not None:
            self._progress(self._sheet, self._sheets)

    def _write_total(self) -> None:
        """Define the form holding the page count of the sheet that has just ended."""
        if self._sheet < 0:
            return
        canvas = self.canv
        canvas.beginForm(_total_form(self._sheet))
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.setFillColor(RULE)
        canvas.drawString(0, 0, str(self._pages[self._sheet]))
        canvas.endForm()

    # -- page furniture -----------------------------------------------------------------
    def _furniture(self, canvas: Canvas, doc: Any) -> None:
        """The page's header and footer: the sheet's own, drawn once per sheet as a form (the
        same on each of its pages), then the page number."""
        sheet = self._sheet
        name = _furniture_form(sheet)
        if name not in self._furniture_forms:
            self._furniture_forms.add(name)
            canvas.beginForm(name)
            self._draw_furniture(canvas, self._furniture_of)
            canvas.endForm()
        canvas.doForm(name)
        if sheet >= 0:
            # "Page 12 of " then the sheet's total (a form, see the module's docstring).
            self._pages[sheet] += 1
            label = f"Page {self._pages[sheet]} of "
            canvas.saveState()
            canvas.setFillColor(RULE)
            canvas.setFont(FONT, FOOTER_SIZE)
            canvas.drawString(self._numbering, 14 * mm, label)
            canvas.translate(self._numbering + stringWidth(label, FONT, FOOTER_SIZE), 14 * mm)
            canvas.doForm(_total_form(sheet))
            canvas.restoreState()

    def _draw_furniture(self, canvas: Canvas, furniture: Furniture | None) -> None:
        canvas.saveState()
        canvas.setFillColor(RULE)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        left, right = MARGIN, PAGE_WIDTH - MARGIN
        width, centre = right - left, PAGE_WIDTH / 2

        # Header: the marking, then the inspection on the left and the case on the right.
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(centre, PAGE_HEIGHT - 11 * mm, MARKING)
        if furniture is not None:
            # The case comes first: the inspection gives way to it, down to two fifths.
            case = f"{furniture.case} · {furniture.sample}"
            gap, size = 6 * mm, HEADER_SIZE
            inspection_width = min(stringWidth(furniture.inspection, FONT, size), width * 0.4)
            case_width = min(stringWidth(case, BOLD, size), width - inspection_width - gap)
            canvas.setFont(BOLD, size)
            canvas.drawRightString(right, PAGE_HEIGHT - 18 * mm, fit(case, BOLD, size, case_width))
            canvas.setFont(FONT, size)
            room = width - case_width - gap
            canvas.drawString(
                left, PAGE_HEIGHT - 18 * mm, fit(furniture.inspection, FONT, size, room)
            )
        canvas.line(left, PAGE_HEIGHT - 20 * mm, right, PAGE_HEIGHT - 20 * mm)

        # Footer: the inspector and the date printed, the page number (drawn by the page),
        # then the marking.
        canvas.line(left, 18 * mm, right, 18 * mm)
        canvas.setFont(FONT, FOOTER_SIZE)
        if furniture is not None:
            who = (
                f"Inspector: {furniture.inspector or 'not allocated'} · "
                f"Printed {printed(furniture.printed_at)}"
            )
            canvas.drawString(
                left, 14 * mm, fit(who, FONT, FOOTER_SIZE, self._numbering - left - 4 * mm)
            )
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(centre, 8 * mm, MARKING)
        canvas.restoreState()


def _furniture_form(sheet: int) -> str:
    return f"FurnitureOfSheet{sheet}" if sheet >= 0 else "FurnitureOfNoSheet"


def _total_form(sheet: int) -> str:
    return f"PagesOfSheet{sheet}"


def fit(value: str, font: str, size: float, width: float) -> str:
    """``value`` shortened with an ellipsis, if need be, to fit ``width`` points."""
    if stringWidth(value, font, size) <= width:
        return value
    while value and stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value.rstrip() + "…"
