"""Small widgets shared by the windows: text that scales with the system font, the note
editor that saves as it is typed, the reason dialog, the UK date field with its calendar,
the "saved" dialog with Show in folder, and the window's fit to the screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAction,
    QDesktopServices,
    QFocusEvent,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldwork.dates import UK_FORMAT, DateProblem, to_iso, uk

#: How long typing may pause before a note is saved. Leaving the item, the case or the
#: window saves it at once, whatever the pause.
NOTE_SAVE_DELAY_MS = 400


Key = QKeySequence | QKeySequence.StandardKey | Qt.Key | str


def key_sequences(*keys: Key) -> list[QKeySequence]:
    """Shortcuts in order, a standard key expanded to every binding the platform gives it
    (``QKeySequence(StandardKey.Close)`` alone would keep only the first, Ctrl+F4)."""
    out: list[QKeySequence] = []
    for key in keys:
        if isinstance(key, QKeySequence.StandardKey):
            found = QKeySequence.keyBindings(key)
        elif isinstance(key, Qt.Key):
            found = [QKeySequence(key)]
        else:
            found = [QKeySequence(key)]
        out.extend(k for k in found if not k.isEmpty() and k not in out)
    return out


#: The property on an action naming the standard keys it was given on purpose (the action
#: *is* that platform command: Undo, Close, Find…), so tests can tell a standard key used
#: as the platform means it from one we took over.
STANDARD_KEYS_PROPERTY = "fieldwork_standard_keys"


def standard_key_names(*keys: Key) -> list[str]:
    return [k.name for k in keys if isinstance(k, QKeySequence.StandardKey)]


def available_geometry(widget: QWidget) -> QRect:
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fits(widget: QWidget) -> bool:
    """True if the whole window lies on the available screen (its frame included once it is
    shown; before that, with room for a title bar)."""
    available = available_geometry(widget)
    if widget.isVisible() and widget.frameGeometry() != widget.geometry():
        return available.contains(widget.frameGeometry())
    geometry = widget.geometry()
    return available.contains(geometry) and geometry.height() + 30 <= available.height()


def fit_wrapped_height(widget: QWidget, layout: QLayout, width: int | None = None) -> None:
    """Size ``widget`` to ``width`` (its own by default) and to the height its wrapped text
    needs at that width, never taller than the available screen. Qt sizes a window by its
    layout's minimum size, which leaves word wrap out, so a wrapped label was cut."""
    layout.activate()
    width = widget.width() if width is None else width
    needed = max(widget.sizeHint().height(), layout.totalHeightForWidth(width))
    widget.resize(width, min(needed, available_geometry(widget).height() - 60))


def fit_to_screen(widget: QWidget, preferred: QSize) -> None:
    """Size ``widget`` to ``preferred``, or to the available screen if that is smaller
    (allowing for the window frame), and centre it there."""
    available = available_geometry(widget)
    frame_w, frame_h = 16, 40  # the window manager's frame and title bar, at most
    width = max(200, min(preferred.width(), available.width() - frame_w))
    height = max(150, min(preferred.height(), available.height() - frame_h))
    widget.resize(width, height)
    x = available.x() + (available.width() - width - frame_w) // 2 + frame_w // 2
    y = available.y() + (available.height() - height - frame_h) // 2 + frame_h - 8
    widget.move(max(available.x(), x), max(available.y(), y))


#: Next / previous tab, as browsers and office suites have them (Qt's NextChild and
#: PreviousChild standard keys, and Ctrl+PgDown / Ctrl+PgUp).
TAB_KEYS: tuple[tuple[str, int], ...] = (
    ("Ctrl+Tab", 1),
    ("Ctrl+PgDown", 1),
    ("Ctrl+Shift+Tab", -1),
    ("Ctrl+Backtab", -1),
    ("Ctrl+PgUp", -1),
)


_FITTED = "fieldwork_fitted_to_screen"


class WindowHelper(QObject):
    """Two things every window of the application gets, without a Python filter on every
    event of the application:

    - Ctrl+Tab / Ctrl+Shift+Tab and Ctrl+PgDown / Ctrl+PgUp move between the tabs of the tab
      widget that holds the keyboard focus, in any window (application-wide shortcuts held
      by the main window, ``install_tab_keys``);
    - every dialog or secondary window (an interview, the dashboard) opens within the
      available screen: one sized for a big monitor is made smaller (down to what its
      layout needs) and moved onto the screen, the first time it has the focus
      (``install``, once for the application).
    """

    _installed: WindowHelper | None = None

    @classmethod
    def install(cls, app: QApplication) -> None:
        if cls._installed is None:
            cls._installed = WindowHelper(app)
            app.focusWindowChanged.connect(cls._installed._window_focused)

    @staticmethod
    def _window_focused(_window: object) -> None:
        """Fit a dialog or other secondary window the first time it has the focus (after
        that, where the inspector puts it is theirs)."""
        active = QApplication.activeWindow()
        if active is None or isinstance(active, QMainWindow) or active.property(_FITTED):
            return
        active.setProperty(_FITTED, True)
        keep_on_screen(active)


def install_tab_keys(host: QWidget) -> list[QShortcut]:
    """The tab keys, working in every window while ``host`` (the main window) is shown."""
    shortcuts = []
    for keys, step in TAB_KEYS:
        shortcut = QShortcut(QKeySequence(keys), host)
        shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        shortcut.activated.connect(lambda step=step: move_between_tabs(step))
        shortcuts.append(shortcut)
    return shortcuts


def move_between_tabs(step: int) -> bool:
    """Show the next (``step`` 1) or previous (-1) tab of the tab widget around the focus
    (or the focused window's only one); False if there is none."""
    focus = QApplication.focusWidget()
    window = focus.window() if focus is not None else QApplication.activeWindow()
    tabs = _tab_widget_around(focus) if focus is not None else None
    tabs = tabs or (_only_tab_widget(window) if window is not None else None)
    if tabs is None or tabs.count() < 2:
        return False
    index = tabs.currentIndex()
    for _ in range(tabs.count()):
        index = (index + step) % tabs.count()
        if tabs.isTabEnabled(index) and tabs.isTabVisible(index):
            break
    tabs.setCurrentIndex(index)
    page = tabs.currentWidget()
    if page is not None:
        page.setFocus(Qt.FocusReason.TabFocusReason)
        following = page.nextInFocusChain()
        if not page.hasFocus() and page.focusProxy() is None and following is not None:
            following.setFocus(Qt.FocusReason.TabFocusReason)
    return True


def keep_on_screen(window: QWidget) -> None:
    """Shrink ``window`` to the available screen (not below its layout's minimum) and move
    it wholly onto the screen."""
    available = available_geometry(window)
    frame_w, frame_h = 16, 40
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    width = min(window.width(), max(least.width(), available.width() - frame_w))
    height = min(window.height(), max(least.height(), available.height() - frame_h))
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    geometry = window.frameGeometry()
    if geometry.width() <= 0:
        geometry = window.geometry()
    x = min(max(geometry.x(), available.x()), available.right() + 1 - geometry.width())
    y = min(max(geometry.y(), available.y()), available.bottom() + 1 - geometry.height())
    x, y = max(x, available.x()), max(y, available.y())
    if (x, y) != (geometry.x(), geometry.y()):
        window.move(x, y)


def _tab_widget_around(widget: QWidget) -> QTabWidget | None:
    current: QWidget | None = widget
    while current is not None:
        if isinstance(current, QTabWidget):
            return current
        if current.isWindow():
            return None
        current = current.parentWidget()
    return None


def _only_tab_widget(window: QWidget) -> QTabWidget | None:
    """The window's one visible tab widget, if it has exactly one."""
    shown = [t for t in window.findChildren(QTabWidget) if t.isVisible()]
    return shown[0] if len(shown) == 1 else None


#: The property on an action holding the keys to show for it (F1, menus): a standard key's
#: main binding only, not every alternative the platform adds (F14, the Undo key).
SHOWN_KEYS_PROPERTY = "fieldwork_shown_keys"


def set_shortcuts(action: QAction, *keys: Key) -> None:
    """Give ``action`` these keys, noting which standard keys it takes on purpose and which
    to show."""
    action.setShortcuts(key_sequences(*keys))
    action.setProperty(STANDARD_KEYS_PROPERTY, standard_key_names(*keys))
    shown: list[str] = []
    for key in keys:
        found = (
            key_sequences(key)[:1]
            if isinstance(key, QKeySequence.StandardKey)
            else [*key_sequences(key)]
        )
        for sequence in found:
            text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
            if text not in shown:
                shown.append(text)
    action.setProperty(SHOWN_KEYS_PROPERTY, shown)


def shown_keys(action: QAction) -> list[QKeySequence]:
    """The keys to show for an action (see SHOWN_KEYS_PROPERTY), else all its shortcuts."""
    shown = action.property(SHOWN_KEYS_PROPERTY)
    if shown:
        return [QKeySequence(text) for text in shown]
    return list(action.shortcuts())


class ScaledLabel(QLabel):
    """A label whose font is the system font scaled, and follows it when it changes.

    Its accessible name is what it is for and what it says ("State: Not answered"): a
    name alone would hide the text from a screen reader, the text alone its purpose.
    """

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        scale: float = 1.0,
        bold: bool = False,
        accessible_name: str = "",
    ):
        super().__init__(text, parent)
        self._scale, self._bold = scale, bold
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._purpose = accessible_name
        self._heights: dict[tuple[int, int, int], int] = {}  # (width, margin, indent): height
        self._measured = text  # the text those heights are for
        self._name_for(text)
        self._apply_font()

    def setText(self, text: str) -> None:
        if text == self.text():
            return  # the item panels show every item afresh: most of their texts stay
        super().setText(text)
        self._name_for(text)

    def heightForWidth(self, width: int) -> int:
        """The height the text needs at ``width``, kept until the text or font changes.

        QLabel measures a selectable label by laying its text out at ``width`` and back
        again, and each layout of the text asks for a repaint of the whole label: every
        relayout of a panel repainted all its labels (the title too), a frame after the
        panel had been painted. Measured once per width, with the text's layout quiet: the
        text shown is laid out as it was, and needs no repaint."""
        text = self.text()
        if text != self._measured:
            self._heights.clear()
            self._measured = text
        key = (width, self.margin(), self.indent())
        height = self._heights.get(key)
        if height is None:
            with self._quiet_text():
                height = super().heightForWidth(width)
            if len(self._heights) > 16:
                self._heights.clear()
            self._heights[key] = height
        return height

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A label resized laid its text out again at its first paint, and that layout asked
        for a repaint of the whole label from inside the paint: Qt painted it twice. The
        text is laid out at the new width here, quietly (QLabel does that first when it
        measures), and the paint finds it done."""
        super().resizeEvent(event)
        width = event.size().width()
        with self._quiet_text():
            height = super().heightForWidth(width)
        if self.text() == self._measured:
            self._heights[(width, self.margin(), self.indent())] = height

    @contextmanager
    def _quiet_text(self) -> Iterator[None]:
        """No repaint requests from the label's private text control (selectable labels
        have one) while it lays the text out. A hidden label's requests go nowhere, and
        reaching the control is not free the first time (PySide builds some 180 enums to
        wrap its first object of a class it does not expose: 20 ms at start-up, where the
        case view is laid out unseen), so a hidden label is left as it is."""
        if not self.isVisible():
            yield
            return
        control = next(
            (c for c in self.children() if c.metaObject().className() == "QWidgetTextControl"),
            None,
        )
        if control is None or control.signalsBlocked():
            yield
            return
        control.blockSignals(True)
        try:
            yield
        finally:
            control.blockSignals(False)

    def _name_for(self, text: str) -> None:
        purpose = self._purpose
        if purpose and text and text != purpose:
            self.setAccessibleName(f"{purpose}: {text}")
        else:
            self.setAccessibleName(purpose or text or "Text")

    def _apply_font(self) -> None:
        font = QFont(QApplication.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * self._scale)
        else:
            font.setPixelSize(round(font.pixelSize() * self._scale))
        font.setBold(self._bold)
        self.setFont(font)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ApplicationFontChange:
            self._apply_font()
        elif event.type() in (QEvent.Type.FontChange, QEvent.Type.ContentsRectChange):
            getattr(self, "_heights", {}).clear()  # (a change made while QLabel was built)
        super().changeEvent(event)


class NoteEditor(QPlainTextEdit):
    """A note or rationale that is saved as it is typed.

    ``edited(item_id, text)`` is emitted after a short pause in typing, and at once by
    ``flush()``, which the case view calls whenever the inspector leaves the item, the
    case or the window, and which leaving the editor calls too: nothing typed is lost.
    """

    edited = Signal(str, str)  # item id, text
    leave = Signal()  # Escape: back to the answers

    def __init__(self, accessible_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setTabChangesFocus(True)
        self._item_id = ""
        self._dirty = False
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self.textChanged.connect(self._typed)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)

    @property
    def item_id(self) -> str:
        return self._item_id

    @property
    def dirty(self) -> bool:
        return self._dirty

    def load(self, item_id: str, text: str) -> None:
        """Show an item's note, unless the inspector is typing this very note."""
        if item_id == self._item_id and self._dirty:
            return
        self._item_id = item_id
        if self.toPlainText() != text:
            self._loading = True
            try:
                self.setPlainText(text)
                self.moveCursor(self.textCursor().MoveOperation.End)
            finally:
                self._loading = False

    def _typed(self) -> None:
        if self._loading or not self._item_id:
            return
        self._dirty = True
        self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        if self._dirty:
            self._dirty = False
            self.edited.emit(self._item_id, self.toPlainText())

    def discard(self) -> None:
        """Forget unsaved typing (the inspector declined to change a completed case)."""
        self._timer.stop()
        self._dirty = False

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.flush()
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.flush()
            self.leave.emit()
            return
        super().keyPressEvent(event)


class ReasonDialog(QDialog):
    """Asks for a short reason (not applicable, or changing a completed case).

    Opened window-modal with ``open()``, never ``exec()``: the answer arrives through
    ``on_reason`` so nothing waits in a nested event loop.
    """

    def __init__(
        self,
        parent: QWidget,
        title: str,
        explanation: str,
        on_reason: Callable[[str], None],
        *,
        text: str = "",
        on_cancel: Callable[[], None] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        label = QLabel(explanation, self)
        label.setWordWrap(True)
        self.reason_edit = QLineEdit(text, self)
        self.reason_edit.setAccessibleName("Reason")
        label.setBuddy(self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("OK")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)
        self._on_reason = on_reason
        self._on_cancel = on_cancel
        self._check()
        layout.activate()  # size constraints settle before the window exists
        width = max(self.sizeHint().width(), label.fontMetrics().averageCharWidth() * 60)
        width = min(width, available_geometry(parent).width() - 40)
        # tall enough for the explanation wrapped at that width (it was cut to one line)
        fit_wrapped_height(self, layout, width)

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason_edit.text().strip()))

    def accept(self) -> None:
        reason = self.reason_edit.text().strip()
        if not reason:
            return
        super().accept()
        self._on_reason(reason)

    def reject(self) -> None:
        super().reject()
        if self._on_cancel is not None:
            self._on_cancel()


def ask_reason(
    parent: QWidget, title: str, explanation: str, on_reason: Callable[[str], None], **kwargs: Any
) -> ReasonDialog:
    """Open a reason dialog window-modally; ``on_reason`` receives the reason if one is given."""
    dialog = ReasonDialog(parent, title, explanation, on_reason, **kwargs)
    previous = QApplication.focusWidget()

    def give_focus_back() -> None:
        # Keyboard work goes on where it was, even where the platform activates nothing.
        parent.window().activateWindow()
        if previous is not None and previous.isVisible():
            previous.setFocus(Qt.FocusReason.PopupFocusReason)

    dialog.finished.connect(give_focus_back)
    dialog.open()
    dialog.reason_edit.setFocus()
    return dialog


class DateField(QWidget):
    """A date as people write it (DD/MM/YYYY), with a calendar pop-up.

    ``date_entered(iso)`` is emitted when a readable date (or nothing) is entered; an
    unreadable entry stays as typed, with the reason shown under the field (and given to
    screen readers as the field's description), until it is corrected.
    """

    date_entered = Signal(object)  # ISO date text, or None when the field is emptied

    def __init__(self, accessible_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setAccessibleName(accessible_name)
        self.edit.setPlaceholderText(UK_FORMAT)
        self.edit.setToolTip(f"A date as {UK_FORMAT}, e.g. 12/07/2019 (Alt+Down: calendar)")
        self.edit.editingFinished.connect(self._finished)
        self.edit.installEventFilter(self)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("Calendar…")
        self.calendar_button.setAccessibleName(f"Choose {accessible_name} from a calendar")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.calendar_button.clicked.connect(self.show_calendar)
        self.error = QLabel("", self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName(f"Problem with {accessible_name}")
        self.error.setStyleSheet("font-weight: bold;")
        self.error.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.calendar_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.setFocusProxy(self.edit)
        self._value: str | None = None
        self.popup: QCalendarWidget | None = None

    @property
    def problem(self) -> str:
        return self.error.text() if self.error.isVisibleTo(self) else ""

    def set_value(self, iso: str | None) -> None:
        """Show a stored date (unless the inspector is correcting an unreadable one)."""
        self._value = iso
        if self.problem and self.edit.isModified():
            return
        self.edit.setText(uk(iso))
        self.edit.setModified(False)
        self._show_problem("")

    def _finished(self) -> None:
        if not self.edit.isModified() and not self.problem:
            return
        text = self.edit.text().strip()
        try:
            iso = to_iso(text) if text else None
        except DateProblem as problem:
            self._show_problem(str(problem))
            return
        self.edit.setModified(False)
        self._show_problem("")
        self.edit.setText(uk(iso))
        if iso != self._value:
            self._value = iso
            self.date_entered.emit(iso)

    def _show_problem(self, text: str) -> None:
        if text == self.error.text() and bool(text) == self.error.isVisibleTo(self):
            return  # as shown: a style sheet set again costs a re-polish of the field
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.edit.setAccessibleDescription(text)
        colour = self.palette().color(QPalette.ColorRole.Highlight).name()
        self.edit.setStyleSheet(f"QLineEdit {{ border: 2px solid {colour}; }}" if text else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and event.modifiers() & Qt.KeyboardModifier.AltModifier
        ):
            self.show_calendar()
            return True
        return False

    def show_calendar(self) -> None:
        """The calendar pop-up on the field's date (or today); picking a day enters it."""
        popup = QCalendarWidget(self)
        popup.setWindowFlags(Qt.WindowType.Popup)
        popup.setAccessibleName("Calendar")
        popup.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        popup.setGridVisible(True)
        try:
            shown = date.fromisoformat(to_iso(self.edit.text())) if self.edit.text() else None
        except DateProblem:
            shown = None
        if shown is not None:
            popup.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        popup.activated.connect(lambda day: self._picked(popup, day))
        popup.clicked.connect(lambda day: self._picked(popup, day))
        popup.adjustSize()
        place = self.edit.mapToGlobal(self.edit.rect().bottomLeft())
        available = available_geometry(self)
        x = min(place.x(), available.right() - popup.width())
        y = (
            place.y()
            if place.y() + popup.height() <= available.bottom()
            else (self.edit.mapToGlobal(self.edit.rect().topLeft()).y() - popup.height())
        )
        popup.move(max(available.x(), x), max(available.y(), y))
        popup.show()
        popup.setFocus(Qt.FocusReason.PopupFocusReason)
        self.popup = popup

    def _picked(self, popup: QCalendarWidget, day: QDate) -> None:
        popup.close()
        popup.deleteLater()
        self.popup = None
        self.edit.setText(f"{day.day():02d}/{day.month():02d}/{day.year():04d}")
        self.edit.setModified(True)
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)
        self._finished()


def announce(widget: QWidget, text: str) -> None:
    """Have screen readers say ``text`` (UI Automation and AT-SPI announcements), e.g. the
    answer just recorded when auto-advance moves the focus on."""
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))


def open_folder(path: Path) -> bool:
    """Show a file's folder in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


class SavedDialog(QMessageBox):
    """A piece of work ended in a file: say which, where, and offer to show it.

    Opened window-modally with ``open()``; "Show in folder" opens the file manager there.
    """

    def __init__(self, parent: QWidget, title: str, what: str, path: Path, detail: str = ""):
        super().__init__(parent)
        self.path = path
        self.setIcon(QMessageBox.Icon.Information)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setText(f"{what}\n\n{path.name}\nin {path.parent}")
        if detail:
            self.setInformativeText(detail)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_button = self.addButton("&Show in folder", QMessageBox.ButtonRole.ActionRole)
        self.show_button.setAccessibleName("Show in folder")
        self.ok_button = self.addButton(QMessageBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("OK")
        self.setDefaultButton(self.ok_button)
        self.show_button.clicked.connect(self._show_folder)

    def _show_folder(self) -> None:
        open_folder(self.path)
        self.accept()


def show_saved(parent: QWidget, title: str, what: str, path: Path, detail: str = "") -> SavedDialog:
    dialog = SavedDialog(parent, title, what, path, detail)
    dialog.open()
    return dialog


class FlowLayout(QLayout):
    """Widgets side by side, wrapping onto the next line where the width runs out (answer
    buttons on a narrow screen go onto two lines instead of being cut off)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def _gap(self) -> int:
        gap = self.spacing()
        return gap if gap >= 0 else 6

    def sizeHint(self) -> QSize:
        """All on one line."""
        shown = [i.sizeHint() for i in self._items if not i.isEmpty()]
        margins = self.contentsMargins()
        width = sum(s.width() for s in shown) + self._gap() * max(0, len(shown) - 1)
        height = max((s.height() for s in shown), default=0)
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:
        """As narrow as the widest widget."""
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        gap = self._gap()
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()
