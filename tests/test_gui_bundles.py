"""The Bundles menu, driven through its actions: import with a preview, export, verify, sync
and conflicts. File and passphrase dialogs are answered through the ``ask_*`` seams; the
preview and conflicts dialogs are real and clicked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from fieldwork.answers import Answer
from fieldwork.bundles.importer import apply_import, plan_import
from fieldwork.store import is_encrypted, key_for
from tests import test_bundles_support as support
from tests.test_bundles_support import BUNDLE_PASS, CENTRAL_PASS, HELEN_PASS, World, file_hash
from ui.main_window import MainWindow
from ui.passphrase_fields import generate

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)
TIMEOUT = 30_000


def open_window(qtbot, path: Path, answers: dict[str, object]) -> MainWindow:
    """A main window on ``path`` whose dialogs are answered from ``answers``. Closed by the
    ``windows`` fixture once its last operation is done (qtbot would close it too early)."""
    # A laptop's workspace is encrypted with its inspector's key passphrase.
    passphrase = {"helen.fieldwork": HELEN_PASS, "tom.fieldwork": support.TOM_PASS}.get(path.name)
    key = key_for(path, passphrase) if passphrase and is_encrypted(path) else None
    window = MainWindow(path, user="tester", key=key)
    OPEN.append(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT):
        window.show()
    bundles = window.bundles
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=TIMEOUT)
    bundles.ask_open_file = lambda title: answers["open"]
    bundles.ask_save_file = lambda title, name: answers["save"]
    bundles.ask_passphrase = lambda title, label: answers["passphrase"]
    bundles.ask_folder = lambda title: answers.get("folder")
    bundles.show_text = lambda title, text: answers.setdefault("shown", []).append(text)
    errors: list[BaseException] = answers.setdefault("errors", [])  # type: ignore[assignment]
    window.show_error = errors.append  # type: ignore[method-assign]
    return window


def trigger(window: MainWindow, name: str) -> None:
    menu = window.menu("&Bundles")
    actions = menu.actions() + [a for m in menu.findChildren(QMenu) for a in m.actions()]
    [action] = [a for a in actions if a.objectName() == f"bundles-{name}"]
    action.trigger()


OPEN: list[MainWindow] = []


@pytest.fixture(autouse=True)
def windows(qtbot) -> Iterator[None]:
    """Close every window a test opened, once its last operation has finished."""
    yield
    while OPEN:
        window = OPEN.pop()
        if not window._closed:
            qtbot.waitUntil(lambda window=window: not window.runner.busy, timeout=TIMEOUT)
            with qtbot.waitSignal(window.window_closed, timeout=TIMEOUT):
                window.close()
        window.deleteLater()


def test_the_bundles_menu_has_its_actions(qtbot, world: World):
    window = open_window(qtbot, world.central, {})
    titles = [a.text() for a in window.menu("&Bundles").actions()]
    assert titles[:5] == [
        "&Export bundle…",
        "&Import bundle…",
        "&Verify bundle…",
        "&Sync",
        "&Conflicts…",
    ]


def test_import_shows_a_preview_and_imports_on_confirmation(qtbot, world: World):
    answers = {"open": world.returned, "passphrase": CENTRAL_PASS}
    window = open_window(qtbot, world.central, answers)
    with qtbot.waitSignal(window.bundles.previewing, timeout=TIMEOUT) as shown:
        trigger(window, "import")
    dialog = shown.args[0]
    assert "3 new" in dialog.summary.text()
    rows = dialog.row_texts()
    assert any("E000001" in row and "3 answers and judgements" in row for row in rows)
    with qtbot.waitSignal(window.bundles.imported, timeout=TIMEOUT) as done:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert done.args[0].counts["new"] == 3
    states: list[str] = []

    def state(service):
        return service.case(service.find_case("E000001").id).item("2.1.1.2").state

    window.runner.submit(state, states.append)
    qtbot.waitUntil(lambda: bool(states), timeout=TIMEOUT)
    assert states == ["no"]
    assert answers["errors"] == []


def test_cancelling_the_preview_changes_nothing(qtbot, world: World):
    before = file_hash(world.central)
    answers = {"open": world.returned, "passphrase": CENTRAL_PASS}
    window = open_window(qtbot, world.central, answers)
    with qtbot.waitSignal(window.bundles.previewing, timeout=TIMEOUT) as shown:
        trigger(window, "import")
    shown.args[0].reject()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=TIMEOUT)
    with qtbot.waitSignal(window.window_closed, timeout=TIMEOUT):
        window.close()
    assert file_hash(world.central) == before


def test_a_bad_bundle_is_shown_as_an_error_and_changes_nothing(qtbot, world: World):
    bad = world.folder / "bad.fwb"
    bad.write_bytes(b"not a bundle")
    before = file_hash(world.central)
    answers = {"open": bad, "passphrase": CENTRAL_PASS}
    window = open_window(qtbot, world.central, answers)
    trigger(window, "import")
    qtbot.waitUntil(lambda: bool(answers["errors"]), timeout=TIMEOUT)
    assert "not a zip" in answers["errors"][0].message
    with qtbot.waitSignal(window.window_closed, timeout=TIMEOUT):
        window.close()
    assert file_hash(world.central) == before


def test_a_wrong_key_passphrase_is_asked_again(qtbot, world: World):
    answers = {"open": world.returned, "passphrase": "wrong"}
    window = open_window(qtbot, world.central, answers)
    trigger(window, "import")
    qtbot.waitUntil(lambda: bool(answers["errors"]), timeout=TIMEOUT)
    assert "wrong passphrase" in answers["errors"][0].message
    answers["passphrase"] = CENTRAL_PASS
    with qtbot.waitSignal(window.bundles.previewing, timeout=TIMEOUT):
        trigger(window, "import")


def test_a_laptop_exports_its_return_bundle(qtbot, world: World):
    target = world.folder / "from-gui.fwb"
    answers = {"save": target, "passphrase": HELEN_PASS}
    window = open_window(qtbot, world.helen, answers)
    with qtbot.waitSignal(window.bundles.exported, timeout=TIMEOUT) as done:
        trigger(window, "export")
    assert done.args[0].sequence == 2 and target.exists()
    with qtbot.waitSignal(window.window_closed, timeout=TIMEOUT):
        window.close()
    with world.open_central() as central:
        assert apply_import(central, plan_import(central, target, world.central_keys()))


def test_central_exports_an_assignment(qtbot, world: World):
    target = world.folder / "helen-2.fwb"
    window = open_window(qtbot, world.central, {})
    trigger(window, "export")
    qtbot.waitUntil(lambda: window.bundles.export_dialog is not None, timeout=TIMEOUT)
    dialog = window.bundles.export_dialog
    dialog.inspector.setCurrentIndex(dialog.inspector.findData("Helen"))
    dialog.file.setText(str(target))
    dialog.file.setModified(True)
    strong = generate()
    dialog.passphrase.passphrase.setText(strong)
    dialog.passphrase.again.setText(strong)
    dialog.keys_passphrase.setText(CENTRAL_PASS)
    assert dialog.export_button.isEnabled(), dialog.problem()
    with qtbot.waitSignal(window.bundles.exported, timeout=TIMEOUT) as done:
        dialog.export_button.click()
    assert done.args[0].kind == "assignment" and done.args[0].sequence == 2
    assert done.args[0].path == target


def test_verify_describes_a_bundle(qtbot, world: World):
    answers = {"open": world.returned, "passphrase": CENTRAL_PASS}
    window = open_window(qtbot, world.central, answers)
    with qtbot.waitSignal(window.bundles.verified, timeout=TIMEOUT) as done:
        trigger(window, "verify")
    text = "\n".join(done.args[0])
    assert "Kind:        return" in text and "SHA-256 of every entry" in text


def test_sync_at_the_centre_imports_with_progress(qtbot, world: World):
    share = world.folder / "share"
    share.mkdir()
    (share / world.returned.name).write_bytes(world.returned.read_bytes())
    answers = {"folder": share, "passphrase": CENTRAL_PASS}
    window = open_window(qtbot, world.central, answers)
    steps = []
    window.bundles.progressed.connect(lambda *step: steps.append(step))
    with qtbot.waitSignal(window.bundles.synced, timeout=TIMEOUT) as done:
        trigger(window, "sync")
    assert [r.sequence for r in done.args[0].imported] == [1]
    assert steps[-1][2] == "done"


def test_conflicts_are_resolved_in_a_dialog(qtbot, world: World):
    from fieldwork.allocation import move_case
    from fieldwork.bundles.conflicts import conflicts, resolve

    with world.open_central() as central:
        move_case(central, central.find_case("E000001").id, "Tom", "leave")
    world.open_assignment(world.export_assignment("Tom"), "Tom")
    with world.open(world.tom, "Tom") as laptop:
        laptop.answer(laptop.find_case("E000001").id, "2.1.1.2", Answer.YES)
    tom = world.export_return(world.tom, "return-tom.fwb")
    with world.open_central() as central:
        for bundle in (tom, world.returned):
            apply_import(central, plan_import(central, bundle, world.central_keys()))
        # Helen's other answers to the moved case are conflicts too (never applied): settle
        # them here so that the dialog shows the one both inspectors answered.
        for other in [c for c in conflicts(central) if c.item_id != "2.1.1.2"]:
            resolve(central, other.id, "current")
    window = open_window(qtbot, world.central, {"passphrase": CENTRAL_PASS})
    trigger(window, "conflicts")
    qtbot.waitUntil(lambda: window.bundles.conflicts_dialog is not None, timeout=TIMEOUT)
    dialog = window.bundles.conflicts_dialog
    assert dialog.list.count() == 1 and "2.1.1.2" in dialog.list.item(0).text()
    with qtbot.waitSignal(window.bundles.resolved, timeout=TIMEOUT) as done:
        qtbot.mouseClick(dialog.keep_incoming, Qt.MouseButton.LeftButton)
    assert done.args[0].resolution == "incoming"
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=TIMEOUT)
    assert not dialog.keep_incoming.isEnabled()


def test_a_first_assignment_becomes_a_new_workspace_in_its_own_window(qtbot, world: World):
    target = world.folder / "new-laptop.fieldwork"
    answers = {"open": world.assignment, "passphrase": BUNDLE_PASS}
    window = open_window(qtbot, world.helen, answers)
    window.bundles.ask_new_workspace = lambda: target
    with qtbot.waitSignal(window.bundles.workspace_created, timeout=TIMEOUT) as done:
        trigger(window, "new-workspace")
    assert done.args[0].new_cases == ("E000001", "E000002", "E000003", "VLU-00001")
    [new] = window.bundles.new_windows
    OPEN.append(new)
    qtbot.waitUntil(lambda: new.case_model.rowCount() == 4, timeout=TIMEOUT)
    assert new.workspace_path == target
    assert list((world.folder / "new-laptop.fieldwork.keys").glob("signing-*.key"))


def test_a_wrong_passphrase_for_a_first_assignment_makes_nothing(qtbot, world: World):
    target = world.folder / "new-laptop.fieldwork"
    answers = {"open": world.assignment, "passphrase": "not it at all"}
    window = open_window(qtbot, world.helen, answers)
    window.bundles.ask_new_workspace = lambda: target
    trigger(window, "new-workspace")
    qtbot.waitUntil(lambda: bool(answers["errors"]), timeout=TIMEOUT)
    assert "wrong passphrase" in answers["errors"][0].message
    assert not target.exists() and window.bundles.new_windows == []


def test_revoking_an_inspectors_key_asks_first_and_retires_it(qtbot, world: World):
    from fieldwork.allocation import find_inspector
    from fieldwork.keys import SIGNING, public_keys

    def helens_keys(service) -> list[bool]:
        helen = find_inspector(service, "Helen")
        return [k.retired_at is None for k in public_keys(service, helen.id, SIGNING)]

    answers: dict[str, object] = {}
    window = open_window(qtbot, world.central, answers)
    bundles = window.bundles
    asked: list[str] = []
    bundles.ask_key_owner = lambda names: asked.extend(names) or "Helen"
    bundles.ask_confirm = lambda title, text: asked.append(text) or False
    trigger(window, "keys-revoke")
    qtbot.waitUntil(lambda: len(asked) == 3, timeout=TIMEOUT)
    assert asked[:2] == ["Helen", "Tom"]
    assert asked[2].startswith("Revoke Helen's signing key?")
    keys: list[list[bool]] = []
    window.runner.submit(helens_keys, keys.append)
    qtbot.waitUntil(lambda: bool(keys), timeout=TIMEOUT)
    assert keys[0] == [True]  # declined: nothing retired

    bundles.ask_confirm = lambda title, text: True
    with qtbot.waitSignal(bundles.revoked, timeout=TIMEOUT) as done:
        trigger(window, "keys-revoke")
    assert done.args[0] == "Helen" and len(done.args[1]) == 1
    window.runner.submit(helens_keys, keys.append)
    qtbot.waitUntil(lambda: len(keys) == 2, timeout=TIMEOUT)
    assert keys[1] == [False]
    assert answers["errors"] == []
