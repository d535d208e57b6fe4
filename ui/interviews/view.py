"""One interview, worked from the keyboard as the interviewee speaks.

The rows are the interview's attributes (the officer's grade first), then the questionnaire's
items. One key answers the current row and moves to the next: A agree, D disagree, Y yes,
N no, X not applicable (the reason is asked for at once), 1–9 a choice. Enter types free
text (or the reason, or a text attribute), E the item's note, Delete clears, Up/Down (or
K/J) move, F2 goes to the running notes and Escape back, Ctrl+Z / Ctrl+Shift+Z undo and
redo, Ctrl+Return marks the interview complete. The completion line always says what is
still missing. Every edit is an undo command that calls a named store method on the runner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fieldwork.interviews.questionnaire import (
    AGREE,
    DISAGREE,
    NO,
    NOT_APPLICABLE,
    YES,
    AnswerType,
    InterviewAttribute,
    Item,
    answer_label,
)
from fieldwork.interviews.store import (
    InterviewChange,
    InterviewDetail,
    InterviewIncomplete,
    Interviews,
)
from fieldwork.service import Service
from ui.runner import ServiceRunner

NOTES_SAVE_DELAY_MS = 400
LETTERS = {Qt.Key.Key_A: AGREE, Qt.Key.Key_D: DISAGREE, Qt.Key.Key_Y: YES, Qt.Key.Key_N: NO}


@dataclass(frozen=True)
class Row:
    """A row of the interview: an attribute or an item."""

    attribute: InterviewAttribute | None = None
    item: Item | None = None

    @property
    def id(self) -> str:
        if self.attribute is not None:
            return self.attribute.id
        assert self.item is not None
        return self.item.id


class FieldCommand(QUndoCommand):
    """One edit of an item's fields or of an attribute, undone by putting the old back."""

    def __init__(
        self,
        view: InterviewView,
        row: Row,
        new: Mapping[str, Any],
        old: Mapping[str, Any],
        text: str,
    ):
        super().__init__(text)
        self.view, self.row, self.new, self.old = view, row, dict(new), dict(old)

    def redo(self) -> None:
        self.view.apply(self.row, self.new, undoing=False)

    def undo(self) -> None:
        self.view.apply(self.row, self.old, undoing=True)


class RowList(QListWidget):
    """The rows; keys answer the current row (the view decides what each key does)."""

    def __init__(self, view: InterviewView):
        super().__init__(view)
        self.view = view
        self.setAccessibleName("Interview items")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.view.key(event):
            super().keyPressEvent(event)


class InterviewView(QWidget):
    """An interview's rows, answer editor, running notes and completion line."""

    loaded = Signal(object)  # InterviewDetail
    changed = Signal(object)  # InterviewChange, once the store has it
    failed = Signal(object)  # the error of an operation

    def __init__(self, runner: ServiceRunner, interview_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.interview_id = interview_id
        self.detail: InterviewDetail | None = None
        self.rows: list[Row] = []
        self.values: dict[str, dict[str, Any]] = {}  # row id → its fields, as last set here
        self.undo_stack = QUndoStack(self)
        self._editing: tuple[Row, str] | None = None  # (row, field) the editor is typing
        self.setWindowTitle("Interview")

        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.list = RowList(self)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.wording = QLabel(self)
        self.wording.setWordWrap(True)
        self.wording.setAccessibleName("Wording")
        self.editor = QLineEdit(self)
        self.editor.setAccessibleName("Answer text")
        self.editor.hide()
        self.editor.returnPressed.connect(self._commit_editor)
        self.editor.installEventFilter(self)
        self.notes = QPlainTextEdit(self)
        self.notes.setAccessibleName("Interview notes")
        self.notes.setPlaceholderText("Typed as the interviewee speaks; saved as you type")
        self.notes.installEventFilter(self)
        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(NOTES_SAVE_DELAY_MS)
        self._notes_timer.timeout.connect(self.save_notes)
        self.notes.textChanged.connect(self._notes_timer.start)
        self.completion = QLabel(self)
        self.completion.setWordWrap(True)
        self.completion.setAccessibleName("Still to do")

        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title)
        column.addWidget(self.list, 1)
        column.addWidget(self.wording)
        column.addWidget(self.editor)
        column.addWidget(self.completion)
        right = QWidget(self)
        notes_column = QVBoxLayout(right)
        notes_column.setContentsMargins(0, 0, 0, 0)
        notes_label = QLabel("&Notes (F2; Esc back to the items)", right)
        notes_label.setBuddy(self.notes)
        notes_column.addWidget(notes_label)
        notes_column.addWidget(self.notes, 1)
        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.list.currentRowChanged.connect(self._show_row)
        self._actions()
        self.resize(1000, 640)
        self.reload()

    def _actions(self) -> None:
        def add(text: str, keys: list[QKeySequence | str], slot: Callable[[], None]) -> QAction:
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        self.undo_action = add("&Undo", ["Ctrl+Z"], self.undo_stack.undo)
        self.redo_action = add("&Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], self.undo_stack.redo)
        self.complete_action = add("Mark &complete", ["Ctrl+Return"], self.mark_complete)
        self.notes_action = add("&Notes", ["F2"], self.notes.setFocus)

    # -- loading --------------------------------------------------------------------------
    def _run(
        self,
        op: Callable[[Interviews], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        def call(service: Service) -> Any:
            return op(Interviews(service))

        self.runner.submit(call, done, failed or self._failed)

    def reload(self, *, resync: bool = False) -> None:
        """Fetch the interview; ``resync``: show the store's values over what was typed here
        (after a change was refused)."""
        interview_id = self.interview_id
        if resync:
            self.detail = None  # shown afresh, as when first opened
        self._run(lambda store: store.detail(interview_id), self._show, self._load_failed)

    def _load_failed(self, error: BaseException) -> None:
        self.completion.setText(f"Cannot show this interview: {error}")
        self.failed.emit(error)

    def _show(self, detail: InterviewDetail) -> None:
        first = self.detail is None
        self.detail = detail
        summary = detail.summary
        self.setWindowTitle(f"{detail.questionnaire.title}: {summary.reference}")
        cases = ", ".join(summary.case_references) or "no case"
        self.title.setText(f"{detail.questionnaire.title}: {summary.reference} ({cases})")
        if first:
            self.rows = [Row(attribute=a) for a in detail.questionnaire.attributes]
            self.rows += [Row(item=entry.item) for entry in detail.items]
            for attribute in detail.questionnaire.attributes:
                self.values[attribute.id] = {"value": summary.attributes.get(attribute.id, "")}
            for entry in detail.items:
                a = entry.answer
                self.values[entry.item.id] = {
                    "value": a.value,
                    "na_reason": a.na_reason,
                    "note": a.note,
                }
            current = self.list.currentRow()
            self.list.clear()
            for row in self.rows:
                self.list.addItem(QListWidgetItem(self._row_text(row)))
            if current < 0:  # first shown: never over notes typed here and not yet saved
                self.notes.blockSignals(True)
                self.notes.setPlainText(summary.notes)
                self.notes.blockSignals(False)
            unanswered = detail.first_unanswered()
            start = 0
            required = [a.id for a in detail.questionnaire.attributes if a.required]
            if unanswered is not None and all(summary.attributes.get(a) for a in required):
                start = [r.id for r in self.rows].index(unanswered.item.id)
            self.list.setCurrentRow(start if current < 0 else current)
            self.list.setFocus()
        self._show_completion(summary.status, [f"{m.item_id} ({m.what})" for m in detail.missing])
        self.loaded.emit(detail)

    def _row_text(self, row: Row) -> str:
        fields = self.values.get(row.id, {})
        value = fields.get("value")
        if row.attribute is not None:
            return f"{row.attribute.label}: {value or '—'}"
        assert row.item is not None
        if row.item.answer is AnswerType.TEXT:
            shown = (value or "—") if value is None or len(value) < 60 else value[:57] + "…"
        else:
            shown = answer_label(value) or "—"
            if value == NOT_APPLICABLE:
                shown += f" ({fields.get('na_reason') or 'reason needed'})"
        note = " ✎" if fields.get("note") else ""
        return f"{row.item.text}  →  {shown}{note}"

    def _show_row(self, index: int) -> None:
        if not 0 <= index < len(self.rows):
            return
        row = self.rows[index]
        if row.attribute is not None:
            keys = (
                "  ".join(f"{n}: {c}" for n, c in enumerate(row.attribute.choices, start=1))
                or "Enter: type it"
            )
            self.wording.setText(f"{row.attribute.label}. Keys — {keys}")
            return
        item = row.item
        assert item is not None
        if item.answer is AnswerType.AGREEMENT:
            keys = "A agree · D disagree"
        elif item.answer is AnswerType.YES_NO:
            keys = "Y yes · N no"
        elif item.answer is AnswerType.CHOICE:
            keys = " · ".join(f"{n} {c}" for n, c in enumerate(item.choices, start=1))
        else:
            keys = "Enter: type what was said"
        if item.not_applicable:
            keys += " · X not applicable"
        standards = ", ".join(item.standards)
        self.wording.setText(f"{item.text}\n[{standards}] Keys — {keys} · E note · Delete clear")

    def _show_completion(self, status: str, missing: list[str]) -> None:
        if missing:
            listed = "; ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
            self.completion.setText(f"Status: {status}. Still to do ({len(missing)}): {listed}")
        else:
            self.completion.setText(
                f"Status: {status}. Nothing missing"
                + ("." if status == "complete" else ": Ctrl+Return marks it complete.")
            )

    # -- keys -------------------------------------------------------------------------------
    def current(self) -> Row | None:
        index = self.list.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def key(self, event: QKeyEvent) -> bool:
        """Handle a key pressed on the rows; False lets the list handle it (arrows)."""
        row = self.current()
        if row is None or self.detail is None:
            return False
        pressed = QKeySequence(event.keyCombination())
        for action in self.actions():  # the shortcuts, also where no shortcut map runs
            if pressed in action.shortcuts():
                action.trigger()
                return True
        plain = Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
        if event.modifiers() & ~plain:
            return False
        key = Qt.Key(event.key())
        if key == Qt.Key.Key_J:
            self._move(1)
            return True
        if key == Qt.Key.Key_K:
            self._move(-1)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._edit_text(row)
            return True
        if key == Qt.Key.Key_Delete:
            self.edit(row, {"value": None}, advance=False)
            return True
        if row.item is not None and key == Qt.Key.Key_E:
            self._open_editor(row, "note")
            return True
        choices = row.attribute.choices if row.attribute is not None else ()
        item = row.item
        if item is not None and item.answer is AnswerType.CHOICE:
            choices = item.choices
        if choices and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            n = key - Qt.Key.Key_1
            if n < len(choices):
                self.edit(row, {"value": choices[n]})
            return True
        if item is None:
            return False
        if key in LETTERS and LETTERS[key] in item.values():
            self.edit(row, {"value": LETTERS[key]})
            return True
        if key == Qt.Key.Key_X and item.not_applicable:
            self.edit(row, {"value": NOT_APPLICABLE}, advance=False)
            self._open_editor(row, "na_reason")
            return True
        return False

    def _move(self, step: int) -> None:
        self.list.setCurrentRow(max(0, min(len(self.rows) - 1, self.list.currentRow() + step)))

    def _edit_text(self, row: Row) -> None:
        typed = row.attribute is not None and not row.attribute.choices
        if typed or (row.item is not None and row.item.answer is AnswerType.TEXT):
            self._open_editor(row, "value")
        elif row.item is not None and self.values[row.id].get("value") == NOT_APPLICABLE:
            self._open_editor(row, "na_reason")

    def _open_editor(self, row: Row, field: str) -> None:
        self._editing = (row, field)
        labels = {"value": "Type the answer", "na_reason": "Why not applicable", "note": "Note"}
        self.editor.setPlaceholderText(f"{labels[field]} — Enter saves, Esc cancels")
        self.editor.setText(str(self.values[row.id].get(field) or ""))
        self.editor.show()
        self.editor.setFocus()

    def _commit_editor(self) -> None:
        if self._editing is None:
            return
        row, field = self._editing
        self._editing = None
        text = self.editor.text().strip()
        self.editor.hide()
        self.list.setFocus()
        self.edit(row, {field: text or (None if field == "value" else "")}, advance=True)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if event.type() == event.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            if watched is self.editor:
                self._editing = None
                self.editor.hide()
                self.list.setFocus()
                return True
            if watched is self.notes:
                self.save_notes()
                self.list.setFocus()
                return True
        return super().eventFilter(watched, event)

    # -- edits ------------------------------------------------------------------------------
    def edit(self, row: Row, new: Mapping[str, Any], *, advance: bool = True) -> None:
        """An edit from the keyboard: pushed as an undo command, and on to the next row."""
        old = {k: self.values[row.id].get(k) for k in new}
        if old == dict(new):
            if advance:
                self._move(1)
            return
        what = "answer" if "value" in new else next(iter(new)).replace("_", " ")
        self.undo_stack.push(FieldCommand(self, row, new, old, f"{what} to {row.id}"))
        if advance:
            self._move(1)

    def apply(self, row: Row, fields: Mapping[str, Any], *, undoing: bool) -> None:
        """Set fields here at once and in the store in order (called by the undo commands)."""
        self.values[row.id].update(fields)
        index = self.rows.index(row)
        self.list.item(index).setText(self._row_text(row))
        reason = ""
        if self.detail is not None and self.detail.summary.status == "complete":
            reason = "undo" if undoing else self._edit_reason()
        interview_id = self.interview_id
        if row.attribute is not None:
            value = str(fields.get("value") or "")
            attribute_id = row.id
            self._run(
                lambda s: s.set_attribute(interview_id, attribute_id, value, edit_reason=reason),
                self._changed,
            )
        else:
            item_id = row.id
            self._run(
                lambda s: s.set_fields(interview_id, item_id, fields, edit_reason=reason),
                self._changed,
            )

    def _edit_reason(self) -> str:
        reason, ok = QInputDialog.getText(
            self, "Change a complete interview", "This interview is complete. Why the change?"
        )
        return reason.strip() if ok else ""

    def _changed(self, change: InterviewChange) -> None:
        self.changed.emit(change)
        self.reload()

    def save_notes(self) -> None:
        self._notes_timer.stop()
        notes = self.notes.toPlainText()
        if self.detail is None or notes == self.detail.summary.notes:
            return
        reason = "notes added after completion" if self.detail.summary.status == "complete" else ""
        interview_id = self.interview_id
        self._run(lambda s: s.set_notes(interview_id, notes, edit_reason=reason), self._changed)

    def mark_complete(self) -> None:
        self.save_notes()
        interview_id = self.interview_id
        self._run(lambda s: s.mark_complete(interview_id), self._changed)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, InterviewIncomplete):
            status = self.detail.summary.status if self.detail else "in progress"
            self._show_completion(status, [f"{m.item_id} ({m.what})" for m in error.missing])
        else:
            self.completion.setText(f"Not saved: {error}")
        self.failed.emit(error)
        self.reload(resync=not isinstance(error, InterviewIncomplete))  # what the store holds

    def closeEvent(self, event: Any) -> None:
        self.save_notes()
        super().closeEvent(event)
