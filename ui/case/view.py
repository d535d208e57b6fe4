"""The case view: navigator, the item panel, case attributes and the completion view.

Single-key actions (Y, N, A, J, K, U, …) belong to the *work area* — the navigator and
the item panel — so they never fire while the inspector types in a note or picks an
attribute; text fields keep their letters. Every action is in a menu with its shortcut.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.answers import Answer
from fieldwork.applicability import CaseItem
from fieldwork.bundles.comments import QaComment, qa_comments
from fieldwork.errors import FieldworkError
from fieldwork.framework import Framework
from fieldwork.qa.review import last_reason, move
from fieldwork.qa.review import state as review_state
from fieldwork.service import CaseDetail, Change
from ui import theme
from ui.case.attributes import AttributesPanel
from ui.case.completion import CompletionPanel
from ui.case.edits import CaseEdits
from ui.case.judgement import JudgementPanel
from ui.case.navigator import ColumnFit, NavigatorModel
from ui.case.panel import QaCommentBox
from ui.case.problems import ProblemBanner, SaveIndicator, WithdrawnBanner
from ui.case.prompt import PromptPanel
from ui.case.session import CaseSession
from ui.runner import ServiceRunner
from ui.widgets import Key, ScaledLabel, set_shortcuts


def escape_shortcut(
    widget: QWidget, slot: Callable[[], object], context: Qt.ShortcutContext
) -> QShortcut:
    """Escape within ``widget`` calls ``slot`` (set after construction: PySide ignores a
    ``context=`` keyword given to the constructor)."""
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), widget)
    shortcut.setContext(context)
    shortcut.activated.connect(slot)
    return shortcut


#: The actions that change a case: disabled while a withdrawn case is open.
EDITING_ACTIONS = ("answer_yes", "answer_no", "answer_na", "clear_answer", "mark_complete", "retry")


class SteadyTabs(QObject):
    """Keeps a tab widget from laying itself out again, and repainting itself whole, when
    its tab bar asks but nothing would move.

    A tab's new text makes the tab bar ask its tab widget for a new layout, and the tab
    widget repaints all of itself. The Missing tab's count changes with every answer;
    while the tab bar, the pages and the tab widget want the sizes they had, the request
    is dropped (the tab bar repaints its tabs itself)."""

    def __init__(self, tabs: QTabWidget):
        super().__init__(tabs)
        self._tabs = tabs
        self._sizes: tuple[QSize, ...] = ()
        tabs.installEventFilter(self)

    def _wanted(self) -> tuple[QSize, ...]:
        bar, tabs = self._tabs.tabBar(), self._tabs
        return (
            bar.sizeHint(),
            bar.minimumSizeHint(),
            tabs.sizeHint(),
            tabs.minimumSizeHint(),
            tabs.size(),
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._tabs and event.type() == QEvent.Type.LayoutRequest:
            wanted = self._wanted()
            if wanted == self._sizes:
                return True
            self._sizes = wanted
        return False


class CaseView(CaseEdits):
    """Working one case, prompt by prompt."""

    changed = Signal(object)  # Change: a case's new status and progress
    close_requested = Signal()
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
        self.withdrawn_banner = WithdrawnBanner(self)

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
        self.state_column = ColumnFit(self.navigator, 1)
        theme.plain_item_view(self.navigator)  # its rows painted without Python
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
        for box in (self.prompt_panel.qa_box, self.judgement_panel.qa_box, self.case_comments):
            box.reply_requested.connect(self.reply_to_qa)
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
        work_split.setObjectName("case.navigator")
        work_split.addWidget(left)
        work_split.addWidget(self.panels)
        work_split.setStretchFactor(0, 2)
        work_split.setStretchFactor(1, 3)
        work_split.setChildrenCollapsible(False)
        work_split.splitterMoved.connect(lambda _pos, _index: self.fit_side())
        chars = self.fontMetrics().averageCharWidth()
        # wide enough to tell items apart ("2.1.1.3  Does assessment draw…"); the full text
        # is on hover
        self.navigator.setMinimumWidth(chars * 38)
        work_split.setSizes([chars * 60, chars * 80])
        work_layout = QHBoxLayout(self.work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.addWidget(work_split)

        # the side: attributes and completion
        self.attributes = AttributesPanel(self)
        self.attributes.changed.connect(self._attribute_changed)
        self.completion = CompletionPanel(self)
        self.completion.jump_requested.connect(self.go_to)
        self.completion.mark_complete_requested.connect(self.mark_complete)
        self.completion.resubmit_requested.connect(self.resubmit)
        self.side = QTabWidget(self)
        self.side.setAccessibleName("Case attributes and completion")
        self.side.addTab(self.attributes, "Attributes (T)")
        self.side.addTab(self.completion, "Missing (C)")
        SteadyTabs(self.side)
        escape_shortcut(
            self.side, self.focus_navigator, Qt.ShortcutContext.WidgetWithChildrenShortcut
        )

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("case.side")
        split.addWidget(self.work)
        split.addWidget(self.side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.setCollapsible(1, True)  # a narrow window folds the side away (fit_side)
        split.splitterMoved.connect(lambda _pos, _index: self.fit_side())
        self.side_split = split
        self.side.setMinimumWidth(chars * 24)
        split.setSizes([chars * 135, chars * 42])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.withdrawn_banner)
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
        set_shortcuts(action, *keys)
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
        a("answer_yes", "&Yes (satisfactory)", ["Y"], lambda: self._answer(Answer.YES))
        a("answer_no", "&No (not satisfactory)", ["N"], lambda: self._answer(Answer.NO))
        a("answer_na", "Not &applicable…", ["A"], self.answer_not_applicable)
        a("clear_answer", "&Clear answer", [QKeySequence.StandardKey.Delete], self._clear)
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
            ["Ctrl+W", QKeySequence.StandardKey.Close, QKeySequence.StandardKey.Back],
            self.close_requested.emit,
            work_area=False,
        )

    def set_active(self, active: bool) -> None:
        read_only = self.read_only
        for name, action in self.actions_by_name.items():
            action.setEnabled(active and not (read_only and name in EDITING_ACTIONS))

    # -- a case withdrawn from this laptop (fieldwork/withdrawals.py) ----------------------
    @property
    def read_only(self) -> bool:
        """The open case was moved to another inspector: it is shown, never changed."""
        return self.session is not None and self.session.detail.summary.withdrawn is not None

    def _show_withdrawal(self) -> None:
        """The banner, and every editor disabled, for a withdrawn case; the editors as the
        item and the case allow for any other. What was recorded stays visible."""
        summary = self.session.detail.summary if self.session is not None else None
        read_only = self.read_only
        self.withdrawn_banner.show_withdrawal(
            summary.reference if summary else "", summary.withdrawn if summary else None
        )
        for panel in (self.prompt_panel, self.judgement_panel):
            if panel.note.isReadOnly() != read_only:  # shown on every item: no event if same
                panel.note.setReadOnly(read_only)
        attributes = self.attributes.widget()  # the editors, not the scroll bar
        if attributes is not None:
            attributes.setEnabled(not read_only)
        replies = (
            self.prompt_panel.qa_box.reply_button,
            self.judgement_panel.qa_box.reply_button,
            self.case_comments.reply_button,
        )
        if not read_only:  # what the panels and the completion view do not set themselves
            for button in (self.prompt_panel.change_reason, self.completion.resubmit, *replies):
                button.setEnabled(True)
            return
        for button in (
            *replies,
            self.prompt_panel.yes,
            self.prompt_panel.no,
            self.prompt_panel.na,
            self.prompt_panel.clear,
            self.prompt_panel.change_reason,
            self.judgement_panel.yes,
            self.judgement_panel.no,
            self.judgement_panel.na,
            self.judgement_panel.clear,
            self.completion.mark_complete,
            self.completion.resubmit,
        ):
            button.setEnabled(False)
        for name in EDITING_ACTIONS:
            self.actions_by_name[name].setEnabled(False)

    def _show_current(self) -> None:
        super()._show_current()
        self._show_withdrawal()

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
            session.internal_error.connect(self.internal_error)
            session.marked_complete.connect(self._marked_complete)
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
            lambda service: (
                qa_comments(service, case_id),
                review_state(service, case_id),
                last_reason(service, case_id),
            ),
            lambda found: self._show_comments(case_id, *found),
            failed,
        )

    def reply_to_qa(self, comment: QaComment) -> None:
        """Answer a review thread, perhaps changing the item's answer (ui/qa/reply.py)."""
        from ui.qa.reply import reply_to_thread

        if self.session is not None and self.framework is not None:
            reply_to_thread(self, self.session, self.framework, comment)

    def resubmit(self) -> None:
        """Send a case returned for changes back to quality assurance."""
        if self.session is None:
            return
        case_id = self.session.case_id

        def done(_state: object) -> None:
            self.message.emit("The case is resubmitted to quality assurance.")
            self._load_comments(case_id)

        def failed(error: BaseException) -> None:
            if isinstance(error, FieldworkError):
                self.banner.show_problem(error.message, retryable=False)
            else:
                self.internal_error.emit(error)

        self.runner.submit(lambda service: move(service, case_id, "resubmit"), done, failed)

    def _show_comments(
        self, case_id: str, found: list[QaComment], state: str | None = None, reason: str = ""
    ) -> None:
        if self.session is None or self.session.case_id != case_id:
            return  # another case was opened meanwhile
        self.completion.show_review(state, reason)
        by_item: dict[str, list[QaComment]] = {}
        for comment in found:
            by_item.setdefault(comment.item_id, []).append(comment)
        self._comments = by_item
        # the whole case's, and those on an attribute (no navigator item of their own)
        items = {i.item_id for i in self.session.detail.items}
        self.case_comments.show_comments([c for c in found if c.item_id not in items])
        self.navigator_model.set_commented({i for i in by_item if i})
        self.completion.show_threads(sorted(by_item))
        self._show_current()
        if found:
            count = len(found)
            self.message.emit(
                f"Quality assurance has left {count} comment{'s' if count != 1 else ''} on this "
                "case."
            )
        self.comments_shown.emit(case_id)

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

    # -- what the store says ---------------------------------------------------------------
    def _stored(self, session: CaseSession, detail: CaseDetail, change: Change | None) -> None:
        if change is not None:
            self.save_indicator.saved(change.saved_at)
            self.changed.emit(change)
        if session is self.session:
            self._refresh()

    def _marked_complete(self, change: Change) -> None:
        self.message.emit(f"Case {change.detail.summary.reference} marked complete.")

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
        status = summary.status if summary.withdrawn is None else "withdrawn: read-only"
        self.title.setText(
            f"{sample.reference_label} {summary.reference}  ·  {sample.title}  ·  "
            f"{status}  ·  {summary.done} of {summary.total} done"
        )
        self.navigator_model.set_case(framework, detail)
        self.completion.show_missing(detail.missing, summary.status)
        # through the tab bar: QTabWidget.setTabText lays out and repaints the whole side
        self.side.tabBar().setTabText(
            self.side.indexOf(self.completion), f"Missing: {len(detail.missing)}  (C)"
        )
        self._show_attributes()
        if self._current is not None:
            self._show_current()
        self._show_withdrawal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_side()
