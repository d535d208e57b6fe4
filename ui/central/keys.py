"""Central ▸ Rotate the inspectorate's keys…: what ``fieldwork keys rotate`` does at central.

The dialog shows the fingerprint of the signing key in use, says what rotating does, asks
for the passphrase of the keys, rotates them on the store's thread
(``fieldwork.keys.rotate_central_keys``: a new signing key endorsed by the old one, a new
encryption key, the old ones retired and kept), and ends with the new fingerprint and what
to tell the inspectors. A wrong passphrase is refused before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QVBoxLayout

from fieldwork.bundles import meta
from fieldwork.keys import (
    CENTRAL,
    SIGNING,
    Keyring,
    PublicKeyRecord,
    active_key,
    keys_dir,
    rotate_central_keys,
)
from fieldwork.service import Service
from ui.central.dialog import CentralDialog
from ui.passphrase_fields import PassphraseFields
from ui.widgets import fit_wrapped_height

if TYPE_CHECKING:
    from ui.main_window import MainWindow

WHAT_IT_DOES = (
    "Rotating makes new keys for the inspectorate: a new signing key, endorsed (signed) by "
    "the current one, and a new encryption key. The current keys are retired but kept in the "
    "keys folder, so return bundles already encrypted to them can still be opened.\n\n"
    "Assignments written from now on are signed with the new key. A laptop that opens one "
    "checks the endorsement, shows the new fingerprint for the inspector to confirm with you, "
    "and from then on refuses assignments signed with the old key.\n\n"
    "Rotate when the keys may have been exposed (a copied keys folder, a passphrase that "
    "was overheard, someone who has left) or as your policy asks."
)
RULE = (
    "The passphrase that protects the inspectorate's keys now. The new keys are sealed "
    "under it too."
)


@dataclass(frozen=True)
class KeysState:
    central: bool
    signing: PublicKeyRecord | None  # the signing key in use; None before 'keys init'


def keys_state(service: Service) -> KeysState:
    """Run on the store's thread."""
    return KeysState(meta.is_central(service), active_key(service, CENTRAL, SIGNING))


def after_rotation(signing: PublicKeyRecord, folder: str) -> str:
    """What the dialog says once the keys are rotated: the new fingerprint, and what to
    tell the inspectors."""
    return (
        f"The inspectorate's new signing key is {signing.short}.\n\n"
        "Tell each inspector, by phone or in person (not with the bundle): their next "
        "assignment carries the new key, and when they open it Fieldwork shows the "
        f"inspectorate's key as {signing.short}; it must match. Assignments signed with the "
        "old key are refused from then on. Until they open that assignment, their return "
        "bundles are encrypted to the old key, which this workspace can still open.\n\n"
        f"Keep a copy of the keys folder somewhere safe: {folder}"
    )


class RotateKeysDialog(CentralDialog):
    """See the module's description."""

    rotated = Signal(list)  # the new PublicKeyRecords

    def __init__(self, window: MainWindow):
        super().__init__(window, "Rotate the inspectorate's keys")
        self.folder = keys_dir(window.workspace_path)
        self.state: KeysState | None = None
        self.current = QLabel("Reading the keys…", self)
        self.current.setAccessibleName("Current signing key")
        self.current.setWordWrap(True)
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation = explanation = QLabel(WHAT_IT_DOES, self)
        explanation.setWordWrap(True)
        explanation.setAccessibleName("What rotating does")
        self.fields = PassphraseFields("Keys", self, confirm=False)
        self.fields.rule.setText(RULE)
        self.fields.suggest.hide()  # this passphrase exists already: it is not chosen here
        self.fields.passphrase.textChanged.connect(self._update)
        self.done_text = QLabel("", self)
        self.done_text.setAccessibleName("The new keys")
        self.done_text.setWordWrap(True)
        self.done_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_text.hide()
        self.buttons = QDialogButtonBox(self)
        self.rotate_button = self.buttons.addButton(
            "&Rotate the keys", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.rotate_button.setAccessibleName("Rotate the keys")
        self.rotate_button.setDefault(True)  # Enter in the passphrase field rotates
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setAccessibleName("Close")
        self.buttons.accepted.connect(self.rotate)
        self.buttons.rejected.connect(self.reject)
        self.body = layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addWidget(explanation)
        layout.addWidget(self.fields)
        layout.addWidget(self.error)
        layout.addWidget(self.done_text)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.setMinimumWidth(min(chars * 72, self.screen().availableGeometry().width() - 40))
        self._update()
        self._submit(keys_state, self._show_state)

    def _show_state(self, state: KeysState) -> None:
        self.state = state
        if not state.central:
            self.current.setText(
                "This is an inspector's fieldwork workspace: the inspectorate's keys are "
                "rotated in the central workspace (your own key: Bundles ▸ Keys ▸ Rotate keys…)."
            )
        elif state.signing is None:
            self.current.setText(
                "The inspectorate has no keys yet: make them first (Bundles ▸ Keys ▸ Make the "
                "inspectorate's keys…)."
            )
        else:
            self.current.setText(
                f"The inspectorate's signing key now: {state.signing.short} "
                f"(made {state.signing.created_at[:10]})."
            )
        self._update()
        fit_wrapped_height(self, self.body)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_wrapped_height(self, self.body)

    def _update(self, *_args: object) -> None:
        ready = (
            self.state is not None
            and self.state.central
            and self.state.signing is not None
            and bool(self.fields.text())
            and not self.done_text.isVisible()
        )
        self.rotate_button.setEnabled(ready)

    def rotate(self) -> None:
        if not self.rotate_button.isEnabled():
            return
        self._clear_error()
        self.rotate_button.setEnabled(False)
        keyring = Keyring(self.folder, self.fields.text())

        def failed(error: BaseException) -> None:
            self._fail(error)
            self._update()
            # back to the passphrase, selected, to type again and press Enter (the rotate
            # button's disabling had moved the focus, and Enter with it, to Cancel)
            self.fields.passphrase.setFocus()
            self.fields.passphrase.selectAll()

        self.runner.submit(
            lambda service: rotate_central_keys(service, keyring),
            lambda records: self._rotated(records, keyring),
            failed,
        )

    def _rotated(self, records: list[PublicKeyRecord], keyring: Keyring) -> None:
        bundles = getattr(self.window_, "bundles", None)
        if bundles is not None:  # the keys are unlocked for the rest of the session
            bundles.keyring = keyring
        self.fields.passphrase.clear()
        # Done: what rotating would do and the passphrase give way to what to do now.
        self.explanation.hide()
        self.fields.hide()
        self.rotate_button.hide()  # once is enough
        signing = next(r for r in records if r.purpose == SIGNING)
        self.done_text.setText(after_rotation(signing, str(self.folder)))
        self.done_text.show()
        self.current.setText(
            f"The inspectorate's signing key now: {signing.short} (the old one is retired)."
        )
        self.close_button.setText("Close")
        self.close_button.setFocus()
        self._update()
        fit_wrapped_height(self, self.body)
        self.rotated.emit(records)
