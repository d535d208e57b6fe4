"""Runs service operations on the one thread that owns the workspace connection.

An operation is a plain function ``op(service) -> result``. It runs on the
worker thread (never touching a widget); its result, or its error, comes back
on the GUI thread through a queued signal and is handed to the callback given
with it. This is the only way the GUI reaches the store.

Work that must not wait behind the store's queue, or that does not touch this
workspace (a check on its own connection, a new workspace, pages sent to a printer),
runs ``beside`` it, on a thread of its own, and comes back the same way. An error
with no callback of its own goes to ``on_error``, the window's one failure path
(``MainWindow.show_error``: a FieldworkError is shown as it is, anything else is logged
with its traceback and shown as an internal error).
"""

from __future__ import annotations

import itertools
import logging
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from fieldwork.service import Service

log = logging.getLogger(__name__)
T = TypeVar("T")
Op = Callable[[Service], Any]
OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]
_STOP = object()
#: Seconds a thread may hold the GIL while another waits for it (Python's default is 5 ms,
#: a third of a frame).
GIL_SWITCH_INTERVAL = 0.0005


class ServiceRunner(QObject):
    """A worker thread that owns one ``Service`` and runs operations on it in order."""

    finished = Signal(int, object)  # job id, result
    failed = Signal(int, object)  # job id, exception
    idle = Signal()  # the queue has drained

    def __init__(
        self,
        open_service: Callable[[], Service],
        parent: QObject | None = None,
        *,
        on_error: OnError | None = None,
    ):
        super().__init__(parent)
        self._open_service = open_service
        self.on_error: OnError = on_error or _log_error  # errors no callback takes
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._callbacks: dict[int, tuple[OnDone | None, OnError | None]] = {}
        self._ids = itertools.count(1)
        self._pending = 0
        self._beside: set[int] = set()  # jobs on threads of their own
        self.service: Service | None = None  # only touched on the worker thread
        self.finished.connect(self._on_finished)
        self.failed.connect(self._on_failed)
        # The store's thread saves an answer while the GUI thread shows the next item; the
        # GUI thread must not wait Python's default 5 ms for each hand-over of the GIL.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL))
        self._thread = threading.Thread(target=self._loop, name="fieldwork-store", daemon=True)
        self._thread.start()

    def submit(
        self,
        op: Callable[[Service], T],
        on_done: Callable[[T], None] | None = None,
        on_error: OnError | None = None,
    ) -> int:
        job = next(self._ids)
        self._callbacks[job] = (on_done, on_error)
        self._pending += 1
        self._jobs.put((job, op))
        return job

    def beside(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: OnError | None = None,
        *,
        name: str,
    ) -> threading.Thread:
        """Run ``work()`` on a thread of its own (named ``name``), beside the store's; its
        result or error comes back on the GUI thread like an operation's. It has no
        service: it opens what it needs. Returns the thread, to wait for it."""
        job = next(self._ids)
        self._callbacks[job] = (on_done, on_error)
        self._beside.add(job)

        def run() -> None:
            try:
                result = work()
            except BaseException as exc:
                self.failed.emit(job, exc)
            else:
                self.finished.emit(job, result)

        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        return thread

    @property
    def busy(self) -> bool:
        """Operations are on their way to the store (work beside it does not count)."""
        return self._pending > 0

    def stop(self, timeout: float = 10.0) -> None:
        """Close the service on its own thread and wait for the thread to end."""
        if self._thread.is_alive():
            self._jobs.put(_STOP)
            self._thread.join(timeout)

    def _loop(self) -> None:
        opened_error: BaseException | None = None
        try:
            self.service = self._open_service()
        except BaseException as exc:  # reported with the first job
            opened_error = exc
        while True:
            item = self._jobs.get()
            if item is _STOP:
                break
            job, op = item
            if opened_error is not None:
                self.failed.emit(job, opened_error)
                continue
            try:
                result = op(self.service)
            except BaseException as exc:
                self.failed.emit(job, exc)
            else:
                self.finished.emit(job, result)
        if self.service is not None:
            try:
                self.service.close()
            except Exception:  # closing must not raise on the way out
                log.exception("closing the workspace failed")

    def _done(self, job: int) -> None:
        if job in self._beside:
            self._beside.discard(job)
            return
        self._pending -= 1
        if self._pending == 0:
            self.idle.emit()

    def _on_finished(self, job: int, result: object) -> None:
        on_done, _ = self._callbacks.pop(job, (None, None))
        self._done(job)
        if on_done is not None:
            on_done(result)

    def _on_failed(self, job: int, error: BaseException) -> None:
        _, on_error = self._callbacks.pop(job, (None, None))
        self._done(job)
        (on_error or self.on_error)(error)


def _log_error(error: BaseException) -> None:
    """The error handler of a runner with no window: the log, with the traceback."""
    log.error("operation failed", exc_info=error)
