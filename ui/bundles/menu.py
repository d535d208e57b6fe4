"""The Bundles menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.bundles.actions import Bundles

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def install(window: MainWindow) -> None:
    """Add the Bundles menu to the main window."""
    bundles = Bundles(window)
    window.bundles = bundles  # type: ignore[attr-defined]
    menu = window.menu("&Bundles")
    for text, slot, name in (
        ("&Export bundle…", bundles.export, "export"),
        ("&Import bundle…", bundles.import_bundle, "import"),
        ("&Verify bundle…", bundles.verify, "verify"),
        ("&Sync", bundles.sync, "sync"),
        ("&Conflicts…", bundles.show_conflicts, "conflicts"),
    ):
        action = menu.addAction(text)
        action.setObjectName(f"bundles-{name}")
        action.triggered.connect(lambda _checked=False, slot=slot: slot())
    action = menu.addAction("&Open an assignment as a new workspace…")
    action.setObjectName("bundles-new-workspace")
    action.triggered.connect(lambda _checked=False: bundles.open_as_new_workspace())
    keys = menu.addMenu("&Keys")
    for text, slot, name in (
        ("&Make the inspectorate's keys…", bundles.make_keys, "keys-init"),
        ("&Rotate keys…", bundles.rotate_keys, "keys-rotate"),
        ("&List keys", bundles.list_keys, "keys-list"),
        ("Re&voke an inspector's key…", bundles.revoke_key, "keys-revoke"),
    ):
        action = keys.addAction(text)
        action.setObjectName(f"bundles-{name}")
        action.triggered.connect(lambda _checked=False, slot=slot: slot())
