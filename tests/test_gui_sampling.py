"""Central ▸ Sample…: the dialog imports a population, previews, draws and saves the report."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from fieldwork.sampling.population import save_mapping
from fieldwork.sampling.reader import ColumnMapping
from fieldwork.service import Service
from tests.test_sampling_support import MAPPING, case_rows, write_csv
from ui.main_window import MainWindow
from ui.sampling import SampleDialog, State, open_sample_dialog

WAIT = 10_000


@pytest.fixture
def workspace(workspace_path: Path) -> Path:
    with Service.create(workspace_path, user="Lead") as service:
        service.create_inspection("North West", fieldwork_start=date(2020, 1, 13))
        service.add_inspector("Helen")
        save_mapping(service, "case-supervision", "NPS", ColumnMapping(MAPPING))
    return workspace_path


@pytest.fixture
def window(qtbot, workspace: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(workspace, user="Lead")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=WAIT):
        window.show()
    return window


@pytest.fixture
def dialog(qtbot, window: MainWindow) -> SampleDialog:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(_shown_signal(window), timeout=WAIT):
        pass
    return window.findChild(SampleDialog)  # type: ignore[return-value]


def _shown_signal(window: MainWindow):  # type: ignore[no-untyped-def]
    action = next(
        a
        for menu_action in window.menuBar().actions()
        if menu_action.text() == "&Central"
        for a in menu_action.menu().actions()
        if a.text() == "Sa&mple…"
    )
    action.trigger()
    return window.findChild(SampleDialog).state_shown


def test_the_central_menu_opens_the_sample_dialog_with_nothing_imported(
    dialog: SampleDialog,
) -> None:
    assert dialog.isVisible()
    assert "No population has been imported" in dialog.report.toPlainText()
    assert not dialog.draw_button.isEnabled()
    assert dialog.mapping_box.findText("NPS") >= 0


def test_import_preview_and_draw(qtbot, dialog: SampleDialog, window: MainWindow, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "nps.csv", case_rows(1_000, seed=2))
    with qtbot.waitSignal(dialog.state_shown, timeout=WAIT) as shown:
        dialog.import_population(path, mapping_name="NPS")
    state: State = shown.args[0]
    assert state.population == 1_000 and state.summary is not None and not state.drawn
    assert "n = 142 of N = 1,000" in dialog.size_label.text()
    assert "preview of the draw" in dialog.report.toPlainText()

    # A narrower margin of error asks for more cases.
    with qtbot.waitSignal(dialog.state_shown, timeout=WAIT):
        dialog.margin.setValue(4.0)
    assert dialog.state is not None and dialog.state.summary is not None
    assert dialog.state.summary.n > 142
    with qtbot.waitSignal(dialog.state_shown, timeout=WAIT):
        dialog.margin.setValue(5.0)

    # The eligibility window: six to seven months before fieldwork.
    with qtbot.waitSignal(dialog.state_shown, timeout=WAIT):
        dialog.window_box.setChecked(True)
    assert dialog.date_from.date().toPython() == date(2019, 6, 13)
    eligible = dialog.state.summary.eligible  # type: ignore[union-attr]
    assert 0 < eligible < 1_000

    with qtbot.waitSignal(dialog.state_shown, timeout=WAIT):
        dialog.seed.setValue(2020)
    qtbot.mouseClick(dialog.draw_button, Qt.MouseButton.LeftButton)
    assert dialog.confirm_button.isVisible() and "seed 2020" in dialog.confirm_label.text()
    with (
        qtbot.waitSignal(dialog.drawn, timeout=WAIT) as drawn,
        qtbot.waitSignal(window.cases_loaded, timeout=WAIT) as listed,
    ):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    summary = drawn.args[0]
    assert summary.drawn and summary.seed == 2020 and summary.eligible == eligible
    assert listed.args == [summary.n]
    qtbot.waitUntil(lambda: dialog.state is not None and dialog.state.drawn, timeout=WAIT)
    assert "sample drawn" in dialog.report.toPlainText()
    assert "Re-drawn with this seed: the same sample." in dialog.report.toPlainText()
    assert not dialog.draw_button.isEnabled() and dialog.pdf_button.isEnabled()
    assert not dialog.seed.isEnabled() and not dialog.date_from.isEnabled()
    assert dialog.seed.value() == 2020 and dialog.window_box.isChecked()

    out = tmp_path / "sampling.pdf"
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save_pdf(out)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Seed 2020" in text


def test_a_bad_file_is_shown_in_the_dialog_and_imports_nothing(  # type: ignore[no-untyped-def]
    qtbot, dialog: SampleDialog, tmp_path: Path
) -> None:
    rows = case_rows(4)
    rows[2][3] = "Severe"
    path = write_csv(tmp_path / "bad.csv", rows)
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as failed:
        dialog.import_population(path, mapping_name="NPS")
    assert "row 4, column 'RoSH': 'Severe' is not one of" in failed.args[0]
    assert dialog.error.isVisible()
    with qtbot.waitSignal(dialog.state_shown, timeout=WAIT) as shown:
        dialog.refresh()
    assert shown.args[0].population == 0


def test_cancel_leaves_the_sample_undrawn(qtbot, dialog: SampleDialog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "nps.csv", case_rows(200, seed=2))
    with qtbot.waitSignal(dialog.state_shown, timeout=WAIT):
        dialog.import_population(path, mapping_name="NPS")
    qtbot.mouseClick(dialog.draw_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.confirm_button.isVisible() and dialog.draw_button.isVisible()
    with qtbot.waitSignal(dialog.state_shown, timeout=WAIT) as shown:
        dialog.refresh()
    assert not shown.args[0].drawn


def test_open_sample_dialog_helper(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = open_sample_dialog(window)
    with qtbot.waitSignal(dialog.state_shown, timeout=WAIT):
        pass
    assert dialog.sample_box.count() == 3
