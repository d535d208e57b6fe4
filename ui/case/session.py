"""One open case: its stored state, its undo stack, and the writes on their way to the store.

Every change is an ``Edit``: the service call that makes it (a callable, typed end to
end: an ``Answer`` from the button to ``Service.answer``), and what it sets. Edits run on
the runner's worker thread, in order; each returns the ``Change`` with the case as the
store now holds it (``Change.detail``), and that stored state is what the views show.

A write that fails (disk full, file gone, read-only) is never dropped: the edit is kept
as *pending*, the views go on showing what is stored, and ``retry()`` sends the pending
edits again. A later successful edit of the same thing (same item and field) supersedes
a pending one, so undoing a change that was never saved simply cancels it. An error that
is a bug (not a ``FieldworkError``) is logged with its traceback and reported as an
internal error; the edit is kept pending all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from fieldwork.answers import Answer
from fieldwork.applicability import ItemKind, ItemState
from fieldwork.errors import FieldworkError, InvalidChange
from fieldwork.framework import AttributeValue
from fieldwork.service import CaseDetail, Change, Service
from ui.runner import ServiceRunner

Key = tuple[str, str]  # (item or attribute id, field)
#: The stored value of each field an edit sets: an answer, a text, an attribute's value.
Value = Answer | str | AttributeValue
#: The service call of an edit: (service, case id, reason for changing a complete case).
Call = Callable[[Service, str, str], Change]

#: The answer an item's state holds; the other states hold none.
ANSWER_OF_STATE = {
    ItemState.YES: Answer.YES,
    ItemState.NO: Answer.NO,
    ItemState.NA_CHOICE: Answer.NOT_APPLICABLE,
}


@dataclass(frozen=True)
class Edit:
    """One change of the open case: the service call that makes it and the fields it sets."""

    target: str  # item id or attribute id
    values: tuple[tuple[str, Value], ...]  # field -> value, as the store will hold it
    description: str
    call: Call

    @property
    def key(self) -> Key:
        return (self.target, self.values[0][0])


def answer_words(value: Answer | None) -> str:
    return "no answer" if value is None else value.label


def _value_edit(item_id: str, value: Answer | None, na_reason: str, what: str, judge: bool) -> Edit:
    """Service.answer or Service.judge: the typed value, with the reason for not applicable."""
    values: tuple[tuple[str, Value], ...] = (("value", value),)
    reason: str | None = None
    if value is Answer.NOT_APPLICABLE or na_reason:
        reason = na_reason
        values += (("na_reason", na_reason),)

    def call(service: Service, case_id: str, edit_reason: str) -> Change:
        if judge:
            return service.judge(case_id, item_id, value, na_reason=reason, edit_reason=edit_reason)
        return service.answer(case_id, item_id, value, na_reason=reason, edit_reason=edit_reason)

    return Edit(item_id, values, what, call)


def answer_edit(prompt_id: str, value: Answer | None, na_reason: str = "") -> Edit:
    what = f"answer {answer_words(value)} to prompt {prompt_id}"
    return _value_edit(prompt_id, value, na_reason, what, judge=False)


JUDGEMENT_WORDS = {
    Answer.YES: "satisfactory",
    Answer.NO: "not satisfactory",
    Answer.NOT_APPLICABLE: "not applicable",
    None: "no judgement",
}


def judge_edit(key_question_id: str, value: Answer | None, na_reason: str = "") -> Edit:
    what = f"judgement {JUDGEMENT_WORDS[value]} on key question {key_question_id}"
    return _value_edit(key_question_id, value, na_reason, what, judge=True)


def note_edit(item_id: str, text: str, *, rationale: bool) -> Edit:
    what = "rationale for key question" if rationale else "note on prompt"

    def call(service: Service, case_id: str, edit_reason: str) -> Change:
        return service.set_note(case_id, item_id, text, edit_reason=edit_reason)

    return Edit(item_id, (("note", text),), f"{what} {item_id}", call)


def na_reason_edit(prompt_id: str, reason: str) -> Edit:
    def call(service: Service, case_id: str, edit_reason: str) -> Change:
        return service.set_na_reason(case_id, prompt_id, reason, edit_reason=edit_reason)

    return Edit(
        prompt_id,
        (("na_reason", reason),),
        f"reason for not applicable on prompt {prompt_id}",
        call,
    )


def attribute_edit(attribute_id: str, label: str, value: AttributeValue) -> Edit:
    if isinstance(value, bool):
        shown = "yes" if value else "no"
    else:
        shown = "not recorded" if value is None else value

    def call(service: Service, case_id: str, edit_reason: str) -> Change:
        return service.set_attribute(case_id, attribute_id, value, edit_reason=edit_reason)

    return Edit(attribute_id, (("attribute", value),), f"{label}: {shown}", call)


# -- undo commands: each redo/undo sends one edit through the session ----------------------
class EditCommand(QUndoCommand):
    """An undoable change: ``redo`` applies ``forward``, ``undo`` applies ``backward``."""

    def __init__(self, session: CaseSession, forward: Edit, backward: Edit, text: str):
        super().__init__(text)
        self.session = session
        self.forward = forward
        self.backward = backward

    def redo(self) -> None:
        self.session.apply(self.forward)

    def undo(self) -> None:
        self.session.apply(self.backward)


class AnswerCommand(EditCommand):
    """Service.answer: a prompt's Yes / No / Not applicable (with its reason)."""

    def __init__(self, session: CaseSession, prompt_id: str, value: Answer | None, na_reason: str):
        old_value = session.latest_answer(prompt_id)
        old_reason = session.latest_text(prompt_id, "na_reason")
        forward = answer_edit(prompt_id, value, na_reason)
        backward = answer_edit(
            prompt_id, old_value, old_reason if old_value is Answer.NOT_APPLICABLE else ""
        )
        super().__init__(session, forward, backward, forward.description.capitalize())


class JudgeCommand(EditCommand):
    """Service.judge: a key question judged satisfactory or not."""

    def __init__(
        self, session: CaseSession, key_question_id: str, value: Answer | None, na_reason: str = ""
    ):
        old_value = session.latest_answer(key_question_id)
        old_reason = session.latest_text(key_question_id, "na_reason")
        forward = judge_edit(key_question_id, value, na_reason)
        backward = judge_edit(
            key_question_id, old_value, old_reason if old_value is Answer.NOT_APPLICABLE else ""
        )
        super().__init__(session, forward, backward, forward.description.capitalize())


class NoteCommand(EditCommand):
    """Service.set_note: a prompt's note or a judgement's rationale, as typed.

    Successive saves of the same note while the inspector stays on the item merge into
    one command, so one undo takes back the whole stint of typing.
    """

    ID = 1

    def __init__(self, session: CaseSession, item_id: str, text: str, *, rationale: bool):
        forward = note_edit(item_id, text, rationale=rationale)
        backward = note_edit(item_id, session.latest_text(item_id, "note"), rationale=rationale)
        super().__init__(session, forward, backward, f"Edit {forward.description}")
        self.sealed = False

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (
            isinstance(other, NoteCommand)
            and not self.sealed
            and other.forward.target == self.forward.target
        ):
            self.forward = other.forward
            return True
        return False


class NaReasonCommand(EditCommand):
    """Service.set_na_reason: why a prompt is not applicable in this case."""

    def __init__(self, session: CaseSession, prompt_id: str, reason: str):
        forward = na_reason_edit(prompt_id, reason)
        backward = na_reason_edit(prompt_id, session.latest_text(prompt_id, "na_reason"))
        super().__init__(session, forward, backward, f"Change {forward.description}")


class AttributeCommand(EditCommand):
    """Service.set_attribute: a case attribute, after which what applies is re-evaluated."""

    def __init__(self, session: CaseSession, attribute_id: str, label: str, value: AttributeValue):
        old = session.latest_attribute(attribute_id)
        forward = attribute_edit(attribute_id, label, value)
        backward = attribute_edit(attribute_id, label, old)
        super().__init__(session, forward, backward, f"Set {forward.description}")


# -- the session -----------------------------------------------------------------------------
class CaseSession(QObject):
    """The open case's stored state and the traffic of its edits."""

    stored = Signal(object, object)  # CaseDetail, Change | None: what the store now holds
    saving = Signal(bool)  # writes are (or are no longer) on their way
    refused = Signal(str)  # the rules refused a change (the message says why)
    failed = Signal(str)  # a write failed; the edit is pending
    internal_error = Signal(object)  # a bug (not a FieldworkError); the edit is pending
    marked_complete = Signal(object)  # Change: the store marked the case complete
    pending_changed = Signal(int)  # number of edits waiting to be saved

    def __init__(self, runner: ServiceRunner, detail: CaseDetail, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.detail = detail
        self.case_id = detail.summary.id
        self.undo_stack = QUndoStack(self)
        self.edit_reason = ""
        self._in_flight: list[Edit] = []
        self._pending: dict[Key, Edit] = {}
        self.last_error: str = ""

    # -- what the store holds and what is on its way ---------------------------------------
    @property
    def is_complete(self) -> bool:
        return self.detail.summary.status == "complete"

    @property
    def needs_edit_reason(self) -> bool:
        """A completed case asks once per editing session why it is being changed."""
        return self.is_complete and not self.edit_reason.strip()

    @property
    def busy(self) -> bool:
        return bool(self._in_flight)

    @property
    def pending(self) -> list[Edit]:
        return list(self._pending.values())

    def _stored_value(self, target: str, field: str) -> Value:
        if field == "attribute":
            return self.detail.summary.attributes.get(target)
        item = self.detail.item(target)
        if field == "value":
            return ANSWER_OF_STATE.get(item.state)
        if field == "note":
            return item.note
        if field == "na_reason":
            return item.na_reason
        raise KeyError(field)

    def latest(self, target: str, field: str) -> Value:
        """The newest intended value: an edit on its way or pending, else what is stored."""
        for edits in (self._in_flight, list(self._pending.values())):
            for edit in reversed(edits):
                if edit.target == target:
                    for name, value in edit.values:
                        if name == field:
                            return value
        return self._stored_value(target, field)

    def latest_answer(self, item_id: str) -> Answer | None:
        """The item's newest intended answer or judgement."""
        value = self.latest(item_id, "value")
        return value if isinstance(value, Answer) else None

    def latest_text(self, item_id: str, field: str) -> str:
        """The item's newest intended ``note`` or ``na_reason``."""
        value = self.latest(item_id, field)
        return value if isinstance(value, str) else ""

    def latest_attribute(self, attribute_id: str) -> AttributeValue:
        value = self.latest(attribute_id, "attribute")
        return None if isinstance(value, Answer) else value

    # -- user edits (each one an undo command) ---------------------------------------------
    def answer(self, prompt_id: str, value: Answer | None, na_reason: str = "") -> None:
        if self.latest_answer(prompt_id) is value and not (
            value is Answer.NOT_APPLICABLE and na_reason
        ):
            return
        self.undo_stack.push(AnswerCommand(self, prompt_id, value, na_reason))

    def judge(self, key_question_id: str, value: Answer | None, na_reason: str = "") -> None:
        if self.latest_answer(key_question_id) is not value or (
            value is Answer.NOT_APPLICABLE and na_reason
        ):
            self.undo_stack.push(JudgeCommand(self, key_question_id, value, na_reason))

    def set_note(self, item_id: str, text: str) -> None:
        if self.latest_text(item_id, "note") == text:
            return
        rationale = self.detail.item(item_id).kind is ItemKind.JUDGEMENT
        self.undo_stack.push(NoteCommand(self, item_id, text, rationale=rationale))

    def seal_note(self) -> None:
        """The inspector left the item: the next note edit is a new undo step."""
        index = self.undo_stack.index()
        if index:
            top = self.undo_stack.command(index - 1)
            if isinstance(top, NoteCommand):
                top.sealed = True

    def set_na_reason(self, prompt_id: str, reason: str) -> None:
        if self.latest_text(prompt_id, "na_reason") != reason:
            self.undo_stack.push(NaReasonCommand(self, prompt_id, reason))

    def set_attribute(self, attribute_id: str, label: str, value: AttributeValue) -> None:
        if self.latest_attribute(attribute_id) != value:
            self.undo_stack.push(AttributeCommand(self, attribute_id, label, value))

    # -- the traffic -----------------------------------------------------------------------
    def apply(self, edit: Edit) -> None:
        """Send one edit to the store (called by the undo commands)."""
        self._in_flight.append(edit)
        if len(self._in_flight) == 1:
            self.saving.emit(True)
        case_id, reason = self.case_id, self.edit_reason
        self.runner.submit(
            lambda service: edit.call(service, case_id, reason),
            lambda change: self._saved(edit, change),
            lambda error: self._failed(edit, error),
        )

    def retry(self) -> None:
        """Send every pending edit again, oldest first."""
        edits, self._pending = list(self._pending.values()), {}
        self.pending_changed.emit(0)
        for edit in edits:
            self.apply(edit)

    def discard_pending(self) -> None:
        """The inspector chose to give up the edits that could not be saved."""
        self._pending.clear()
        self.pending_changed.emit(0)

    def mark_complete(self, on_refused: Callable[[BaseException], None]) -> None:
        """Ask the store to mark the case complete; a refusal (with the missing items) or a
        failure goes to ``on_refused``."""
        case_id = self.case_id
        self.saving.emit(True)
        self.runner.submit(
            lambda service: service.mark_complete(case_id),
            self._completed,
            lambda error: self._complete_failed(error, on_refused),
        )

    def _completed(self, change: Change) -> None:
        self.detail = change.detail
        self.saving.emit(bool(self._in_flight))
        self.stored.emit(change.detail, change)
        self.marked_complete.emit(change)

    def _complete_failed(
        self, error: BaseException, on_refused: Callable[[BaseException], None]
    ) -> None:
        self.saving.emit(bool(self._in_flight))
        on_refused(error)

    def _saved(self, edit: Edit, change: Change) -> None:
        self._in_flight.remove(edit)
        superseded = self._pending.pop(edit.key, None)
        self.detail = change.detail
        if not self._in_flight:
            self.saving.emit(False)
        if superseded is not None:
            self.pending_changed.emit(len(self._pending))
        self.stored.emit(change.detail, change)

    def _failed(self, edit: Edit, error: BaseException) -> None:
        self._in_flight.remove(edit)
        if not self._in_flight:
            self.saving.emit(False)
        if isinstance(error, InvalidChange):
            # The rules refused it (a bad date, an item that no longer applies): there is
            # nothing to retry, and the command that asked for it leaves the undo stack.
            self._withdraw(edit)
            self.refused.emit(error.message)
            self.stored.emit(self.detail, None)
            return
        self._pending.pop(edit.key, None)
        self._pending[edit.key] = edit
        self.pending_changed.emit(len(self._pending))
        if isinstance(error, FieldworkError):
            self.last_error = error.message
            self.failed.emit(f"Your {edit.description} was not saved. {error.message}")
        else:
            # A bug, not a problem of the disk or the data: the window's one failure path
            # logs it with its traceback and shows the internal-error dialog.
            self.last_error = f"an internal error ({type(error).__name__})"
            self.internal_error.emit(error)
        self.stored.emit(self.detail, None)

    def _withdraw(self, edit: Edit) -> None:
        index = self.undo_stack.index()
        if not index:
            return
        top = self.undo_stack.command(index - 1)
        if isinstance(top, EditCommand) and top.forward is edit:
            top.setObsolete(True)
            self.undo_stack.undo()  # an obsolete command is dropped, not undone
