"""One answer repaints what it changed and nothing else.

With auto-advance, Y answers the prompt and shows the next one. Qt should then repaint
the navigator's rows of the two prompts and the progress of their key question and
standard; the other rows stay as painted. The save indicator's words change twice per
answer without laying out the status bar again. These are the gains that make an answer
fit in a frame (benchmarks/bench_home.py); the tests keep them from slipping back.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import (
    QAbstractEventDispatcher,
    QEvent,
    QEventLoop,
    QModelIndex,
    QObject,
    Qt,
)
from PySide6.QtGui import QRegion, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.applicability import ItemKind
from tests.test_gui_helpers import (
    TIMEOUT,
    close_window,
    make_workbench,
    open_window,
    settle,
)
from ui import theme
from ui.case.view import SteadyTabs
from ui.main_window import MainWindow
from ui.widgets import ScaledLabel


class EventLog(QObject):
    """The paint regions and the layout and resize events of the widgets it watches."""

    def __init__(self, *widgets: QWidget):
        super().__init__()
        self.recording = False
        self.painted: dict[int, QRegion] = {}
        self.events: list[tuple[str, str]] = []  # (widget, event)
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.recording:
            kind = event.type()
            if kind == QEvent.Type.Paint:
                key = id(watched)
                self.painted[key] = self.painted.get(key, QRegion()).united(event.rect())  # type: ignore[attr-defined]
            elif kind in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
                self.events.append((type(watched).__name__, kind.name))
        return False

    def region(self, widget: QWidget) -> QRegion:
        return self.painted.get(id(widget), QRegion())


def drain() -> None:
    """Process events until Qt has nothing left to do now (layouts, repaints, due timers)."""
    dispatcher = QAbstractEventDispatcher.instance()
    assert dispatcher is not None
    while dispatcher.processEvents(QEventLoop.ProcessEventsFlag.AllEvents):
        pass


def row_region(view: Any, index: QModelIndex) -> QRegion:
    """``index``'s row across the navigator's viewport (its branch lines included)."""
    cell = view.visualRect(index)
    return QRegion(0, cell.top(), view.viewport().width(), cell.height())


def opened(qtbot: Any, tmp_path: Any, clock: Any, settings: Any) -> MainWindow:
    bench = make_workbench(tmp_path, clock)
    window = open_window(qtbot, bench.path, settings, auto_advance=True)
    window.resize(1366, 768)
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT):
        window.open_case(bench.cases["REF0002"])
    settle(qtbot, window)
    drain()
    # one answer first: the navigator settles where auto-advance keeps it
    qtbot.keyClick(window.case_view.navigator, Qt.Key.Key_Y)
    settle(qtbot, window)
    drain()
    return window


def test_an_answer_repaints_only_its_own_rows_of_the_navigator(qtbot, tmp_path, clock, settings):
    window = opened(qtbot, tmp_path, clock, settings)
    view = window.case_view
    navigator, model = view.navigator, view.navigator_model
    answered = view.current_item
    assert answered is not None and answered.kind is ItemKind.PROMPT
    index = model.index_of(answered.item_id)
    key_question, standard = index.parent(), index.parent().parent()
    scrolled = navigator.verticalScrollBar().value()
    # the rows a repaint may touch: the answer's, the next prompt's (the selection moves
    # there) and the progress of the key question and the standard
    expected_next = model.index(index.row() + 1, 0, key_question)
    assert model.item(expected_next) is not None, "the next prompt is in the same key question"
    rows = QRegion()
    for row in (index, expected_next, key_question, standard):
        rows = rows.united(row_region(navigator, row))
    allowed = QRegion(rows.boundingRect())  # Qt may paint the rows' bounding box at once
    changed_rows: set[str] = set()
    model.dataChanged.connect(
        lambda top, _bottom, _roles: changed_rows.add(top.siblingAtColumn(0).data())
    )
    log = EventLog(navigator.viewport())

    log.recording = True
    qtbot.keyClick(navigator, Qt.Key.Key_Y)
    settle(qtbot, window)  # the store has the answer, and the navigator shows it
    drain()
    log.recording = False

    assert view.current_item.item_id == model.item(expected_next).item_id
    assert model.index_of(answered.item_id).siblingAtColumn(1).data() == "Yes"
    assert navigator.verticalScrollBar().value() == scrolled  # no scroll: a fair test
    painted = log.region(navigator.viewport())
    assert not painted.isEmpty(), "the answer was never painted"
    assert painted.intersects(row_region(navigator, index)), "the answered row was not repainted"
    unrelated = painted.subtracted(allowed)
    assert unrelated.isEmpty(), (
        f"an answer repainted {unrelated.boundingRect()} of the navigator, beyond the rows it "
        f"changed ({allowed.boundingRect()})"
    )
    # the model said so for those rows alone
    assert changed_rows == {
        model.data(index),
        model.data(key_question),
        model.data(standard),
    }
    close_window(qtbot, window)


def test_an_answer_does_not_lay_out_the_status_bar_again(qtbot, tmp_path, clock, settings):
    window = opened(qtbot, tmp_path, clock, settings)
    view = window.case_view
    indicator = view.save_indicator
    log = EventLog(window.statusBar(), indicator)
    said: list[str] = []
    before = indicator.geometry()

    log.recording = True
    for _ in range(2):
        qtbot.keyClick(view.navigator, Qt.Key.Key_Y)
        said.append(indicator.text())  # "Saving…" while the answer is on its way
        settle(qtbot, window)
        drain()
        said.append(indicator.text())
    log.recording = False

    assert said[0] == "Saving…" and said[-1].startswith("All changes saved (last at ")
    assert indicator.geometry() == before
    assert log.events == [], f"the answers laid out the status bar again: {log.events}"
    close_window(qtbot, window)


def state_cells(model: Any, parent: QModelIndex | None = None) -> list[QModelIndex]:
    """Every cell of the navigator's State column, walking the whole tree."""
    parent = parent if parent is not None else QModelIndex()
    cells = []
    for row in range(model.rowCount(parent)):
        cells.append(model.index(row, 1, parent))
        cells.extend(state_cells(model, model.index(row, 0, parent)))
    return cells


def test_the_state_column_fits_its_widest_cell_measuring_only_what_changed(
    qtbot, tmp_path, clock, settings, monkeypatch
):
    window = opened(qtbot, tmp_path, clock, settings)
    view = window.case_view
    navigator, model = view.navigator, view.navigator_model
    header = navigator.header()

    def fitted() -> int:
        widest = max(navigator.sizeHintForIndex(cell).width() for cell in state_cells(model))
        return max(widest, header.sectionSizeHint(1))

    assert header.sectionSize(1) == fitted()  # as wide as ResizeToContents made it
    measured: list[str] = []
    measure = view.state_column._measure
    monkeypatch.setattr(
        view.state_column,
        "_measure",
        lambda cell: (measured.append(cell.siblingAtColumn(0).data()), measure(cell)),
    )
    answered = view.current_item
    index = model.index_of(answered.item_id)
    qtbot.keyClick(navigator, Qt.Key.Key_Y)
    settle(qtbot, window)
    drain()
    # the answer's row and its key question's and standard's progress; not all 60-odd rows
    # (ResizeToContents measured every one of them for each row that changed)
    assert sorted(measured) == sorted(
        model.data(i) for i in (index, index.parent(), index.parent().parent())
    )
    assert len(state_cells(model)) > 3 * len(measured)
    assert header.sectionSize(1) == fitted()
    close_window(qtbot, window)


def test_the_missing_tab_counts_down_without_repainting_the_side(qtbot, tmp_path, clock, settings):
    window = opened(qtbot, tmp_path, clock, settings)
    view = window.case_view
    side, bar = view.side, view.side.tabBar()
    missing = side.indexOf(view.completion)
    log = EventLog(side)
    for _ in range(3):
        log.recording = True
        qtbot.keyClick(view.navigator, Qt.Key.Key_Y)
        settle(qtbot, window)
        drain()
        log.recording = False
        assert bar.tabText(missing) == f"Missing: {len(view.session.detail.missing)}  (C)"
        assert bar.tabRect(missing).width() >= bar.tabSizeHint(missing).width()
    painted = log.region(side)
    assert not painted.isEmpty()
    beyond = painted.subtracted(QRegion(bar.geometry()))
    assert beyond.isEmpty(), f"a new count repainted {beyond.boundingRect()} of the side"
    close_window(qtbot, window)


def test_steady_tabs_still_lay_out_a_tab_whose_text_needs_more_room(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QWidget(), "Attributes (T)")
    tabs.addTab(QWidget(), "Missing: 9  (C)")
    SteadyTabs(tabs)
    tabs.resize(600, 300)
    tabs.show()
    qtbot.waitExposed(tabs)
    drain()
    bar = tabs.tabBar()
    narrow = bar.width()
    bar.setTabText(1, "Missing: 9999 of them, a long text  (C)")
    drain()
    assert bar.width() > narrow  # the tab widget laid the wider tab bar out
    assert bar.tabRect(1).width() >= bar.tabSizeHint(1).width()


class PaintCounter(QObject):
    """How many times each widget of the application is painted while recording."""

    def __init__(self) -> None:
        super().__init__()
        self.recording = False
        self.paints: dict[int, int] = {}
        self.widgets: dict[int, QWidget] = {}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.recording and event.type() == QEvent.Type.Paint:
            key = id(watched)
            self.paints[key] = self.paints.get(key, 0) + 1
            self.widgets[key] = watched  # type: ignore[assignment]
        return False

    def painted_more_than_once(self) -> list[str]:
        return [
            f"{type(w).__name__} {w.accessibleName() or w.objectName()!r}: {self.paints[k]}"
            for k, w in self.widgets.items()
            if self.paints[k] > 1
        ]


def test_auto_advance_to_a_judgement_paints_each_widget_once(qtbot, tmp_path, clock, settings):
    """The last prompt of a key question answered, its judgement takes the prompt's place:
    Qt paints each widget once. (The panel's body filled its background, so Qt painted it
    on its own and again with the window for the labels and buttons shown with it; a
    label resized or measured asked to be painted again.)"""
    window = opened(qtbot, tmp_path, clock, settings)
    view = window.case_view
    items = view.session.detail.items
    last, judgement = next(
        (a, b)
        for a, b in zip(items, items[1:], strict=False)
        if a.kind is ItemKind.PROMPT and b.kind is ItemKind.JUDGEMENT and a.applies
    )
    view.go_to(last.item_id)
    view.focus_navigator()
    drain()
    assert view.panels.currentWidget() is view.prompt_panel
    # the store's reply to the answer (the navigator's progress, the prompts' answers) is
    # a frame of its own: it waits until the swap is painted
    gate = threading.Event()
    window.runner.submit(lambda _service: gate.wait(TIMEOUT / 1000), lambda _result: None)
    counter = PaintCounter()
    app = QApplication.instance()
    app.installEventFilter(counter)
    try:
        counter.recording = True
        qtbot.keyClick(view.navigator, Qt.Key.Key_Y)
        drain()
        counter.recording = False
    finally:
        app.removeEventFilter(counter)
        gate.set()
    settle(qtbot, window)
    assert view.current_item.item_id == judgement.item_id
    assert view.panels.currentWidget() is view.judgement_panel
    panel = view.judgement_panel
    for part in (panel.heading, panel.wording, panel.yes, panel.note.viewport()):
        assert counter.paints.get(id(part), 0) == 1, f"{part.accessibleName()!r} painted " + (
            f"{counter.paints.get(id(part), 0)} times"
        )
    assert counter.painted_more_than_once() == []
    close_window(qtbot, window)


def test_a_wrapped_label_measured_again_is_not_repainted(qtbot):
    """A layout asks a word-wrapped label its height for a width; the answer is QLabel's,
    and asking does not repaint the label (QLabel lays its text out to measure it, and
    each layout asked for a repaint)."""
    text = "Does assessment focus sufficiently on keeping the service user safe? " * 3
    holder = QWidget()
    qtbot.addWidget(holder)
    label = ScaledLabel(text, holder, scale=1.25)
    plain = QLabel(text, holder)  # the same label without the cache, for the heights
    plain.setWordWrap(True)
    plain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    plain.setFont(label.font())
    layout = QVBoxLayout(holder)
    layout.addWidget(label)
    layout.addWidget(plain)
    holder.resize(500, 300)
    holder.show()
    qtbot.waitExposed(holder)
    drain()
    log = EventLog(label)
    log.recording = True
    heights = {width: label.heightForWidth(width) for width in (150, 300, 500, 150)}
    drain()
    log.recording = False
    assert log.region(label).isEmpty(), "measuring the label repainted it"
    assert heights == {width: plain.heightForWidth(width) for width in heights}
    assert heights[150] > heights[500]
    label.setText("Short.")  # a new text is measured afresh
    assert label.heightForWidth(150) == QLabel("Short.", font=label.font()).heightForWidth(150)


def test_an_item_view_paints_its_rows_without_python_and_keeps_its_focus_ring(qtbot):
    """The navigator and the prompts' answers paint their rows with the platform's style
    (through FocusStyle each row's primitives called Python); the focus ring FocusStyle
    draws round a focused list is drawn over the frame instead, pixel for pixel."""
    app = QApplication.instance()
    theme.apply(app)
    model = QStandardItemModel()
    for n in range(12):
        parent = QStandardItem(f"Standard {n}")
        parent.appendRow(QStandardItem(f"Prompt {n}.1: a prompt's wording"))
        model.appendRow(parent)
    holder = QWidget()
    qtbot.addWidget(holder)
    ringed, plain = QTreeView(holder), QTreeView(holder)
    layout = QHBoxLayout(holder)
    for view in (ringed, plain):
        view.setModel(model)
        view.expandAll()
        layout.addWidget(view)
    theme.plain_item_view(plain)
    holder.resize(600, 200)
    holder.show()
    qtbot.waitExposed(holder)
    holder.activateWindow()
    qtbot.waitActive(holder)
    # the rows of the plain view go to a style with no Python override in it
    assert isinstance(ringed.style(), theme.FocusStyle)
    assert not isinstance(plain.style(), theme.FocusStyle)
    assert type(plain.style()).drawPrimitive is not theme.FocusStyle.drawPrimitive
    images = {}
    for view in (ringed, plain):
        view.setFocus()
        view.setCurrentIndex(model.index(1, 0))
        drain()
        assert view.hasFocus()
        view.viewport().repaint()
        images[view] = view.grab().toImage()
        view.clearFocus()
        drain()
        images[(view, "unfocused")] = view.grab().toImage()
    assert images[ringed] == images[plain], "the focus ring differs from FocusStyle's"
    assert images[(ringed, "unfocused")] == images[(plain, "unfocused")]
    assert images[plain] != images[(plain, "unfocused")], "no focus ring at all"
