"""A case withdrawn from the laptop by its next assignment, in the GUI: the laptop imports the
assignment through Bundles ▸ Import bundle…, the case list shows the case as withdrawn, and
the case view shows why in a banner with every editor disabled, while what was recorded
stays on screen. Another case is as editable as before."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from fieldwork.answers import Answer
from tests import test_bundles_support as support
from tests import test_gui_bundles as gui
from tests.test_bundles_support import BUNDLE_PASS, HELEN_PASS, World
from tests.test_withdrawn_cases import move_e000001, responses
from ui.case_list import Column
from ui.main_window import MainWindow

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)
windows = gui.windows
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
