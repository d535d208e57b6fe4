"""Colours and focus that stay readable in any palette the desktop gives us.

Fieldwork takes the system's palette (light or dark) and corrects only what would fail
WCAG 2.2 AA: text at least 4.5:1 against its background, the boundary of a control at
least 3:1 (success criteria 1.4.3 and 1.4.11). ``contrast`` is the WCAG formula; the
tests compute it over every text/background pair of ``adjusted(light_palette())`` and
``adjusted(dark_palette())``.

Keyboard focus is always visible (2.4.7): ``FocusStyle`` draws a two-pixel ring in the
highlight colour round the focused control, and a list that has lost the focus shows
its selection muted, so the bright selection is always where the keys go.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QRegion
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)

TEXT_RATIO = 4.5  # WCAG 2.2 SC 1.4.3, normal text
CONTROL_RATIO = 3.0  # WCAG 2.2 SC 1.4.11, boundaries of controls and focus indicators

Group = QPalette.ColorGroup
Role = QPalette.ColorRole

#: (foreground, background) roles that carry text, checked in the active and inactive groups.
TEXT_PAIRS: tuple[tuple[Role, Role], ...] = (
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.ButtonText, Role.Button),
    (Role.HighlightedText, Role.Highlight),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.PlaceholderText, Role.Base),
    (Role.Link, Role.Base),
    (Role.LinkVisited, Role.Base),
)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an sRGB colour (0 black … 1 white)."""
    r, g, b = (_linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG 2.x contrast ratio of two colours, 1 … 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: QColor, b: QColor, share_of_b: float) -> QColor:
    t = min(1.0, max(0.0, share_of_b))
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def _furthest(start: QColor, end: QColor, limit: float, enough: Callable[[QColor], bool]) -> float:
    """The largest share (up to ``limit``) of the way from ``start`` to ``end`` at which the
    colour is still ``enough`` (``enough`` holds at 0 and fails further on), by bisection."""
    low, high = 0.0, limit
    for _ in range(20):
        middle = (low + high) / 2
        if enough(mix(start, end, middle)):
            low = middle
        else:
            high = middle
    return low


def readable(foreground: QColor, background: QColor, ratio: float = TEXT_RATIO) -> QColor:
    """``foreground``, moved towards black or white (whichever contrasts more with the
    background) just far enough to reach ``ratio``; unchanged if it already does."""
    if contrast(foreground, background) >= ratio:
        return QColor(foreground)
    white, black = QColor("white"), QColor("black")
    target = white if contrast(white, background) >= contrast(black, background) else black
    short = _furthest(foreground, target, 1.0, lambda c: contrast(c, background) < ratio + 0.05)
    return mix(foreground, target, min(1.0, short + 2**-19))


def quiet(palette: QPalette, background: Role = Role.Base) -> QColor:
    """Secondary text ("Does not apply"): as far towards the background as the text may go
    and still meet 4.5:1 against it."""
    text = palette.color(Group.Active, Role.Text)
    base = palette.color(Group.Active, background)
    share = _furthest(text, base, 0.8, lambda c: contrast(c, base) >= TEXT_RATIO + 0.2)
    return readable(mix(text, base, share), base)


def is_dark(palette: QPalette) -> bool:
    return luminance(palette.color(Role.Window)) < 0.2


def adjusted(palette: QPalette) -> QPalette:
    """The palette with every text pair at 4.5:1 or more, and a muted selection in views
    that do not have the focus (so the bright one shows where the keys go)."""
    out = QPalette(palette)
    for group in (Group.Active, Group.Inactive):
        for fg, bg in TEXT_PAIRS:
            out.setColor(group, fg, readable(out.color(group, fg), out.color(group, bg)))
    base = out.color(Group.Active, Role.Base)
    highlight = out.color(Group.Active, Role.Highlight)
    muted = mix(highlight, base, 0.75)
    out.setColor(Group.Inactive, Role.Highlight, muted)
    out.setColor(
        Group.Inactive, Role.HighlightedText, readable(out.color(Group.Active, Role.Text), muted)
    )
    # the focus ring and control boundaries are drawn in these: 3:1 against the window
    window = out.color(Group.Active, Role.Window)
    out.setColor(Group.Active, Role.Highlight, readable(highlight, window, CONTROL_RATIO))
    out.setColor(
        Group.Active,
        Role.HighlightedText,
        readable(
            out.color(Group.Active, Role.HighlightedText), out.color(Group.Active, Role.Highlight)
        ),
    )
    return out


def light_palette() -> QPalette:
    """Qt's own light palette (what the offscreen platform and a bare Linux desktop give)."""
    return QPalette(QColor("#efefef"), QColor("#efefef"))


def dark_palette() -> QPalette:
    """A dark palette as a desktop's dark theme gives one (Xvfb has no desktop theme)."""
    palette = QPalette()
    for role, colour in (
        (Role.Window, "#2b2b2b"),
        (Role.WindowText, "#e6e6e6"),
        (Role.Base, "#1e1e1e"),
        (Role.AlternateBase, "#262626"),
        (Role.Text, "#e6e6e6"),
        (Role.Button, "#353535"),
        (Role.ButtonText, "#e6e6e6"),
        (Role.Highlight, "#2f65ca"),
        (Role.HighlightedText, "#ffffff"),
        (Role.ToolTipBase, "#353535"),
        (Role.ToolTipText, "#e6e6e6"),
        (Role.PlaceholderText, "#9a9a9a"),
        (Role.Link, "#7fb0ff"),
        (Role.LinkVisited, "#c39bff"),
        (Role.Light, "#505050"),
        (Role.Midlight, "#404040"),
        (Role.Mid, "#444444"),
        (Role.Dark, "#191919"),
        (Role.Shadow, "#000000"),
    ):
        palette.setColor(role, QColor(colour))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        palette.setColor(Group.Disabled, role, QColor("#7a7a7a"))
    return palette


def boundary(palette: QPalette) -> QColor:
    """The colour of a control's edge: 3:1 against the window and the field behind it."""
    window = palette.color(Group.Active, Role.Window)
    base = palette.color(Group.Active, Role.Base)
    edge = mix(palette.color(Group.Active, Role.WindowText), window, 0.45)
    edge = readable(edge, window, CONTROL_RATIO)
    return readable(edge, base, CONTROL_RATIO)


_P = QStyle.PrimitiveElement
#: The primitives FocusStyle adds to; every other one is the platform style's alone.
_RING_ELEMENTS = frozenset(
    {_P.PE_FrameFocusRect, _P.PE_PanelButtonCommand, _P.PE_FrameLineEdit, _P.PE_Frame}
)
_EDGE_ELEMENTS = frozenset({_P.PE_IndicatorCheckBox, _P.PE_IndicatorItemViewItemCheck})
_TOUCHED = _RING_ELEMENTS | _EDGE_ELEMENTS


class FocusStyle(QProxyStyle):
    """The platform's style, with a focus ring that cannot be missed and check boxes whose
    edge can be seen in a dark palette. Only a few primitives are touched; the rest go
    straight to the platform's style."""

    def __init__(self, key: str):
        super().__init__(key)
        self._edges: dict[int, QColor] = {}

    def plain(self, owner: QWidget) -> QStyle:
        """A new instance of the platform's style, with no Python in it, for ``owner``
        alone and deleted with it (``ItemViewRing``; PySide ties a widget's style to it)."""
        style = QStyleFactory.create(self.baseStyle().name())
        style.setParent(owner)
        return style

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in _TOUCHED:
            return
        if element in _EDGE_ELEMENTS:
            self._edge(option, painter)
            return
        if element is _P.PE_Frame:
            # a list or text area's frame: ringed while the area has the keyboard focus
            if isinstance(widget, QAbstractScrollArea) and widget.hasFocus():
                self._ring(option.rect, option.palette, painter)  # type: ignore[attr-defined]
            return
        if not option.state & QStyle.StateFlag.State_HasFocus:  # type: ignore[attr-defined]
            return
        if element is _P.PE_FrameFocusRect and isinstance(widget, QAbstractItemView):
            return  # an item's own focus rectangle: the view's ring and selection say it
        self._ring(option.rect, option.palette, painter)  # type: ignore[attr-defined]

    def _edge(self, option: QStyleOption, painter: QPainter) -> None:
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        colour = self._edges.get(palette.cacheKey())
        if colour is None:
            colour = self._edges[palette.cacheKey()] = boundary(palette)
        painter.save()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, 1))
        rect: QRect = option.rect.adjusted(0, 0, -1, -1)  # type: ignore[attr-defined]
        painter.drawRect(rect)
        painter.restore()

    @staticmethod
    def _ring(rect: QRect, palette: QPalette, painter: QPainter) -> None:
        painter.save()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(palette.color(Group.Active, Role.Highlight), 2))
        painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()


class ItemViewRing(QWidget):
    """An item view's focus ring, drawn over its frame, so that the view paints its rows
    with the platform's style alone.

    Through ``FocusStyle`` every primitive of every row painted called Python (the
    navigator's rows, branches and cells: some 40 calls per answer, each waiting for the
    interpreter while the store's thread saves). The view takes a plain instance of the
    platform's style; this child, shown while the view has the focus, draws the ring
    FocusStyle draws in a focused scroll area's frame. It lies under the view's other
    children (viewport, header, scroll bars), as the frame does, so the same pixels show."""

    def __init__(self, view: QAbstractItemView, plain: QStyle):
        super().__init__(view)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._view = view
        view.setStyle(plain)
        view.installEventFilter(self)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)
        self._fit()
        self.setVisible(view.hasFocus())

    def _fit(self) -> None:
        rect = self._view.rect()
        self.setGeometry(rect)
        self.setMask(QRegion(rect).subtracted(QRegion(rect.adjusted(3, 3, -3, -3))))
        self.lower()  # over the frame, under the viewport, header and scroll bars

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def _focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        focused = self._view.hasFocus()
        if focused != self.isVisible():
            if focused:
                self._fit()
            self.setVisible(focused)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        FocusStyle._ring(self.rect(), self._view.palette(), painter)
        painter.end()


def plain_item_view(view: QAbstractItemView) -> None:
    """Paint ``view``'s rows with the platform's style, its focus ring drawn by an
    ``ItemViewRing``; nothing changes if the application's style is not a FocusStyle.
    For views without check boxes (FocusStyle also draws their edges)."""
    style = QApplication.style()
    if isinstance(style, FocusStyle):
        ItemViewRing(view, style.plain(view))


def apply(app: QApplication) -> None:
    """Correct the application's palette and wrap its style; safe to call more than once."""
    if not isinstance(app.style(), FocusStyle):
        style = FocusStyle(app.style().name())
        style.setParent(app)
        app.setStyle(style)
    app.setPalette(adjusted(app.palette()))


def set_palette(app: QApplication, palette: QPalette) -> None:
    """Use ``palette`` (corrected) for the application, e.g. a dark theme."""
    app.setPalette(adjusted(palette))
