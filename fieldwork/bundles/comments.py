"""Quality-assurance comments as the inspector reads them.

Central adds comments with ``conflicts.add_qa_comment``; assignment bundles carry them
into the laptop's ``qa_comments`` table. This is the read side, for the case view.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.service import Service


@dataclass(frozen=True)
class QaComment:
    id: str
    case_id: str
    item_id: str  # a prompt or key question id; "" for the whole case
    comment: str
    author: str
    created_at: str
    resolved_at: str | None = None


def qa_comments(service: Service, case_id: str) -> list[QaComment]:
    """A case's comments that are not resolved, oldest first."""
    return [
        QaComment(*row)
        for row in service.db.execute(
            "SELECT id, case_id, item_id, comment, author, created_at, resolved_at "
            "FROM qa_comments WHERE case_id = ? AND resolved_at IS NULL ORDER BY created_at, id",
            [case_id],
        )
    ]
