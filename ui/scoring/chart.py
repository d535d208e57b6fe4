"""The band chart of the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QWidget,
)

from fieldwork.scoring.rules import Rating
from fieldwork.scoring.scores import StandardScore

if TYPE_CHECKING:
    pass


# -- the chart --------------------------------------------------------------------------------
class BandChart(QWidget):
    """A standard's key questions as bars against the band thresholds (50, 65, 80%).

    Drawn with the palette's colours, so it follows the light or dark theme; bands are told
    apart by shade and name, not by colour alone, and each bar carries its figure.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.standard: StandardScore | None = None
        self.setAccessibleName("Key questions against the band thresholds")
        self.setMinimumHeight(120)

    def set_standard(self, standard: StandardScore | None) -> None:
        self.standard = standard
        self.setAccessibleDescription(self.describe())
        self.setMinimumHeight(60 + 34 * len(standard.key_questions) if standard else 120)
        self.updateGeometry()
        self.update()

    def describe(self) -> str:
        if self.standard is None or not self.standard.key_questions:
            return "No key questions to chart."
        return "; ".join(f"{f.item_id}: {f.shown}" for f in self.standard.key_questions)

    def sizeHint(self) -> QSize:
        return QSize(520, self.minimumHeight())

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        base = palette.color(QPalette.ColorRole.Base)
        painter.fillRect(self.rect(), base)
        standard = self.standard
        if standard is None or not standard.key_questions:
            painter.setPen(text)
            message = (
                "Domain 1 standards are rated by the lead inspector: there is no chart."
                if standard is not None
                else "Select a standard to see its key questions."
            )
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, message)
            return
        metrics = painter.fontMetrics()
        left = metrics.horizontalAdvance("0.0.00") + 12
        right = 16
        top = 2 * metrics.height() + 6
        bottom = metrics.height() + 8
        width = max(10, self.width() - left - right)
        height = self.height() - top - bottom

        def x(pct: float) -> float:
            return left + width * pct / 100

        bands = standard.rules.bands if standard.rules else ()
        for n, band in enumerate(bands):
            upper = band.next.lowest if band.next else 100
            shade = QColor(text)
            shade.setAlpha(18 if n % 2 == 0 else 36)
            painter.fillRect(QRectF(x(band.lowest), top, x(upper) - x(band.lowest), height), shade)
            painter.setPen(text)
            label = band.rating.value if band.rating is not Rating.REQUIRES_IMPROVEMENT else "RI"
            painter.drawText(
                QRectF(x(band.lowest), 0, x(upper) - x(band.lowest), top - 4),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                label,
            )
            if band.lowest:
                pen = QPen(text, 1, Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.drawLine(int(x(band.lowest)), top, int(x(band.lowest)), top + height + 4)
        painter.setPen(text)
        for tick in sorted({0, 100, *(band.lowest for band in bands)}):
            painter.drawText(
                QRectF(x(tick) - 20, top + height + 4, 40, metrics.height()),
                int(Qt.AlignmentFlag.AlignHCenter),
                f"{tick}%",
            )
        figures = standard.key_questions
        slot = height / len(figures)
        bar = min(22.0, slot * 0.6)
        lowest = standard.lowest
        highlight = palette.color(QPalette.ColorRole.Highlight)
        for n, figure in enumerate(figures):
            y = top + n * slot + (slot - bar) / 2
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y, left - 6, bar),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                figure.item_id,
            )
            pct = figure.percentage
            if pct is None:
                painter.drawText(
                    QRectF(x(0) + 4, y, width, bar),
                    int(Qt.AlignmentFlag.AlignVCenter),
                    "no applicable cases",
                )
                continue
            is_lowest = lowest is not None and figure.item_id == lowest.item_id
            rect = QRectF(x(0), y, x(pct) - x(0), bar)
            painter.fillRect(rect, highlight if is_lowest else base)
            painter.setPen(QPen(text, 1.5 if is_lowest else 1))
            painter.drawRect(rect)
            painter.setPen(text)
            label = f"{pct}% ({figure.yes}/{figure.applicable})"
            painter.drawText(
                QRectF(x(pct) + 4, y, width, bar), int(Qt.AlignmentFlag.AlignVCenter), label
            )
