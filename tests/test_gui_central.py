"""Central ▸ Inspection set-up…, Import cases… and Allocation…, and QA comments in the case
view: driven through real widgets on real workspace files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import QMenu

from fieldwork.bundles.conflicts import add_qa_comment
from fieldwork.central import import_cases
from fieldwork.sampling.reader import ColumnMapping
from fieldwork.service import Service
from tests.conftest import FakeClock
from tests.test_bundles_support import file_hash
from tests.test_gui_helpers import (
    TIMEOUT,
    ask_store,
    close_window,
    give_reason,
    make_workbench,
    open_window,
    settings_in,
    settle,
    type_text,
)
from tests.test_sampling_support import MAPPING, case_rows, write_csv
from ui.case.navigator import QA_MARK
from ui.case_list import Column
from ui.central.allocation import UNALLOCATED, AllocationDialog
from ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return settings_in(tmp_path)


def trigger(window: MainWindow, name: str) -> None:
    menu = window.menu("&Central")
    actions = menu.actions() + [a for m in menu.findChildren(QMenu) for a in m.actions()]
    [action] = [a for a in actions if a.objectName() == f"central-{name}"]
    action.trigger()


def central_with_cases(folder: Path, clock: FakeClock, count: int = 12) -> Path:
    """A central workspace: an inspection, Helen and Tom, and ``count`` unallocated cases."""
    path = folder / "central.fieldwork"
    with Service.create(path, user="lead", clock=clock) as service:
        service.create_inspection("North West", provider="NPS North West")
        service.add_inspector("Helen")
        service.add_inspector("Tom")
        rows = write_csv(folder / "cases.csv", case_rows(count))
        import_cases(service, rows, "case-supervision", mapping=ColumnMapping(MAPPING))
    return path


# -- set-up -------------------------------------------------------------------------------------
def test_the_inspection_is_created_and_inspectors_added_in_the_set_up_dialog(
    qtbot, tmp_path, clock, settings
):
    path = tmp_path / "new.fieldwork"
    Service.create(path, user="lead", clock=clock).close()  # a central workspace, no inspection
    window = open_window(qtbot, path, settings, user="lead")
    trigger(window, "setup")
    dialog = window.central.dialogs["setup"]
    qtbot.waitUntil(lambda: dialog.state is not None, timeout=TIMEOUT)
    assert dialog.create_button.isVisible() and not dialog.add_button.isEnabled()
    assert "hmip-probation-2018" in dialog.framework.text()

    qtbot.mouseClick(dialog.name, LEFT)
    type_text(qtbot, "North West")
    qtbot.mouseClick(dialog.provider, LEFT)
    type_text(qtbot, "NPS North West")
    dialog.start.setDate(QDate(2020, 1, 13))
    dialog.end.setDate(QDate(2020, 1, 24))
    with qtbot.waitSignal(dialog.created, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.create_button, LEFT)
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=TIMEOUT)
    assert not dialog.create_button.isVisible() and not dialog.name.isEnabled()

    qtbot.mouseClick(dialog.inspector_name, LEFT)
    type_text(qtbot, "Helen Adeyemi")
    qtbot.mouseClick(dialog.email, LEFT)
    type_text(qtbot, "helen@example.org")
    dialog.role.setCurrentText("lead inspector")
    with qtbot.waitSignal(dialog.inspector_added, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.add_button, LEFT)
    qtbot.waitUntil(lambda: dialog.inspectors.rowCount() == 1, timeout=TIMEOUT)

    # a bad email is refused in the dialog and nothing is added
    qtbot.mouseClick(dialog.inspector_name, LEFT)
    type_text(qtbot, "Tom")
    qtbot.mouseClick(dialog.email, LEFT)
    type_text(qtbot, "tom.example.org")
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT) as failed:
        qtbot.mouseClick(dialog.add_button, LEFT)
    assert "not an email address" in failed.args[0]
    assert dialog.error.isVisible()

    inspection, inspectors = ask_store(
        qtbot,
        window,
        lambda s: (s.inspection(), [(i.name, i.email, i.role) for i in s.inspectors()]),
    )
    assert (inspection.name, inspection.provider) == ("North West", "NPS North West")
    assert (inspection.fieldwork_start, inspection.fieldwork_end) == ("2020-01-13", "2020-01-24")
    assert inspectors == [("Helen Adeyemi", "helen@example.org", "lead inspector")]
    close_window(qtbot, window)


def test_the_set_up_dialog_shows_an_existing_inspection_as_fixed(qtbot, tmp_path, clock, settings):
    path = central_with_cases(tmp_path, clock, count=1)
    window = open_window(qtbot, path, settings, user="lead")
    dialog = window.central.open_setup()
    qtbot.waitUntil(lambda: dialog.state is not None, timeout=TIMEOUT)
    assert dialog.name.text() == "North West" and not dialog.name.isEnabled()
    assert not dialog.create_button.isVisible()
    names = [dialog.inspectors.item(r, 0).text() for r in range(dialog.inspectors.rowCount())]
    assert names == ["Helen", "Tom"]
    close_window(qtbot, window)


# -- importing cases ----------------------------------------------------------------------------
def test_import_cases_adds_a_clean_file_and_refreshes_the_case_list(
    qtbot, tmp_path, clock, settings
):
    path = tmp_path / "central.fieldwork"
    with Service.create(path, user="lead", clock=clock) as service:
        service.create_inspection("North West")
    rows = write_csv(tmp_path / "sample.csv", case_rows(15))
    window = open_window(qtbot, path, settings, user="lead")
    trigger(window, "import-cases")
    dialog = window.central.dialogs["import"]
    qtbot.waitUntil(lambda: dialog.mapping.count() > 0, timeout=TIMEOUT)
    dialog.ask_open_file = lambda: rows
    qtbot.mouseClick(dialog.choose_button, LEFT)
    assert dialog.file.text() == str(rows)
    qtbot.mouseClick(dialog.columns, LEFT)
    type_text(qtbot, "Sex=gender")
    with (
        qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT) as listed,
        qtbot.waitSignal(dialog.imported, timeout=TIMEOUT) as done,
    ):
        qtbot.mouseClick(dialog.import_button, LEFT)
    assert done.args[0].rows == 15
    assert listed.args == [15]
    assert "Added 15 Case supervision cases from sample.csv" in dialog.summary.text()
    close_window(qtbot, window)


def test_a_bad_file_lists_its_problems_and_imports_nothing(qtbot, tmp_path, clock, settings):
    path = tmp_path / "central.fieldwork"
    with Service.create(path, user="lead", clock=clock) as service:
        service.create_inspection("North West")
    rows = case_rows(5)
    rows[0][2] = "Suspended"  # no such disposal
    rows[4][0] = rows[3][0]  # a duplicate reference
    bad = write_csv(tmp_path / "bad.csv", rows)
    before = file_hash(path)
    window = open_window(qtbot, path, settings, user="lead")
    dialog = window.central.open_import()
    qtbot.waitUntil(lambda: dialog.mapping.count() > 0, timeout=TIMEOUT)
    dialog.file.setText(str(bad))
    dialog.columns.setPlainText("Sex=gender")
    with qtbot.waitSignal(dialog.problems_shown, timeout=TIMEOUT) as shown:
        qtbot.mouseClick(dialog.import_button, LEFT)
    assert shown.args[0] == [
        f"{bad}: row 2, column 'Disposal': 'Suspended' is not one of: community sentence, "
        "post-release licence",
        f"{bad}: row 6, column 'CRN': duplicate reference 'E000003' (also on row 5)",
    ]
    table = dialog.problems
    assert table.isVisible() and table.rowCount() == 2
    assert [table.item(0, c).text() for c in range(3)][:2] == ["2", "Disposal"]
    assert "nothing was imported" in dialog.error.text()
    assert ask_store(qtbot, window, lambda s: len(s.cases())) == 0
    close_window(qtbot, window)
    assert file_hash(path) == before


# -- allocation ---------------------------------------------------------------------------------
def open_allocation(qtbot, window: MainWindow) -> AllocationDialog:
    trigger(window, "allocation")
    dialog = window.central.dialogs["allocation"]
    qtbot.waitUntil(lambda: dialog.inspector.count() == 2, timeout=TIMEOUT)
    qtbot.waitExposed(dialog)
    return dialog


def select_rows(qtbot, dialog: AllocationDialog, first: int, last: int) -> None:
    """Click the first row, shift-click the last, as a user selects a range."""
    table = dialog.table

    def where(row: int):
        return table.visualRect(dialog.proxy.index(row, 0)).center()

    qtbot.mouseClick(table.viewport(), LEFT, pos=where(first))
    qtbot.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.ShiftModifier, pos=where(last))


def holders(qtbot, window: MainWindow) -> dict[str, str | None]:
    return ask_store(qtbot, window, lambda s: {c.reference: c.inspector_name for c in s.cases()})


def test_the_allocation_model_passes_the_model_tester(
    qtbot, qtmodeltester, tmp_path, clock, settings
):
    window = open_window(qtbot, central_with_cases(tmp_path, clock), settings, user="lead")
    dialog = open_allocation(qtbot, window)
    assert dialog.model.rowCount() == 12
    qtmodeltester.check(dialog.model)
    row = dialog.model.row(0)
    assert (row.reference, row.location) == ("E000000", case_rows(1)[0][5])
    assert dialog.model.index(0, 3).data() == UNALLOCATED
    close_window(qtbot, window)


def test_cases_are_given_by_hand_and_a_move_asks_for_a_reason(qtbot, tmp_path, clock, settings):
    window = open_window(qtbot, central_with_cases(tmp_path, clock), settings, user="lead")
    dialog = open_allocation(qtbot, window)
    qtbot.mouseClick(dialog.filter, LEFT)
    type_text(qtbot, "E00000")  # E000000 to E000009
    assert dialog.proxy.rowCount() == 10
    select_rows(qtbot, dialog, 0, 2)
    dialog.inspector.setCurrentIndex(dialog.inspector.findText("Tom (inspector)"))
    with qtbot.waitSignal(dialog.allocated, timeout=TIMEOUT) as given:
        qtbot.mouseClick(dialog.give_button, LEFT)
    assert [a.reference for a in given.args[0]] == ["E000000", "E000001", "E000002"]
    now = holders(qtbot, window)
    assert [now[f"E00000{n}"] for n in range(4)] == ["Tom", "Tom", "Tom", None]
    qtbot.waitUntil(lambda: dialog.model.index(0, 3).data() == "Tom", timeout=TIMEOUT)

    # moving Tom's E000001 (and the unallocated E000003) to Helen asks why
    dialog.filter.clear()
    qtbot.mouseClick(dialog.filter, LEFT)
    type_text(qtbot, "Tom")
    assert dialog.proxy.rowCount() == 3
    select_rows(qtbot, dialog, 1, 1)
    dialog.inspector.setCurrentIndex(dialog.inspector.findText("Helen (inspector)"))
    with qtbot.waitSignal(dialog.allocated, timeout=TIMEOUT) as moved:
        qtbot.mouseClick(dialog.give_button, LEFT)
        give_reason(qtbot, "Tom knows the service user")
    [move] = moved.args[0]
    assert (move.reference, move.previous_inspector_name, move.inspector_name) == (
        "E000001",
        "Tom",
        "Helen",
    )
    history = ask_store(
        qtbot,
        window,
        lambda s: [
            (h.old, h.new, h.reason)
            for h in s.history(s.find_case("E000001").id)
            if h.field == "inspector"
        ],
    )
    assert history[-1] == ("Tom", "Helen", "Tom knows the service user")
    qtbot.waitUntil(lambda: "Helen 1 · Tom 2" in dialog.loads.text(), timeout=TIMEOUT)
    close_window(qtbot, window)


def test_balanced_allocation_is_previewed_then_stored(qtbot, tmp_path, clock, settings):
    path = central_with_cases(tmp_path, clock)
    window = open_window(qtbot, path, settings, user="lead")
    dialog = open_allocation(qtbot, window)
    with qtbot.waitSignal(dialog.previewed, timeout=TIMEOUT) as previewed:
        qtbot.mouseClick(dialog.balance_button, LEFT)
    plan = previewed.args[0]
    assert len(plan.assignments) == 12
    assert dialog.preview.isVisible() and dialog.confirm_button.isVisible()
    rows = [
        [dialog.preview.item(r, c).text() for c in range(3)]
        for r in range(dialog.preview.rowCount())
    ]
    assert rows == [["Helen", "0", "+6"], ["Tom", "0", "+6"]]
    assert set(holders(qtbot, window).values()) == {None}  # a preview stores nothing

    with (
        qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT),
        qtbot.waitSignal(dialog.balanced, timeout=TIMEOUT) as done,
    ):
        qtbot.mouseClick(dialog.confirm_button, LEFT)
    assert done.args[0].loads == plan.loads
    counts = list(holders(qtbot, window).values())
    assert (counts.count("Helen"), counts.count("Tom")) == (6, 6)
    assert not dialog.preview.isVisible()
    model = window.case_model
    listed = [model.index(r, Column.INSPECTOR).data() for r in range(model.rowCount())]
    assert sorted(listed) == ["Helen"] * 6 + ["Tom"] * 6  # the main case list was refreshed
    close_window(qtbot, window)


# -- QA comments in the case view ---------------------------------------------------------------
def test_a_qa_comment_is_shown_on_its_prompt_and_marked_in_the_navigator(
    qtbot, tmp_path, clock, settings
):
    def comment(service: Service, ids: dict[str, str]) -> None:
        add_qa_comment(service, ids["REF0001"], "2.1.1.2", "Check the OASys date against the PSR.")
        add_qa_comment(service, ids["REF0001"], "", "Please look again at the whole of 2.3.")

    bench = make_workbench(tmp_path, clock, setup=comment)
    window = open_window(qtbot, bench.path, settings)
    view = window.case_view
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        window.open_case(bench.cases["REF0001"])
    assert view.case_comments.isVisible()
    assert "Please look again at the whole of 2.3." in view.case_comments.text.text()

    view.go_to("2.1.1.1")
    qtbot.waitUntil(lambda: view.current_item.item_id == "2.1.1.1", timeout=TIMEOUT)
    assert not view.prompt_panel.qa_box.isVisible()

    view.go_to("2.1.1.2")
    qtbot.waitUntil(lambda: view.current_item.item_id == "2.1.1.2", timeout=TIMEOUT)
    box = view.prompt_panel.qa_box
    assert box.isVisible()
    assert box.heading.text() == "Quality assurance comment"
    assert box.text.text().startswith("Check the OASys date against the PSR.\n— Helen, ")

    model = view.navigator_model
    index = model.index_of("2.1.1.2")
    assert model.index(index.row(), 1, index.parent()).data().endswith(QA_MARK)
    other = model.index_of("2.1.1.1")
    assert QA_MARK not in model.index(other.row(), 1, other.parent()).data()
    assert "quality assurance comment" in model.index_of("2.1.1.2").data(
        Qt.ItemDataRole.ToolTipRole
    )

    # another case has none: nothing is shown
    window.close_case()
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        window.open_case(bench.cases["REF0002"])
    view.go_to("2.1.1.2")
    qtbot.waitUntil(lambda: view.current_item.item_id == "2.1.1.2", timeout=TIMEOUT)
    assert not view.prompt_panel.qa_box.isVisible() and not view.case_comments.isVisible()
    settle(qtbot, window)
    close_window(qtbot, window)
