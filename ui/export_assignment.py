"""Export an inspector's assignment: check first, then ask once.

The dialog opens on what export needs (an inspection, the inspectorate's keys, cases
allocated to someone) and offers the fix for what is missing in the GUI ("Make the keys
now…"); only then does it ask whose assignment, where, and the bundle's passphrase, which
is checked as it is typed. Nothing is written until every field is right.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldwork.bundles import container, meta
from fieldwork.keys import CENTRAL, ENCRYPTION, SIGNING, active_key
from fieldwork.service import Service
from ui.passphrase_fields import PassphraseFields


@dataclass(frozen=True)
class Readiness:
    """What exporting an assignment needs, as the workspace holds it now."""

    inspection: str  # '' if there is none yet
    central: bool
    have_keys: bool
    allocated: dict[str, int]  # inspector's name -> cases allocated to them

    @property
    def problems(self) -> list[str]:
        found = []
        if not self.central:
            found.append("Assignments are made in the central workspace.")
        if not self.inspection:
            found.append("There is no inspection yet: Central ▸ Inspection set-up… creates it.")
        if not self.allocated:
            found.append("There are no inspectors yet: add them in Central ▸ Inspection set-up….")
        elif not any(self.allocated.values()):
            found.append("No cases are allocated yet: Central ▸ Allocation… gives them out.")
        if not self.have_keys:
            found.append(
                "The inspectorate has no keys yet: they sign every bundle. Make them now "
                "(you choose the passphrase that protects them)."
            )
        return found


def readiness(service: Service, kind: str) -> Readiness:
    """Run on the store's thread."""
    inspection = service.inspection()
    counts = Counter(c.inspector_name for c in service.cases() if c.inspector_name)
    allocated = {i.name: counts.get(i.name, 0) for i in service.inspectors()}
    return Readiness(
        inspection=inspection.name if inspection else "",
        central=kind != "fieldwork",
        have_keys=active_key(service, CENTRAL, SIGNING) is not None,
        allocated=allocated,
    )


def return_problem(service: Service) -> str:
    """Why this laptop cannot write its return bundle yet ('' if it can). Run on the store's
    thread, before the inspector is asked for a file or a passphrase."""
    inspector_id = meta.get(service, meta.INSPECTOR_ID)
    if not meta.is_laptop(service) or not inspector_id:
        return (
            "return bundles are made in an inspector's fieldwork workspace: open your "
            "assignment bundle with Bundles ▸ Open an assignment as a new workspace…"
        )
    if active_key(service, CENTRAL, ENCRYPTION) is None or (
        active_key(service, inspector_id, SIGNING) is None
    ):
        return (
            "this workspace lacks the inspectorate's public key or your signing key: open your "
            "newest assignment bundle again (Bundles ▸ Import bundle…)"
        )
    return ""


@dataclass(frozen=True)
class AssignmentRequest:
    inspector: str
    path: Path
    passphrase: str
    keys_passphrase: str | None  # None when the keys are already unlocked this session


class MakeKeysDialog(QDialog):
    """Choose the passphrase that protects the inspectorate's new private keys."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Make the inspectorate's keys")
        self.setAccessibleName("Make the inspectorate's keys")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        intro = QLabel(
            "The keys sign every bundle the centre writes and open the bundles inspectors "
            "return. Their private half is kept in a file protected by this passphrase: "
            "write it down and keep it safe.",
            self,
        )
        intro.setWordWrap(True)
        self.fields = PassphraseFields("Keys", self)
        self.buttons = QDialogButtonBox(self)
        self.make = self.buttons.addButton("&Make the keys", QDialogButtonBox.ButtonRole.AcceptRole)
        self.make.setAccessibleName("Make the keys")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.fields.validity_changed.connect(self.make.setEnabled)
        self.make.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.setMinimumWidth(min(chars * 64, self.screen().availableGeometry().width() - 40))

    def accept(self) -> None:
        if not self.fields.acceptable:
            return
        super().accept()
        self.chosen.emit(self.fields.text())


class ExportAssignmentDialog(QDialog):
    """Checks, then asks: see the module's description."""

    submitted = Signal(object)  # AssignmentRequest
    make_keys_requested = Signal()

    def __init__(
        self,
        ready: Readiness,
        folder: Path,
        default_name: Callable[[str], str],
        *,
        keys_unlocked: bool,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Export an assignment")
        self.setAccessibleName("Export an assignment")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.folder = folder
        self.default_name = default_name
        self.keys_unlocked = keys_unlocked
        self.ready = ready

        self.checks = QLabel("", self)
        self.checks.setObjectName("exportChecks")
        self.checks.setWordWrap(True)
        self.checks.setAccessibleName("Before you can export")
        self.make_keys = QPushButton("Make the &keys now…", self)
        self.make_keys.setAccessibleName("Make the inspectorate's keys now")
        self.make_keys.setAutoDefault(False)
        self.make_keys.clicked.connect(self.make_keys_requested)

        self.inspector = QComboBox(self)
        self.inspector.setAccessibleName("Whose assignment")
        self.inspector.currentIndexChanged.connect(self._inspector_changed)
        self.file = QLineEdit(self)
        self.file.setAccessibleName("Bundle file")
        self.file.textChanged.connect(self._update)
        browse = QPushButton("&Browse…", self)
        browse.setAccessibleName("Choose the bundle file")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        self.passphrase = PassphraseFields("Bundle", self)
        self.passphrase.checked.connect(self._update)
        self.keys_passphrase = QLineEdit(self)
        self.keys_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.keys_passphrase.setAccessibleName("Passphrase of the inspectorate's keys")
        self.keys_passphrase.textChanged.connect(self._update)
        self.missing = QLabel("", self)
        self.missing.setWordWrap(True)
        self.missing.setAccessibleName("What is still needed")

        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)
        self.form_widget = QWidget(self)
        form = QFormLayout(self.form_widget)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        whose = QLabel("&Whose assignment:", self)
        whose.setBuddy(self.inspector)
        form.addRow(whose, self.inspector)
        where = QLabel("&File:", self)
        where.setBuddy(self.file)
        form.addRow(where, file_row)
        form.addRow(
            QLabel(
                "The bundle's passphrase: give it to the inspector separately (by phone, not "
                "in the same e-mail).",
                self,
            )
        )
        for label in self.form_widget.findChildren(QLabel):
            label.setWordWrap(True)
        form.addRow(self.passphrase)
        self.keys_label = QLabel("&Keys passphrase:", self)
        self.keys_label.setBuddy(self.keys_passphrase)
        form.addRow(self.keys_label, self.keys_passphrase)

        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setAccessibleName("Export")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        # everything but the buttons scrolls, so a small screen cuts nothing off
        body = QWidget(self)
        checks_row = QHBoxLayout()
        checks_row.addWidget(self.checks, 1)
        checks_row.addWidget(self.make_keys, 0, Qt.AlignmentFlag.AlignTop)
        inner = QVBoxLayout(body)
        inner.addLayout(checks_row)
        inner.addWidget(self.form_widget)
        inner.addWidget(self.missing)
        inner.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.setMinimumWidth(min(chars * 72, self.screen().availableGeometry().width() - 40))
        self.resize(
            chars * 90, self.fontMetrics().lineSpacing() * 34
        )  # WindowHelper trims it to the screen
        self.show_readiness(ready, keys_unlocked=keys_unlocked)

    # -- state -----------------------------------------------------------------------------
    def show_readiness(self, ready: Readiness, *, keys_unlocked: bool) -> None:
        """Show (again, after a fix) what export needs; the form only once all is there."""
        self.ready, self.keys_unlocked = ready, keys_unlocked
        problems = ready.problems
        self.checks.setText(
            "Before you can export:\n" + "\n".join(f"• {p}" for p in problems)
            if problems
            else f"Ready to export an assignment of {ready.inspection}."
        )
        self.make_keys.setVisible(ready.central and not ready.have_keys)
        self.form_widget.setEnabled(not problems)
        current = self.inspector.currentData()
        self.inspector.blockSignals(True)
        self.inspector.clear()
        for name, count in sorted(ready.allocated.items()):
            self.inspector.addItem(f"{name} ({count} case{'s' if count != 1 else ''})", name)
        with_cases = [n for n, c in sorted(ready.allocated.items()) if c]
        wanted = current if current in ready.allocated else next(iter(with_cases), None)
        index = self.inspector.findData(wanted)
        self.inspector.setCurrentIndex(max(index, 0))
        self.inspector.blockSignals(False)
        self._inspector_changed()
        asked = ready.have_keys and not keys_unlocked  # keys to unlock, not to make
        self.keys_label.setVisible(asked)
        self.keys_passphrase.setVisible(asked)
        if not problems:
            self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update()

    def _inspector_changed(self, *_args: object) -> None:
        name = self.inspector.currentData()
        if name:
            self.passphrase.user_inputs = (name, self.ready.inspection)
            if not self.file.isModified():
                self.file.setText(str(self.folder / self.default_name(name)))
        self._update()

    def problem(self) -> str:
        """Why Export cannot go ahead yet ('' when it can)."""
        if self.ready.problems:
            return "Fix what is listed above first."
        name = self.inspector.currentData()
        if not name:
            return "Choose whose assignment to export."
        if not self.ready.allocated.get(name):
            return f"{name} has no cases allocated: allocate some first."
        path = Path(self.file.text().strip()) if self.file.text().strip() else None
        if path is None:
            return "Choose where to save the bundle."
        if not path.parent.is_dir():
            return f"The folder {path.parent} does not exist."
        passphrase = self.passphrase.problem()
        if passphrase:
            return passphrase
        if not self.keys_unlocked and not self.keys_passphrase.text():
            return "Type the passphrase of the inspectorate's keys (to sign the bundle)."
        return ""

    def _update(self, *_args: object) -> None:
        problem = self.problem()
        self.missing.setText(problem)
        self.missing.setVisible(bool(problem))
        self.export_button.setEnabled(not problem)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            "Save assignment bundle",
            self.file.text(),
            f"Fieldwork bundles (*{container.EXTENSION})",
        )
        if chosen:
            self.file.setText(chosen)
            self.file.setModified(True)

    def request(self) -> AssignmentRequest:
        return AssignmentRequest(
            inspector=str(self.inspector.currentData()),
            path=Path(self.file.text().strip()),
            passphrase=self.passphrase.text(),
            keys_passphrase=None if self.keys_unlocked else self.keys_passphrase.text(),
        )

    def accept(self) -> None:
        if self.problem():
            self._update()
            return
        request = self.request()
        super().accept()
        self.submitted.emit(request)
