"""The workspace's integrity check and backup, run beside the inspector's work.

``PRAGMA integrity_check`` takes seconds on a national-sized workspace, so the
window opens the store without it and runs it here at once, on its own
read-only connection, then makes the periodic backup. Damage is reported
through the window's one failure path.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from fieldwork.errors import WorkspaceError
from fieldwork.store import WorkspaceKey, check_and_back_up

log = logging.getLogger(__name__)


class Housekeeper(QObject):
    finished = Signal(object)  # None, or the WorkspaceError describing the damage

    def __init__(
        self, path: Path, parent: QObject | None = None, *, key: WorkspaceKey | None = None
    ):
        super().__init__(parent)
        self._path = path
        self._key = key
        self._conn: sqlite3.Connection | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fieldwork-check", daemon=True)
            self._thread.start()

    def _keep(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _run(self) -> None:
        try:
            result: WorkspaceError | None = check_and_back_up(
                self._path, on_connect=self._keep, key=self._key
            )
        except Exception:  # a bug here must not take the session down
            log.exception("checking the workspace failed")
            result = None
        self._conn = None
        if not self._stopping:
            self.finished.emit(result)

    def stop(self, timeout: float = 10.0) -> None:
        """Interrupt a check still running and wait for the thread to end."""
        self._stopping = True
        conn = self._conn
        if conn is not None:
            conn.interrupt()
        if self._thread is not None:
            self._thread.join(timeout)
