"""Interviews in the workspace: recorded, answered, completed, with their history.

``Interviews`` works on an open ``Service`` (the same thread, connection and user). Every
change is one transaction with its history rows, and returns an ``InterviewChange`` naming
what changed and the value it replaced, so the GUI can refresh just that and undo it.
An officer interview may serve many cases; a service-user interview belongs to one case.

Answering is the path a person types on, so it is kept lean as a case answer is
(``fieldwork.service``): the questionnaires are built once per open workspace, the last
interviews read or changed are kept with the store's version they were read at and are not
read again while nothing has been written since, and an answer writes one statement per
table (the answer, its history row, the interview's progress) in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlite_utils import Database

from fieldwork.errors import CaseIncomplete, EditReasonRequired, InvalidChange, MissingItem
from fieldwork.interviews.questionnaire import (
    NOT_APPLICABLE,
    OFFICER,
    SERVICE_USER,
    AnswerType,
    Item,
    Questionnaire,
    questionnaire_for,
)
from fieldwork.service import Kept, Service, StoreVersion
from fieldwork.store import new_id

STATUSES = ("not started", "in progress", "complete")
ANSWER_FIELDS = ("value", "na_reason", "note")
AttributeMap = Mapping[str, str]


class InterviewIncomplete(CaseIncomplete):
    """Mark complete refused: the listed items are still missing."""

    def __init__(self, reference: str, missing: Sequence[MissingItem]):
        super().__init__(reference, missing, what="interview")


@dataclass(frozen=True)
class InterviewSummary:
    """A row of the interview list."""

    id: str
    questionnaire: str
    reference: str
    status: str
    done: int
    total: int
    inspector_id: str | None
    attributes: AttributeMap
    case_ids: tuple[str, ...]
    case_references: tuple[str, ...]
    planned_for: str = ""
    notes: str = ""
    revision: int = 1

    @property
    def grade(self) -> str:
        return self.attributes.get("grade", "")

    @property
    def cluster(self) -> str:
        return self.attributes.get("cluster", "")

    @property
    def completeness(self) -> int:
        return 100 * self.done // self.total if self.total else 100


@dataclass(frozen=True)
class AnswerRecord:
    """One item's stored answer (value None: unanswered; revision 0: no row stored)."""

    item_id: str
    value: str | None = None
    na_reason: str = ""
    note: str = ""
    revision: int = 0
    rev: str = ""
    replaces: str | None = None
    updated_at: str = ""
    updated_by: str = ""

    @property
    def stored(self) -> bool:
        return self.revision > 0


@dataclass(frozen=True)
class InterviewItem:
    """An item of the questionnaire with its answer and what it still lacks."""

    item: Item
    answer: AnswerRecord

    @property
    def missing(self) -> str | None:
        value = self.answer.value
        if value is None or value == "":
            return "answer" if self.item.required else None
        if value == NOT_APPLICABLE and not self.answer.na_reason.strip():
            return "reason for not applicable"
        return None


@dataclass(frozen=True)
class InterviewDetail:
    summary: InterviewSummary
    questionnaire: Questionnaire
    items: tuple[InterviewItem, ...]

    def item(self, item_id: str) -> InterviewItem:
        for entry in self.items:
            if entry.item.id == item_id:
                return entry
        raise KeyError(item_id)

    @property
    def missing(self) -> list[MissingItem]:
        out = [
            MissingItem(i.item.id, what, i.item.text)
            for i in self.items
            if (what := i.missing) is not None
        ]
        for attribute in self.questionnaire.attributes:
            if attribute.required and not self.summary.attributes.get(attribute.id):
                out.insert(0, MissingItem(attribute.id, "attribute", attribute.label))
        return out

    def first_unanswered(self) -> InterviewItem | None:
        return next((i for i in self.items if i.missing is not None), None)


@dataclass(frozen=True)
class InterviewChange:
    """What one call changed, where the interview now stands, and the values replaced."""

    interview_id: str
    item_ids: tuple[str, ...]
    status: str
    done: int
    total: int
    saved_at: str
    old: Mapping[str, Any] = field(default_factory=dict)


def progress(items: Sequence[InterviewItem]) -> tuple[int, int]:
    """(done, total) of the items that must be answered."""
    required = [i for i in items if i.item.required]
    return sum(1 for i in required if i.missing is None), len(required)


def interview_items(
    questionnaire: Questionnaire, answers: Mapping[str, AnswerRecord]
) -> tuple[InterviewItem, ...]:
    """The questionnaire's items, each with its stored answer (or an empty one)."""
    return tuple(
        InterviewItem(item, answers.get(item.id) or AnswerRecord(item.id))
        for item in questionnaire.items
    )


@dataclass
class _Kept:
    """What the interviews of one open service keep between calls (the GUI makes an
    ``Interviews`` for each call): the questionnaires, built once, and the last interviews
    read or changed, each with the store's version (``Service.store_version``) it was read
    at. Any write anywhere, by this connection or another, makes every kept one stale."""

    questionnaires: dict[tuple[str, str], Questionnaire] = field(default_factory=dict)
    details: Kept[InterviewDetail] = field(default_factory=Kept)


_KEPT: WeakKeyDictionary[Service, _Kept] = WeakKeyDictionary()


@cache
def _update_answer_sql(fields: tuple[str, ...]) -> str:
    sets = ", ".join(f"{k} = ?" for k in fields)
    return (
        f"UPDATE interview_answers SET {sets}, revision = revision + 1, rev = ?, "
        "replaces = rev, updated_at = ?, updated_by = ? WHERE interview_id = ? AND item_id = ?"
    )


class Interviews:
    """Typed operations on the interviews of one open workspace."""

    def __init__(self, service: Service):
        self.service = service
        kept = _KEPT.get(service)
        if kept is None:
            kept = _KEPT[service] = _Kept()
        self._kept = kept

    @property
    def db(self) -> Database:
        return self.service.db

    def questionnaire(self, kind: str) -> Questionnaire:
        framework = self.service.framework
        key = (framework.content_hash, kind)
        found = self._kept.questionnaires.get(key)
        if found is None:
            found = self._kept.questionnaires[key] = questionnaire_for(framework, kind)
        return found

    # -- reading ------------------------------------------------------------------------------
    _SELECT = (
        "SELECT i.id, i.questionnaire, i.reference, i.status, i.done, i.total, i.inspector_id, "
        "i.attributes, i.planned_for, i.notes, i.revision, "
        "(SELECT json_group_array(json_array(c.id, c.reference)) FROM "
        "(SELECT c.id, c.reference FROM interview_cases ic JOIN cases c ON c.id = ic.case_id "
        "WHERE ic.interview_id = i.id ORDER BY c.reference) c) FROM interviews i"
    )

    @staticmethod
    def _summary(row: tuple[Any, ...]) -> InterviewSummary:
        cases = json.loads(row[11]) if row[11] else []
        return InterviewSummary(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            json.loads(row[7]),
            tuple(c[0] for c in cases),
            tuple(c[1] for c in cases),
            row[8],
            row[9],
            row[10],
        )

    def summaries(
        self, *, case_id: str | None = None, questionnaire: str | None = None
    ) -> list[InterviewSummary]:
        """Interviews, officer interviews first, then by reference."""
        where, params = [], []
        if case_id is not None:
            where.append("i.id IN (SELECT interview_id FROM interview_cases WHERE case_id = ?)")
            params.append(case_id)
        if questionnaire is not None:
            where.append("i.questionnaire = ?")
            params.append(questionnaire)
        sql = self._SELECT + (" WHERE " + " AND ".join(where) if where else "")
        rows = self.db.execute(sql + " ORDER BY i.questionnaire, i.reference", params)
        return [self._summary(r) for r in rows.fetchall()]

    def summary(self, interview_id: str) -> InterviewSummary:
        row = self.db.execute(self._SELECT + " WHERE i.id = ?", [interview_id]).fetchone()
        if row is None:
            raise InvalidChange(f"no interview with id {interview_id!r} in this workspace")
        return self._summary(row)

    def find(self, reference: str, questionnaire: str = OFFICER) -> InterviewSummary:
        row = self.db.execute(
            self._SELECT + " WHERE i.reference = ? AND i.questionnaire = ?",
            [reference, questionnaire],
        ).fetchone()
        if row is None:
            raise InvalidChange(f"no {questionnaire} interview {reference!r} in this workspace")
        return self._summary(row)

    def answers(self, interview_id: str) -> dict[str, AnswerRecord]:
        rows = self.db.execute(
            "SELECT item_id, value, na_reason, note, revision, rev, replaces, updated_at, "
            "updated_by FROM interview_answers WHERE interview_id = ?",
            [interview_id],
        )
        return {r[0]: AnswerRecord(*r) for r in rows.fetchall()}

    def detail(self, interview_id: str) -> InterviewDetail:
        """The interview with its items as the store holds them (kept, see ``_current``)."""
        return self._current(interview_id)[0]

    def _current(self, interview_id: str) -> tuple[InterviewDetail, StoreVersion]:
        """The interview as the store holds it, and the store's version it was read at.

        One read or changed here before is not read again while nothing has been written
        since, as ``Service.case`` keeps cases; one read inside a transaction is not kept."""
        version = self.service.store_version()
        kept = self._kept.details.get(interview_id, version)
        if kept is not None:
            return kept, version
        summary = self.summary(interview_id)
        questionnaire = self.questionnaire(summary.questionnaire)
        items = interview_items(questionnaire, self.answers(interview_id))
        detail = InterviewDetail(summary, questionnaire, items)
        self._kept.details.keep(self.service, interview_id, detail, version)
        return detail, version

    def _committed(
        self, change: InterviewChange, detail: InterviewDetail, read_at: StoreVersion
    ) -> InterviewChange:
        self._kept.details.committed(self.service, detail.summary.id, detail, read_at)
        return change

    def missing(self, interview_id: str) -> list[MissingItem]:
        return self.detail(interview_id).missing

    def history(self, interview_id: str) -> list[tuple[str, ...]]:
        """(at, who, entity, item, field, old, new, reason), oldest first."""
        rows = self.db.execute(
            "SELECT at, who, entity, item_id, field, old, new, reason FROM interview_history "
            "WHERE interview_id = ? ORDER BY seq",
            [interview_id],
        )
        return [tuple(r) for r in rows.fetchall()]

    # -- creating and linking ------------------------------------------------------------------
    def create(
        self,
        questionnaire: str,
        reference: str,
        *,
        case_ids: Sequence[str] = (),
        attributes: AttributeMap | None = None,
        inspector_id: str | None = None,
        planned_for: str = "",
    ) -> InterviewSummary:
        """Record a planned interview; attributes default from the first case's."""
        inspection = self.service.inspection()
        if inspection is None:
            raise InvalidChange("create the inspection first: it has no interviews yet")
        form = self.questionnaire(questionnaire)
        reference = reference.strip()
        place = f"{questionnaire} interview {reference!r}"
        if not reference:
            raise InvalidChange("an interview needs a reference (who is interviewed)")
        if questionnaire == SERVICE_USER and len(case_ids) != 1:
            raise InvalidChange("a service-user interview belongs to exactly one case", place=place)
        cases = [self.service.case_summary(c) for c in case_ids]
        values: dict[str, str] = {}
        for attribute in form.attributes:
            if attribute.case_attribute and cases:
                found = cases[0].attributes.get(attribute.case_attribute)
                if isinstance(found, str) and found:
                    values[attribute.id] = found
        for key, value in (attributes or {}).items():
            values[key] = self._check_attribute(form, key, value, place)
        exists = self.db.execute(
            "SELECT 1 FROM interviews WHERE questionnaire = ? AND reference = ?",
            [questionnaire, reference],
        ).fetchone()
        if exists:
            raise InvalidChange("an interview with this reference already exists", place=place)
        for case in cases:
            self._check_link(questionnaire, case.id, case.reference, place)
        if inspector_id is None and cases:
            inspector_id = cases[0].inspector_id  # whoever holds the case holds the interview
        interview_id = new_id()
        now = self.service.workspace.now()
        total = sum(1 for item in form.items if item.required)
        with self.service.workspace.write() as db:
            db.execute(
                "INSERT INTO interviews (id, inspection_id, questionnaire, reference, "
                "inspector_id, attributes, planned_for, total, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    interview_id,
                    inspection.id,
                    questionnaire,
                    reference,
                    inspector_id,
                    json.dumps(values, ensure_ascii=False),
                    planned_for,
                    total,
                    now,
                    now,
                ],
            )
            for case in cases:
                db.execute(
                    "INSERT INTO interview_cases (interview_id, case_id) VALUES (?, ?)",
                    [interview_id, case.id],
                )
            self.record_history(interview_id, "interview", "", "created", None, reference, "", now)
        return self.summary(interview_id)

    def _check_link(self, questionnaire: str, case_id: str, case_ref: str, place: str) -> None:
        if questionnaire != SERVICE_USER:
            return
        other = self.db.execute(
            "SELECT i.reference FROM interview_cases ic JOIN interviews i "
            "ON i.id = ic.interview_id WHERE ic.case_id = ? AND i.questionnaire = ?",
            [case_id, SERVICE_USER],
        ).fetchone()
        if other:
            raise InvalidChange(
                f"case {case_ref} already has a service-user interview ({other[0]})", place=place
            )

    def link_case(self, interview_id: str, case_id: str) -> InterviewSummary:
        """Tie one more case to an officer interview (one officer, several cases)."""
        summary = self.summary(interview_id)
        case = self.service.case_summary(case_id)
        place = f"interview {summary.reference}"
        if case_id in summary.case_ids:
            return summary
        if summary.questionnaire == SERVICE_USER:
            raise InvalidChange("a service-user interview belongs to exactly one case", place=place)
        with self.service.workspace.write() as db:
            db.execute(
                "INSERT INTO interview_cases (interview_id, case_id) VALUES (?, ?)",
                [interview_id, case_id],
            )
            db.execute(
                "UPDATE interviews SET revision = revision + 1, updated_at = ? WHERE id = ?",
                [self.service.workspace.now(), interview_id],
            )
            self.record_history(interview_id, "case", "", "linked", None, case.reference, "")
        return self.summary(interview_id)

    def unlink_case(self, interview_id: str, case_id: str) -> InterviewSummary:
        summary = self.summary(interview_id)
        if case_id not in summary.case_ids:
            return summary
        if summary.questionnaire == SERVICE_USER:
            raise InvalidChange(
                "a service-user interview belongs to its case; delete nothing, record it again",
                place=f"interview {summary.reference}",
            )
        reference = summary.case_references[summary.case_ids.index(case_id)]
        with self.service.workspace.write() as db:
            db.execute(
                "DELETE FROM interview_cases WHERE interview_id = ? AND case_id = ?",
                [interview_id, case_id],
            )
            db.execute(
                "UPDATE interviews SET revision = revision + 1, updated_at = ? WHERE id = ?",
                [self.service.workspace.now(), interview_id],
            )
            self.record_history(interview_id, "case", "", "linked", reference, None, "")
        return self.summary(interview_id)

    # -- answering ----------------------------------------------------------------------------
    def answer(
        self,
        interview_id: str,
        item_id: str,
        value: str | None,
        *,
        na_reason: str | None = None,
        edit_reason: str = "",
    ) -> InterviewChange:
        """Answer an item (agree, disagree, yes, no, a choice, na, or free text), or clear it."""
        fields: dict[str, Any] = {"value": value}
        if na_reason is not None:
            fields["na_reason"] = na_reason
        return self.set_fields(interview_id, item_id, fields, edit_reason=edit_reason)

    def set_fields(
        self,
        interview_id: str,
        item_id: str,
        fields: Mapping[str, Any],
        *,
        edit_reason: str = "",
    ) -> InterviewChange:
        """Set any of an item's value, reason for not applicable and note at once (the GUI's
        edits and their undo: ``InterviewChange.old`` holds the values to put back)."""
        detail, read_at = self._current(interview_id)
        item = self._item(detail, item_id)
        unknown = set(fields) - set(ANSWER_FIELDS)
        if unknown:
            raise InvalidChange(f"unknown field(s) {', '.join(sorted(unknown))}")
        value = fields.get("value")
        typed = item.answer is not AnswerType.TEXT
        if value is not None and typed and value not in item.values():
            raise InvalidChange(
                f"{value!r} is not an answer to this item; use one of: {', '.join(item.values())}",
                place=f"interview {detail.summary.reference}, item {item_id}",
            )
        return self._set(detail, read_at, item, dict(fields), edit_reason)

    def set_note(
        self, interview_id: str, item_id: str, note: str, *, edit_reason: str = ""
    ) -> InterviewChange:
        detail, read_at = self._current(interview_id)
        return self._set(detail, read_at, self._item(detail, item_id), {"note": note}, edit_reason)

    def set_na_reason(
        self, interview_id: str, item_id: str, reason: str, *, edit_reason: str = ""
    ) -> InterviewChange:
        detail, read_at = self._current(interview_id)
        item = self._item(detail, item_id)
        return self._set(detail, read_at, item, {"na_reason": reason}, edit_reason)

    def set_attribute(
        self, interview_id: str, attribute_id: str, value: str, *, edit_reason: str = ""
    ) -> InterviewChange:
        """The officer's grade, the cluster, how the interview was held."""
        detail, read_at = self._current(interview_id)
        summary = detail.summary
        place = f"interview {summary.reference}"
        value = self._check_attribute(detail.questionnaire, attribute_id, value, place)
        old = summary.attributes.get(attribute_id, "")
        if old == value:
            return self._unchanged(summary)
        self._require_edit_reason(summary, edit_reason)
        attributes = {**summary.attributes, attribute_id: value}
        with self.service.workspace.write() as db:
            db.execute(
                "UPDATE interviews SET attributes = ?, revision = revision + 1, updated_at = ? "
                "WHERE id = ?",
                [
                    json.dumps(attributes, ensure_ascii=False),
                    self.service.workspace.now(),
                    summary.id,
                ],
            )
            self.record_history(
                interview_id, "attribute", attribute_id, "value", old, value, edit_reason
            )
            updated = replace(summary, attributes=attributes, revision=summary.revision + 1)
            change, after = self._after(
                replace(detail, summary=updated), (), edit_reason, {attribute_id: old}
            )
        return self._committed(change, after, read_at)

    def set_notes(self, interview_id: str, notes: str, *, edit_reason: str = "") -> InterviewChange:
        """The interview's running notes (typed as the interviewee speaks)."""
        detail, read_at = self._current(interview_id)
        summary = detail.summary
        if summary.notes == notes:
            return self._unchanged(summary)
        self._require_edit_reason(summary, edit_reason)
        with self.service.workspace.write() as db:
            db.execute(
                "UPDATE interviews SET notes = ?, revision = revision + 1, updated_at = ? "
                "WHERE id = ?",
                [notes, self.service.workspace.now(), interview_id],
            )
            self.record_history(
                interview_id, "interview", "", "notes", summary.notes, notes, edit_reason
            )
            updated = replace(summary, notes=notes, revision=summary.revision + 1)
            change, after = self._after(
                replace(detail, summary=updated), (), edit_reason, {"notes": summary.notes}
            )
        return self._committed(change, after, read_at)

    def mark_complete(self, interview_id: str) -> InterviewChange:
        detail, read_at = self._current(interview_id)
        summary = detail.summary
        if summary.status == "complete":
            return self._unchanged(summary)
        missing = detail.missing
        if missing:
            raise InterviewIncomplete(summary.reference, missing)
        now = self.service.workspace.now()
        with self.service.workspace.write() as db:
            db.execute(
                "UPDATE interviews SET status = 'complete', completed_at = ?, updated_at = ?, "
                "revision = revision + 1 WHERE id = ?",
                [now, now, interview_id],
            )
            self.record_history(
                interview_id, "interview", "", "status", summary.status, "complete", ""
            )
        change = InterviewChange(
            interview_id,
            (),
            "complete",
            summary.done,
            summary.total,
            now,
            {"status": summary.status},
        )
        updated = replace(summary, status="complete", revision=summary.revision + 1)
        return self._committed(change, replace(detail, summary=updated), read_at)

    # -- internals ----------------------------------------------------------------------------
    @staticmethod
    def _item(detail: InterviewDetail, item_id: str) -> Item:
        try:
            return detail.questionnaire.item(item_id)
        except KeyError:
            summary = detail.summary
            raise InvalidChange(
                f"the {summary.questionnaire} questionnaire has no item {item_id!r}",
                place=f"interview {summary.reference}",
            ) from None

    @staticmethod
    def _check_attribute(form: Questionnaire, key: str, value: str, place: str) -> str:
        try:
            attribute = form.attribute(key)
        except KeyError:
            raise InvalidChange(
                f"the {form.id} interview has no attribute {key!r}", place=place
            ) from None
        value = str(value).strip()
        if attribute.choices and value and value not in attribute.choices:
            raise InvalidChange(
                f"{value!r} is not a {attribute.label.lower()}; use one of: "
                f"{', '.join(attribute.choices)}",
                place=place,
            )
        return value

    def _require_edit_reason(self, summary: InterviewSummary, edit_reason: str) -> None:
        if summary.status == "complete" and not edit_reason.strip():
            raise EditReasonRequired(
                "this interview is complete: give a reason for the change",
                place=f"interview {summary.reference}",
            )

    def _unchanged(self, summary: InterviewSummary) -> InterviewChange:
        return InterviewChange(
            summary.id,
            (),
            summary.status,
            summary.done,
            summary.total,
            self.service.workspace.now(),
        )

    def record_history(
        self,
        interview_id: str,
        entity: str,
        item_id: str,
        name: str,
        old: Any,
        new: Any,
        reason: str,
        at: str | None = None,
    ) -> None:
        """Append one row to the interview's history (call inside a write)."""
        self.db.execute(
            "INSERT INTO interview_history (id, at, who, interview_id, entity, item_id, field, "
            "old, new, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new_id(),
                at or self.service.workspace.now(),
                self.service.user,
                interview_id,
                entity,
                item_id,
                name,
                old,
                new,
                reason,
            ],
        )

    def _set(
        self,
        detail: InterviewDetail,
        read_at: StoreVersion,
        item: Item,
        fields: dict[str, Any],
        edit_reason: str,
    ) -> InterviewChange:
        """Change one item's answer from the interview as kept: one statement for the answer,
        one history row per field changed, one for the interview's progress."""
        summary = detail.summary
        position = detail.questionnaire.position(item.id)
        stored = detail.items[position].answer
        old = {"value": stored.value, "na_reason": stored.na_reason, "note": stored.note}
        changed = {k: v for k, v in fields.items() if old[k] != v}
        if not changed:
            return self._unchanged(summary)
        self._require_edit_reason(summary, edit_reason)
        now = self.service.workspace.now()
        user = self.service.user
        rev = new_id()
        new = {**old, **changed}
        record = AnswerRecord(
            item.id,
            new["value"],
            new["na_reason"],
            new["note"],
            stored.revision + 1,
            rev,
            stored.rev if stored.stored else None,
            now,
            user,
        )
        with self.service.workspace.write() as db:
            if stored.stored:
                db.execute(
                    _update_answer_sql(tuple(changed)),
                    [*changed.values(), rev, now, user, summary.id, item.id],
                )
            else:
                db.execute(
                    "INSERT INTO interview_answers (id, interview_id, item_id, value, na_reason, "
                    "note, revision, rev, replaces, updated_at, updated_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, 1, ?, NULL, ?, ?)",
                    [new_id(), summary.id, item.id, *new.values(), rev, now, user],
                )
            for name, value in changed.items():
                self.record_history(
                    summary.id, "answer", item.id, name, old[name], value, edit_reason, now
                )
            items = (*detail.items[:position], InterviewItem(item, record))
            items += detail.items[position + 1 :]
            change, after = self._after(
                InterviewDetail(summary, detail.questionnaire, items), (item.id,), edit_reason, old
            )
        return self._committed(change, after, read_at)

    def _after(
        self,
        detail: InterviewDetail,
        item_ids: tuple[str, ...],
        edit_reason: str,
        old: Mapping[str, Any],
    ) -> tuple[InterviewChange, InterviewDetail]:
        """Inside a write: refresh progress and status after a change; the change, and the
        interview as it now stands."""
        summary = detail.summary
        done, total = progress(detail.items)
        status = summary.status
        if status == "not started":
            status = "in progress"
        elif status == "complete" and detail.missing:
            status = "in progress"  # the edit left something missing: open again
        now = self.service.workspace.now()
        self.db.execute(
            "UPDATE interviews SET done = ?, total = ?, status = ?, updated_at = ?, "
            "completed_at = CASE WHEN ? = 'complete' THEN completed_at END WHERE id = ?",
            [done, total, status, now, status, summary.id],
        )
        if status != summary.status:
            self.record_history(
                summary.id, "interview", "", "status", summary.status, status, edit_reason
            )
        updated = replace(summary, status=status, done=done, total=total)
        change = InterviewChange(summary.id, item_ids, status, done, total, now, old)
        return change, InterviewDetail(updated, detail.questionnaire, detail.items)
