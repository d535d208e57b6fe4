"""The editing part of the case view."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand

from fieldwork.answers import Answer
from fieldwork.applicability import CaseItem, ItemKind
from fieldwork.errors import CaseIncomplete, FieldworkError
from fieldwork.framework import AttributeValue
from ui.case.navigation import CaseNavigation
from ui.case.problems import ProblemBanner
from ui.widgets import announce, ask_reason


def command_target(command: QUndoCommand | None) -> str | None:
    """The item (or attribute) an undo command changes."""
    if command is None:
        return None
    for name in ("item_id", "target"):
        found = getattr(command, name, None)
        if isinstance(found, str):
            return found
    forward = getattr(command, "forward", None)
    found = getattr(forward, "target", None)
    return found if isinstance(found, str) else None


JUDGEMENT_WORDS = {Answer.YES: "Satisfactory", Answer.NO: "Not satisfactory"}


class CaseEdits(CaseNavigation):
    """The editing part of the case view: answers, judgements, notes, attributes, undo, and
    marking the case complete, each asking why first when the case is complete."""

    internal_error = Signal(object)  # a bug: the window reports it

    banner: ProblemBanner

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

    def _answer(self, value: Answer | None) -> None:
        session, item = self.session, self._current
        if session is None or item is None:
            return
        if not item.applies:
            self.message.emit(f"{item.item_id} does not apply to this case.")
            return

        def do() -> None:
            if item.kind is ItemKind.JUDGEMENT:
                session.judge(item.item_id, value)
            else:
                session.answer(item.item_id, value)
            self._answered(item, value)

        self._edit(do)

    def _answered(self, item: CaseItem, value: Answer | None) -> None:
        """With auto-advance, one key answers and moves on: to the rationale of a judgement
        that has none yet, else to the next item that needs an answer."""
        if not self.auto_advance or value is None or self.session is None:
            return
        # the focus moves on and a reader announces where it lands: first say what was
        # recorded where the inspector was
        judgement = item.kind is ItemKind.JUDGEMENT
        word = JUDGEMENT_WORDS.get(value, value.label) if judgement else value.label
        recorded = f"{item.item_id}: {word}"
        needs_rationale = judgement and value is not Answer.NOT_APPLICABLE  # NA has a reason
        if needs_rationale and not self.session.latest_text(item.item_id, "note").strip():
            announce(self.navigator, f"{recorded}. Now the rationale.")
            self.focus_note()
            return
        announce(self.navigator, recorded)
        self.advance_from(item.item_id)

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
            def do() -> None:
                edit(item.item_id, Answer.NOT_APPLICABLE, reason)
                self._answered(item, Answer.NOT_APPLICABLE)

            self._edit(do)

        what = "key question" if judgement else "prompt"
        ask_reason(
            self,
            "Not applicable",
            f"Why is {what} {item.item_id} not applicable in this case?\n{item.text}",
            with_reason,
            text=session.latest_text(item.item_id, "na_reason"),
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
            text=session.latest_text(item.item_id, "na_reason"),
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
        """Undo the last change and go back to its item, which shows its old answer again
        (auto-advance had moved on from it)."""
        session = self.session
        if session is not None and session.undo_stack.canUndo():
            self.flush()
            stack = session.undo_stack
            target = command_target(stack.command(stack.index() - 1))

            def do() -> None:
                stack.undo()
                self._return_to(target)

            self._edit(do)

    def redo(self) -> None:
        session = self.session
        if session is not None and session.undo_stack.canRedo():
            self.flush()
            stack = session.undo_stack
            target = command_target(stack.command(stack.index()))

            def do() -> None:
                stack.redo()
                self._return_to(target)

            self._edit(do)

    def _return_to(self, target: str | None) -> None:
        if target and self.navigator_model.index_of(target).isValid():
            self.go_to(target)

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

    def _show_attributes(self) -> None:
        session, framework = self.session, self.framework
        if session is None or framework is None:
            return
        summary = session.detail.summary
        self.attributes.show_case(
            framework.sample(summary.sample), summary.reference, summary.attributes
        )
