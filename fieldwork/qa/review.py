"""Case review states: submitted, returned for changes, resubmitted, accepted.

An accepted case is locked: the service refuses every edit of it (``Service``'s edit path
reads ``case_reviews``) until the lead reopens it, which returns it for changes. Every move
is a history row on the case (entity "case", field "review") with its reason.
"""

from __future__ import annotations

from typing import Literal

from fieldwork.errors import InvalidChange
from fieldwork.service import Service

State = Literal["submitted", "returned", "resubmitted", "accepted"]
LABELS: dict[str | None, str] = {
    None: "not submitted",
    "submitted": "submitted",
    "returned": "returned for changes",
    "resubmitted": "resubmitted",
    "accepted": "accepted",
}
#: What each move may start from (None: never submitted).
MOVES: dict[str, tuple[tuple[str | None, ...], State]] = {
    "submit": ((None,), "submitted"),
    "return": (("submitted", "resubmitted"), "returned"),
    "resubmit": (("returned",), "resubmitted"),
    "accept": (("submitted", "resubmitted"), "accepted"),
    "reopen": (("accepted",), "returned"),
}


#: What an inspector may do on their laptop; the rest is quality assurance's, at central.
INSPECTOR_MOVES = ("submit", "resubmit")


def _on_laptop(service: Service) -> bool:
    """An inspector's fieldwork workspace (``bundles.meta``'s "kind" entry)."""
    row = service.db.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
    return row is not None and row[0] == "fieldwork"


def state(service: Service, case_id: str) -> State | None:
    row = service.db.execute(
        "SELECT state FROM case_reviews WHERE case_id = ?", [case_id]
    ).fetchone()
    return None if row is None else row[0]


def states(service: Service) -> dict[str, State]:
    return dict(service.db.execute("SELECT case_id, state FROM case_reviews").fetchall())


def move(service: Service, case_id: str, action: str, reason: str = "") -> State:
    """Apply one move ("submit", "return", "resubmit", "accept", "reopen"); returns the new
    state. Returning and reopening need a reason; a case is submitted, resubmitted or accepted
    only when complete, and accepted only with no open review thread."""
    if action not in MOVES:
        raise InvalidChange(f"{action!r} is not a review move ({', '.join(MOVES)})")
    summary = service.case_summary(case_id)
    place = f"case {summary.reference}"
    if action not in INSPECTOR_MOVES and _on_laptop(service):
        raise InvalidChange(f"only quality assurance at central can {action} a case", place=place)
    allowed, target = MOVES[action]
    current = state(service, case_id)
    if current not in allowed:
        raise InvalidChange(f"cannot {action} a case that is {LABELS[current]}", place=place)
    if action in ("return", "reopen") and not reason.strip():
        raise InvalidChange(f"give a reason to {action} the case", place=place)
    if target != "returned" and summary.status != "complete":
        raise InvalidChange(f"cannot {action} a case that is {summary.status}", place=place)
    if action == "accept":
        open_threads = service.db.execute(
            "SELECT count(*) FROM qa_comments WHERE case_id = ? AND resolved_at IS NULL",
            [case_id],
        ).fetchone()[0]
        if open_threads:
            raise InvalidChange(
                f"{open_threads} review thread(s) still open: resolve them before accepting",
                place=place,
            )
    with service.workspace.write() as db:
        now = service.workspace.now()
        db.execute(
            "INSERT INTO case_reviews (case_id, state, updated_at, updated_by) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (case_id) DO UPDATE SET state = excluded.state,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [case_id, target, now, service.user],
        )
        service.workspace.record_history(
            case_id=case_id,
            entity="case",
            field="review",
            old=current,
            new=target,
            who=service.user,
            reason=reason.strip(),
        )
    return target


def last_reason(service: Service, case_id: str) -> str:
    """The reason given with the case's latest review move ('' if none)."""
    row = service.db.execute(
        "SELECT reason FROM history WHERE case_id = ? AND entity = 'case' AND field = 'review'"
        " ORDER BY at DESC, seq DESC LIMIT 1",
        [case_id],
    ).fetchone()
    return "" if row is None else str(row[0])


def accepted_cases(service: Service) -> frozenset[str]:
    return frozenset(
        row[0]
        for row in service.db.execute("SELECT case_id FROM case_reviews WHERE state = 'accepted'")
    )
