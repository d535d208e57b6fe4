"""One open case: its stored state, its undo stack, and the writes on their way to the store.

Every change is an ``Edit``: one call of a named ``Service`` method on this case. Edits
run on the runner's worker thread, in order; each returns the change and the case as
the store now holds it, and that stored state is what the views show.

A write that fails (disk full, file gone, read-only) is never dropped: the edit is
kept as *pending*, the views go on showing what is stored, and ``retry()`` sends the
pending edits again. A later successful edit of the same thing (same item and field)
supersedes a pending one, so undoing a change that was never saved simply cancels it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from fieldwork.applicability import ItemKind
from fieldwork.errors import FieldworkError, InvalidChange
from fieldwork.framework import AttributeValue
from fieldwork.service import CaseDetail, Change, Service
from ui.runner import ServiceRunner

Key = tuple[str, str]  # (item or attribute id, field)


@dataclass(frozen=True)
class Edit:
    """One call of a named service method on the open case."""

    method: str  # answer | judge | set_note | set_na_reason | set_attribute
    target: str  # item id or attribute id
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    values: tuple[tuple[str, Any], ...]  # field -> value, as the store will hold it
    description: str

    @property
    def key(self) -> Key:
        return (self.target, self.values[0][0])

    def call(self, service: Service, case_id: str, edit_reason: str) -> Change:
        method = getattr(service, self.method)
        change: Change = method(
            case_id, self.target, *self.args, edit_reason=edit_reason, **dict(self.kwargs)
        )
        return change


ANSWER_WORDS = {"yes": "Yes", "no": "No", "na": "Not applicable", None: "no answer"}


def answer_edit(prompt_id: str, value: str | None, na_reason: str = "") -> Edit:
    kwargs: tuple[tuple[str, Any], ...] = ()
    values: tuple[tuple[str, Any], ...] = (("value", value),)
    if value == "na" or na_reason:
        kwargs = (("na_reason", na_reason),)
        values += (("na_reason", na_reason),)
    return Edit(
        "answer",
        prompt_id,
        (value,),
        kwargs,
        values,
        f"answer {ANSWER_WORDS[value]} to prompt {prompt_id}",
    )


def judge_edit(key_question_id: str, value: str | None) -> Edit:
    satisfactory = None if value is None else value == "yes"
    word = {"yes": "satisfactory", "no": "not satisfactory", None: "no judgement"}[value]
    return Edit(
        "judge",
        key_question_id,
        (satisfactory,),
        (),
        (("value", value),),
        f"judgement {word} on key question {key_question_id}",
    )


def note_edit(item_id: str, text: str, *, rationale: bool) -> Edit:
    what = "rationale for key question" if rationale else "note on prompt"
    return Edit("set_note", item_id, (text,), (), (("note", text),), f"{what} {item_id}")


def na_reason_edit(prompt_id: str, reason: str) -> Edit:
    return Edit(
        "set_na_reason",
        prompt_id,
        (reason,),
        (),
        (("na_reason", reason),),
        f"reason for not applicable on prompt {prompt_id}",
    )


def attribute_edit(attribute_id: str, label: str, value: AttributeValue) -> Edit:
    shown = {True: "yes", False: "no", None: "not recorded"}.get(value, value)  # type: ignore[call-overload]
    return Edit(
        "set_attribute",
        attribute_id,
        (value,),
        (),
        (("attribute", value),),
        f"{label}: {shown}",
    )


# -- undo commands: each redo/undo calls a named service method through the session --------
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

    def __init__(self, session: CaseSession, prompt_id: str, value: str | None, na_reason: str):
        old_value = session.latest(prompt_id, "value")
        old_reason = session.latest(prompt_id, "na_reason") or ""
        forward = answer_edit(prompt_id, value, na_reason)
        backward = answer_edit(prompt_id, old_value, old_reason if old_value == "na" else "")
        super().__init__(session, forward, backward, forward.description.capitalize())


class JudgeCommand(EditCommand):
    """Service.judge: a key question judged satisfactory or not."""

    def __init__(self, session: CaseSession, key_question_id: str, value: str | None):
        forward = judge_edit(key_question_id, value)
        backward = judge_edit(key_question_id, session.latest(key_question_id, "value"))
        super().__init__(session, forward, backward, forward.description.capitalize())


class NoteCommand(EditCommand):
    """Service.set_note: a prompt's note or a judgement's rationale, as typed.

    Successive saves of the same note while the inspector stays on the item merge into
    one command, so one undo takes back the whole stint of typing.
    """

    ID = 1

    def __init__(self, session: CaseSession, item_id: str, text: str, *, rationale: bool):
        forward = note_edit(item_id, text, rationale=rationale)
        backward = note_edit(item_id, session.latest(item_id, "note") or "", rationale=rationale)
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
        backward = na_reason_edit(prompt_id, session.latest(prompt_id, "na_reason") or "")
        super().__init__(session, forward, backward, f"Change {forward.description}")


class AttributeCommand(EditCommand):
    """Service.set_attribute: a case attribute, after which what applies is re-evaluated."""

    def __init__(self, session: CaseSession, attribute_id: str, label: str, value: AttributeValue):
        old = session.latest(attribute_id, "attribute")
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

    def stored_value(self, target: str, field: str) -> Any:
        if field == "attribute":
            return self.detail.summary.attributes.get(target)
        item = self.detail.item(target)
        if field == "value":
            return {
                "yes": "yes",
                "no": "no",
                "not applicable by choice": "na",
            }.get(item.state.value)
        return getattr(item, field)

    def latest(self, target: str, field: str) -> Any:
        """The newest intended value: an edit on its way or pending, else what is stored."""
        for edit in reversed(self._in_flight):
            for name, value in edit.values:
                if edit.target == target and name == field:
                    return value
        for edit in reversed(self._pending.values()):
            for name, value in edit.values:
                if edit.target == target and name == field:
                    return value
        return self.stored_value(target, field)

    # -- user edits (each one an undo command) ---------------------------------------------
    def answer(self, prompt_id: str, value: str | None, na_reason: str = "") -> None:
        if self.latest(prompt_id, "value") == value and not (value == "na" and na_reason):
            return
        self.undo_stack.push(AnswerCommand(self, prompt_id, value, na_reason))

    def judge(self, key_question_id: str, value: str | None) -> None:
        if self.latest(key_question_id, "value") != value:
            self.undo_stack.push(JudgeCommand(self, key_question_id, value))

    def set_note(self, item_id: str, text: str) -> None:
        if (self.latest(item_id, "note") or "") == text:
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
        if (self.latest(prompt_id, "na_reason") or "") != reason:
            self.undo_stack.push(NaReasonCommand(self, prompt_id, reason))

    def set_attribute(self, attribute_id: str, label: str, value: AttributeValue) -> None:
        if self.latest(attribute_id, "attribute") != value:
            self.undo_stack.push(AttributeCommand(self, attribute_id, label, value))

    # -- the traffic -----------------------------------------------------------------------
    def apply(self, edit: Edit) -> None:
        """Send one edit to the store (called by the undo commands)."""
        self._in_flight.append(edit)
        if len(self._in_flight) == 1:
            self.saving.emit(True)
        case_id, reason = self.case_id, self.edit_reason

        def op(service: Service) -> tuple[Change, CaseDetail]:
            change = edit.call(service, case_id, reason)
            return change, service.case(case_id)

        self.runner.submit(
            op,
            lambda result: self._saved(edit, result),
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

        def op(service: Service) -> tuple[Change, CaseDetail]:
            return service.mark_complete(case_id), service.case(case_id)

        self.saving.emit(True)
        self.runner.submit(
            op, self._completed, lambda error: self._complete_failed(error, on_refused)
        )

    def _completed(self, result: tuple[Change, CaseDetail]) -> None:
        change, detail = result
        self.detail = detail
        self.saving.emit(bool(self._in_flight))
        self.stored.emit(detail, change)

    def _complete_failed(
        self, error: BaseException, on_refused: Callable[[BaseException], None]
    ) -> None:
        self.saving.emit(bool(self._in_flight))
        on_refused(error)

    def _saved(self, edit: Edit, result: tuple[Change, CaseDetail]) -> None:
        change, detail = result
        self._in_flight.remove(edit)
        superseded = self._pending.pop(edit.key, None)
        self.detail = detail
        if not self._in_flight:
            self.saving.emit(False)
        if superseded is not None:
            self.pending_changed.emit(len(self._pending))
        self.stored.emit(detail, change)

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
        message = error.message if isinstance(error, FieldworkError) else repr(error)
        self.last_error = message
        self.pending_changed.emit(len(self._pending))
        self.failed.emit(f"Your {edit.description} was not saved. {message}")
        self.stored.emit(self.detail, None)

    def _withdraw(self, edit: Edit) -> None:
        index = self.undo_stack.index()
        if not index:
            return
        top = self.undo_stack.command(index - 1)
        if isinstance(top, EditCommand) and top.forward is edit:
            top.setObsolete(True)
            self.undo_stack.undo()  # an obsolete command is dropped, not undone
