"""The dip-sample register: a share of each inspector's complete cases drawn for a quality
check, reproducible from a seed with the sampling module's draw number (SHA-256 of
"SEED:REFERENCE", lowest first), and what became of each.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from fieldwork.errors import InvalidChange
from fieldwork.qa.review import LABELS
from fieldwork.sampling.draw import draw_number
from fieldwork.service import Service


@dataclass(frozen=True)
class Entry:
    case_id: str
    reference: str
    inspector: str
    status: str
    review: str  # the review state's label
    open_threads: int
    threads: int
    draw_number: str


@dataclass(frozen=True)
class InspectorLine:
    inspector: str
    complete: int
    sampled: int
    last_return: str | None
    days_since_return: int | None


def draw_per_inspector(service: Service, share: float, seed: int) -> dict[str, list[str]]:
    """Per inspector id, the case ids of ``share`` of their complete cases (at least one
    where they have any), lowest draw numbers first."""
    if not 0 < share <= 1:
        raise InvalidChange(f"the QA share must be above 0 and at most 1, not {share}")
    by_inspector: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for case_id, reference, inspector in service.db.execute(
        "SELECT id, reference, inspector_id FROM cases WHERE status = 'complete' "
        "AND inspector_id IS NOT NULL"
    ):
        by_inspector[inspector].append((draw_number(seed, reference), case_id))
    out = {}
    for inspector, drawn in sorted(by_inspector.items()):
        drawn.sort()
        take = max(1, math.ceil(share * len(drawn)))
        out[inspector] = [case_id for _, case_id in drawn[:take]]
    return out


def draw(service: Service, share: float, seed: int) -> list[str]:
    """Draw the QA sample and add it to the register (cases drawn before stay)."""
    drawn = draw_per_inspector(service, share, seed)
    with service.workspace.write() as db:
        now = service.workspace.now()
        for case_ids in drawn.values():
            for case_id in case_ids:
                reference = service.case_summary(case_id).reference
                db.execute(
                    "INSERT OR IGNORE INTO qa_sample (case_id, seed, share, draw_number,"
                    " drawn_at, drawn_by) VALUES (?, ?, ?, ?, ?, ?)",
                    [case_id, seed, share, draw_number(seed, reference), now, service.user],
                )
        service.workspace.record_history(
            case_id=None,
            entity="qa sample",
            field="draw",
            old=None,
            new=f"share {share}, seed {seed}",
            who=service.user,
        )
    return sorted(c for ids in drawn.values() for c in ids)


def register(service: Service) -> list[Entry]:
    rows = service.db.execute(
        "SELECT q.case_id, c.reference, coalesce(i.name, ''), c.status, r.state, q.draw_number,"
        " (SELECT count(*) FROM qa_comments t WHERE t.case_id = q.case_id"
        "  AND t.resolved_at IS NULL),"
        " (SELECT count(*) FROM qa_comments t WHERE t.case_id = q.case_id) "
        "FROM qa_sample q JOIN cases c ON c.id = q.case_id "
        "LEFT JOIN inspectors i ON i.id = c.inspector_id "
        "LEFT JOIN case_reviews r ON r.case_id = q.case_id ORDER BY i.name, q.draw_number"
    ).fetchall()
    return [
        Entry(case_id, ref, name, status, LABELS[state], open_, all_, number)
        for case_id, ref, name, status, state, number, open_, all_ in rows
    ]


def inspectors(service: Service, today: date) -> list[InspectorLine]:
    """Per inspector: complete cases, cases in the register, and days since their last return
    bundle was imported (None if none has been)."""
    out = []
    for who in sorted(service.inspectors(), key=lambda i: i.name):
        complete, sampled = service.db.execute(
            "SELECT count(*), count(q.case_id) FROM cases c LEFT JOIN qa_sample q"
            " ON q.case_id = c.id WHERE c.inspector_id = ? AND c.status = 'complete'",
            [who.id],
        ).fetchone()
        last = service.db.execute(
            "SELECT max(recorded_at) FROM bundles WHERE direction = 'imported' AND kind = 'return'"
            " AND inspector_id = ?",
            [who.id],
        ).fetchone()[0]
        days = None if last is None else (today - date.fromisoformat(last[:10])).days
        out.append(InspectorLine(who.name, complete, sampled, last, days))
    return out
