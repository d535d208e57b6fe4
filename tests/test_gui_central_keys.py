"""Central ▸ Rotate the inspectorate's keys…: the dialog shows the key in use, refuses a
wrong passphrase with nothing changed, rotates on the store's thread, and ends with the new
fingerprint, which a laptop then sees in its next assignment."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from fieldwork.bundles.keystore import CENTRAL, SIGNING, active_key, public_keys
from fieldwork.service import Service
from tests import test_bundles_support as support
from tests import test_gui_bundles as gui
from tests.test_bundles_support import CENTRAL_PASS, HELEN_PASS, World
from ui.central.keys import RotateKeysDialog
from ui.main_window import MainWindow

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)
windows = gui.windows
TIMEOUT = gui.TIMEOUT


def open_dialog(qtbot: Any, window: MainWindow) -> RotateKeysDialog:
    menu = window.menu("&Central")
    actions = menu.actions() + [a for m in menu.findChildren(QMenu) for a in m.actions()]
    [action] = [a for a in actions if a.objectName() == "central-rotate-keys"]
    action.trigger()
    dialog = window.central.dialogs["rotate-keys"]  # type: ignore[attr-defined]
    assert isinstance(dialog, RotateKeysDialog)
    qtbot.waitUntil(lambda: dialog.state is not None, timeout=TIMEOUT)
    return dialog


def signing_keys(service: Service) -> list[tuple[str, str | None, str | None]]:
    return [(k.id, k.retired_at, k.endorsed_by) for k in public_keys(service, CENTRAL, SIGNING)]


def test_rotating_central_keys_from_the_central_menu(qtbot, world: World):
    with world.open_central() as central:
        old = active_key(central, CENTRAL, SIGNING)
        assert old is not None
        keys_before = signing_keys(central)
    files_before = sorted(p.name for p in world.central_keys().folder.iterdir())
    window = gui.open_window(qtbot, world.central, {})
    dialog = open_dialog(qtbot, window)
    assert old.short in dialog.current.text()
    assert not dialog.rotate_button.isEnabled()  # no passphrase yet

    # A wrong passphrase: refused, in the dialog, and nothing is written.
    qtbot.keyClicks(dialog.fields.passphrase, "not the passphrase of these keys")
    assert dialog.rotate_button.isEnabled()
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT) as refused:
        qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
    assert "passphrase" in refused.args[0]
    assert dialog.error.isVisible()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=TIMEOUT)
    assert sorted(p.name for p in world.central_keys().folder.iterdir()) == files_before

    # The right one: rotated in the background, and the dialog says what to tell inspectors.
    dialog.fields.passphrase.clear()
    qtbot.keyClicks(dialog.fields.passphrase, CENTRAL_PASS)
    with qtbot.waitSignal(dialog.rotated, timeout=TIMEOUT) as done:
        qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
    new = next(r for r in done.args[0] if r.purpose == SIGNING)
    assert new.id != old.id and new.endorsed_by == old.id
    said = dialog.done_text.text()
    assert f"new signing key is {new.short}" in said
    assert "Tell each inspector" in said and "next assignment" in said
    assert new.short in dialog.current.text()
    assert not dialog.rotate_button.isEnabled()  # once is enough
    assert not dialog.error.isVisible()
    assert window.bundles.keyring is not None  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=TIMEOUT)
    with qtbot.waitSignal(window.window_closed, timeout=TIMEOUT):
        window.close()

    with world.open_central() as central:
        keys_after = {k[0]: k for k in signing_keys(central)}
        assert keys_after[old.id][1] is not None  # retired
        assert keys_after[new.id][1] is None and keys_after[new.id][2] == old.id
        assert len(keys_after) == len(keys_before) + 1
    # Helen's next assignment is signed with the new key, endorsed by the one she trusts:
    # her laptop shows the fingerprint the dialog gave.
    opened = world.open_assignment(world.export_assignment("Helen"))
    assert opened.central_key_changed
    assert opened.central_key == new.short


def test_a_laptop_cannot_rotate_the_inspectorates_keys(qtbot, world: World):
    window = gui.open_window(qtbot, world.helen, {})
    dialog = open_dialog(qtbot, window)
    assert "rotated in the central workspace" in dialog.current.text()
    qtbot.keyClicks(dialog.fields.passphrase, HELEN_PASS)
    assert not dialog.rotate_button.isEnabled()
