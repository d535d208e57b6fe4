"""The panel's and the lead inspector's decision on a rating."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldwork.scoring.rules import Rating

if TYPE_CHECKING:
    pass


# -- dialogs ----------------------------------------------------------------------------------
class DecisionDialog(QDialog):
    """A rating and the words behind it: the ratings panel's reasons or the lead inspector's
    evidence. OK is offered once the words are given."""

    def __init__(
        self,
        parent: QWidget,
        *,
        title: str,
        intro: str,
        rating: Rating | None,
        words_label: str,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        about = QLabel(intro, self)
        about.setWordWrap(True)
        about.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(about)
        form = QFormLayout()
        self.rating = QComboBox(self)
        self.rating.setAccessibleName("Rating")
        for choice in Rating:
            self.rating.addItem(choice.value, choice)
        if rating is not None:
            self.rating.setCurrentIndex(list(Rating).index(rating))
        form.addRow("&Rating:", self.rating)
        self.words = QPlainTextEdit(self)
        self.words.setAccessibleName(words_label)
        self.words.setTabChangesFocus(True)
        form.addRow(f"&{words_label}:", self.words)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.ok_button.setEnabled(False)
        self.words.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.words.toPlainText().strip()))
        )
        self.resize(520, 360)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def chosen(self) -> tuple[Rating, str]:
        return self.rating.currentData(), self.words.toPlainText().strip()
