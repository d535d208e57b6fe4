"""The two kinds of error a user can meet.

``FieldworkError`` and its subclasses are the user's or the environment's
problem (a bad file, a locked workspace, a full disk): they carry a message
that names the file, the place and the problem, and the GUI shows them plainly.
Anything else that escapes is a bug and is reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class FieldworkError(Exception):
    """A problem the user can understand and act on."""

    def __init__(self, problem: str, *, file: str | None = None, place: str | None = None):
        self.problem = problem
        self.file = file
        self.place = place
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [p for p in (self.file, self.place) if p]
        return f"{': '.join(parts)}: {self.problem}" if parts else self.problem


class FrameworkError(FieldworkError):
    """A framework file is missing, malformed or inconsistent."""


class WorkspaceError(FieldworkError):
    """A workspace file cannot be opened or written."""


class WorkspaceLocked(WorkspaceError):
    """Another process has the workspace open."""


class StorageError(WorkspaceError):
    """A write to the workspace failed (disk full, file gone, read-only)."""


class PrintCancelled(FieldworkError):
    """The person printing stopped the run; nothing was written."""

    def __init__(self) -> None:
        super().__init__("printing cancelled")


class InvalidChange(FieldworkError):
    """A change the rules refuse: unknown item, item that does not apply, bad value."""


class EditReasonRequired(InvalidChange):
    """The case is complete; changing it needs a reason for the history."""


@dataclass(frozen=True)
class MissingItem:
    """One thing a case still lacks before it can be marked complete."""

    item_id: str
    what: str  # "answer", "judgement", "rationale" or "reason for not applicable"
    text: str


class CaseIncomplete(InvalidChange):
    """Mark complete refused: the listed items are still missing."""

    def __init__(self, reference: str, missing: Sequence[MissingItem], what: str = "case"):
        self.missing = tuple(missing)
        listed = "; ".join(f"{m.item_id} {m.what}" for m in self.missing[:10])
        more = f" and {len(self.missing) - 10} more" if len(self.missing) > 10 else ""
        super().__init__(
            f"cannot mark complete: {len(self.missing)} item(s) missing: {listed}{more}",
            place=f"{what} {reference}",
        )
