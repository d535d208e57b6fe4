"""The navigator part of the case view."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QWidget,
)

from fieldwork.answers import Answer
from fieldwork.applicability import CaseItem, ItemKind
from fieldwork.bundles.comments import QaComment
from fieldwork.framework import Framework
from ui.case.attributes import AttributesPanel
from ui.case.completion import CompletionPanel
from ui.case.judgement import JudgementPanel
from ui.case.navigator import NavigatorModel, scroll_with_headings
from ui.case.prompt import PromptPanel
from ui.case.session import CaseSession
from ui.widgets import announce


class CaseNavigation(QWidget):
    """The navigator part of the case view: moving through a case's items, finding one, and
    showing the current item in the prompt or judgement panel."""

    item_shown = Signal(str)  # the item now in the panel
    message = Signal(str)  # a short word for the status bar

    # built by CaseView
    framework: Framework | None
    session: CaseSession | None
    _current: CaseItem | None
    _comments: dict[str, list[QaComment]]
    work: QWidget
    find_edit: QLineEdit
    navigator_model: NavigatorModel
    navigator: QTreeView
    prompt_panel: PromptPanel
    judgement_panel: JudgementPanel
    panels: QStackedWidget
    side: QTabWidget
    attributes: AttributesPanel
    completion: CompletionPanel

    def comments_on(self, item_id: str) -> list[QaComment]:
        return list(self._comments.get(item_id, ()))

    def flush(self) -> None:
        """Save any note being typed, now."""
        for panel in (self.prompt_panel, self.judgement_panel):
            panel.note.flush()

    @property
    def current_item(self) -> CaseItem | None:
        return self._current

    def go_to(self, item_id: str) -> None:
        index = self.navigator_model.index_of(item_id)
        if not index.isValid():
            return
        self.navigator.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        scroll_with_headings(self.navigator, index)
        focus = QApplication.focusWidget()
        if focus is None or not self.work.isAncestorOf(focus):
            self.focus_navigator()

    def _navigator_moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.navigator_model.item(current) or self.navigator_model.first_item_under(current)
        if item is not None and (self._current is None or item.item_id != self._current.item_id):
            self._show(item)

    def _show(self, item: CaseItem) -> None:
        self.flush()
        if self.session is not None:
            self.session.seal_note()
        self._current = item
        self._show_current()
        self.item_shown.emit(item.item_id)

    def _show_current(self) -> None:
        session, item, framework = self.session, self._current, self.framework
        if session is None or item is None or framework is None:
            return
        item = session.detail.item(item.item_id)
        self._current = item
        note = session.latest_text(item.item_id, "note")
        if item.kind is ItemKind.JUDGEMENT:
            prompts = [
                i
                for i in session.detail.items
                if i.key_question_id == item.key_question_id and i.kind is ItemKind.PROMPT
            ]
            self.judgement_panel.show_item(
                framework, item, prompts, note=note, comments=self.comments_on(item.item_id)
            )
            self.panels.setCurrentWidget(self.judgement_panel)
        else:
            na_reason = session.latest_text(item.item_id, "na_reason")
            self.prompt_panel.show_item(
                framework,
                item,
                note=note,
                na_reason=na_reason,
                comments=self.comments_on(item.item_id),
            )
            self.panels.setCurrentWidget(self.prompt_panel)

    def _step(self, direction: int) -> None:
        if self.session is None or self._current is None:
            return
        items = self.session.detail.items
        ids = [i.item_id for i in items]
        n = ids.index(self._current.item_id) + direction
        while 0 <= n < len(items):
            if items[n].applies:
                self.go_to(items[n].item_id)
                return
            n += direction
        self.message.emit("This is the last item." if direction > 0 else "This is the first item.")

    def next_item(self) -> None:
        self._step(+1)

    def previous_item(self) -> None:
        self._step(-1)

    def next_unanswered(self) -> None:
        if self.session is None:
            return
        items = list(self.session.detail.items)
        start = 0
        if self._current is not None:
            start = [i.item_id for i in items].index(self._current.item_id) + 1
        for item in items[start:] + items[:start]:
            if item.missing is not None:
                self.go_to(item.item_id)
                return
        self.message.emit("Nothing is missing: the case can be marked complete (Ctrl+M).")

    def focus_navigator(self) -> None:
        self.navigator.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.fit_side()

    # -- a narrow window -----------------------------------------------------------------
    # Below NARROW_CHARS the attributes and completion give their room to the item: they
    # fold away and T or C opens them (Escape folds them again). The navigator's State
    # column goes below STATE_COLUMN_CHARS: the icon and the panel still say the state.
    NARROW_CHARS = 150
    STATE_COLUMN_CHARS = 52
    side_split: QSplitter

    def _chars(self, count: int) -> int:
        return self.fontMetrics().averageCharWidth() * count

    def narrow(self) -> bool:
        return self.width() < self._chars(self.NARROW_CHARS)

    _side_width = 0  # the side's width before it was folded away

    def open_side(self) -> None:
        sizes = self.side_split.sizes()
        if len(sizes) == 2 and sizes[1] == 0:
            side = max(self.side.minimumSizeHint().width(), self._side_width or self._chars(42))
            self.side_split.setSizes([max(0, sum(sizes) - side), side])

    def fit_side(self) -> None:
        """Fold the side away in a narrow window (unless it has the focus); bring it back
        in a wide one."""
        sizes = self.side_split.sizes()
        if len(sizes) != 2 or sum(sizes) == 0 or not self.isVisible():
            return
        focus = QApplication.focusWidget()
        if self.narrow():
            if sizes[1] and not (focus is not None and self.side.isAncestorOf(focus)):
                self._side_width = sizes[1]
                self.side_split.setSizes([sum(sizes), 0])
        elif sizes[1] == 0:
            self.open_side()
        self.navigator.setColumnHidden(
            1, self.navigator.width() < self._chars(self.STATE_COLUMN_CHARS)
        )

    def focus_note(self) -> None:
        panel = self.panels.currentWidget()
        if isinstance(panel, PromptPanel | JudgementPanel) and panel.note.isEnabled():
            panel.note.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _leave_note(self) -> None:
        self.focus_navigator()
        item = self._current
        if (
            self.auto_advance
            and self.session is not None
            and item is not None
            and item.kind is ItemKind.JUDGEMENT
            and self.session.latest_answer(item.item_id) is not None
            and self.session.latest_text(item.item_id, "note").strip()
        ):
            self.advance_from(item.item_id)  # the judgement and its rationale are done

    # -- auto-advance ------------------------------------------------------------------------
    #: After a one-key answer, move on to the next item that needs one (ODK Collect's
    #: "quick" forms). The window sets it from the inspector's settings; on by default.
    auto_advance: bool = True

    def advance_from(self, item_id: str) -> None:
        """Go to the next item after ``item_id`` that still needs an answer (wrapping round
        to earlier ones); if none does, say the case can be marked complete."""
        if self.session is None:
            return
        items = list(self.session.detail.items)
        ids = [i.item_id for i in items]
        start = ids.index(item_id) + 1 if item_id in ids else 0
        for candidate in items[start:] + items[:start]:
            if candidate.item_id != item_id and self._needs_answer(candidate):
                self.go_to(candidate.item_id)
                return
        done = "Every item is answered: Ctrl+M marks the case complete."
        self.message.emit(done)
        announce(self.navigator, done)  # the focus stays put: nothing else would say so

    def _needs_answer(self, item: CaseItem) -> bool:
        """Missing from the case as stored, and not answered by a change still on its way
        (keys can be quicker than the disk)."""
        session = self.session
        if item.missing is None or session is None:
            return False
        answer = session.latest_answer(item.item_id)
        if answer is None:
            return True
        if item.kind is ItemKind.JUDGEMENT and answer is not Answer.NOT_APPLICABLE:
            return not session.latest_text(item.item_id, "note").strip()
        return False

    def toggle_guidance(self) -> None:
        shown = self.prompt_panel.toggle_guidance()
        self.judgement_panel.guidance.setVisible(shown)

    def show_completion(self) -> None:
        self.open_side()
        self.side.setCurrentWidget(self.completion)
        self.completion.focus_list()

    def focus_attributes(self) -> None:
        self.open_side()
        self.side.setCurrentWidget(self.attributes)
        first = self.attributes.first_editor()
        if first is not None:
            first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_find(self) -> None:
        self.find_edit.show()
        self.find_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_edit.selectAll()

    def _close_find(self) -> None:
        self.find_edit.hide()
        self.focus_navigator()

    def _find(self, text: str, from_next: bool) -> None:
        if self.session is None or not text.strip():
            return
        words = text.casefold().split()
        items = list(self.session.detail.items)
        start = 0
        if self._current is not None:
            start = [i.item_id for i in items].index(self._current.item_id) + int(from_next)
        for item in items[start:] + items[:start]:
            haystack = f"{item.item_id} {item.text}".casefold()
            if all(w in haystack for w in words):
                self.go_to(item.item_id)
                self.find_edit.setFocus()
                return
        self.message.emit(f"No item matches “{text}”.")
