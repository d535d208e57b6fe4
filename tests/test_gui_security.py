"""Issue 13's loose ends in the GUI.

A case withdrawn from the laptop by its next assignment: the laptop imports the assignment
through Bundles ▸ Import bundle…, the case list shows the case as withdrawn, and the case
view shows why in a banner with every editor disabled, while what was recorded stays on
screen. Another case is as editable as before.

Central ▸ Rotate the inspectorate's keys…: the dialog shows the key in use, refuses a wrong
passphrase with nothing changed, rotates on the store's thread, and ends with the new
fingerprint, which a laptop then sees in its next assignment."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from fieldwork.answers import Answer
from fieldwork.bundles.keystore import CENTRAL, SIGNING, active_key, public_keys
from fieldwork.service import Service
from tests import test_gui_bundles as gui
from tests.screen_probe import clipped
from tests.test_bundles_support import BUNDLE_PASS, CENTRAL_PASS, HELEN_PASS, World
from tests.test_withdrawn_cases import move_e000001, responses
from ui.case_list import Column
from ui.central.keys import RotateKeysDialog
from ui.main_window import MainWindow

# the bundle world and the window closer, as fixtures of this module
encryption_key, world_template, world, windows = (
    gui.encryption_key,
    gui.world_template,
    gui.world,
    gui.windows,
)
TIMEOUT = gui.TIMEOUT


def stored(qtbot: Any, window: MainWindow, reference: str) -> list[tuple[Any, ...]]:
    """The case's responses as the window's own store holds them."""
    found: list[list[tuple[Any, ...]]] = []
    window.runner.submit(lambda s: responses(s, reference), found.append)
    qtbot.waitUntil(lambda: bool(found), timeout=TIMEOUT)
    return found[0]


def open_case(qtbot: Any, window: MainWindow, reference: str) -> None:
    row = next(
        n
        for n in range(window.case_model.rowCount())
        if window.case_model.case_at(n).reference == reference
    )
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT):
        window.open_case(window.case_model.case_at(row).id)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=TIMEOUT)


def cell(window: MainWindow, reference: str, column: Column, role: Any = None) -> Any:
    model = window.case_model
    row = next(n for n in range(model.rowCount()) if model.case_at(n).reference == reference)
    index = model.index(row, int(column))
    return model.data(index) if role is None else model.data(index, role)


def test_a_withdrawn_case_is_shown_read_only_with_its_reason(qtbot, world: World):
    # Helen records one more answer; central moves E000001 to Tom and writes her next
    # assignment, which her laptop takes in through the GUI.
    with world.open(world.helen, "Helen") as laptop:
        held = laptop.find_case("E000001")
        laptop.answer(held.id, "2.1.3.1", Answer.NO)
    bundle = move_e000001(world)
    answers: dict[str, object] = {"open": bundle}
    window = gui.open_window(qtbot, world.helen, answers)
    window.bundles.ask_passphrase = lambda title, label: (
        BUNDLE_PASS if title == "Open assignment" else HELEN_PASS
    )
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    with qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT):
        gui.trigger(window, "import")
    assert answers["errors"] == []
    assert any("1 withdrawn (moved to another inspector: read-only here)" in m for m in said)

    # The case list says so, and why.
    assert cell(window, "E000001", Column.STATUS) == "withdrawn"
    assert cell(window, "E000001", Column.INSPECTOR) == "moved to another inspector"
    tip = cell(window, "E000001", Column.STATUS, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Read-only here: moved to another inspector, withdrawn on ")
    assert tip.endswith("by data team in central's assignment 2.")
    assert cell(window, "E000002", Column.STATUS) != "withdrawn"
    assert cell(window, "E000002", Column.INSPECTOR) == "Helen"

    open_case(qtbot, window, "E000001")
    view = window.case_view
    assert view.withdrawn_banner.isVisible()
    assert "E000001  ·  Case supervision  ·  withdrawn: read-only  ·" in view.title.text()
    text = view.withdrawn_banner.message.text()
    assert text.startswith("Case E000001 was moved to another inspector (withdrawn on ")
    assert "by data team in central's assignment 2). It is read-only on this laptop" in text
    before = stored(qtbot, window, "E000001")
    # What she recorded is on screen; nothing can change it.
    view.go_to("2.1.3.1")
    assert view.prompt_panel.no.isChecked()
    for button in (
        view.prompt_panel.yes,
        view.prompt_panel.no,
        view.prompt_panel.na,
        view.prompt_panel.clear,
        view.prompt_panel.qa_box.reply_button,
        view.case_comments.reply_button,
        view.completion.mark_complete,
    ):
        assert not button.isEnabled(), button.accessibleName()
    for name in ("answer_yes", "answer_no", "answer_na", "clear_answer", "mark_complete"):
        assert not view.actions_by_name[name].isEnabled(), name
    assert view.actions_by_name["next_item"].isEnabled()  # reading it still works
    assert not view.attributes.editor("rosh").isEnabled()
    view.go_to("2.1.1.2")
    note = view.prompt_panel.note
    assert note.toPlainText() == "No record of the risk assessment."
    assert note.isReadOnly()
    view.focus_navigator()
    qtbot.keyClick(view.navigator, Qt.Key.Key_Y)
    qtbot.mouseClick(view.prompt_panel.yes, Qt.MouseButton.LeftButton)
    note.setFocus()
    qtbot.keyClicks(note, " More.")
    note.flush()
    view.go_to("2.1.1")  # a judgement
    assert not view.judgement_panel.yes.isEnabled()
    assert view.judgement_panel.note.isReadOnly()
    assert view.judgement_panel.note.toPlainText() == "Key risks were missed."
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=TIMEOUT)
    assert stored(qtbot, window, "E000001") == before
    assert note.toPlainText() == "No record of the risk assessment."

    # A case she still holds: no banner, every editor as usual.
    view.close_requested.emit()
    open_case(qtbot, window, "E000002")
    assert not view.withdrawn_banner.isVisible()
    assert view.actions_by_name["answer_yes"].isEnabled()
    assert view.attributes.editor("rosh").isEnabled()
    view.go_to("2.1.1.2")
    assert view.prompt_panel.yes.isEnabled()
    assert not view.prompt_panel.note.isReadOnly()
    qtbot.mouseClick(view.prompt_panel.no, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: ("2.1.1.2", "no") in [r[:2] for r in stored(qtbot, window, "E000002")],
        timeout=TIMEOUT,
    )


# -- rotating central's keys ------------------------------------------------------------------
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
    # the passphrase is selected to type again, and Enter rotates (not Cancel)
    assert dialog.fields.passphrase.hasFocus() and dialog.fields.passphrase.hasSelectedText()

    # The right one: rotated in the background, and the dialog says what to tell inspectors.
    qtbot.keyClicks(dialog.fields.passphrase, CENTRAL_PASS)  # replaces the selected text
    with qtbot.waitSignal(dialog.rotated, timeout=TIMEOUT) as done:  # the keyboard alone
        qtbot.keyClick(dialog.fields.passphrase, Qt.Key.Key_Return)
    new = next(r for r in done.args[0] if r.purpose == SIGNING)
    assert new.id != old.id and new.endorsed_by == old.id
    said = dialog.done_text.text()
    qtbot.waitUntil(lambda: not clipped(dialog), timeout=TIMEOUT)  # what to do now fits
    assert not dialog.fields.isVisible() and dialog.close_button.hasFocus()
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
