"""State icons drawn at run time, crisp at any device pixel ratio.

Each state has its own shape as well as its own colour, so the navigator reads
the same in a dark theme, a light theme and on a black-and-white screenshot.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from fieldwork.applicability import ItemState

_GREEN = QColor(46, 125, 50)
_RED = QColor(210, 45, 45)  # 5.1:1 on white, 3.3:1 on a dark theme's base (WCAG 1.4.11)
_AMBER = QColor(173, 106, 0)
_SIZES = (16, 20, 24, 32, 48, 64)


def _draw(state: ItemState, size: int, grey: QColor) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    stroke = max(1.5, size / 10)
    box = QRectF(stroke, stroke, size - 2 * stroke, size - 2 * stroke)
    white = QPen(QColor("white"), stroke * 1.2)
    white.setCapStyle(Qt.PenCapStyle.RoundCap)
    s = box.width()

    def point(x: float, y: float) -> QPointF:
        return QPointF(box.left() + x * s, box.top() + y * s)

    if state is ItemState.UNANSWERED:
        painter.setPen(QPen(grey, stroke))
        painter.drawEllipse(box)
    elif state is ItemState.YES:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_GREEN)
        painter.drawEllipse(box)
        tick = QPainterPath(point(0.25, 0.52))
        tick.lineTo(point(0.43, 0.70))
        tick.lineTo(point(0.76, 0.32))
        painter.setPen(white)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(tick)
    elif state is ItemState.NO:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_RED)
        painter.drawRoundedRect(box, s * 0.2, s * 0.2)
        painter.setPen(white)
        painter.drawLine(point(0.3, 0.3), point(0.7, 0.7))
        painter.drawLine(point(0.7, 0.3), point(0.3, 0.7))
    elif state is ItemState.NA_CHOICE:
        painter.setPen(QPen(_AMBER, stroke))
        painter.drawEllipse(box)
        painter.drawLine(point(0.2, 0.8), point(0.8, 0.2))
    else:  # not applicable by rule: a quiet dash, skipped
        painter.setPen(QPen(grey, stroke))
        painter.drawLine(point(0.2, 0.5), point(0.8, 0.5))
    painter.end()
    return pixmap


@cache
def state_icon(state: ItemState) -> QIcon:
    """The icon of an item state, with a pixmap per common size for high-DPI screens."""
    palette = QApplication.palette()
    grey = palette.color(palette.ColorGroup.Disabled, palette.ColorRole.Text)
    if grey.alpha() == 0:
        grey = QColor(128, 128, 128)
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(_draw(state, size, grey))
    return icon
