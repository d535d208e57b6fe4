"""Practice workspaces: training inspections, never scored.

A workspace is marked practice in its ``meta`` table (key ``practice``). An assessor's
reference answers (their own workspace, or any workspace holding the same cases) give each
trainee an agreement score per item kind. Scoring refuses a practice workspace, and bundle
import refuses practice work in a live central workspace (``refuse_practice``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.agreement import Agreement, AgreementError, agreement, contingency
from fieldwork.errors import InvalidChange
from fieldwork.service import Service

KEY = "practice"
CATEGORIES = ("yes", "no", "na")


def mark(service: Service) -> None:
    """Mark the workspace practice (inside ``write()``)."""
    service.db.execute(
        "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = '1'",
        [KEY],
    )


def mark_practice(service: Service) -> None:
    with service.workspace.write():
        mark(service)
        service.workspace.record_history(
            case_id=None,
            entity="workspace",
            field="practice",
            old=None,
            new="yes",
            who=service.user,
        )


def is_practice(service: Service) -> bool:
    row = service.db.execute("SELECT value FROM meta WHERE key = ?", [KEY]).fetchone()
    return row is not None and row[0] == "1"


def refuse_practice(service: Service, *, practice_source: bool, source: str) -> None:
    """Refuse practice work arriving in a live workspace."""
    if practice_source and not is_practice(service):
        raise InvalidChange(
            "this is practice work from a training inspection: it is never imported into a "
            "live workspace",
            file=source,
        )


def _answers(service: Service) -> dict[tuple[str, str], tuple[str, str]]:
    """(reference, item) → (kind, value), answered items only."""
    return {
        (ref, item): (kind, value)
        for ref, item, kind, value in service.db.execute(
            "SELECT c.sample || '/' || c.reference, r.item_id, r.kind, r.value FROM responses r"
            " JOIN cases c ON c.id = r.case_id WHERE r.value IS NOT NULL"
        )
    }


@dataclass(frozen=True)
class TraineeScore:
    trainee: str
    items: int
    agreed: int
    prompts: Agreement | None
    judgements: Agreement | None

    @property
    def percentage(self) -> float:
        return 100 * self.agreed / self.items if self.items else 0.0


def score_trainee(reference: Service, trainee: Service, name: str) -> TraineeScore:
    """A trainee's answers against the assessor's reference, item by item (cases matched by
    sample and reference)."""
    ref = _answers(reference)
    got = _answers(trainee)
    shared = sorted(set(ref) & set(got))
    by_kind: dict[str, list[tuple[str, str]]] = {"prompt": [], "judgement": []}
    for key in shared:
        by_kind[ref[key][0]].append((ref[key][1], got[key][1]))

    def figures(found: list[tuple[str, str]]) -> Agreement | None:
        try:
            return agreement(contingency(found, CATEGORIES), CATEGORIES) if found else None
        except AgreementError:
            return None

    agreed = sum(ref[k][1] == got[k][1] for k in shared)
    return TraineeScore(
        name, len(shared), agreed, figures(by_kind["prompt"]), figures(by_kind["judgement"])
    )
