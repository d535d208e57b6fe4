"""Passphrase fields that check as they are typed: the rule, a strength hint, a confirm
field and a suggestion, so a weak or mistyped passphrase is refused in the dialog before
anything else is asked (and before any work is done)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from fieldwork.passphrases import MIN_SCORE, Strength, assess, generate

RULE = (
    f"The passphrase must be hard to guess (strength {MIN_SCORE} of 4): four or more uncommon "
    "words, or use Suggest."
)


class PassphraseFields(QWidget):
    """A passphrase, its confirmation, the rule, a live strength hint and Suggest.

    ``acceptable`` is true once the passphrase is strong enough and typed the same twice;
    ``validity_changed`` says when that changes.
    """

    validity_changed = Signal(bool)
    checked = Signal()  # after every keystroke's check

    def __init__(
        self,
        what: str,
        parent: QWidget | None = None,
        *,
        confirm: bool = True,
        user_inputs: Sequence[str] = (),
    ):
        super().__init__(parent)
        self.user_inputs = tuple(user_inputs)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(f"{what} passphrase")
        self.again = QLineEdit(self)
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName(f"{what} passphrase again")
        self.again.setVisible(confirm)
        self.show_text = QCheckBox("Sho&w", self)
        self.show_text.setAccessibleName("Show the passphrase")
        self.show_text.toggled.connect(self._show)
        self.suggest = QPushButton("Su&ggest", self)
        self.suggest.setAccessibleName("Suggest a passphrase")
        self.suggest.setAutoDefault(False)
        self.suggest.clicked.connect(self._suggest)
        self.rule = QLabel(RULE, self)
        self.rule.setWordWrap(True)
        self.hint = QLabel("", self)
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Passphrase strength")
        self.match = QLabel("", self)
        self.match.setWordWrap(True)
        self.match.setAccessibleName("Passphrases match")
        self.match.setVisible(confirm)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.passphrase, 1)
        row.addWidget(self.show_text)
        row.addWidget(self.suggest)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        first = QLabel("&Passphrase:", self)
        first.setBuddy(self.passphrase)
        form.addRow(first, row)
        form.addRow("", self.rule)
        form.addRow("", self.hint)
        if confirm:
            second = QLabel("&Again:", self)
            second.setBuddy(self.again)
            form.addRow(second, self.again)
            form.addRow("", self.match)
        self._confirm = confirm
        self._acceptable = False
        self.strength: Strength = assess("")
        self.passphrase.textChanged.connect(self._check)
        self.again.textChanged.connect(self._check)
        self.setFocusProxy(self.passphrase)
        self._check()

    @property
    def acceptable(self) -> bool:
        return self._acceptable

    def text(self) -> str:
        return self.passphrase.text()

    def problem(self) -> str:
        """Why the passphrase cannot be used yet ('' when it can)."""
        if not self.strength.acceptable:
            return self.strength.hint
        if self._confirm and self.again.text() != self.passphrase.text():
            return "The two passphrases differ."
        return ""

    def _check(self) -> None:
        typed = self.passphrase.text()
        self.strength = assess(typed, user_inputs=self.user_inputs)
        self.hint.setText(self.strength.hint if typed else "")
        if self._confirm:
            again = self.again.text()
            if not again:
                self.match.setText("Type it again to confirm.")
            elif again == typed:
                self.match.setText("The two match.")
            else:
                self.match.setText("The two passphrases differ.")
        acceptable = self.strength.acceptable and (not self._confirm or self.again.text() == typed)
        self.passphrase.setAccessibleDescription(self.hint.text())
        if acceptable != self._acceptable:
            self._acceptable = acceptable
            self.validity_changed.emit(acceptable)
        self.checked.emit()

    def _show(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.passphrase.setEchoMode(mode)
        self.again.setEchoMode(mode)

    def _suggest(self) -> None:
        suggestion = generate()
        self.show_text.setChecked(True)  # a suggestion is for reading and writing down
        self.passphrase.setText(suggestion)
        self.again.setText(suggestion if self._confirm else "")
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
