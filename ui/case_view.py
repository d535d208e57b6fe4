"""The case view: navigator, the item panel, case attributes and the completion view.

Single-key actions (Y, N, A, J, K, U, …) belong to the *work area* — the navigator and
the item panel — so they never fire while the inspector types in a note or picks an
attribute; text fields keep their letters. Every action is in a menu with its shortcut.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.applicability import CaseItem, ItemKind
from fieldwork.bundles.comments import QaComment, qa_comments
from fieldwork.errors import CaseIncomplete, FieldworkError
from fieldwork.framework import AttributeValue, Framework
from fieldwork.service import CaseDetail, Change
from ui.attributes_panel import AttributesPanel
from ui.case_session import CaseSession
from ui.completion import CompletionPanel
from ui.item_panels import JudgementPanel, PromptPanel, QaCommentBox
from ui.navigator import NavigatorModel
from ui.runner import ServiceRunner
from ui.widgets import Key, ScaledLabel, ask_reason, key_sequences


def escape_shortcut(
    widget: QWidget, slot: Callable[[], object], context: Qt.ShortcutContext
) -> QShortcut:
    """Escape within ``widget`` calls ``slot`` (set after construction: PySide ignores a
    ``context=`` keyword given to the constructor)."""
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), widget)
    shortcut.setContext(context)
    shortcut.activated.connect(slot)
    return shortcut


def saved_time(saved_at: str) -> str:
    """A stored ISO timestamp as the local time of day."""
    try:
        return datetime.fromisoformat(saved_at).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return saved_at


class ProblemBanner(QFrame):
    """A plain statement of what went wrong, and what can be done, above the work."""

    retry = Signal()
    discard = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Problem")
        icon = QLabel(self)
        size = self.fontMetrics().height() * 2
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size)
        )
        icon.setAccessibleName("Warning")
        self.message = ScaledLabel("", self, bold=True, accessible_name="Problem message")
        self.message.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.retry_button = QPushButton("Try again   (Ctrl+S)", self)
        self.retry_button.setAccessibleName("Try saving again")
        self.discard_button = QPushButton("Discard unsaved changes", self)
        self.discard_button.setAccessibleName("Discard the changes that were not saved")
        self.dismiss_button = QPushButton("Dismiss", self)
        self.dismiss_button.setAccessibleName("Dismiss this message")
        self.retry_button.clicked.connect(self.retry)
        self.discard_button.clicked.connect(self.discard)
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(icon)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.discard_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    def show_problem(self, text: str, *, retryable: bool) -> None:
        self.message.setText(text)
        self.retry_button.setVisible(retryable)
        self.discard_button.setVisible(retryable)
        self.dismiss_button.setVisible(not retryable)
        self.show()


class SaveIndicator(QLabel):
    """The status bar's word on saving: in progress, when the last change was saved, or
    how many changes are waiting because a write failed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Save status")
        self.last_saved = ""
        self._saving = False
        self._pending = 0
        self._update()

    def saving(self, busy: bool) -> None:
        self._saving = busy
        self._update()

    def saved(self, saved_at: str) -> None:
        self.last_saved = saved_time(saved_at)
        self._update()

    def pending(self, count: int) -> None:
        self._pending = count
        self._update()

    def _update(self) -> None:
        if self._pending:
            s = "s" if self._pending != 1 else ""
            text = f"{self._pending} change{s} NOT saved: Ctrl+S to try again"
        elif self._saving:
            text = "Saving…"
        elif self.last_saved:
            text = f"All changes saved (last at {self.last_saved})"
        else:
            text = "Every change is saved as you make it"
        self.setText(text)


class CaseView(QWidget):
    """Working one case, prompt by prompt."""

    changed = Signal(object)  # Change: a case's new status and progress
    close_requested = Signal()
    item_shown = Signal(str)  # the item now in the panel
    message = Signal(str)  # a short word for the status bar
    internal_error = Signal(object)  # a bug: the window reports it
    comments_shown = Signal(str)  # case id, once its quality-assurance comments are shown

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.framework: Framework | None = None
        self.session: CaseSession | None = None
        self._sessions: dict[str, CaseSession] = {}
        self._current: CaseItem | None = None
        self._comments: dict[str, list[QaComment]] = {}  # the open case's, by item id

        self.title = ScaledLabel("", self, scale=1.2, bold=True, accessible_name="Case")
        self.case_comments = QaCommentBox(self, title="Quality assurance comment on the whole case")
        self.banner = ProblemBanner(self)
        self.banner.retry.connect(self.retry_saving)
        self.banner.discard.connect(self._discard_pending)
        self.save_indicator = SaveIndicator()

        # the work area: find bar, navigator, item panel
        self.work = QWidget(self)
        self.work.setAccessibleName("Case work")
        self.find_edit = QLineEdit(self.work)
        self.find_edit.setAccessibleName("Find an item")
        self.find_edit.setPlaceholderText("Find a prompt by number or words (Enter: next match)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.textEdited.connect(lambda text: self._find(text, from_next=False))
        self.find_edit.returnPressed.connect(lambda: self._find(self.find_edit.text(), True))
        self.find_edit.hide()
        escape_shortcut(self.find_edit, self._close_find, Qt.ShortcutContext.WidgetShortcut)
        self.navigator_model = NavigatorModel(self)
        self.navigator = QTreeView(self.work)
        self.navigator.setModel(self.navigator_model)
        self.navigator.setAccessibleName("Navigator")
        self.navigator.setAccessibleDescription(
            "Standards, key questions and prompts of the case, each with its state."
        )
        self.navigator.setUniformRowHeights(True)
        self.navigator.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.navigator.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.navigator.header().setStretchLastSection(False)
        self.navigator.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.navigator.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.navigator.selectionModel().currentChanged.connect(self._navigator_moved)

        self.prompt_panel = PromptPanel(self.work)
        self.judgement_panel = JudgementPanel(self.work)
        self.panels = QStackedWidget(self.work)
        self.panels.setAccessibleName("Item")
        self.panels.addWidget(self.prompt_panel)
        self.panels.addWidget(self.judgement_panel)
        for panel in (self.prompt_panel, self.judgement_panel):
            panel.note_edited.connect(self._note_edited)
            panel.leave_note.connect(self._leave_note)
        self.prompt_panel.answer_requested.connect(self._answer)
        self.prompt_panel.not_applicable_requested.connect(self.answer_not_applicable)
        self.prompt_panel.na_reason_requested.connect(self._change_na_reason)
        self.judgement_panel.judge_requested.connect(self._answer)
        self.judgement_panel.not_applicable_requested.connect(self.answer_not_applicable)
        self.judgement_panel.jump_requested.connect(self.go_to)

        left = QWidget(self.work)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.find_edit)
        left_layout.addWidget(self.navigator, 1)
        work_split = QSplitter(Qt.Orientation.Horizontal, self.work)
        work_split.addWidget(left)
        work_split.addWidget(self.panels)
        work_split.setStretchFactor(0, 2)
        work_split.setStretchFactor(1, 3)
        work_split.setChildrenCollapsible(False)
        chars = self.fontMetrics().averageCharWidth()
        self.navigator.setMinimumWidth(chars * 30)
        work_split.setSizes([chars * 55, chars * 80])
        work_layout = QHBoxLayout(self.work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.addWidget(work_split)

        # the side: attributes and completion
        self.attributes = AttributesPanel(self)
        self.attributes.changed.connect(self._attribute_changed)
        self.completion = CompletionPanel(self)
        self.completion.jump_requested.connect(self.go_to)
        self.completion.mark_complete_requested.connect(self.mark_complete)
        self.side = QTabWidget(self)
        self.side.setAccessibleName("Case attributes and completion")
        self.side.addTab(self.attributes, "Attributes (T)")
        self.side.addTab(self.completion, "Missing (C)")
        escape_shortcut(
            self.side, self.focus_navigator, Qt.ShortcutContext.WidgetWithChildrenShortcut
        )

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.work)
        split.addWidget(self.side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.side.setMinimumWidth(chars * 30)
        split.setSizes([chars * 135, chars * 42])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.case_comments)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)

        self.actions_by_name: dict[str, QAction] = {}
        self._make_actions()
        self.set_active(False)

    # -- actions ---------------------------------------------------------------------------
    def _action(
        self,
        name: str,
        text: str,
        keys: list[Key],
        slot: Callable[[], object],
        *,
        work_area: bool = True,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcuts(key_sequences(*keys))
        if work_area:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.work.addAction(action)
        else:
            self.addAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        self.actions_by_name[name] = action
        return action

    def _make_actions(self) -> None:
        a = self._action
        a("answer_yes", "&Yes (satisfactory)", ["Y"], lambda: self._answer("yes"))
        a("answer_no", "&No (not satisfactory)", ["N"], lambda: self._answer("no"))
        a("answer_na", "Not &applicable…", ["A"], self.answer_not_applicable)
        a("clear_answer", "&Clear answer", [Qt.Key.Key_Delete], self._clear)
        a(
            "next_item",
            "&Next item",
            [Qt.Key.Key_PageDown, "J"],
            self.next_item,
            tip="Go to the next item that applies (also J)",
        )
        a(
            "previous_item",
            "&Previous item",
            [Qt.Key.Key_PageUp, "K"],
            self.previous_item,
            tip="Go to the previous item that applies (also K)",
        )
        a("next_unanswered", "Next &unanswered item", ["U"], self.next_unanswered)
        a("guidance", "Show or hide &guidance", ["G"], self.toggle_guidance)
        a("note", "&Edit the note or rationale", ["E"], self.focus_note)
        a("completion", "&Completion view (missing items)", ["C"], self.show_completion)
        a("attributes", "Case a&ttributes", ["T"], self.focus_attributes)
        a("mark_complete", "&Mark case complete", ["Ctrl+M"], self.mark_complete, work_area=False)
        a(
            "retry",
            "&Save again (retry failed changes)",
            [QKeySequence.StandardKey.Save],
            self.retry_saving,
            work_area=False,
        )
        a(
            "close_case",
            "Back to the case &list",
            ["Ctrl+W", QKeySequence.StandardKey.Close, "Alt+Left"],
            self.close_requested.emit,
            work_area=False,
        )

    def set_active(self, active: bool) -> None:
        for action in self.actions_by_name.values():
            action.setEnabled(active)

    # -- opening and closing ---------------------------------------------------------------
    def open_case(self, framework: Framework, detail: CaseDetail) -> None:
        """Show a case as the store holds it, landing on its first unanswered item."""
        self.framework = framework
        session = self._sessions.get(detail.summary.id)
        if session is None:
            session = CaseSession(self.runner, detail, self)
            session.stored.connect(lambda d, c, s=session: self._stored(s, d, c))
            session.saving.connect(lambda busy, s=session: self._saving(s, busy))
            session.failed.connect(lambda text, s=session: self._failed(s, text))
            session.refused.connect(lambda text, s=session: self._refused(s, text))
            session.pending_changed.connect(lambda n, s=session: self._pending(s, n))
            self._sessions[detail.summary.id] = session
        else:
            session.detail = detail
        session.edit_reason = ""  # a new editing session asks again
        self.session = session
        self._current = None
        self._comments = {}
        self.case_comments.show_comments([])
        self.banner.hide()
        self.find_edit.hide()
        sample = framework.sample(detail.summary.sample)
        self.attributes.show_case(sample, detail.summary.reference, detail.summary.attributes)
        self._refresh()
        self.navigator.expandAll()
        self.set_active(True)
        target = detail.first_unanswered() or next((i for i in detail.items if i.applies), None)
        if target is not None:
            self.go_to(target.item_id)
        self.side.setCurrentWidget(self.attributes)
        self.save_indicator.pending(len(session.pending))
        self.focus_navigator()
        self._load_comments(detail.summary.id)

    # -- quality-assurance comments --------------------------------------------------------
    def _load_comments(self, case_id: str) -> None:
        def failed(error: BaseException) -> None:
            if isinstance(error, FieldworkError):
                self.message.emit(f"The QA comments could not be read: {error.message}")
            else:
                self.internal_error.emit(error)

        self.runner.submit(
            lambda service: qa_comments(service, case_id),
            lambda found: self._show_comments(case_id, found),
            failed,
        )

    def _show_comments(self, case_id: str, found: list[QaComment]) -> None:
        if self.session is None or self.session.case_id != case_id:
            return  # another case was opened meanwhile
        by_item: dict[str, list[QaComment]] = {}
        for comment in found:
            by_item.setdefault(comment.item_id, []).append(comment)
        self._comments = by_item
        self.case_comments.show_comments(by_item.get("", []))
        self.navigator_model.set_commented({i for i in by_item if i})
        self._show_current()
        if found:
            count = len(found)
            self.message.emit(
                f"Quality assurance has left {count} comment{'s' if count != 1 else ''} on this "
                "case."
            )
        self.comments_shown.emit(case_id)

    def comments_on(self, item_id: str) -> list[QaComment]:
        return list(self._comments.get(item_id, ()))

    def flush(self) -> None:
        """Save any note being typed, now."""
        for panel in (self.prompt_panel, self.judgement_panel):
            panel.note.flush()

    def can_leave(self, *, every_case: bool = False) -> bool:
        """Flush typing; if edits could not be saved, let the inspector decide. True to go.

        ``every_case`` looks at every case opened in this window (closing the window),
        else only at the open one (going back to the case list)."""
        self.flush()
        sessions = list(self._sessions.values()) if every_case else [self.session]
        waiting = [s for s in sessions if s is not None and s.pending]
        if not waiting:
            return True
        count = sum(len(s.pending) for s in waiting)
        last_error = waiting[-1].last_error
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Changes not saved",
            f"{count} change{'s' if count != 1 else ''} could not be saved:\n"
            f"{last_error}\n\nTry again now, or discard "
            f"{'them' if count != 1 else 'it'}?",
            QMessageBox.StandardButton.Retry
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        previous = QApplication.focusWidget()
        choice = box.exec()
        self.window().activateWindow()
        if previous is not None and previous.isVisible():
            previous.setFocus(Qt.FocusReason.PopupFocusReason)
        if choice == QMessageBox.StandardButton.Retry:
            for session in waiting:
                session.retry()
            return False
        if choice == QMessageBox.StandardButton.Discard:
            for session in waiting:
                session.discard_pending()
            return True
        return False

    def leave(self) -> None:
        self.flush()
        if self.session is not None:
            self.session.seal_note()
        self.set_active(False)

    # -- navigation ------------------------------------------------------------------------
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
        self.navigator.scrollTo(index)
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
        note = session.latest(item.item_id, "note") or ""
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
            na_reason = session.latest(item.item_id, "na_reason") or ""
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

    def focus_note(self) -> None:
        panel = self.panels.currentWidget()
        if isinstance(panel, PromptPanel | JudgementPanel) and panel.note.isEnabled():
            panel.note.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _leave_note(self) -> None:
        self.focus_navigator()

    def toggle_guidance(self) -> None:
        shown = self.prompt_panel.toggle_guidance()
        self.judgement_panel.guidance.setVisible(shown)

    def show_completion(self) -> None:
        self.side.setCurrentWidget(self.completion)
        self.completion.focus_list()

    def focus_attributes(self) -> None:
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

    # -- edits -----------------------------------------------------------------------------
    def _edit(self, do: Callable[[], None], on_cancel: Callable[[], None] | None = None) -> None:
        """Run an edit, first asking why if the case is complete (once per editing session)."""
        session = self.session
        if session is None:
            return
        if not session.needs_edit_reason:
            do()
            return

        def given(reason: str) -> None:
            session.edit_reason = reason
            do()

        def cancelled() -> None:
            if on_cancel is not None:
                on_cancel()
            self._show_current()
            self._show_attributes()

        ask_reason(
            self,
            "Change a completed case",
            f"Case {session.detail.summary.reference} is marked complete. Say why you are "
            "changing it; the reason is kept in the case's history.",
            given,
            on_cancel=cancelled,
        )

    def _answer(self, value: str | None) -> None:
        session, item = self.session, self._current
        if session is None or item is None:
            return
        if not item.applies:
            self.message.emit(f"{item.item_id} does not apply to this case.")
            return
        if item.kind is ItemKind.JUDGEMENT:
            self._edit(lambda: session.judge(item.item_id, value))
        else:
            self._edit(lambda: session.answer(item.item_id, value))

    def _clear(self) -> None:
        self._answer(None)

    def answer_not_applicable(self) -> None:
        session, item = self.session, self._current
        if session is None or item is None or not item.applies:
            return
        if not item.may_mark_na:
            self.message.emit(
                f"The framework expects Yes or No for {item.item_id}: "
                "Not applicable is not allowed here."
            )
            return
        judgement = item.kind is ItemKind.JUDGEMENT
        edit = session.judge if judgement else session.answer

        def with_reason(reason: str) -> None:
            self._edit(lambda: edit(item.item_id, "na", reason))

        what = "key question" if judgement else "prompt"
        ask_reason(
            self,
            "Not applicable",
            f"Why is {what} {item.item_id} not applicable in this case?\n{item.text}",
            with_reason,
            text=session.latest(item.item_id, "na_reason") or "",
        )

    def _change_na_reason(self) -> None:
        session, item = self.session, self._current
        if session is None or item is None:
            return

        def with_reason(reason: str) -> None:
            self._edit(lambda: session.set_na_reason(item.item_id, reason))

        ask_reason(
            self,
            "Reason for not applicable",
            f"Why is {item.kind.value} {item.item_id} not applicable in this case?",
            with_reason,
            text=session.latest(item.item_id, "na_reason") or "",
        )

    def _note_edited(self, item_id: str, text: str) -> None:
        session = self.session
        if session is not None:
            self._edit(lambda: session.set_note(item_id, text))

    def _attribute_changed(self, attribute_id: str, label: str, value: AttributeValue) -> None:
        session = self.session
        if session is not None:
            self._edit(lambda: session.set_attribute(attribute_id, label, value))

    def undo(self) -> None:
        session = self.session
        if session is not None and session.undo_stack.canUndo():
            self.flush()
            self._edit(session.undo_stack.undo)

    def redo(self) -> None:
        session = self.session
        if session is not None and session.undo_stack.canRedo():
            self.flush()
            self._edit(session.undo_stack.redo)

    def mark_complete(self) -> None:
        session = self.session
        if session is None:
            return
        self.flush()
        session.mark_complete(self._complete_refused)

    def _complete_refused(self, error: BaseException) -> None:
        if isinstance(error, CaseIncomplete):
            self.completion.show_missing(error.missing, "in progress")
            count = len(error.missing)
            self.banner.show_problem(
                f"This case cannot be marked complete yet: {count} item"
                f"{'s are' if count != 1 else ' is'} missing. They are listed under Missing; "
                "Enter on one goes to it.",
                retryable=False,
            )
            self.show_completion()
        elif isinstance(error, FieldworkError):
            self.banner.show_problem(error.message, retryable=False)
        else:
            self.internal_error.emit(error)

    def retry_saving(self) -> None:
        if self.session is not None and self.session.pending:
            self.banner.hide()
            self.session.retry()

    def _discard_pending(self) -> None:
        if self.session is not None:
            self.session.discard_pending()
        self.banner.hide()
        self._show_current()

    # -- what the store says ---------------------------------------------------------------
    def _stored(self, session: CaseSession, detail: CaseDetail, change: Change | None) -> None:
        if change is not None:
            self.save_indicator.saved(change.saved_at)
            self.changed.emit(change)
            if change.status == "complete" and not change.item_ids:
                self.message.emit(f"Case {detail.summary.reference} marked complete.")
        if session is self.session:
            self._refresh()

    def _saving(self, session: CaseSession, busy: bool) -> None:
        self.save_indicator.saving(busy or any(s.busy for s in self._sessions.values()))

    def _failed(self, session: CaseSession, text: str) -> None:
        if session is self.session:
            self.banner.show_problem(
                f"{text}\nThe change is kept: Try again when the problem is fixed. What you "
                "see is what the workspace holds.",
                retryable=True,
            )

    def _refused(self, session: CaseSession, text: str) -> None:
        if session is self.session:
            self.banner.show_problem(text, retryable=False)

    def _pending(self, session: CaseSession, count: int) -> None:
        self.save_indicator.pending(sum(len(s.pending) for s in self._sessions.values()))
        if session is self.session and count == 0 and self.banner.retry_button.isVisible():
            self.banner.hide()

    def _refresh(self) -> None:
        session, framework = self.session, self.framework
        if session is None or framework is None:
            return
        detail = session.detail
        summary = detail.summary
        sample = framework.sample(summary.sample)
        self.title.setText(
            f"{sample.reference_label} {summary.reference}  ·  {sample.title}  ·  "
            f"{summary.status}  ·  {summary.done} of {summary.total} done"
        )
        self.navigator_model.set_case(framework, detail)
        self.completion.show_missing(detail.missing, summary.status)
        self.side.setTabText(
            self.side.indexOf(self.completion), f"Missing: {len(detail.missing)}  (C)"
        )
        self._show_attributes()
        if self._current is not None:
            self._show_current()

    def _show_attributes(self) -> None:
        session, framework = self.session, self.framework
        if session is None or framework is None:
            return
        summary = session.detail.summary
        self.attributes.show_case(
            framework.sample(summary.sample), summary.reference, summary.attributes
        )
