"""Interviews as bundle records, checked, and merged into a workspace.

``export_records`` writes a workspace's interviews as the ``interviews.json`` entry of a
bundle (``resources/schemas/bundle-interviews.schema.json``): each interview with the
cases it serves (many cases to one officer interview), its answers as a table with their
revision lineage, and its history rows. Every record keeps its UUID.

``check_records`` checks what a schema cannot (questionnaires, items and answers that
exist, cases the workspace holds, one case per service-user interview), naming the file,
the place and the problem. ``plan_merge`` works out what importing would do, as the case
import does: new, updated (the incoming revision descends from ours), kept (ours descends
from it), or in conflict (neither: ours is kept, both are recorded in
``interview_conflicts``); ``apply_merge`` writes it inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fieldwork.errors import FieldworkError
from fieldwork.framework import Framework
from fieldwork.interviews.questionnaire import KINDS, SERVICE_USER, AnswerType, questionnaires_for
from fieldwork.interviews.store import AnswerRecord, Interviews, interview_items, progress
from fieldwork.service import Service
from fieldwork.store import new_id

ENTRY = "interviews.json"
SCHEMA = "bundle-interviews"
INTERVIEW_FIELDS = (
    "id",
    "questionnaire",
    "reference",
    "inspector_id",
    "attributes",
    "planned_for",
    "notes",
    "status",
    "done",
    "total",
    "completed_at",
    "revision",
    "created_at",
    "updated_at",
)
ANSWER_FIELDS = (
    "id",
    "interview_id",
    "item_id",
    "value",
    "na_reason",
    "note",
    "revision",
    "rev",
    "replaces",
    "updated_at",
    "updated_by",
)
ANSWER_COLUMNS = (*ANSWER_FIELDS, "ancestors")
HISTORY_FIELDS = (
    "id",
    "at",
    "who",
    "interview_id",
    "entity",
    "item_id",
    "field",
    "old",
    "new",
    "reason",
)
CONTENT = ("value", "na_reason", "note")
#: The interview's own fields a newer revision brings.
MERGED_FIELDS = ("reference", "attributes", "planned_for", "notes", "status", "completed_at")


class InterviewRecordError(FieldworkError):
    """The interviews of a bundle cannot be taken in; nothing was changed."""


# -- export ---------------------------------------------------------------------------------
def interview_ids_for(
    service: Service,
    *,
    case_ids: Iterable[str] | None = None,
    inspector_id: str | None = None,
) -> list[str]:
    """The interviews serving any of ``case_ids`` or held by ``inspector_id`` (None: all)."""
    if "interviews" not in service.db.table_names():
        return []
    if case_ids is None and inspector_id is None:
        rows = service.db.execute("SELECT id FROM interviews ORDER BY created_at, id")
        return [r[0] for r in rows]
    rows = service.db.execute(
        "SELECT id FROM interviews WHERE inspector_id = ? OR id IN (SELECT interview_id FROM "
        "interview_cases WHERE case_id IN (SELECT value FROM json_each(?))) "
        "ORDER BY created_at, id",
        [inspector_id, json.dumps(sorted(case_ids or ()))],
    )
    return [r[0] for r in rows]


def _ancestry(service: Service, interview_ids: list[str]) -> dict[str, set[str]]:
    """Answer revision → every revision it descends from (the lineage, followed up)."""
    found: dict[str, set[str]] = defaultdict(set)
    for rev, ancestor in service.db.execute(
        "WITH RECURSIVE up(rev, ancestor) AS ("
        " SELECT rev, parent FROM interview_answer_lineage"
        " WHERE interview_id IN (SELECT value FROM json_each(?))"
        " UNION SELECT up.rev, l.parent FROM up JOIN interview_answer_lineage l"
        " ON l.rev = up.ancestor) SELECT rev, ancestor FROM up",
        [json.dumps(interview_ids)],
    ):
        found[rev].add(ancestor)
    return found


def export_records(service: Service, interview_ids: Iterable[str] | None = None) -> dict[str, Any]:
    """The ``interviews.json`` entry for these interviews (None: every interview)."""
    ids = list(interview_ids) if interview_ids is not None else interview_ids_for(service)
    scope = json.dumps(ids)
    if not ids:
        return {
            "interviews": [],
            "answers": {"fields": list(ANSWER_COLUMNS), "rows": []},
            "history": {"fields": list(HISTORY_FIELDS), "rows": []},
        }
    links: dict[str, list[str]] = defaultdict(list)
    for interview_id, case_id in service.db.execute(
        "SELECT interview_id, case_id FROM interview_cases "
        "WHERE interview_id IN (SELECT value FROM json_each(?)) ORDER BY interview_id, case_id",
        [scope],
    ):
        links[interview_id].append(case_id)
    interviews = []
    for row in service.db.execute(
        f"SELECT {', '.join(INTERVIEW_FIELDS)} FROM interviews "
        "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id",
        [scope],
    ):
        record = dict(zip(INTERVIEW_FIELDS, row, strict=True))
        record["attributes"] = json.loads(record["attributes"])
        record["case_ids"] = links.get(record["id"], [])
        interviews.append(record)
    ancestry = _ancestry(service, ids)
    answers = [
        [*row, sorted(ancestry.get(row[7], ()))]
        for row in service.db.execute(
            f"SELECT {', '.join(ANSWER_FIELDS)} FROM interview_answers "
            "WHERE interview_id IN (SELECT value FROM json_each(?)) ORDER BY interview_id, item_id",
            [scope],
        )
    ]
    history = [
        list(row)
        for row in service.db.execute(
            f"SELECT {', '.join(HISTORY_FIELDS)} FROM interview_history "
            "WHERE interview_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
            [scope],
        )
    ]
    return {
        "interviews": interviews,
        "answers": {"fields": list(ANSWER_COLUMNS), "rows": answers},
        "history": {"fields": list(HISTORY_FIELDS), "rows": history},
    }


# -- checking -------------------------------------------------------------------------------
def check_records(
    framework: Framework,
    data: Mapping[str, Any],
    *,
    file: str,
    case_ids: Iterable[str],
    entry: str = ENTRY,
    error: type[FieldworkError] = InterviewRecordError,
) -> None:
    """Check schema-valid records against the framework's questionnaires and the cases an
    interview may serve (those of the bundle); raise ``error`` (the bundles pass their own)
    naming the file, entry and place."""

    def fail(problem: str, place: str) -> FieldworkError:
        return error(problem, file=file, place=f"{entry}, {place}")

    forms = questionnaires_for(framework)
    allowed = set(case_ids)
    kinds: dict[str, str] = {}
    for n, record in enumerate(data["interviews"]):
        place = f"interviews[{n}]"
        kind = record["questionnaire"]
        if kind not in forms or kind not in KINDS:
            raise fail(f"this framework has no {kind} questionnaire", place)
        if record["id"] in kinds:
            raise fail("the interview appears twice", place)
        kinds[record["id"]] = kind
        form = forms[kind]
        for key, value in record["attributes"].items():
            try:
                attribute = form.attribute(key)
            except KeyError:
                raise fail(f"the {kind} interview has no attribute {key!r}", place) from None
            if attribute.choices and value and value not in attribute.choices:
                raise fail(f"{value!r} is not a {attribute.label.lower()}", place)
        if kind == SERVICE_USER and len(record["case_ids"]) != 1:
            raise fail("a service-user interview belongs to exactly one case", place)
        unknown = [c for c in record["case_ids"] if c not in allowed]
        if unknown:
            raise fail(f"case {unknown[0]} is not one of this bundle's cases", place)
    seen: set[tuple[str, str]] = set()
    for n, row in enumerate(data["answers"]["rows"]):
        place = f"answers[{n}]"
        interview_id, item_id, value = row[1], row[2], row[3]
        if interview_id not in kinds:
            raise fail("the answer's interview is not in the bundle", place)
        try:
            item = forms[kinds[interview_id]].item(item_id)
        except KeyError:
            raise fail(f"the questionnaire has no item {item_id!r}", place) from None
        if (interview_id, item_id) in seen:
            raise fail("the item is answered twice", place)
        seen.add((interview_id, item_id))
        if value is not None and item.answer is not AnswerType.TEXT and value not in item.values():
            raise fail(f"{value!r} is not an answer to {item_id}", place)
    for n, row in enumerate(data["history"]["rows"]):
        if row[3] not in kinds:
            raise fail("the history row's interview is not in the bundle", f"history[{n}]")


# -- merging --------------------------------------------------------------------------------
@dataclass
class InterviewMerge:
    """What taking in a bundle's interviews will do; nothing is written until applied."""

    new_interviews: list[dict[str, Any]] = field(default_factory=list)
    updated_interviews: list[dict[str, Any]] = field(default_factory=list)
    new_answers: list[list[Any]] = field(default_factory=list)
    updated_answers: list[list[Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    new_history: list[list[Any]] = field(default_factory=list)
    #: (action, interview reference, item, detail), for the import preview.
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "interviews new": len(self.new_interviews),
            "interviews updated": len(self.updated_interviews),
            "interview answers new": len(self.new_answers),
            "interview answers updated": len(self.updated_answers),
            "interview conflicts": len(self.conflicts),
            "interview history": len(self.new_history),
        }

    @property
    def touched(self) -> set[str]:
        ids = {r["id"] for r in (*self.new_interviews, *self.updated_interviews)}
        ids |= {r[1] for r in (*self.new_answers, *self.updated_answers)}
        return ids


def _content(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in MERGED_FIELDS} | {"case_ids": sorted(record["case_ids"])}


def plan_merge(
    service: Service, data: Mapping[str, Any], *, moved: Iterable[str] = ()
) -> InterviewMerge:
    """Work out what taking in checked ``interviews.json`` records would do. Writes nothing.

    ``moved``: cases the sender no longer holds (moved to another inspector). An interview
    we hold that serves only such cases is never changed by the sender: what would change
    it is kept as a conflict instead, as the case import does with the cases' own work.
    """
    plan = InterviewMerge()
    incoming = {r["id"]: r for r in data["interviews"]}
    ids = list(incoming)
    scope = json.dumps(ids)
    current = {r["id"]: r for r in export_records(service, _existing(service, ids))["interviews"]}
    references = {i: r["reference"] for i, r in incoming.items()}
    moved = set(moved)
    frozen = {i for i, r in current.items() if r["case_ids"] and set(r["case_ids"]) <= moved}
    known = {
        (r[0], r[1], r[2], r[3])
        for r in service.db.execute(
            "SELECT interview_id, entity, item_id, COALESCE(json_extract(incoming, '$.rev'), "
            "json_extract(incoming, '$.revision')) FROM interview_conflicts "
            "WHERE interview_id IN (SELECT value FROM json_each(?))",
            [scope],
        )
    }

    def conflict(
        interview_id: str, entity: str, item_id: str, ours: Any, theirs: Any, version: Any
    ) -> None:
        if (interview_id, entity, item_id, version) in known:
            return  # kept already, from an earlier copy of this cumulative bundle
        known.add((interview_id, entity, item_id, version))
        plan.conflicts.append(
            {"interview_id": interview_id, "entity": entity, "item_id": item_id,
             "current": ours, "incoming": theirs}
        )  # fmt: skip
        shown = item_id or "interview"
        why = "its cases are held by someone else" if interview_id in frozen else ""
        plan.changes.append(("conflict", references[interview_id], shown, why))

    for interview_id, record in incoming.items():
        ours = current.get(interview_id)
        theirs = _content(record) | {"revision": record["revision"]}
        if ours is None:
            plan.new_interviews.append(record)
            plan.changes.append(("new", record["reference"], "interview", record["questionnaire"]))
        elif _content(ours) == _content(record):
            plan.unchanged += 1
        elif record["revision"] < ours["revision"]:
            plan.changes.append(("kept", record["reference"], "interview", "ours is newer"))
        elif record["revision"] > ours["revision"] and interview_id not in frozen:
            plan.updated_interviews.append(record)
            plan.changes.append(("updated", record["reference"], "interview", ""))
        else:
            conflict(interview_id, "interview", "", _content(ours), theirs, record["revision"])
    ours_rows = {
        (r[1], r[2]): r
        for r in service.db.execute(
            f"SELECT {', '.join(ANSWER_FIELDS)} FROM interview_answers "
            "WHERE interview_id IN (SELECT value FROM json_each(?))",
            [scope],
        )
    }
    ancestry = _ancestry(service, ids)
    for row in data["answers"]["rows"]:
        ours_row = ours_rows.get((row[1], row[2]))
        theirs = dict(zip(ANSWER_COLUMNS, row, strict=True))
        reference = references[row[1]]
        if ours_row is None:
            if row[1] in frozen:
                conflict(row[1], "answer", row[2], {}, theirs, row[7])
            else:
                plan.new_answers.append(row)
            continue
        our_rev, their_rev = ours_row[7], row[7]
        ours = dict(zip(ANSWER_FIELDS, ours_row, strict=True))
        if our_rev == their_rev:
            plan.unchanged += 1
        elif their_rev in ancestry.get(our_rev, ()):
            plan.changes.append(("kept", reference, row[2], "ours is newer"))
        elif our_rev in row[11] and row[1] not in frozen:
            plan.updated_answers.append(row)
            plan.changes.append(("updated", reference, row[2], f"{ours_row[3]} → {row[3]}"))
        else:
            conflict(row[1], "answer", row[2], ours, theirs, their_rev)
    if plan.new_answers:
        plan.changes.append(("new", "", "interview answers", str(len(plan.new_answers))))
    have = {
        r[0]
        for r in service.db.execute(
            "SELECT id FROM interview_history "
            "WHERE interview_id IN (SELECT value FROM json_each(?))",
            [scope],
        )
    }
    plan.new_history = [h for h in data["history"]["rows"] if h[0] not in have]
    return plan


def _existing(service: Service, ids: list[str]) -> list[str]:
    return [
        r[0]
        for r in service.db.execute(
            "SELECT id FROM interviews WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        )
    ]


def apply_merge(
    service: Service, plan: InterviewMerge, *, inspector_id: str, bundle_id: str
) -> None:
    """Write a planned merge (call inside ``service.workspace.write()``)."""
    db = service.db
    inspection = service.inspection()
    if inspection is None:
        raise InterviewRecordError("the workspace has no inspection to hold interviews")
    now = service.workspace.now()
    for record in plan.new_interviews:
        values = {k: record[k] for k in INTERVIEW_FIELDS}
        values["attributes"] = json.dumps(record["attributes"], ensure_ascii=False)
        values["inspection_id"] = inspection.id
        db.execute(
            f"INSERT INTO interviews ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )
        _link(service, record)
    for record in plan.updated_interviews:
        db.execute(
            "UPDATE interviews SET reference = ?, attributes = ?, planned_for = ?, notes = ?, "
            "status = ?, completed_at = ?, revision = ?, updated_at = ? WHERE id = ?",
            [
                record["reference"],
                json.dumps(record["attributes"], ensure_ascii=False),
                record["planned_for"],
                record["notes"],
                record["status"],
                record["completed_at"],
                record["revision"],
                record["updated_at"],
                record["id"],
            ],
        )
        db.execute("DELETE FROM interview_cases WHERE interview_id = ?", [record["id"]])
        _link(service, record)
    for row in plan.new_answers:
        db.execute(
            f"INSERT INTO interview_answers ({', '.join(ANSWER_FIELDS)}) "
            f"VALUES ({', '.join('?' * len(ANSWER_FIELDS))})",
            row[: len(ANSWER_FIELDS)],
        )
    for row in plan.updated_answers:
        db.execute(
            "UPDATE interview_answers SET value = ?, na_reason = ?, note = ?, revision = ?, "
            "rev = ?, replaces = ?, updated_at = ?, updated_by = ? "
            "WHERE interview_id = ? AND item_id = ?",
            [row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[1], row[2]],
        )
    lineage = [
        (row[1], row[7], ancestor)
        for row in (*plan.new_answers, *plan.updated_answers)
        for ancestor in row[11]
    ]
    # Ancestors are recorded as parents: enough to tell descent, which is all merging asks.
    db.conn.executemany(
        "INSERT OR IGNORE INTO interview_answer_lineage (interview_id, rev, parent) "
        "VALUES (?, ?, ?)",
        lineage,
    )
    for conflict in plan.conflicts:
        db.execute(
            "INSERT INTO interview_conflicts (id, interview_id, entity, item_id, current, "
            "incoming, inspector_id, bundle_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new_id(),
                conflict["interview_id"],
                conflict["entity"],
                conflict["item_id"],
                json.dumps(conflict["current"], ensure_ascii=False),
                json.dumps(conflict["incoming"], ensure_ascii=False),
                inspector_id,
                bundle_id,
                now,
            ],
        )
    db.conn.executemany(
        f"INSERT OR IGNORE INTO interview_history ({', '.join(HISTORY_FIELDS)}, bundle_id, "
        f"received_at) VALUES ({', '.join('?' * (len(HISTORY_FIELDS) + 2))})",
        [(*row, bundle_id, now) for row in plan.new_history],
    )
    refresh_progress(service, plan.touched)


def _link(service: Service, record: Mapping[str, Any]) -> None:
    service.db.conn.executemany(
        "INSERT OR IGNORE INTO interview_cases (interview_id, case_id) "
        "SELECT ?, id FROM cases WHERE id = ?",
        [(record["id"], case_id) for case_id in record["case_ids"]],
    )


def refresh_progress(service: Service, interview_ids: Iterable[str]) -> None:
    """Recount done and total of these interviews from their stored answers."""
    forms = questionnaires_for(service.framework)
    for interview_id in interview_ids:
        row = service.db.execute(
            "SELECT questionnaire FROM interviews WHERE id = ?", [interview_id]
        ).fetchone()
        if row is None or row[0] not in forms:
            continue
        answers = {
            r[0]: AnswerRecord(r[0], r[1], r[2], r[3])
            for r in service.db.execute(
                "SELECT item_id, value, na_reason, note FROM interview_answers "
                "WHERE interview_id = ?",
                [interview_id],
            )
        }
        done, total = progress(interview_items(forms[row[0]], answers))
        service.db.execute(
            "UPDATE interviews SET done = ?, total = ? WHERE id = ?", [done, total, interview_id]
        )


def take_in(
    service: Service,
    data: Mapping[str, Any],
    *,
    file: str,
    inspector_id: str,
    bundle_id: str,
    case_ids: Iterable[str] | None = None,
) -> InterviewMerge:
    """Check, plan and apply in one transaction (for callers with nothing to preview);
    ``case_ids``: the cases interviews may serve (None: any case the workspace holds)."""
    if case_ids is None:
        case_ids = [r[0] for r in service.db.execute("SELECT id FROM cases")]
    check_records(service.framework, data, file=file, case_ids=case_ids)
    plan = plan_merge(service, data)
    with service.workspace.write():
        apply_merge(service, plan, inspector_id=inspector_id, bundle_id=bundle_id)
    return plan


# -- conflicts ------------------------------------------------------------------------------
@dataclass(frozen=True)
class InterviewConflict:
    """Two versions of an interview record that neither supersedes, kept for the data team."""

    id: str
    interview_id: str
    reference: str
    entity: str  # answer, interview
    item_id: str
    current: Mapping[str, Any]
    incoming: Mapping[str, Any]
    inspector_id: str
    bundle_id: str
    created_at: str
    resolution: str | None = None

    @property
    def shown(self) -> str:
        if self.entity == "answer":
            return (
                f"{self.reference} {self.item_id}: central {self.current.get('value')!r}, "
                f"incoming {self.incoming.get('value')!r}"
            )
        return f"{self.reference}: the interview's own fields differ"


def conflicts(service: Service, *, open_only: bool = True) -> list[InterviewConflict]:
    """The interview conflicts, oldest first (only those not yet resolved, by default)."""
    where = " WHERE c.resolved_at IS NULL" if open_only else ""
    rows = service.db.execute(
        "SELECT c.id, c.interview_id, i.reference, c.entity, c.item_id, c.current, c.incoming, "
        "c.inspector_id, c.bundle_id, c.created_at, c.resolution FROM interview_conflicts c "
        f"JOIN interviews i ON i.id = c.interview_id{where} ORDER BY c.created_at, c.id"
    )
    return [
        InterviewConflict(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), *r[7:])
        for r in rows.fetchall()
    ]


def resolve(service: Service, conflict_id: str, keep: str) -> InterviewConflict:
    """Keep central's version (``current``) or take the incoming one, recorded in the
    history with the bundle it came from. Taking an incoming answer makes central hold
    that very revision, recorded as descending from central's own."""
    found = {c.id: c for c in conflicts(service)}
    if keep not in ("current", "incoming"):
        raise InterviewRecordError(f"keep 'current' or 'incoming', not {keep!r}")
    conflict = found.get(conflict_id)
    if conflict is None:
        raise InterviewRecordError(f"no open interview conflict {conflict_id!r}")
    reason = f"conflict resolved: kept the {keep} version (bundle {conflict.bundle_id[:8]})"
    store = Interviews(service)
    with service.workspace.write():
        if keep == "incoming" and conflict.entity == "answer":
            fields = {k: conflict.incoming[k] for k in CONTENT}
            store.set_fields(conflict.interview_id, conflict.item_id, fields, edit_reason=reason)
            # Central now holds the incoming revision itself (descending from central's
            # own, by the lineage trigger): the laptop's next edit of it is an update.
            service.db.execute(
                "UPDATE interview_answers SET rev = ? WHERE interview_id = ? AND item_id = ?",
                [conflict.incoming["rev"], conflict.interview_id, conflict.item_id],
            )
        elif keep == "incoming":
            incoming = conflict.incoming
            for key, value in incoming["attributes"].items():
                store.set_attribute(conflict.interview_id, key, value, edit_reason=reason)
            store.set_notes(conflict.interview_id, incoming["notes"], edit_reason=reason)
        service.db.execute(
            "UPDATE interview_conflicts SET resolved_at = ?, resolution = ?, resolved_by = ? "
            "WHERE id = ?",
            [service.workspace.now(), keep, service.user, conflict_id],
        )
        store.record_history(
            conflict.interview_id, "conflict", conflict.item_id, "resolved", None, keep, reason
        )
    return replace(conflict, resolution=keep)
