"""The inspector's preferences (Edit ▸ Settings…), kept in the user's Qt settings.

Only how the workbench behaves for this person lives here; everything about an
inspection lives in its workspace.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

AUTO_ADVANCE_KEY = "preferences/auto_advance"
REOPEN_LAST_KEY = "preferences/reopen_last_workspace"
TEXT_SIZE_KEY = "preferences/text_size"
TEXT_SIZES = (100, 115, 130, 150)  # per cent of the system's text size


def _flag(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):  # INI files hand booleans back as text
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


class Preferences(QObject):
    """Typed access to the preferences; ``changed`` after any of them is set."""

    changed = Signal()

    def __init__(self, settings: QSettings, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self._system_point_size = 0.0

    @property
    def auto_advance(self) -> bool:
        """After a one-key answer, move on to the next item that needs one (on by default,
        as ODK Collect's "quick" forms do)."""
        return _flag(self.settings.value(AUTO_ADVANCE_KEY), True)

    @auto_advance.setter
    def auto_advance(self, on: bool) -> None:
        self._set(AUTO_ADVANCE_KEY, bool(on), True)

    @property
    def reopen_last(self) -> bool:
        """On starting, open the workspace used last (else ask which)."""
        return _flag(self.settings.value(REOPEN_LAST_KEY), True)

    @reopen_last.setter
    def reopen_last(self, on: bool) -> None:
        self._set(REOPEN_LAST_KEY, bool(on), True)

    @property
    def text_size(self) -> int:
        try:
            size = int(str(self.settings.value(TEXT_SIZE_KEY, 100)))
        except ValueError:
            return 100
        return size if size in TEXT_SIZES else 100

    @text_size.setter
    def text_size(self, percent: int) -> None:
        self._set(TEXT_SIZE_KEY, int(percent) if percent in TEXT_SIZES else 100, 100)

    def _set(self, key: str, value: object, default: object) -> None:
        # a preference left at its default is not written: the settings file holds only
        # what the inspector chose
        if value == default:
            self.settings.remove(key)
        else:
            self.settings.setValue(key, value)
        self.changed.emit()

    def apply_text_size(self, app: QApplication) -> None:
        """Scale the application's font; labels that scale with it follow."""
        font = QFont(app.font())
        if font.pointSizeF() <= 0:
            return
        if not self._system_point_size:
            self._system_point_size = font.pointSizeF()
        wanted = self._system_point_size * self.text_size / 100
        if abs(font.pointSizeF() - wanted) > 0.01:
            font.setPointSizeF(wanted)
            app.setFont(font)


class SettingsDialog(QDialog):
    """Edit ▸ Settings…: each change takes effect at once; Close leaves."""

    def __init__(self, preferences: Preferences, parent: QWidget | None = None):
        super().__init__(parent)
        self.preferences = preferences
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.auto_advance = QCheckBox(
            "&Move to the next item that needs an answer after each answer", self
        )
        self.auto_advance.setAccessibleName("Move on after each answer")
        self.auto_advance.setChecked(preferences.auto_advance)
        self.auto_advance.toggled.connect(self._auto_advance)
        advance_note = QLabel(
            "One key per answer: Y, N or A answers and moves on. Undo (Ctrl+Z) goes back to "
            "the item and its old answer.",
            self,
        )
        advance_note.setWordWrap(True)
        self.reopen_last = QCheckBox("&Open the last workspace when Fieldwork starts", self)
        self.reopen_last.setAccessibleName("Open the last workspace on start")
        self.reopen_last.setChecked(preferences.reopen_last)
        self.reopen_last.toggled.connect(self._reopen_last)
        self.text_size = QComboBox(self)
        self.text_size.setAccessibleName("Text size")
        for percent in TEXT_SIZES:
            self.text_size.addItem(f"{percent} %", percent)
        self.text_size.setCurrentIndex(TEXT_SIZES.index(preferences.text_size))
        self.text_size.currentIndexChanged.connect(self._text_size)
        text_label = QLabel("&Text size:", self)
        text_label.setBuddy(self.text_size)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(text_label, self.text_size)
        layout = QVBoxLayout(self)
        layout.addWidget(self.auto_advance)
        layout.addWidget(advance_note)
        layout.addWidget(self.reopen_last)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.setMinimumWidth(min(chars * 60, self.screen().availableGeometry().width() - 40))

    def _auto_advance(self, on: bool) -> None:
        self.preferences.auto_advance = on

    def _reopen_last(self, on: bool) -> None:
        self.preferences.reopen_last = on

    def _text_size(self, index: int) -> None:
        self.preferences.text_size = TEXT_SIZES[index]
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.preferences.apply_text_size(app)
