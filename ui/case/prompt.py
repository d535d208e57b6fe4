"""The prompt panel: one prompt's wording, its answer and its note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QHBoxLayout,
    QWidget,
)

from fieldwork.answers import Answer
from fieldwork.applicability import CaseItem, ItemState
from fieldwork.bundles.comments import QaComment
from fieldwork.framework import Framework
from ui.case.navigator import ITEM_ID_ROLE, state_text
from ui.case.panel import ItemPanel, panel_button
from ui.icons import state_icon
from ui.widgets import FlowLayout, ScaledLabel


class PromptPanel(ItemPanel):
    """One prompt: its wording, its key question and standard, answers and a note."""

    answer_requested = Signal(object)  # Answer.YES | Answer.NO | None (clear)
    not_applicable_requested = Signal()
    na_reason_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Note", parent)
        self.kq_text = ScaledLabel("", self, accessible_name="Key question")
        self.yes = panel_button("Yes   (Y)", "Answer Yes", self)
        self.no = panel_button("No   (N)", "Answer No", self)
        self.na = panel_button("Not applicable…   (A)", "Answer Not applicable", self)
        self.clear = panel_button("Clear   (Del)", "Clear the answer", self, checkable=False)
        self.yes.clicked.connect(lambda: self._request(Answer.YES))
        self.no.clicked.connect(lambda: self._request(Answer.NO))
        self.na.clicked.connect(self._request_na)
        self.clear.clicked.connect(lambda: self._request(None))
        self.na_reason = ScaledLabel("", self, accessible_name="Reason for not applicable")
        self.change_reason = panel_button(
            "Change reason…", "Change the reason for not applicable", self, checkable=False
        )
        self.change_reason.clicked.connect(self.na_reason_requested)
        note_label = ScaledLabel("Note (saved as you type; E to edit)", self, bold=True)
        note_label.setBuddy(self.note)

        buttons = FlowLayout()
        for button in (self.yes, self.no, self.na, self.clear):
            buttons.addWidget(button)
        reason_row = QHBoxLayout()
        reason_row.addWidget(self.na_reason, 1)
        reason_row.addWidget(self.change_reason)
        layout = self.body_layout(under_context=self.kq_text)
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

    def _request(self, value: Answer | None) -> None:
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


class PromptAnswersModel(QStandardItemModel):
    """A key question's prompts and their answers, shown beside its judgement.

    The cells hold their text, icon and tooltip: laying out and painting the list calls no
    Python (a Python ``data()`` was called some 150 times for each judgement shown, each
    call waiting for the interpreter while the store's thread saved the answer)."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._items: list[CaseItem] = []

    def set_items(self, items: Sequence[CaseItem]) -> None:
        items = list(items)
        if [i.item_id for i in items] == [i.item_id for i in self._items]:
            changed = [n for n, (a, b) in enumerate(zip(self._items, items, strict=True)) if a != b]
            self._items = items
            for row in changed:
                self.setItem(row, 0, _answer_cell(items[row]))
            return
        self._items = items
        self.beginResetModel()
        self.blockSignals(True)  # one reset for the list, not a signal per row
        try:
            self.setRowCount(0)
            self.invisibleRootItem().appendRows([_answer_cell(item) for item in items])
        finally:
            self.blockSignals(False)
        self.endResetModel()


def _answer_cell(item: CaseItem) -> QStandardItem:
    text = f"{item.item_id}  {state_text(item)}: {item.text}"
    cell = QStandardItem(state_icon(item.state), text)
    cell.setData(text, Qt.ItemDataRole.AccessibleTextRole)
    cell.setToolTip(item.note or item.text)
    cell.setData(item.item_id, ITEM_ID_ROLE)
    cell.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    return cell
