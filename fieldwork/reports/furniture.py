"""Page furniture shared by Fieldwork's reports: the A4 page, its marking and numbering.

Every report carries OFFICIAL-SENSITIVE at the top and bottom of every page, the
inspection and the report's name in the header, and "Page X of Y" in the footer.
The ratings and sampling reports number their pages with ``numbered_canvas``
(pages are held until the count is known); the case sheets number each case on
its own (``fieldwork.reports.document``).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from fieldwork.reports.styles import BOLD, FONT

MARKING = "OFFICIAL-SENSITIVE"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN


def numbered_canvas(title: str, report: str, footer: str) -> type[Canvas]:
    """A reportlab ``canvasmaker`` drawing the furniture once the page count is known.

    ``title`` (the inspection) and ``report`` (its name) head each page; ``footer`` (when it
    was produced) and "Page X of Y" foot it. The class's ``pages`` holds the count after
    the build.
    """

    class NumberedCanvas(Canvas):
        pages = 0

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            type(self).pages = total
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self._furniture(number, total)
                super().showPage()
            super().save()

        def _furniture(self, number: int, total: int) -> None:
            self.saveState()
            self.setFont(BOLD, 8.5)
            self.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 10 * mm, MARKING)
            self.drawCentredString(PAGE_WIDTH / 2, 8 * mm, MARKING)
            self.setFont(FONT, 8)
            self.drawString(MARGIN, PAGE_HEIGHT - 15 * mm, title[:90])
            self.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 15 * mm, report)
            self.setLineWidth(0.5)
            self.line(MARGIN, PAGE_HEIGHT - 17 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 17 * mm)
            self.line(MARGIN, 16 * mm, PAGE_WIDTH - MARGIN, 16 * mm)
            self.drawString(MARGIN, 12 * mm, footer)
            self.drawRightString(PAGE_WIDTH - MARGIN, 12 * mm, f"Page {number} of {total}")
            self.restoreState()

    return NumberedCanvas
