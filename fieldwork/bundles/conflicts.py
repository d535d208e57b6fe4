"""Conflicts: two versions of one record that neither supersedes, kept for the data team.

Import never overwrites one inspector's work with another's: it keeps central's
version in place and records the incoming one here. The data team looks at each
(``fieldwork conflicts``) and keeps one of the two (``fieldwork resolve``); either
way the history records the choice, and the revision lineage records that the
kept version supersedes the other, so the other is never raised as a conflict again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fieldwork.bundles.assignment import refresh_progress
from fieldwork.bundles.records import RESPONSE_FIELDS
from fieldwork.errors import InvalidChange
from fieldwork.service import Service
from fieldwork.store import new_id

KEEP = ("current", "incoming")


@dataclass(frozen=True)
class Conflict:
    id: str
    case_id: str
    case_reference: str
    entity: str  # 'response' or 'attribute'
    item_id: str
    current: dict[str, Any]
    incoming: dict[str, Any]
    inspector_name: str
    created_at: str
    resolved_at: str | None = None
    resolution: str | None = None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    def describe(self) -> str:
        what = f"attribute {self.item_id}" if self.entity == "attribute" else self.item_id
        return (
            f"{self.short_id}  case {self.case_reference}, {what}: central has "
            f"{_show(self.current)}; {self.inspector_name}'s bundle has {_show(self.incoming)}"
        )


def _show(side: dict[str, Any]) -> str:
    text = repr(side.get("value"))
    if side.get("na_reason"):
        text += f" (reason: {side['na_reason']!r})"
    if side.get("note"):
        text += f" with note {side['note'][:60]!r}"
    if side.get("updated_by"):
        text += f" by {side['updated_by']}"
    return text


def conflicts(service: Service, *, include_resolved: bool = False) -> list[Conflict]:
    """Conflicts, oldest first; open ones only unless asked."""
    sql = (
        "SELECT k.id, k.case_id, c.reference, k.entity, k.item_id, k.current, k.incoming, "
        "COALESCE(i.name, k.inspector_id), k.created_at, k.resolved_at, k.resolution "
        "FROM conflicts k JOIN cases c ON c.id = k.case_id "
        "LEFT JOIN inspectors i ON i.id = k.inspector_id"
    )
    if not include_resolved:
        sql += " WHERE k.resolved_at IS NULL"
    rows = service.db.execute(sql + " ORDER BY k.created_at, c.reference, k.item_id")
    return [
        Conflict(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), *r[7:])
        for r in rows
    ]


def find_conflict(service: Service, conflict_id: str) -> Conflict:
    """By full id or by the first characters of it."""
    matches = [c for c in conflicts(service) if c.id.startswith(conflict_id.strip())]
    if len(matches) != 1:
        problem = "no open conflict" if not matches else "more than one open conflict"
        raise InvalidChange(
            f"{problem} has an id starting {conflict_id!r}; 'fieldwork conflicts' lists them",
            file=str(service.workspace.path),
        )
    return matches[0]


def resolve(service: Service, conflict_id: str, keep: str, *, reason: str = "") -> Conflict:
    """Keep one side of a conflict; one transaction, recorded in the history."""
    if keep not in KEEP:
        raise InvalidChange(f"keep must be 'current' or 'incoming', not {keep!r}")
    conflict = find_conflict(service, conflict_id)
    now = service.workspace.now()
    with service.workspace.write():
        if conflict.entity == "response":
            _resolve_response(service, conflict, keep, now)
        elif keep == "incoming":
            row = service.db.execute(
                "SELECT attributes FROM cases WHERE id = ?", [conflict.case_id]
            ).fetchone()
            attributes = {**json.loads(row[0]), conflict.item_id: conflict.incoming["value"]}
            service.db.execute(
                "UPDATE cases SET attributes = ?, revision = revision + 1, updated_at = ? "
                "WHERE id = ?",
                [json.dumps(attributes, ensure_ascii=False), now, conflict.case_id],
            )
        service.db.execute(
            "UPDATE conflicts SET resolved_at = ?, resolution = ?, resolved_by = ? WHERE id = ?",
            [now, keep, service.user, conflict.id],
        )
        kept, other = (
            (conflict.current, conflict.incoming)
            if keep == "current"
            else (conflict.incoming, conflict.current)
        )
        service.workspace.record_history(
            case_id=conflict.case_id,
            entity="conflict",
            item_id=conflict.item_id,
            field="resolved" + (" (attribute)" if conflict.entity == "attribute" else ""),
            old=_show(other),
            new=_show(kept),
            who=service.user,
            reason=reason or f"kept the {keep} version",
            at=now,
        )
        refresh_progress(service, {conflict.case_id})
    return find_resolved(service, conflict.id)


def find_resolved(service: Service, conflict_id: str) -> Conflict:
    return next(c for c in conflicts(service, include_resolved=True) if c.id == conflict_id)


def _resolve_response(service: Service, conflict: Conflict, keep: str, now: str) -> None:
    incoming = conflict.incoming
    lineage = [(incoming["rev"], a) for a in incoming.get("ancestors", [])]
    row = service.db.execute(
        "SELECT rev, revision FROM responses WHERE case_id = ? AND item_id = ?",
        [conflict.case_id, conflict.item_id],
    ).fetchone()
    if row is None:  # central had no answer (the case had moved away from the inspector)
        if keep == "incoming":
            service.db.execute(
                f"INSERT INTO responses ({', '.join(RESPONSE_FIELDS)}) "
                f"VALUES ({', '.join('?' * len(RESPONSE_FIELDS))})",
                [incoming[f] for f in RESPONSE_FIELDS],
            )
        service.db.conn.executemany(
            "INSERT OR IGNORE INTO response_lineage (case_id, rev, parent) VALUES (?, ?, ?)",
            [(conflict.case_id, rev_, parent) for rev_, parent in lineage],
        )
        return
    current_rev, revision = row
    if keep == "incoming":
        rev = new_id()
        service.db.execute(
            "UPDATE responses SET value = ?, na_reason = ?, note = ?, revision = ?, rev = ?, "
            "replaces = ?, updated_at = ?, updated_by = ? WHERE case_id = ? AND item_id = ?",
            [
                incoming["value"],
                incoming["na_reason"],
                incoming["note"],
                max(revision, incoming["revision"]) + 1,
                rev,
                current_rev,
                now,
                service.user,
                conflict.case_id,
                conflict.item_id,
            ],
        )
        lineage.append((rev, incoming["rev"]))
    else:
        # Central's version now supersedes the incoming one: a later bundle that still holds
        # it is recognised as stale, not raised as the same conflict again.
        lineage.append((current_rev, incoming["rev"]))
    service.db.conn.executemany(
        "INSERT OR IGNORE INTO response_lineage (case_id, rev, parent) VALUES (?, ?, ?)",
        [(conflict.case_id, rev_, parent) for rev_, parent in lineage],
    )


def add_qa_comment(service: Service, case_id: str, item_id: str, comment: str) -> str:
    """Central quality assurance: a comment on a case's prompt or key question (or on the
    whole case, with an empty item); it reaches the inspector in their next assignment."""
    summary = service.case_summary(case_id)
    if not comment.strip():
        raise InvalidChange("a comment needs some text", place=f"case {summary.reference}")
    if item_id:
        try:
            service.framework.prompt(item_id)
        except KeyError:
            try:
                service.framework.key_question(item_id)
            except KeyError:
                raise InvalidChange(
                    f"there is no prompt or key question {item_id}",
                    place=f"case {summary.reference}",
                ) from None
    comment_id = new_id()
    with service.workspace.write():
        service.db.execute(
            "INSERT INTO qa_comments (id, case_id, item_id, comment, author, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [comment_id, case_id, item_id, comment.strip(), service.user, service.workspace.now()],
        )
        service.workspace.record_history(
            case_id=case_id,
            entity="qa comment",
            item_id=item_id,
            field="added",
            old=None,
            new=comment.strip(),
            who=service.user,
        )
    return comment_id
