"""The panels that show one item of a case: a prompt, or a key question's judgement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QListView,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fieldwork.applicability import CaseItem, ItemState
from fieldwork.bundles.comments import QaComment
from fieldwork.framework import Framework, KeyQuestion, Standard
from ui.icons import state_icon
from ui.navigator import ITEM_ID_ROLE, state_text
from ui.widgets import NoteEditor, ScaledLabel

Index = QModelIndex | QPersistentModelIndex


def guidance_text(framework: Framework, item: CaseItem) -> str:
    """What the framework says to guide this item: its own guidance, its key question's,
    the standard it serves, and the rule of who it applies to."""
    standard = framework.standard(item.standard_id)
    kq = framework.key_question(item.key_question_id)
    parts: list[str] = []
    own = None
    if item.item_id != kq.id:
        own = framework.prompt(item.item_id).guidance
    if own:
        parts.append(own)
    if kq.guidance:
        parts.append(kq.guidance)
    if item.rule_note:
        parts.append(f"Who this applies to: {item.rule_note}")
    if item.may_mark_na:
        parts.append(
            "The framework lets you answer Not applicable here, where the work was not "
            "needed in this case; say why."
        )
    if standard.statement:
        parts.append(f"Standard {standard.id}: {standard.statement}")
    if not parts:
        parts.append("The framework gives no further guidance for this item.")
    return "\n\n".join(parts)


def _button(text: str, accessible: str, parent: QWidget, *, checkable: bool = True) -> QPushButton:
    button = QPushButton(text, parent)
    button.setAccessibleName(accessible)
    button.setCheckable(checkable)
    button.setAutoDefault(False)
    return button


def _day(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:10]
    return f"{moment.day} {moment:%b %Y}"


class QaCommentBox(QFrame):
    """Central quality assurance's comments on this item, framed so they cannot be missed.
    Hidden when there are none."""

    def __init__(self, parent: QWidget | None = None, *, title: str = "Quality assurance comment"):
        super().__init__(parent)
        self.setObjectName("qaComment")
        self.setAccessibleName(title)
        self.setFrameShape(QFrame.Shape.Box)
        self.setLineWidth(2)
        # The highlight colour of the palette, so it reads in the light and the dark theme.
        self.setStyleSheet(
            "QFrame#qaComment { border: 2px solid palette(highlight); border-radius: 4px; }"
        )
        self._title = title
        self.heading = ScaledLabel(title, self, bold=True, accessible_name=f"{title} heading")
        self.text = ScaledLabel("", self, scale=1.1, accessible_name=title)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        self.hide()

    def show_comments(self, comments: Sequence[QaComment]) -> None:
        comments = list(comments)
        self.setVisible(bool(comments))
        if not comments:
            self.text.clear()
            return
        self.heading.setText(self._title + ("s" if len(comments) > 1 else ""))
        self.text.setText(
            "\n\n".join(f"{c.comment}\n— {c.author}, {_day(c.created_at)}" for c in comments)
        )


class _ItemPanel(QWidget):
    """What the prompt and judgement panels share: context, wording, guidance and a note."""

    note_edited = Signal(str, str)  # item id, text
    leave_note = Signal()

    def __init__(self, note_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.framework: Framework | None = None
        self.item: CaseItem | None = None
        self.context = ScaledLabel("", self, accessible_name="Standard and key question")
        self.heading = ScaledLabel("", self, scale=1.15, bold=True, accessible_name="Item")
        self.wording = ScaledLabel("", self, scale=1.25, accessible_name="Wording")
        self.rule = ScaledLabel("", self, accessible_name="Applicability")
        self.guidance = ScaledLabel("", self, accessible_name="Guidance")
        self.guidance.setFrameShape(QFrame.Shape.StyledPanel)
        self.guidance.setMargin(8)
        self.guidance.setVisible(False)
        self.state = ScaledLabel("", self, bold=True, accessible_name="State")
        self.qa_box = QaCommentBox(self)
        self.note = NoteEditor(note_name, self)
        self.note.edited.connect(self.note_edited)
        self.note.leave.connect(self.leave_note)
        # On a small screen (1280×720 at 150 % leaves 853×480) the panel scrolls rather
        # than squeezing or clipping its parts.
        self.body = QWidget(self)
        self.scroll = QScrollArea(self)
        self.scroll.setAccessibleName("Item panel")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)

    def body_layout(self) -> QVBoxLayout:
        """The layout of the panel's scrolled body (made once, by the subclass)."""
        layout = QVBoxLayout(self.body)
        self.scroll.setWidget(self.body)
        return layout

    def toggle_guidance(self) -> bool:
        self.guidance.setVisible(not self.guidance.isVisible())
        return self.guidance.isVisible()

    def _show_common(
        self, framework: Framework, item: CaseItem, standard: Standard, kq: KeyQuestion
    ) -> None:
        self.framework, self.item = framework, item
        self.context.setText(f"Standard {standard.id} {standard.title}  ›  Key question {kq.id}")
        self.guidance.setText(guidance_text(framework, item))
        if not item.applies:
            why = f": {item.rule_note}" if item.rule_note else ""
            self.rule.setText(f"Does not apply to this case{why}. It is skipped and not counted.")
        elif item.rule_note:
            self.rule.setText(item.rule_note)
        self.rule.setVisible(bool(self.rule.text()) and (not item.applies or bool(item.rule_note)))


class PromptPanel(_ItemPanel):
    """One prompt: its wording, its key question and standard, answers and a note."""

    answer_requested = Signal(object)  # "yes" | "no" | None (clear)
    not_applicable_requested = Signal()
    na_reason_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Note", parent)
        self.kq_text = ScaledLabel("", self, accessible_name="Key question")
        self.yes = _button("Yes   (Y)", "Answer Yes", self)
        self.no = _button("No   (N)", "Answer No", self)
        self.na = _button("Not applicable…   (A)", "Answer Not applicable", self)
        self.clear = _button("Clear   (Del)", "Clear the answer", self, checkable=False)
        self.yes.clicked.connect(lambda: self._request("yes"))
        self.no.clicked.connect(lambda: self._request("no"))
        self.na.clicked.connect(self._request_na)
        self.clear.clicked.connect(lambda: self._request(None))
        self.na_reason = ScaledLabel("", self, accessible_name="Reason for not applicable")
        self.change_reason = _button(
            "Change reason…", "Change the reason for not applicable", self, checkable=False
        )
        self.change_reason.clicked.connect(self.na_reason_requested)
        note_label = ScaledLabel("Note (saved as you type; E to edit)", self, bold=True)
        note_label.setBuddy(self.note)

        buttons = QHBoxLayout()
        for button in (self.yes, self.no, self.na, self.clear):
            buttons.addWidget(button)
        buttons.addStretch(1)
        reason_row = QHBoxLayout()
        reason_row.addWidget(self.na_reason, 1)
        reason_row.addWidget(self.change_reason)
        layout = self.body_layout()
        layout.addWidget(self.context)
        layout.addWidget(self.kq_text)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addWidget(self.heading)
        layout.addWidget(self.wording)
        layout.addWidget(self.rule)
        layout.addWidget(self.qa_box)
        layout.addWidget(self.guidance)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addWidget(self.state)
        layout.addLayout(buttons)
        layout.addLayout(reason_row)
        layout.addWidget(note_label)
        layout.addWidget(self.note, 1)
        self.setFocusProxy(self.yes)

    def show_item(
        self,
        framework: Framework,
        item: CaseItem,
        *,
        note: str,
        na_reason: str,
        comments: Sequence[QaComment] = (),
    ) -> None:
        standard = framework.standard(item.standard_id)
        kq = framework.key_question(item.key_question_id)
        self._show_common(framework, item, standard, kq)
        self.qa_box.show_comments(comments)
        self.kq_text.setText(kq.text)
        self.heading.setText(f"Prompt {item.item_id}")
        self.wording.setText(item.text)
        self.state.setText(state_text(item))
        self.yes.setChecked(item.state is ItemState.YES)
        self.no.setChecked(item.state is ItemState.NO)
        self.na.setChecked(item.state is ItemState.NA_CHOICE)
        for button in (self.yes, self.no, self.clear):
            button.setEnabled(item.applies)
        self.na.setEnabled(item.applies and item.may_mark_na)
        self.na.setToolTip(
            "Where the work was not needed in this case; you will be asked why."
            if item.may_mark_na
            else "The framework expects Yes or No for this prompt."
        )
        showing_reason = item.state is ItemState.NA_CHOICE
        self.na_reason.setVisible(showing_reason)
        self.change_reason.setVisible(showing_reason)
        if showing_reason:
            self.na_reason.setText(f"Not applicable because: {na_reason or '(no reason yet)'}")
        self.note.setEnabled(item.applies)
        self.note.load(item.item_id, note)

    def _request(self, value: str | None) -> None:
        self._restore_checks()
        self.answer_requested.emit(value)

    def _request_na(self) -> None:
        self._restore_checks()
        self.not_applicable_requested.emit()

    def _restore_checks(self) -> None:
        """The buttons show what is stored; a click only asks for a change."""
        state = self.item.state if self.item else None
        self.yes.setChecked(state is ItemState.YES)
        self.no.setChecked(state is ItemState.NO)
        self.na.setChecked(state is ItemState.NA_CHOICE)


class PromptAnswersModel(QAbstractListModel):
    """A key question's prompts and their answers, shown beside its judgement."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._items: list[CaseItem] = []

    def set_items(self, items: Sequence[CaseItem]) -> None:
        items = list(items)
        if [i.item_id for i in items] == [i.item_id for i in self._items]:
            changed = [n for n, (a, b) in enumerate(zip(self._items, items, strict=True)) if a != b]
            self._items = items
            for row in changed:
                index = self.index(row, 0)
                self.dataChanged.emit(
                    index,
                    index,
                    [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole],
                )
            return
        self.beginResetModel()
        self._items = items
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._items)):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{item.item_id}  {state_text(item)}: {item.text}"
        if role == Qt.ItemDataRole.DecorationRole:
            return state_icon(item.state)
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.note or item.text
        if role == ITEM_ID_ROLE:
            return item.item_id
        return None


class JudgementPanel(_ItemPanel):
    """A key question's judgement: satisfactory Yes or No, its rationale, and below it the
    answers to the key question's prompts, each row wrapped to the panel's width (the
    judgement is the inspector's, not a sum)."""

    judge_requested = Signal(object)  # "yes" | "no" | None (clear)
    jump_requested = Signal(str)  # a prompt's id

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Rationale", parent)
        self.question = ScaledLabel(
            "Is the work satisfactory?", self, bold=True, accessible_name="Question"
        )
        self.yes = _button("Satisfactory   (Y)", "Judge satisfactory", self)
        self.no = _button("Not satisfactory   (N)", "Judge not satisfactory", self)
        self.clear = _button("Clear   (Del)", "Clear the judgement", self, checkable=False)
        self.yes.clicked.connect(lambda: self._request("yes"))
        self.no.clicked.connect(lambda: self._request("no"))
        self.clear.clicked.connect(lambda: self._request(None))
        rationale_label = ScaledLabel(
            "Rationale (required; saved as you type; E to edit)", self, bold=True
        )
        rationale_label.setBuddy(self.note)
        self.needs_rationale = ScaledLabel("", self, accessible_name="Rationale needed")

        self.prompts = PromptAnswersModel(self)
        self.prompt_list = QListView(self)
        self.prompt_list.setModel(self.prompts)
        self.prompt_list.setAccessibleName("Answers to this key question's prompts")
        self.prompt_list.setWordWrap(True)
        self.prompt_list.setUniformItemSizes(False)
        self.prompt_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.prompt_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.prompt_list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.prompt_list.setSpacing(2)
        self.prompt_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.prompt_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for signal in (self.prompt_list.activated, self.prompt_list.clicked):
            signal.connect(lambda index: self.jump_requested.emit(index.data(ITEM_ID_ROLE)))
        answers_label = ScaledLabel("The prompts' answers", self, bold=True)
        answers_label.setBuddy(self.prompt_list)

        buttons = QHBoxLayout()
        for button in (self.yes, self.no, self.clear):
            buttons.addWidget(button)
        buttons.addStretch(1)
        left = QWidget(self)
        form = QVBoxLayout(left)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.question)
        form.addLayout(buttons)
        form.addWidget(rationale_label)
        form.addWidget(self.note, 1)
        form.addWidget(self.needs_rationale)
        right = QWidget(self)
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(answers_label)
        side.addWidget(self.prompt_list, 1)
        # The prompts' answers go below the rationale, the panel's full width: beside it
        # they were a column of one word per line on a laptop screen.
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setObjectName("judgement")
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.split = split

        layout = self.body_layout()
        layout.addWidget(self.context)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addWidget(self.heading)
        layout.addWidget(self.wording)
        layout.addWidget(self.rule)
        layout.addWidget(self.qa_box)
        layout.addWidget(self.guidance)
        layout.addWidget(self.state)
        layout.addWidget(split, 1)
        self.setFocusProxy(self.yes)

    def show_item(
        self,
        framework: Framework,
        item: CaseItem,
        prompts: Sequence[CaseItem],
        *,
        note: str,
        comments: Sequence[QaComment] = (),
    ) -> None:
        standard = framework.standard(item.standard_id)
        kq = framework.key_question(item.key_question_id)
        self._show_common(framework, item, standard, kq)
        self.qa_box.show_comments(comments)
        self.heading.setText(f"Judgement on key question {kq.id}")
        self.wording.setText(kq.text)
        self.state.setText(state_text(item))
        self.yes.setChecked(item.state is ItemState.YES)
        self.no.setChecked(item.state is ItemState.NO)
        for button in (self.yes, self.no, self.clear):
            button.setEnabled(item.applies)
        self.note.setEnabled(item.applies)
        self.note.load(item.item_id, note)
        judged = item.state in (ItemState.YES, ItemState.NO)
        self.needs_rationale.setText(
            "A rationale is required: say what the judgement rests on."
            if item.applies and judged and not note.strip()
            else ""
        )
        self.needs_rationale.setVisible(bool(self.needs_rationale.text()))
        self.prompts.set_items(prompts)

    def _request(self, value: str | None) -> None:
        state = self.item.state if self.item else None
        self.yes.setChecked(state is ItemState.YES)
        self.no.setChecked(state is ItemState.NO)
        self.judge_requested.emit(value)
