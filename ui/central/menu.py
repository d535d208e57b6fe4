"""The Central menu's set-up actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

if TYPE_CHECKING:  # each dialog's module is loaded when it is first opened
    from ui.central.allocation import AllocationDialog
    from ui.central.dialog import CentralDialog
    from ui.central.import_cases import ImportCasesDialog
    from ui.central.keys import RotateKeysDialog
    from ui.central.setup import SetupDialog
    from ui.main_window import MainWindow


# -- the menu -------------------------------------------------------------------------------------
class Central(QObject):
    """The set-up actions of the Central menu of one main window."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.dialogs: dict[str, CentralDialog] = {}

    def _open(self, key: str, make: Callable[[MainWindow], CentralDialog]) -> Any:
        dialog = self.dialogs.get(key)
        if dialog is None:
            dialog = self.dialogs[key] = make(self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda _=None, key=key: self.dialogs.pop(key, None))
        dialog.show()
        dialog.activateWindow()
        return dialog

    def open_setup(self) -> SetupDialog:
        from ui.central.setup import SetupDialog

        return self._open("setup", SetupDialog)  # type: ignore[no-any-return]

    def open_import(self) -> ImportCasesDialog:
        from ui.central.import_cases import ImportCasesDialog

        return self._open("import", ImportCasesDialog)  # type: ignore[no-any-return]

    def open_allocation(self) -> AllocationDialog:
        from ui.central.allocation import AllocationDialog

        return self._open("allocation", AllocationDialog)  # type: ignore[no-any-return]

    def open_rotate_keys(self) -> RotateKeysDialog:
        from ui.central.keys import RotateKeysDialog

        return self._open("rotate-keys", RotateKeysDialog)  # type: ignore[no-any-return]


def install(window: MainWindow) -> None:
    """Add Inspection set-up…, Import cases…, Allocation… and Rotate the inspectorate's
    keys… to the Central menu."""
    central = Central(window)
    window.central = central  # type: ignore[attr-defined]
    menu = window.menu("&Central")
    if menu.actions():
        menu.addSeparator()
    for text, slot, name, tip in (
        (
            "Inspection &set-up…",
            central.open_setup,
            "setup",
            "Create the inspection and add its inspectors",
        ),
        (
            "Import &cases…",
            central.open_import,
            "import-cases",
            "Add a sample's cases from a CSV or Excel file",
        ),
        (
            "&Allocation…",
            central.open_allocation,
            "allocation",
            "Give cases to inspectors, by hand or in balance",
        ),
        (
            "Rotate the inspectorate's &keys…",
            central.open_rotate_keys,
            "rotate-keys",
            "New signing and encryption keys, endorsed by the old: what to tell inspectors",
        ),
    ):
        action = menu.addAction(text)
        action.setObjectName(f"central-{name}")
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False, slot=slot: slot())
