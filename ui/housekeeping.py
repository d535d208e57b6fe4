"""The workspace's integrity check and backup, run beside the inspector's work.

``PRAGMA integrity_check`` takes seconds on a national-sized workspace, so the
window opens the store without it and runs it here at once, beside the store's
queue (``ServiceRunner.beside``), on its own read-only connection, then makes the
periodic backup. Damage is reported through ``finished``; a bug in the check goes
to the runner's error handler, the window's one failure path.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from fieldwork.errors import WorkspaceError
from fieldwork.store import WorkspaceKey, check_and_back_up
from ui.runner import ServiceRunner


class Housekeeper(QObject):
    finished = Signal(object)  # None, or the WorkspaceError describing the damage

    def __init__(
        self,
        path: Path,
        runner: ServiceRunner,
        parent: QObject | None = None,
        *,
        key: WorkspaceKey | None = None,
    ):
        super().__init__(parent)
        self._path = path
        self._runner = runner
        self._key = key
        self._conn: sqlite3.Connection | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.done = False  # the check has ended (well or not): nothing runs beside the work

    def start(self) -> None:
        if self._thread is None:
            self._thread = self._runner.beside(
                self._check, self._checked, self._failed, name="fieldwork-check"
            )

    def _keep(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        # The check stops itself when asked: interrupting its connection from the GUI
        # thread could race the check thread closing it, and crash the process.
        conn.set_progress_handler(self._stop_asked, 10_000)

    def _stop_asked(self) -> int:
        return 1 if self._stopping else 0

    def _check(self) -> WorkspaceError | None:  # on the thread of its own
        try:
            return check_and_back_up(self._path, on_connect=self._keep, key=self._key)
        finally:
            self._conn = None

    def _checked(self, result: WorkspaceError | None) -> None:
        self.done = True
        if not self._stopping:
            self.finished.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.done = True
        if self._stopping:
            return
        self._runner.on_error(error)
        self.finished.emit(None)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop a check still running (it sees ``_stopping`` within a few thousand steps)
        and wait for the thread to end."""
        self._stopping = True
        if self._thread is not None:
            self._thread.join(timeout)
