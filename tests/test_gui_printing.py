"""Print… and Save as PDF… from the main window, driven through its actions.

No real printer and no real dialog: the file dialog is monkeypatched to a path, and the
print dialog (``SheetPrinting.ask_printer``) hands back a QPrinter writing a PDF file.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QPushButton

from fieldwork.demo import DemoSizes, make_demo
from fieldwork.service import Service
from ui.main_window import MainWindow
from ui.printing import render_pdf

TIMEOUT = 30_000
PRINTED = datetime(2020, 1, 20, 14, 5)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.fieldwork"
    make_demo(path, seed=3, sizes=DemoSizes(6, 3, 2)).close()
    return path


@pytest.fixture
def demo_path(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.fieldwork"
    path.write_bytes(demo_file.read_bytes())
    return path


@pytest.fixture
def window(qtbot, demo_path: Path) -> Iterator[MainWindow]:
    window = MainWindow(demo_path, user="tester")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=TIMEOUT):
        window.show()
    window.sheet_printing.clock = lambda: PRINTED
    yield window
    window.close()


def select_rows(window: MainWindow, *rows: int) -> list[str]:
    """Select these rows of the case table; returns the references of those cases."""
    table = window.case_table
    model = table.model()
    selection = table.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    references = []
    for row in rows:
        index = model.index(row, 0)
        selection.select(index, flags)
        while hasattr(index.model(), "mapToSource"):
            index = index.model().mapToSource(index)
        references.append(window.case_model.case_at(index.row()).reference)
    return references


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setFullPage(True)
    printer.setResolution(72)  # small images: the test is about pages, not print quality
    return printer


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def file_actions(window: MainWindow) -> dict[str, object]:
    menu = window.menu("&File")
    return {a.text(): a for a in menu.actions() if a.isVisible() and not a.isSeparator()}


def test_the_file_menu_offers_print_and_save_as_pdf(window: MainWindow) -> None:
    actions = file_actions(window)
    assert "&Print…" in actions and "Save as P&DF…" in actions
    texts = list(actions)
    assert texts.index("Save as P&DF…") == texts.index("&Print…") + 1
    assert QKeySequence(QKeySequence.StandardKey.Print) in actions["&Print…"].shortcuts()  # type: ignore[attr-defined]
    assert callable(window.print_cases)


def test_save_as_pdf_writes_the_selected_cases(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out" / "sheets.pdf"
    target.parent.mkdir()
    asked: list[str] = []

    def get_save_file_name(parent, caption, directory, filters):  # noqa: ANN001
        asked.append(caption)
        return str(target.with_suffix("")), "PDF (*.pdf)"  # no suffix typed: .pdf is added

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
    references = select_rows(window, 0, 2)
    with qtbot.waitSignal(window.sheet_printing.saved, timeout=TIMEOUT) as saved:
        window.save_as_pdf_action.trigger()
    assert asked == ["Save case summary sheets as PDF"]
    qtbot.waitUntil(target.exists, timeout=TIMEOUT)
    assert saved.args[0] == str(target)
    reader = pypdf.PdfReader(target)
    titles = [entry.title for entry in reader.outline]
    assert len(titles) == 2
    assert references[0] in titles[0] and references[1] in titles[1]
    text = text_of(target.read_bytes())
    assert "Printed 20 January 2020, 14:05" in text
    assert f"Page 1 of {saved.args[1].sheet_pages[0]}" in text
    assert "Saved 2 case summary sheets" in window.statusBar().currentMessage()
    assert [p.name for p in target.parent.iterdir()] == ["sheets.pdf"]


def test_print_renders_the_sheet_pages_onto_the_printer(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    out = tmp_path / "printed.pdf"
    printer = pdf_printer(out)
    asked: list[int] = []

    def ask_printer(parent, pages):  # noqa: ANN001
        asked.append(pages)
        return printer

    window.sheet_printing.ask_printer = ask_printer
    [reference] = select_rows(window, 1)
    with qtbot.waitSignal(window.sheet_printing.printed, timeout=TIMEOUT) as printed:
        window.print_action.trigger()  # the window's own Print… or ours: both end up here
    assert printed.args == asked  # every page of the sheet went to the printer
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == asked[0]
    for page in reader.pages:
        assert page.images, "each page is the sheet's page, drawn as an image"
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595) < 3 and abs(height - 842) < 3  # A4
    assert "Sent" in window.statusBar().currentMessage()


def test_print_cases_prints_what_the_workbench_asks_for(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    out = tmp_path / "printed.pdf"
    window.sheet_printing.ask_printer = lambda parent, pages: pdf_printer(out)
    first_row_case = window.case_model.case_at(0)
    with qtbot.waitSignal(window.sheet_printing.printed, timeout=TIMEOUT):
        window.print_cases([first_row_case.id])
    assert out.exists() and len(pypdf.PdfReader(out).pages) >= 1


def test_cancelling_the_print_dialog_prints_nothing(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    window.sheet_printing.ask_printer = lambda parent, pages: None
    select_rows(window, 0)
    with qtbot.waitSignal(window.sheet_printing.cancelled, timeout=TIMEOUT):
        window.print_cases([window.case_model.case_at(0).id])
    assert window.sheet_printing.render_job is None
    assert "cancelled" in window.statusBar().currentMessage()


def test_many_cases_show_progress_and_cancel_stops_the_run(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sheets.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(target), "PDF (*.pdf)"))
    )
    # Hold the worker so the run is still waiting when Cancel is pressed.
    release = threading.Event()
    window.runner.submit(lambda service: release.wait(TIMEOUT / 1000))
    ids = [window.case_model.case_at(row).id for row in range(3)]
    window.save_cases_as_pdf(ids)
    dialog = window.sheet_printing.progress_dialog
    assert dialog is not None
    assert dialog.labelText() == "Saving case summary sheets…"
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT)  # it shows itself when a run is slow
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    with qtbot.waitSignal(window.sheet_printing.cancelled, timeout=TIMEOUT):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        release.set()
    assert window.sheet_printing.progress_dialog is None
    assert not target.exists()
    assert list(tmp_path.glob("*.part")) == []


def test_render_pdf_honours_the_page_range(qtbot, demo_path: Path, tmp_path: Path) -> None:
    from fieldwork.reports import case_sheets_pdf

    with Service.open(demo_path, backup=False) as service:
        case = next(c for c in service.cases() if c.sample == "case-supervision")
        pdf, written = case_sheets_pdf(service, [case.id], printed_at=PRINTED, invariant=True)
    assert written.pages >= 3
    out = tmp_path / "range.pdf"
    printer = pdf_printer(out)
    printer.setFromTo(2, 3)
    assert render_pdf(pdf, printer) == 2
    assert len(pypdf.PdfReader(out).pages) == 2
