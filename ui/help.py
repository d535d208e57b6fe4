"""Help ▸ Keyboard shortcuts (F1) and Help ▸ About.

Keys are written as the platform writes them (``Ctrl+Z`` on Windows and Linux, ``⌘Z`` on
a Mac) and only keys a laptop keyboard has are listed: Qt also binds Undo to F14 and to
a dedicated Undo key, which no inspector can press.
"""

from __future__ import annotations

import html
import platform
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import fieldwork
from fieldwork.framework import Framework
from ui.widgets import TAB_KEYS, shown_keys

#: Menu titles (without "&") in the order of the day's work, with the task they serve.
TASKS: tuple[tuple[str, str], ...] = (
    ("Case", "Open and leave a case"),
    ("Answer", "Answer (one key each)"),
    ("Go", "Move between items"),
    ("Interviews", "Interviews"),
    ("Edit", "Undo, find and settings"),
    ("File", "Workspace, printing and saving"),
    ("Bundles", "Bundles and sync"),
    ("Central", "Central work"),
    ("Help", "Help"),
)

#: Keys outside the menus, shown as their own task: moving between tabs everywhere (the
#: application's tab keys, ui.widgets.TAB_KEYS) and leaving a note.
OTHER_KEYS = (
    ("Next tab", tuple(k for k, step in TAB_KEYS if step > 0)),
    ("Previous tab", tuple(k for k, step in TAB_KEYS if step < 0 and "Backtab" not in k)),
    ("Leave a note and go back to the answers", ("Esc",)),
)

_KEYBOARD_SPECIALS = {
    Qt.Key.Key_Escape,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Insert,
    Qt.Key.Key_Delete,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_Left,
    Qt.Key.Key_Up,
    Qt.Key.Key_Right,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_Space,
    *(Qt.Key(Qt.Key.Key_F1.value + n) for n in range(12)),
}


def on_a_keyboard(sequence: QKeySequence) -> bool:
    """True if every key of the sequence is on an ordinary laptop keyboard (no F13–F35, no
    dedicated Undo, Copy or Help keys)."""
    if sequence.isEmpty():
        return False
    for n in range(sequence.count()):
        key = sequence[n].key()  # type: ignore[index]
        if key not in _KEYBOARD_SPECIALS and key.value >= Qt.Key.Key_Escape.value:
            return False
    return True


def key_text(sequences: Iterable[QKeySequence]) -> str:
    """The keys as the platform writes them, duplicates (Return and Enter) as one."""
    native = QKeySequence.SequenceFormat.NativeText
    out: list[str] = []
    for sequence in sequences:
        if not on_a_keyboard(sequence):
            continue
        if sequence.count() == 1 and sequence[0].key() == Qt.Key.Key_Enter:  # type: ignore[index]
            continue  # the keypad's Enter, shown once as Return
        text = sequence.toString(native)
        if text not in out:
            out.append(text)
    return ", ".join(out)


def key_groups(actions: Sequence[tuple[str, QAction]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(task, [(action, keys)]) in the order of TASKS; menus it does not name come last."""
    by_menu: dict[str, list[tuple[str, str]]] = {}
    for menu, action in actions:
        keys = key_text(shown_keys(action))
        if keys:
            by_menu.setdefault(menu, []).append((action.text().replace("&", ""), keys))
    groups = [(task, by_menu.pop(menu)) for menu, task in TASKS if menu in by_menu]
    groups.extend(sorted(by_menu.items()))
    native = QKeySequence.SequenceFormat.NativeText
    groups.append(
        (
            "Tabs and notes",
            [
                (name, ", ".join(QKeySequence(k).toString(native) for k in keys))
                for name, keys in OTHER_KEYS
            ],
        )
    )
    return groups


def show_keys(parent: QWidget, actions: Sequence[tuple[str, QAction]]) -> QDialog:
    rows = []
    for task, entries in key_groups(actions):
        rows.append(f"<tr><th colspan='2' align='left'><br>{html.escape(task)}</th></tr>")
        rows.extend(
            f"<tr><td>{html.escape(name)}</td><td><b>{html.escape(keys)}</b></td></tr>"
            for name, keys in entries
        )
    dialog, layout = _closable_dialog(parent, "Keyboard shortcuts")
    text = QTextBrowser(dialog)
    text.setAccessibleName("Shortcuts")
    text.setHtml(
        "<p>Single-letter keys work in the navigator and the item panel; in a note they "
        "type letters (Escape leaves the note).</p>"
        f"<table cellpadding='3'>{''.join(rows)}</table>"
    )
    layout.insertWidget(0, text)
    window = parent.window()
    dialog.resize(max(window.width() * 2 // 3, min(560, window.width())), window.height() * 5 // 6)
    dialog.open()
    return dialog


def _closable_dialog(parent: QWidget, title: str) -> tuple[QDialog, QVBoxLayout]:
    """A dialog with a Close button at the bottom of its layout, deleted once closed."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(buttons)
    return dialog, layout


def about_text(workspace: Path, framework: Framework | None) -> str:
    inspection_framework = (
        f"{framework.title}, version {framework.version}" if framework else "(not loaded yet)"
    )
    rows = (
        ("Version", f"Fieldwork {fieldwork.__version__}"),
        ("Inspection framework", inspection_framework),
        ("Built with", f"Qt {qVersion()}, PySide6 {PySide6.__version__}"),
        ("Python", f"{platform.python_version()} on {platform.system() or sys.platform}"),
        ("Workspace", str(workspace.resolve())),
    )
    body = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(value)}</td></tr>"
        for name, value in rows
    )
    return (
        "<h3>Fieldwork</h3><p>Case assessment for probation inspections.</p>"
        f"<table cellpadding='3'>{body}</table>"
    )


def show_about(parent: QWidget, workspace: Path, framework: Framework | None) -> QDialog:
    dialog, layout = _closable_dialog(parent, "About Fieldwork")
    label = QLabel(about_text(workspace, framework), dialog)
    label.setObjectName("aboutText")
    label.setAccessibleName("About Fieldwork")
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    layout.insertWidget(0, label)
    chars = label.fontMetrics().averageCharWidth()
    available = parent.screen().availableGeometry().width() - 40
    dialog.setMinimumWidth(min(chars * 70, available))
    dialog.open()
    return dialog
