"""The inspector's reply to a review thread, perhaps with a changed answer (issue 17).

The reply, and any change of answer with the reply as its reason, are one call of
``fieldwork.qa.threads.reply`` on the runner; the case is then read back and shown, and
its threads reloaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from fieldwork.answers import Answer
from fieldwork.bundles.comments import QaComment
from fieldwork.errors import FieldworkError
from fieldwork.framework import Framework
from fieldwork.qa import threads
from fieldwork.service import CaseDetail, Service

if TYPE_CHECKING:
    from ui.case.session import CaseSession
    from ui.case.view import CaseView

KEEP = "Keep the answer"


class ReplyDialog(QDialog):
    def __init__(self, parent: QWidget, comment: QaComment, current: str):
        super().__init__(parent)
        self.setWindowTitle("Reply to quality assurance — Fieldwork")
        layout = QVBoxLayout(self)
        said = QLabel(f"{comment.author}: {comment.comment}", self)
        said.setWordWrap(True)
        said.setAccessibleName("The quality assurance comment")
        layout.addWidget(said)
        form = QFormLayout()
        self.words = QPlainTextEdit(self)
        self.words.setAccessibleName("Your reply (the reason for any change)")
        form.addRow("&Reply:", self.words)
        self.answer = QComboBox(self)
        self.answer.setAccessibleName("Change the answer")
        self.answer.addItem(f"{KEEP} ({current or 'not answered'})", "")
        self.answer.addItem("Change to Yes", Answer.YES.value)
        self.answer.addItem("Change to No", Answer.NO.value)
        if comment.item_id:
            form.addRow("&Answer:", self.answer)
        else:
            self.answer.hide()
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Send reply")
        self.ok_button.setEnabled(False)
        self.words.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.words.toPlainText().strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def chosen(self) -> Answer | None:
        value = self.answer.currentData()
        return Answer(value) if value else None


def reply_to_thread(
    view: CaseView, session: CaseSession, framework: Framework, comment: QaComment
) -> ReplyDialog:
    """Open the reply dialog; on Send, reply on the runner and show the case as stored."""
    current = ""
    if comment.item_id:
        value = session.latest_answer(comment.item_id)
        current = value.label if value is not None else ""
    dialog = ReplyDialog(view, comment, current)
    case_id = comment.case_id

    def send() -> None:
        text, answer = dialog.words.toPlainText().strip(), dialog.chosen()

        def op(service: Service) -> CaseDetail:
            threads.reply(service, comment.id, text, answer=answer)
            return service.case(case_id)

        def done(detail: CaseDetail) -> None:
            if session.case_id == case_id:
                session.detail = detail
                session.stored.emit(detail, None)
            view.message.emit("Your reply to quality assurance is recorded.")
            view._load_comments(case_id)

        def failed(error: BaseException) -> None:
            if isinstance(error, FieldworkError):
                view.banner.show_problem(f"The reply was not recorded: {error.message}",
                                         retryable=False)  # fmt: skip
            else:
                view.internal_error.emit(error)

        view.runner.submit(op, done, failed)

    dialog.accepted.connect(send)
    dialog.open()
    return dialog
