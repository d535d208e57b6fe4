"""The Bundles menu.

The menu's actions (``ui.bundles.actions``) and the core's bundle modules behind them
(cryptography, zip files, the merge) are loaded when a bundle action is first used, or
``window.bundles`` first asked for, not at start-up. Whether this is the centre's
workspace or an inspector's is read at start-up, beside the case list, so the first
action already knows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldwork.bundles import meta

if TYPE_CHECKING:
    from ui.bundles.actions import Bundles
    from ui.main_window import MainWindow


def install(window: MainWindow) -> None:
    """Add the Bundles menu to the main window; ``window.bundles`` is made on first use."""
    kind: list[str] = []

    def make() -> Bundles:
        from ui.bundles.actions import Bundles

        made = Bundles(window)
        if kind:  # else its own reading of the kind, queued behind nothing slow, sets it
            made.kind = kind[0]
        return made

    window.provide("bundles", make)
    window.runner.submit(lambda s: meta.get(s, meta.KIND, "central"), kind.append)

    def call(method: str) -> None:
        getattr(window.bundles, method)()  # type: ignore[attr-defined]

    menu = window.menu("&Bundles")
    for text, method, name in (
        ("&Export bundle…", "export", "export"),
        ("&Import bundle…", "import_bundle", "import"),
        ("&Verify bundle…", "verify", "verify"),
        ("&Sync", "sync", "sync"),
        ("&Conflicts…", "show_conflicts", "conflicts"),
        ("&Open an assignment as a new workspace…", "open_as_new_workspace", "new-workspace"),
    ):
        action = menu.addAction(text)
        action.setObjectName(f"bundles-{name}")
        action.triggered.connect(lambda _checked=False, method=method: call(method))
    keys = menu.addMenu("&Keys")
    for text, method, name in (
        ("&Make the inspectorate's keys…", "make_keys", "keys-init"),
        ("&Rotate keys…", "rotate_keys", "keys-rotate"),
        ("&List keys", "list_keys", "keys-list"),
        ("Re&voke an inspector's key…", "revoke_key", "keys-revoke"),
    ):
        action = keys.addAction(text)
        action.setObjectName(f"bundles-{name}")
        action.triggered.connect(lambda _checked=False, method=method: call(method))
