"""The judgement panel: a key question judged satisfactory or not, with its rationale."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fieldwork.answers import Answer
from fieldwork.applicability import CaseItem, ItemState
from fieldwork.bundles.comments import QaComment
from fieldwork.framework import Framework
from ui import theme
from ui.case.navigator import ITEM_ID_ROLE, state_text
from ui.case.panel import ItemPanel, panel_button
from ui.case.prompt import PromptAnswersModel
from ui.widgets import FlowLayout, ScaledLabel


class JudgementPanel(ItemPanel):
    """A key question's judgement: satisfactory Yes or No, its rationale, and below it the
    answers to the key question's prompts, each row wrapped to the panel's width (the
    judgement is the inspector's, not a sum)."""

    judge_requested = Signal(object)  # Answer.YES | Answer.NO | None (clear)
    not_applicable_requested = Signal()  # where the framework allows it; asks the reason
    jump_requested = Signal(str)  # a prompt's id

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Rationale", parent)
        self.question = ScaledLabel(
            "Is the work satisfactory?", self, bold=True, accessible_name="Question"
        )
        self.yes = panel_button("Satisfactory   (Y)", "Judge satisfactory", self)
        self.no = panel_button("Not satisfactory   (N)", "Judge not satisfactory", self)
        self.clear = panel_button("Clear   (Del)", "Clear the judgement", self, checkable=False)
        self.yes.clicked.connect(lambda: self._request(Answer.YES))
        self.no.clicked.connect(lambda: self._request(Answer.NO))
        self.na = panel_button("Not applicable…   (A)", "Judge not applicable", self)
        self.na_reason = ScaledLabel("", self, accessible_name="Reason for not applicable")
        self.clear.clicked.connect(lambda: self._request(None))
        self.na.clicked.connect(self._request_na)
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
        theme.plain_item_view(self.prompt_list)  # its rows painted without Python
        for signal in (self.prompt_list.activated, self.prompt_list.clicked):
            signal.connect(lambda index: self.jump_requested.emit(index.data(ITEM_ID_ROLE)))
        answers_label = ScaledLabel("The prompts' answers", self, bold=True)
        answers_label.setBuddy(self.prompt_list)

        buttons = FlowLayout()
        for button in (self.yes, self.no, self.na, self.clear):
            buttons.addWidget(button)
        left = QWidget(self)
        form = QVBoxLayout(left)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.question)
        form.addLayout(buttons)
        form.addWidget(self.na_reason)
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
        split.setStretchFactor(1, 3)  # most of the room to the answers, the rationale scrolls
        split.setChildrenCollapsible(False)
        self.split = split

        layout = self.body_layout()
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
        # Not applicable only where the framework allows it, with its reason shown.
        self.na.setVisible(item.may_mark_na)
        self.na.setEnabled(item.applies and item.may_mark_na)
        marked_na = item.state is ItemState.NA_CHOICE
        self.na.setChecked(marked_na)
        self.na_reason.setVisible(marked_na)
        if marked_na:
            self.na_reason.setText(f"Not applicable because: {item.na_reason or '(no reason yet)'}")
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

    def _request(self, value: Answer | None) -> None:
        state = self.item.state if self.item else None
        self.yes.setChecked(state is ItemState.YES)
        self.no.setChecked(state is ItemState.NO)
        self.na.setChecked(state is ItemState.NA_CHOICE)
        self.judge_requested.emit(value)

    def _request_na(self) -> None:
        self.na.setChecked(self.item is not None and self.item.state is ItemState.NA_CHOICE)
        self.not_applicable_requested.emit()
