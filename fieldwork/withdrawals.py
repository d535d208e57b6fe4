"""Cases withdrawn from a laptop: moved by central to another inspector.

When a laptop opens an assignment that no longer holds one of its cases, the case was
moved to someone else (``fieldwork.bundles.assignment``). The case stays in the laptop's
workspace, with everything the inspector recorded on it, and is still sent to central in
the next return bundle (central keeps such answers as conflicts, never applies them); but
from then on the laptop refuses to change it. ``moved_cases`` records when central
withdrew it, who wrote that assignment, and which assignment it was; the service reads
it with the case (``CaseSummary.withdrawn``), so refusing an edit costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from fieldwork.dates import uk_moment
from fieldwork.errors import InvalidChange

#: The columns ``Service`` reads with each case (LEFT JOIN moved_cases w).
COLUMNS = "w.withdrawn_at, w.withdrawn_by, w.assignment"
JOIN = "LEFT JOIN moved_cases w ON w.case_id = c.id"


@dataclass(frozen=True)
class Withdrawal:
    """When and by whom central withdrew a case from this laptop."""

    at: str  # when central wrote the assignment that withdrew it (ISO timestamp)
    by: str  # the user at central who wrote that assignment
    assignment: int  # that assignment's sequence number

    @classmethod
    def from_row(cls, at: str | None, by: str | None, assignment: int | None) -> Withdrawal | None:
        """The withdrawal read by ``COLUMNS``; None for a case this laptop holds."""
        if at is None:
            return None
        return cls(at, by or "", int(assignment or 0))

    def describe(self) -> str:
        """'withdrawn on 29/11/2026 10:00 by lead in central's assignment 2'."""
        by = f" by {self.by}" if self.by else ""
        return f"withdrawn on {uk_moment(self.at)}{by} in central's assignment {self.assignment}"

    def reason(self) -> str:
        """Why the case is read-only here, for the case view's banner and the refusal."""
        return (
            f"moved to another inspector ({self.describe()}). It is read-only on this laptop; "
            "what you recorded on it is kept and is still sent to central with your next "
            "return bundle"
        )


class CaseWithdrawn(InvalidChange):
    """An edit of a case central has withdrawn from this laptop."""

    def __init__(self, reference: str, withdrawal: Withdrawal):
        self.withdrawal = withdrawal
        super().__init__(
            f"this case cannot be changed here: it was {withdrawal.reason()}",
            place=f"case {reference}",
        )


def record(
    db: Database,
    case_ids: list[str],
    *,
    at: str,
    by: str,
    assignment: int,
    bundle_id: str,
    recorded_at: str,
) -> None:
    """Inside a write: these cases are withdrawn by this assignment (once: the first
    assignment that withdrew a case is when it was withdrawn)."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO moved_cases "
        "(case_id, withdrawn_at, withdrawn_by, assignment, bundle_id, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(case_id, at, by, assignment, bundle_id, recorded_at) for case_id in case_ids],
    )


def restore(db: Database, case_ids: list[str]) -> None:
    """Inside a write: these cases are this laptop's again (central gave them back)."""
    db.conn.executemany(
        "DELETE FROM moved_cases WHERE case_id = ?", [(case_id,) for case_id in case_ids]
    )
