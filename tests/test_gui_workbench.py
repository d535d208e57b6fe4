"""The inspector's workbench, driven as an inspector drives it: keys to the focused widget."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)

from fieldwork.applicability import ItemKind, ItemState
from fieldwork.service import Service
from tests.conftest import FakeClock, answer_everything
from tests.test_gui_helpers import (
    TIMEOUT,
    ask_store,
    close_window,
    focused,
    give_reason,
    make_workbench,
    no_dialog,
    open_window,
    press,
    reason_dialog,
    settings_in,
    settle,
    stored_case,
    stored_history,
    type_text,
)
from ui.case.navigator import state_text
from ui.main_window import GEOMETRY_KEY, LAST_WORKSPACE_KEY, SPLITTERS_KEY, MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return settings_in(tmp_path)


def open_case_by_keyboard(qtbot, window: MainWindow, reference: str) -> None:
    """Type the reference into the case list (type-to-filter), then Enter."""
    qtbot.waitUntil(lambda: window.case_list.table.hasFocus(), timeout=TIMEOUT)
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT):
        type_text(qtbot, reference)
        assert window.case_list.filter_edit.text() == reference
        assert window.case_list.proxy.rowCount() == 1
        press(qtbot, Qt.Key.Key_Return)


def navigator_state(window: MainWindow, item_id: str) -> str:
    model = window.case_view.navigator_model
    index = model.index_of(item_id)
    return model.index(index.row(), 1, index.parent()).data()


def test_a_whole_case_worked_with_the_keyboard_alone(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0002"]
    window = open_window(qtbot, bench.path, settings)
    open_case_by_keyboard(qtbot, window, "REF0002")
    view = window.case_view
    first = stored_case(qtbot, window, case_id).first_unanswered()
    assert view.current_item.item_id == first.item_id  # lands on the first unanswered item

    expected: dict[str, tuple[str, str, str]] = {}  # item -> (value, note, na reason)
    used_na = False
    for _ in range(200):
        item = view.current_item
        if item.kind is ItemKind.JUDGEMENT:
            press(qtbot, "Y")
            press(qtbot, "E")
            assert focused() is view.judgement_panel.note
            rationale = f"Rationale for {item.item_id}: the work met the prompts."
            type_text(qtbot, rationale)
            press(qtbot, Qt.Key.Key_Escape)  # leaves the rationale; it is saved at once
            assert focused() is view.navigator
            expected[item.item_id] = ("yes", rationale, "")
        elif item.may_mark_na and not used_na:
            press(qtbot, "A")
            give_reason(qtbot, "No enforcement was needed in this case.")
            expected[item.item_id] = ("na", "", "No enforcement was needed in this case.")
            used_na = True
        else:
            value = "no" if len(expected) % 5 == 3 else "yes"
            press(qtbot, value[0].upper())
            expected[item.item_id] = (value, "", "")
        settle(qtbot, window)
        if not view.session.detail.missing:
            break
        press(qtbot, "U")  # on to the next unanswered item
    else:
        pytest.fail("the case never ran out of missing items")
    assert used_na

    press(qtbot, "M", CTRL)  # mark complete
    qtbot.waitUntil(lambda: view.session.detail.summary.status == "complete", timeout=TIMEOUT)
    with qtbot.waitSignal(window.case_closed, timeout=TIMEOUT):
        press(qtbot, "W", CTRL)
    row = window.case_model.row_of(case_id)
    assert window.case_model.index(row, 2).data() == "complete"
    assert window.case_model.index(row, 3).data() == "100%"
    close_window(qtbot, window)

    with Service.open(bench.path, backup=False) as service:
        detail = service.case(case_id)
        assert detail.summary.status == "complete"
        assert detail.missing == []
        states = {"yes": ItemState.YES, "no": ItemState.NO, "na": ItemState.NA_CHOICE}
        for item in detail.items:
            if not item.applies:
                assert item.item_id not in expected
                continue
            value, note, na_reason = expected[item.item_id]
            assert item.state is states[value], item.item_id
            assert item.note == note
            assert item.na_reason == na_reason
        # every change is in the history, with who made it
        history = service.history(case_id)
        answered = {h.item_id for h in history if h.field == "value"}
        assert answered == set(expected)
        assert {h.who for h in history if h.entity != "case"} == {"Helen"}


def test_an_attribute_change_reevaluates_what_applies_at_once(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    window.open_case(case_id)
    qtbot.waitUntil(lambda: window.case_view.session is not None, timeout=TIMEOUT)
    view = window.case_view

    def missing_ids() -> set[str]:
        model = view.completion.model
        return {m.item_id for m in model.missing()}

    # children: no -> the child safeguarding prompt does not apply, and is not missing
    assert navigator_state(window, "2.1.3.5") == "Does not apply"
    assert "2.1.3.5" not in missing_ids()
    children = view.attributes.editor("children")
    assert isinstance(children, QCheckBox)
    children.setFocus()
    qtbot.keyClick(children, Qt.Key.Key_Space)  # record that the service user has children
    qtbot.waitUntil(lambda: navigator_state(window, "2.1.3.5") == "Not answered", timeout=TIMEOUT)
    assert "2.1.3.5" in missing_ids()
    assert stored_case(qtbot, window, case_id).summary.attributes["children"] is True

    # no risk-of-harm factors: the keeping-people-safe key questions drop out
    risk = view.attributes.editor("risk_of_harm_factors")
    risk.setFocus()
    qtbot.keyClick(risk, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: navigator_state(window, "2.1.3.1") == "Does not apply", timeout=TIMEOUT)
    assert navigator_state(window, "2.1.3") == "Does not apply"  # the judgement
    assert not {"2.1.3", "2.1.3.1", "2.2.3", "2.3.3", "2.4.3"} & missing_ids()
    assert "2.1.3.4" in missing_ids()  # domestic abuse checks: expected in all cases
    kq_row = view.navigator_model.index_of("2.1.3.1").parent()
    assert kq_row.siblingAtColumn(1).data() == "0 of 2"  # 2.1.3.4 and (children) 2.1.3.5

    # a choice attribute: licence cases add the post-custody prompt
    assert navigator_state(window, "2.3.1.4") == "Does not apply"
    disposal = view.attributes.editor("disposal")
    assert isinstance(disposal, QComboBox)
    disposal.setFocus()
    qtbot.keyClick(disposal, Qt.Key.Key_Down)  # community sentence -> post-release licence
    qtbot.waitUntil(lambda: navigator_state(window, "2.3.1.4") == "Not answered", timeout=TIMEOUT)
    assert "2.3.1.4" in missing_ids()
    stored = stored_case(qtbot, window, case_id)
    assert stored.summary.attributes["disposal"] == "post-release licence"
    assert {m.item_id for m in stored.missing} == missing_ids()
    close_window(qtbot, window)


def test_undo_and_redo_round_trip_with_the_store_matching(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    window.open_case(case_id)
    qtbot.waitUntil(lambda: window.case_view.session is not None, timeout=TIMEOUT)
    view = window.case_view

    def snapshot() -> tuple:
        detail = stored_case(qtbot, window, case_id)
        items = {i.item_id: (i.state, i.note, i.na_reason) for i in detail.items}
        return items, dict(detail.summary.attributes)

    snapshots = [snapshot()]
    press(qtbot, "Y")  # 2.1.1.1 yes
    settle(qtbot, window)
    snapshots.append(snapshot())
    press(qtbot, "J")
    press(qtbot, "N")  # 2.1.1.2 no
    settle(qtbot, window)
    snapshots.append(snapshot())
    press(qtbot, "E")
    type_text(qtbot, "No analysis of diversity.")
    press(qtbot, Qt.Key.Key_Escape)
    settle(qtbot, window)
    snapshots.append(snapshot())
    press(qtbot, "Y")  # 2.1.1.2 changed to yes
    settle(qtbot, window)
    snapshots.append(snapshot())
    view.attributes.editor("children").click()  # an attribute change is undoable too
    settle(qtbot, window)
    snapshots.append(snapshot())
    assert snapshots[-1][1]["children"] is True
    assert snapshots[1][0]["2.1.1.1"][0] is ItemState.YES
    assert snapshots[3][0]["2.1.1.2"] == (ItemState.NO, "No analysis of diversity.", "")
    assert len({repr(s) for s in snapshots}) == len(snapshots)  # every step changed the store

    stack = view.session.undo_stack
    assert stack.count() == 5
    for expected in reversed(snapshots[:-1]):
        press(qtbot, "Z", CTRL)
        settle(qtbot, window)
        assert snapshot() == expected
    assert not window.undo_action.isEnabled()
    for expected in snapshots[1:]:
        press(qtbot, "Z", CTRL | Qt.KeyboardModifier.ShiftModifier)
        settle(qtbot, window)
        assert snapshot() == expected
    # the navigator shows what the store holds
    assert navigator_state(window, "2.1.1.2") == "Yes"
    close_window(qtbot, window)


def test_mark_complete_is_refused_with_the_missing_items(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["PSR-0001"]
    window = open_window(qtbot, bench.path, settings)
    window.open_case(case_id)
    qtbot.waitUntil(lambda: window.case_view.session is not None, timeout=TIMEOUT)
    view = window.case_view
    press(qtbot, "Y")
    settle(qtbot, window)
    press(qtbot, "M", CTRL)
    qtbot.waitUntil(lambda: view.banner.isVisible(), timeout=TIMEOUT)
    assert "cannot be marked complete" in view.banner.message.text()
    missing = ask_store(qtbot, window, lambda service: service.missing(case_id))
    assert missing and view.completion.model.missing() == missing
    assert f"{len(missing)} items are missing" in view.banner.message.text()
    assert view.side.currentWidget() is view.completion
    assert focused() is view.completion.list
    assert stored_case(qtbot, window, case_id).summary.status == "in progress"

    # each missing item is one key away: Enter on the second goes to it
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    assert view.current_item.item_id == missing[1].item_id
    assert focused() is view.navigator
    # and one click away
    view.show_completion()
    first = view.completion.list.visualRect(view.completion.model.index(0, 0)).center()
    qtbot.mouseClick(view.completion.list.viewport(), Qt.MouseButton.LeftButton, pos=first)
    assert view.current_item.item_id == missing[0].item_id
    close_window(qtbot, window)


def completed_workbench(tmp_path: Path, clock: FakeClock):
    def complete(service: Service, ids: dict[str, str]) -> None:
        answer_everything(service, ids["REF0001"])
        service.mark_complete(ids["REF0001"])

    return make_workbench(tmp_path, clock, setup=complete)


def test_editing_a_completed_case_asks_for_a_reason_once(qtbot, tmp_path, clock, settings):
    bench = completed_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    window.open_case(case_id)
    qtbot.waitUntil(lambda: window.case_view.session is not None, timeout=TIMEOUT)
    view = window.case_view
    first = view.current_item.item_id

    press(qtbot, "N")
    give_reason(qtbot, "Re-read the assessment after the QA comments.")
    settle(qtbot, window)
    assert stored_case(qtbot, window, case_id).item(first).state is ItemState.NO
    press(qtbot, "J")
    press(qtbot, "N")  # the same editing session: no second question
    settle(qtbot, window)
    assert no_dialog()
    second = view.current_item.item_id
    history = stored_history(qtbot, window, case_id)
    edits = [h for h in history if h.item_id in (first, second) and h.field == "value"]
    assert [h.new for h in edits[-2:]] == ["no", "no"]
    assert {h.reason for h in edits[-2:]} == {"Re-read the assessment after the QA comments."}
    assert stored_case(qtbot, window, case_id).summary.status == "complete"

    # a new editing session asks again; declining changes nothing
    with qtbot.waitSignal(window.case_closed, timeout=TIMEOUT):
        press(qtbot, "W", CTRL)
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT):
        press(qtbot, Qt.Key.Key_Return)
    view.go_to(first)
    press(qtbot, "Y")
    reason_dialog(qtbot)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(no_dialog, timeout=TIMEOUT)
    settle(qtbot, window)
    assert stored_case(qtbot, window, case_id).item(first).state is ItemState.NO
    assert view.prompt_panel.no.isChecked() and not view.prompt_panel.yes.isChecked()
    close_window(qtbot, window)


def test_reopening_the_window_shows_exactly_what_was_entered(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    case_id = bench.cases["REF0001"]
    window = open_window(qtbot, bench.path, settings)
    window.resize(641, 471)
    window.open_case(case_id)
    qtbot.waitUntil(lambda: window.case_view.session is not None, timeout=TIMEOUT)
    view = window.case_view
    press(qtbot, "Y")
    press(qtbot, "J")
    press(qtbot, "N")
    press(qtbot, "E")
    type_text(qtbot, "Diversity not considered.")
    press(qtbot, Qt.Key.Key_Return)
    type_text(qtbot, "No mention of disability.")
    press(qtbot, Qt.Key.Key_Escape)
    view.go_to("2.3.1.6")
    press(qtbot, "A")
    give_reason(qtbot, "No breach in the period.")
    view.go_to("2.1.1")
    press(qtbot, "N")
    press(qtbot, "E")
    type_text(qtbot, "Engagement was not analysed.")
    press(qtbot, Qt.Key.Key_Escape)
    view.attributes.editor("substance_misuse").click()
    settle(qtbot, window)
    expected_states = {
        item_id: navigator_state(window, item_id)
        for item_id in (i.item_id for i in view.session.detail.items)
    }
    assert expected_states["2.1.1"] == "Not satisfactory"
    close_window(qtbot, window)
    assert set(settings.allKeys()) == {GEOMETRY_KEY, SPLITTERS_KEY, LAST_WORKSPACE_KEY}

    again = open_window(qtbot, bench.path, settings)
    assert (again.width(), again.height()) == (641, 471)
    again.open_case(case_id)
    qtbot.waitUntil(lambda: again.case_view.session is not None, timeout=TIMEOUT)
    view = again.case_view
    assert {
        item_id: navigator_state(again, item_id)
        for item_id in (i.item_id for i in view.session.detail.items)
    } == expected_states
    assert view.current_item.item_id == "2.1.1.3"  # the first unanswered item
    view.go_to("2.1.1.2")
    assert view.prompt_panel.note.toPlainText() == (
        "Diversity not considered.\nNo mention of disability."
    )
    assert view.prompt_panel.no.isChecked()
    view.go_to("2.3.1.6")
    assert view.prompt_panel.na.isChecked()
    assert "No breach in the period." in view.prompt_panel.na_reason.text()
    view.go_to("2.1.1")
    assert view.judgement_panel.note.toPlainText() == "Engagement was not analysed."
    assert view.judgement_panel.no.isChecked()
    assert view.attributes.editor("substance_misuse").isChecked()
    assert state_text(view.session.detail.item("2.1.1")) == "Not satisfactory"
    close_window(qtbot, again)


def test_the_case_list_filters_as_you_type_and_sorts(qtbot, tmp_path, clock, settings):
    cases = {
        f"E{n:06d}": {
            "sample": "case-supervision",
            "disposal": "community sentence",
            "rosh": ("low", "medium", "high")[n % 3],
            "officer_grade": ("PO", "PSO")[n % 2],
        }
        for n in range(1, 13)
    }
    bench = make_workbench(tmp_path, clock, cases)
    window = open_window(qtbot, bench.path, settings)
    page = window.case_list
    assert page.proxy.rowCount() == 12
    headers = [page.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(8)]
    assert headers[:7] == [
        "Sample",
        "Reference",
        "Status",
        "Complete",
        "Disposal",
        "Risk of serious harm",
        "Officer grade",
    ]
    qtbot.waitUntil(lambda: page.table.hasFocus(), timeout=TIMEOUT)
    type_text(qtbot, "pso high")
    rows = [page.proxy.index(r, 1).data() for r in range(page.proxy.rowCount())]
    assert rows == ["E000005", "E000011"]
    assert page.summary.text() == "2 of 12 cases"
    press(qtbot, Qt.Key.Key_Escape)  # clears the filter
    assert page.proxy.rowCount() == 12
    page.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # risk of serious harm
    roshes = [page.proxy.index(r, 5).data() for r in range(12)]
    assert roshes == ["high"] * 4 + ["medium"] * 4 + ["low"] * 4
    press(qtbot, Qt.Key.Key_Down)  # from the filter to the table
    assert focused() is page.table
    where = page.table.visualRect(page.proxy.index(1, 1)).center()
    with qtbot.waitSignal(window.case_opened, timeout=TIMEOUT) as opened:
        # a double click as the mouse sends it: press and release, then the double click
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [page.proxy.index(1, 0).data(Qt.ItemDataRole.UserRole + 1)]
    close_window(qtbot, window)


def test_every_action_is_in_a_menu_with_its_shortcut_and_none_clash(
    qtbot, tmp_path, clock, settings
):
    bench = make_workbench(tmp_path, clock)
    window = open_window(qtbot, bench.path, settings)
    in_menus = [action for _, action in window.menu_actions()]
    names = {action.text().replace("&", "") for action in window.own_actions}
    for wanted in (
        "Yes (satisfactory)",
        "No (not satisfactory)",
        "Not applicable…",
        "Next item",
        "Previous item",
        "Next unanswered item",
        "Show or hide guidance",
        "Edit the note or rationale",
        "Completion view (missing items)",
        "Case attributes",
        "Print…",
        "Find…",
        "Undo",
        "Redo",
        "Mark case complete",
    ):
        assert wanted in names
    for action in window.own_actions:
        assert action in in_menus, f"{action.text()} is in no menu"
        assert action.shortcuts(), f"{action.text()} has no shortcut"
    # one key, one action: an ambiguous shortcut would do nothing at all
    seen: dict[str, str] = {}
    for action in in_menus:
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen, f"{text} is both {seen[text]} and {action.text()}"
            seen[text] = action.text()
    close_window(qtbot, window)


def test_every_control_has_an_accessible_name(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    window = open_window(qtbot, bench.path, settings)
    window.open_case(bench.cases["REF0001"])
    qtbot.waitUntil(lambda: window.case_view.session is not None, timeout=TIMEOUT)
    controls = (QAbstractButton, QAbstractItemView, QLineEdit, QPlainTextEdit, QComboBox)
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r}"
        for w in window.findChildren(QWidget)
        if isinstance(w, controls)
        and w.window() is window  # not the combo boxes' own popup lists
        and not isinstance(w.parent(), QTabBar)
        and w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and not w.accessibleName()
        and type(w).__name__ not in ("QScrollBar",)
        and not w.objectName().startswith("qt_")
    ]
    assert unnamed == []
    close_window(qtbot, window)


def test_guidance_is_one_key_away_and_find_goes_to_an_item(qtbot, tmp_path, clock, settings):
    bench = make_workbench(tmp_path, clock)
    window = open_window(qtbot, bench.path, settings)
    window.open_case(bench.cases["REF0001"])
    qtbot.waitUntil(lambda: window.case_view.session is not None, timeout=TIMEOUT)
    view = window.case_view
    guidance = view.prompt_panel.guidance
    assert not guidance.isVisible()
    press(qtbot, "G")
    assert guidance.isVisible()
    assert "Standard 2.1" in guidance.text()
    press(qtbot, "F", CTRL)
    assert focused() is view.find_edit
    type_text(qtbot, "domestic abuse checks")
    assert view.current_item.item_id == "2.1.3.4"
    press(qtbot, Qt.Key.Key_Escape)
    assert focused() is view.navigator
    assert "We expect" not in guidance.text()  # 2.1.3.4 has no guidance of its own
    view.go_to("2.4.1.1")
    assert "monitor and review" in guidance.text()  # its key question's guidance
    close_window(qtbot, window)


def test_settings_hold_only_window_state_and_the_last_workspace(qtbot, tmp_path, clock):
    bench = make_workbench(tmp_path, clock)
    store = QSettings(str(tmp_path / "only.ini"), QSettings.Format.IniFormat)
    window = open_window(qtbot, bench.path, store)
    close_window(qtbot, window)
    assert set(store.allKeys()) == {GEOMETRY_KEY, SPLITTERS_KEY, LAST_WORKSPACE_KEY}
    assert Path(store.value(LAST_WORKSPACE_KEY)) == bench.path.resolve()
