"""Printing case summary sheets, and saving them as PDF, from the main window.

The sheets are built by ``fieldwork.reports`` on the runner's worker thread (it owns the
workspace connection). Printing then renders the PDF's pages with QtPdf onto the printer
chosen in the system print dialog, on a thread of its own, so the window never freezes.
Only the dialogs run on the GUI thread; ``SheetPrinting.ask_printer`` is the one place the
print dialog is asked for, so tests can hand in a printer instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractProxyModel,
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QImage, QKeySequence, QPainter
from PySide6.QtWidgets import QFileDialog, QMenu, QProgressDialog, QWidget

from fieldwork.errors import FieldworkError, PrintCancelled
from fieldwork.service import Service
from ui.runner import ServiceRunner
from ui.widgets import show_saved

if TYPE_CHECKING:  # QtPdf and QtPrintSupport are loaded on the first print, not at start-up
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    from fieldwork.reports import SheetsWritten
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: Pages are rasterised for the printer at the printer's resolution, but at most this many
#: dots per inch: 300 keeps 9-point text crisp, and a 1200-dpi A4 page would be half a GB.
MAX_DPI = 300
#: From this many cases a run shows a progress dialog (with Cancel).
MANY_CASES = 2

AskPrinter = Callable[[QWidget, int], "QPrinter | None"]
Progress = Callable[[int, int], None]


class PrinterError(FieldworkError):
    """The printer could not be used (no printer, dialog settings refused, spooler gone)."""


def ask_printer_with_dialog(parent: QWidget, pages: int) -> QPrinter | None:
    """The system print dialog; the printer the person chose, or None if they cancelled."""
    from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)  # the sheets carry their own margins
    printer.setFromTo(1, pages)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print case summary sheets")
    dialog.setMinMax(1, pages)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, True)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return printer


def render_pdf(
    pdf: bytes,
    printer: QPrinter,
    progress: Progress | None = None,
    cancelled: threading.Event | None = None,
) -> int:
    """Draw the pages of ``pdf`` onto ``printer`` (honouring its page range and copies).

    Runs on any thread: QPainter may paint on a QPrinter outside the GUI thread. Returns the
    number of pages sent. Raises ``PrinterError`` when the printer cannot start.
    """
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise PrinterError(f"the sheets could not be read back for printing ({document.error()})")
    count = document.pageCount()
    first, last = printer.fromPage(), printer.toPage()
    pages = list(range(max(first, 1) - 1, min(last, count) if last else count))
    # Where the print system cannot make copies itself, make them here.
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    order = [page for _ in range(copies) for page in pages]
    dpi = min(printer.resolution(), MAX_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterError(
            f"the printer {printer.printerName() or printer.outputFileName()!r} could not be "
            "started; check it is connected and try again"
        )
    try:
        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
        for n, page in enumerate(order):
            if cancelled is not None and cancelled.is_set():
                raise PrintCancelled()
            if n:
                printer.newPage()
            points = document.pagePointSize(page)
            size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            painter.drawImage(
                _fit(points.width(), points.height(), paper), _page_image(document, page, size)
            )
            if progress is not None:
                progress(n + 1, len(order))
    finally:
        painter.end()
        document.close()
    return len(order)


def _page_image(document: QPdfDocument, page: int, size: QSize) -> QImage:
    """One page as a grey image on white paper (QtPdf renders onto a transparent image)."""
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.drawImage(0, 0, document.render(page, size))
    painter.end()
    # The sheets are black and white: grey pixels are a quarter of the data to spool.
    return image.convertToFormat(QImage.Format.Format_Grayscale8)


def _fit(width: float, height: float, paper: QRectF) -> QRectF:
    """The page scaled to fit the paper, centred (A4 on Letter loses nothing)."""
    scale = min(paper.width() / width, paper.height() / height)
    w, h = width * scale, height * scale
    return QRectF(paper.x() + (paper.width() - w) / 2, paper.y() + (paper.height() - h) / 2, w, h)


class _RenderJob(QObject):
    """Renders a PDF onto a printer beside the runner's queue (``ServiceRunner.beside``);
    the pages sent, or the error, come back like any operation's."""

    progressed = Signal(int, int)

    def __init__(self, pdf: bytes, printer: QPrinter, parent: QObject | None = None):
        super().__init__(parent)
        self.pdf = pdf
        self.printer = printer  # kept alive here until the job ends
        self.cancelled = threading.Event()
        self._thread: threading.Thread | None = None

    def start(
        self,
        runner: ServiceRunner,
        on_done: Callable[[int], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        import PySide6.QtPdf  # noqa: F401  # loaded here on the GUI thread, not by render_pdf's

        self._thread = runner.beside(
            lambda: render_pdf(self.pdf, self.printer, self.progressed.emit, self.cancelled),
            on_done,
            on_error,
            name="fieldwork-print",
        )

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


class SheetPrinting(QObject):
    """Print… and Save as PDF… for one main window."""

    progressed = Signal(int, int)  # emitted from the worker thread; shown on the GUI thread
    saved = Signal(str, object)  # path, SheetsWritten
    printed = Signal(int)  # pages sent to the printer
    cancelled = Signal()

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.ask_printer: AskPrinter = ask_printer_with_dialog
        self.clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
        # Save as PDF starts beside the workspace, where the inspection's files are.
        self.folder = Path(window.workspace_path).resolve().parent
        self.progress_dialog: QProgressDialog | None = None
        self.render_job: _RenderJob | None = None
        self._cancel = threading.Event()
        self.progressed.connect(self._show_progress)

    # -- Save as PDF ------------------------------------------------------------------------
    def save_cases(self, case_ids: Sequence[str]) -> None:
        """Ask where, then write the sheets of these cases to one PDF (off the GUI thread)."""
        case_ids = list(case_ids)
        if not self._have_cases(case_ids):
            return
        name = self._suggested_name(case_ids)
        chosen, _ = QFileDialog.getSaveFileName(
            self.window, "Save case summary sheets as PDF", str(self.folder / name), "PDF (*.pdf)"
        )
        if not chosen:
            return
        path = Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")
        self.folder = path.parent
        printed_at = self.clock()
        progress = self._start(len(case_ids), "Saving case summary sheets…")

        def save(service: Service) -> SheetsWritten:
            from fieldwork.reports import write_case_sheets  # reportlab loads when first used

            return write_case_sheets(
                service, case_ids, path, printed_at=printed_at, progress=progress
            )

        def done(written: SheetsWritten) -> None:
            self._finish()
            self._status(f"Saved {_sheets(written.cases)} ({written.pages} pages) to {path.name}.")
            show_saved(
                self.window,
                "Case summary sheets saved",
                f"Saved {_sheets(written.cases)} ({written.pages} pages) as",
                path,
            )
            self.saved.emit(str(path), written)

        self.window.runner.submit(save, done, self._failed)

    def _suggested_name(self, case_ids: Sequence[str]) -> str:
        """``<case reference> <date>.pdf`` for one case, else ``case summary sheets <date>.pdf``
        (the date as YYYY-MM-DD, which sorts and has no slashes)."""
        day = self.clock().date().isoformat()
        if len(case_ids) == 1:
            model = self.window.case_model
            row = model.row_of(case_ids[0])
            if row is not None:
                reference = model.case_at(row).reference
                safe = "".join(c if c.isalnum() or c in "-_. " else "-" for c in reference)
                return f"{safe} {day}.pdf"
        return f"case summary sheets {day}.pdf"

    # -- Print ------------------------------------------------------------------------------
    def print_cases(self, case_ids: Sequence[str]) -> None:
        """Build the sheets of these cases, ask for a printer, then print them."""
        case_ids = list(case_ids)
        if not self._have_cases(case_ids) or self.render_job is not None:
            return
        printed_at = self.clock()
        progress = self._start(len(case_ids), "Preparing case summary sheets…")

        def build(service: Service) -> tuple[bytes, SheetsWritten]:
            from fieldwork.reports import case_sheets_pdf  # reportlab loads when first used

            return case_sheets_pdf(service, case_ids, printed_at=printed_at, progress=progress)

        self.window.runner.submit(build, self._built, self._failed)

    def _built(self, result: tuple[bytes, SheetsWritten]) -> None:
        pdf, written = result
        dialog = self.progress_dialog
        if dialog is not None:
            dialog.hide()
        printer = self.ask_printer(self.window, written.pages)
        if printer is None:
            self._finish()
            self._status("Printing cancelled.")
            self.cancelled.emit()
            return
        if dialog is not None:
            dialog.setLabelText("Sending the pages to the printer…")
            dialog.setValue(0)
            dialog.show()
        job = self.render_job = _RenderJob(pdf, printer, self)
        job.progressed.connect(self._show_progress)
        if dialog is not None:
            dialog.canceled.connect(job.cancelled.set)
        self._status(f"Printing {_sheets(written.cases)} ({written.pages} pages)…", 0)
        job.start(self.window.runner, self._printed, self._failed)

    def _printed(self, pages: int) -> None:
        self.render_job = None
        self._finish()
        self._status(f"Sent {pages} pages to the printer.")
        self.printed.emit(pages)

    # -- shared -----------------------------------------------------------------------------
    def _have_cases(self, case_ids: list[str]) -> bool:
        if not case_ids:
            self._status("Select the cases to print in the case list first.")
            return False
        if self.progress_dialog is not None:
            self._status("Still busy with the last sheets; try again when they are done.")
            return False
        return True

    def _start(self, cases: int, label: str) -> Progress:
        """Show progress for a long run; returns the callback the worker thread reports to."""
        self._cancel = cancel = threading.Event()
        if cases >= MANY_CASES:
            dialog = QProgressDialog(label, "Cancel", 0, 100, self.window)
            dialog.setWindowTitle("Case summary sheets")
            dialog.setAccessibleName("Printing progress")
            dialog.setAutoReset(False)
            dialog.setAutoClose(False)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(400)
            dialog.canceled.connect(cancel.set)
            dialog.setValue(0)
            self.progress_dialog = dialog
        else:
            self._status("Preparing the case summary sheet…", 0)

        def progress(done: int, total: int) -> None:  # on the worker thread
            if cancel.is_set():
                raise PrintCancelled()
            self.progressed.emit(done, total)

        return progress

    def _show_progress(self, done: int, total: int) -> None:
        dialog = self.progress_dialog
        if dialog is not None and not dialog.wasCanceled():
            dialog.setMaximum(max(total, 1))
            dialog.setValue(done)

    def _finish(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()

    def _failed(self, error: BaseException) -> None:
        self.render_job = None
        self._finish()
        if isinstance(error, PrintCancelled):
            self._status("Printing cancelled.")
            self.cancelled.emit()
            return
        self._status("The case summary sheets could not be printed.")
        self.window.show_error(error)

    def _status(self, text: str, timeout: int = 8000) -> None:
        self.window.statusBar().showMessage(text, timeout)


def _sheets(count: int) -> str:
    return f"{count} case summary sheet{'s' if count != 1 else ''}"


# -- the window's side ---------------------------------------------------------------------
def selected_case_ids(window: Any) -> list[str]:
    """The cases to print: what the window says is selected, else the case table's selection,
    else every listed case."""
    chosen = getattr(window, "selected_case_ids", None)
    if callable(chosen):
        return list(chosen())
    table = window.case_table
    rows = sorted(table.selectionModel().selectedRows(), key=lambda index: index.row())
    if not rows:
        model = table.model()
        rows = [model.index(row, 0) for row in range(model.rowCount())]
    ids = []
    for index in rows:
        while isinstance(index.model(), QAbstractProxyModel):
            index = index.model().mapToSource(index)
        ids.append(window.case_model.case_at(index.row()).id)
    return ids


def _flushed(window: Any) -> None:
    """Let a note being typed reach the workspace before the sheets are read."""
    flush = getattr(getattr(window, "case_view", None), "flush", None)
    if callable(flush):
        flush()


def _insert_after(menu: QMenu, after: QAction | None, action: QAction) -> None:
    actions = menu.actions()
    if after is not None and after in actions:
        position = actions.index(after) + 1
        if position < len(actions):
            menu.insertAction(actions[position], action)
            return
    # Otherwise before the menu's first separator (above Quit), or at its end.
    separator = next((a for a in actions if a.isSeparator()), None)
    if separator is not None:
        menu.insertAction(separator, action)
    else:
        menu.addAction(action)


def install(window: MainWindow) -> None:
    """Add Print… and Save as PDF… to the File menu; offer ``window.print_cases(case_ids)``."""
    printing = SheetPrinting(window)
    window.sheet_printing = printing  # type: ignore[attr-defined]
    window.print_cases = printing.print_cases  # type: ignore[attr-defined]
    window.save_cases_as_pdf = printing.save_cases  # type: ignore[attr-defined]
    file_menu = window.menu("&File")

    # A window with its own Print… action calls window.print_cases; else we bring one.
    print_action: QAction | None = getattr(window, "print_action", None)
    if print_action is None:
        print_action = QAction("&Print…", window)
        print_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))

        def print_selected(_checked: bool = False) -> None:
            _flushed(window)
            printing.print_cases(selected_case_ids(window))

        print_action.triggered.connect(print_selected)
        window.addAction(print_action)
        _insert_after(file_menu, None, print_action)
        window.print_action = print_action  # type: ignore[attr-defined]
    print_action.setStatusTip("Print the case summary sheets of the open or selected cases")

    save_action = QAction("Save as P&DF…", window)
    save_action.setStatusTip("Save the case summary sheets of the open or selected cases as a PDF")

    def save_selected(_checked: bool = False) -> None:
        _flushed(window)
        printing.save_cases(selected_case_ids(window))

    save_action.triggered.connect(save_selected)
    window.addAction(save_action)
    _insert_after(file_menu, print_action, save_action)
    window.save_as_pdf_action = save_action  # type: ignore[attr-defined]
