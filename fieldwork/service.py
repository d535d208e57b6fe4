"""The service: the handle on one open workspace, and the facade for editing its cases.

``Service`` opens, creates and closes a workspace and holds what every operation
needs: the database (``db``), the framework and the user the history names. Its
own methods set up the inspection and its inspectors, add cases, and make every
edit of a case (answers, notes, attributes, marking complete). Each such edit
runs as one transaction, appends its history rows in that same transaction, and
returns a small frozen record of what changed so a view can refresh just that.

The larger operations are modules that take the service and write through
``service.workspace.write()`` themselves: sampling (``fieldwork.sampling``),
scoring (``fieldwork.scoring``), bundles (``fieldwork.bundles``), allocation
(``fieldwork.allocation``) and keys (``fieldwork.keys``). ``docs/architecture.md``
maps the layers and where each rule lives; the rules of what applies, what is
missing and a case's status live in ``applicability``, never in the GUI.
"""

from __future__ import annotations

import getpass
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlite_utils import Database

from fieldwork import withdrawals
from fieldwork.answers import Answer
from fieldwork.applicability import (
    CaseItem,
    ItemKind,
    StoredResponse,
    case_items,
    missing_items,
    progress,
    status_after_edit,
    with_response,
)
from fieldwork.errors import (
    CaseIncomplete,
    EditReasonRequired,
    InvalidChange,
    MissingItem,
)
from fieldwork.framework import (
    DEFAULT_FRAMEWORK,
    AttributeValue,
    Framework,
    Sample,
    framework_by_id,
)
from fieldwork.store import KDF_LOG2_N, Clock, Workspace, WorkspaceKey, new_id, utc_now


@dataclass(frozen=True)
class Inspection:
    id: str
    name: str
    provider: str
    fieldwork_start: str | None
    fieldwork_end: str | None
    framework_id: str


@dataclass(frozen=True)
class Inspector:
    id: str
    name: str
    email: str
    role: str


@dataclass(frozen=True)
class CaseSummary:
    """A row of the case list."""

    id: str
    sample: str
    reference: str
    status: str
    done: int
    total: int
    inspector_id: str | None
    inspector_name: str | None
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)
    #: On a laptop: central moved the case to another inspector; it is read-only here.
    withdrawn: withdrawals.Withdrawal | None = None

    @property
    def completeness(self) -> int:
        """Whole per cent of applicable items done."""
        return 100 * self.done // self.total if self.total else 100


@dataclass(frozen=True)
class CaseDetail:
    summary: CaseSummary
    items: tuple[CaseItem, ...]

    def item(self, item_id: str) -> CaseItem:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def missing(self) -> list[MissingItem]:
        return missing_items(self.items)

    def first_unanswered(self) -> CaseItem | None:
        return next((i for i in self.items if i.missing is not None), None)


@dataclass(frozen=True)
class Change:
    """What one call changed: which case, which items, where the case now stands, and the
    case as the store now holds it (``detail``), so that a view refreshes without asking
    the store again."""

    case_id: str
    item_ids: tuple[str, ...]
    status: str
    done: int
    total: int
    saved_at: str
    detail: CaseDetail
    applicability_changed: bool = False


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    at: str
    who: str
    case_id: str | None
    entity: str
    item_id: str
    field: str
    old: str | None
    new: str | None
    reason: str


def default_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


#: What has been written so far (``Service.store_version``).
StoreVersion = tuple[int, int]
Kept_ = TypeVar("Kept_")


class Kept(Generic[Kept_]):
    """The last few things read from the store (cases, interviews), each with the store's
    version it was read at, returned again while nothing has been written since. Any write
    anywhere, by any path, makes every kept one stale; one read inside a transaction is not
    kept (it may yet be rolled back). The service is passed in, not held, so that a cache
    keyed weakly by its service does not keep it alive."""

    def __init__(self, size: int = 16):
        self._size = size
        self._items: OrderedDict[str, tuple[StoreVersion, Kept_]] = OrderedDict()

    def get(self, key: str, version: StoreVersion) -> Kept_ | None:
        kept = self._items.get(key)
        if kept is None or kept[0] != version:
            return None
        self._items.move_to_end(key)
        return kept[1]

    def keep(self, service: Service, key: str, value: Kept_, version: StoreVersion) -> None:
        if service.db.conn.in_transaction:  # it may yet be rolled back: keep nothing
            self._items.pop(key, None)
            return
        self._items[key] = (version, value)
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def committed(self, service: Service, key: str, value: Kept_, read_at: StoreVersion) -> None:
        """After a change is committed: keep what it left, unless another connection
        committed since it was read (then it is read afresh next time)."""
        version = service.store_version()
        if version[1] == read_at[1]:
            self.keep(service, key, value, version)
        else:
            self._items.pop(key, None)


class Service:
    """The handle on one open workspace and its case-editing operations. Owned by one thread.

    Sampling, scoring, bundles, allocation and keys are modules that take this
    service (or its ``db``), not methods of it.
    """

    def __init__(self, workspace: Workspace, user: str | None = None):
        self.workspace = workspace
        self.user = user or default_user()
        # The last cases read or changed, each with the store's version it was built at:
        # answering needs the case's items, and rebuilding them (every applicability rule)
        # for each key press is most of an answer's work. See ``case``.
        self._details: Kept[CaseDetail] = Kept()

    # -- lifecycle --------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        framework_id: str = DEFAULT_FRAMEWORK,
        kind: str = "central",
        user: str | None = None,
        clock: Clock = utc_now,
        passphrase: str | WorkspaceKey | None = None,
        kdf_log2_n: int = KDF_LOG2_N,
    ) -> Service:
        """A new workspace; encrypted when ``passphrase`` is given (see ``Workspace.create``)."""
        framework = framework_by_id(framework_id)
        workspace = Workspace.create(
            path, framework, kind=kind, clock=clock, passphrase=passphrase, kdf_log2_n=kdf_log2_n
        )
        return cls(workspace, user)

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        user: str | None = None,
        clock: Clock = utc_now,
        backup: bool = True,
        check: bool = True,
        passphrase: str | WorkspaceKey | None = None,
    ) -> Service:
        """Open a workspace; see ``Workspace.open`` for ``backup``, ``check`` and
        ``passphrase`` (needed for an encrypted workspace)."""
        workspace = Workspace.open(
            path, clock=clock, backup=backup, check=check, passphrase=passphrase
        )
        return cls(workspace, user)

    def close(self) -> None:
        self.workspace.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def framework(self) -> Framework:
        return self.workspace.framework

    @property
    def db(self) -> Database:
        return self.workspace.db

    # -- inspection and inspectors ---------------------------------------------------------
    def inspection(self) -> Inspection | None:
        row = self.db.execute(
            "SELECT id, name, provider, fieldwork_start, fieldwork_end, framework_id "
            "FROM inspections ORDER BY created_at LIMIT 1"
        ).fetchone()
        return Inspection(*row) if row else None

    def create_inspection(
        self,
        name: str,
        *,
        provider: str = "",
        fieldwork_start: date | None = None,
        fieldwork_end: date | None = None,
    ) -> Inspection:
        if not name.strip():
            raise InvalidChange("an inspection needs a name")
        if self.inspection() is not None:
            raise InvalidChange(
                "this workspace already holds an inspection", file=str(self.workspace.path)
            )
        inspection = Inspection(
            new_id(),
            name.strip(),
            provider.strip(),
            fieldwork_start.isoformat() if fieldwork_start else None,
            fieldwork_end.isoformat() if fieldwork_end else None,
            self.framework.id,
        )
        with self.workspace.write() as db:
            db.table("inspections").insert(
                {
                    "id": inspection.id,
                    "name": inspection.name,
                    "provider": inspection.provider,
                    "fieldwork_start": inspection.fieldwork_start,
                    "fieldwork_end": inspection.fieldwork_end,
                    "framework_id": self.framework.id,
                    "framework_hash": self.framework.content_hash,
                    "created_at": self.workspace.now(),
                }
            )
            self.workspace.record_history(
                case_id=None,
                entity="inspection",
                field="created",
                old=None,
                new=inspection.name,
                who=self.user,
            )
        return inspection

    def _require_inspection(self) -> Inspection:
        inspection = self.inspection()
        if inspection is None:
            raise InvalidChange(
                "create an inspection in this workspace first", file=str(self.workspace.path)
            )
        return inspection

    def add_inspector(self, name: str, *, email: str = "", role: str = "inspector") -> Inspector:
        inspection = self._require_inspection()
        if not name.strip():
            raise InvalidChange("an inspector needs a name")
        if any(i.name == name.strip() for i in self.inspectors()):
            raise InvalidChange(f"there is already an inspector called {name.strip()!r}")
        inspector = Inspector(new_id(), name.strip(), email.strip(), role)
        with self.workspace.write() as db:
            db.table("inspectors").insert(
                {
                    "id": inspector.id,
                    "inspection_id": inspection.id,
                    "name": inspector.name,
                    "email": inspector.email,
                    "role": role,
                    "created_at": self.workspace.now(),
                }
            )
            self.workspace.record_history(
                case_id=None,
                entity="inspector",
                field="created",
                old=None,
                new=inspector.name,
                who=self.user,
            )
        return inspector

    def inspectors(self) -> list[Inspector]:
        return [
            Inspector(*r)
            for r in self.db.execute("SELECT id, name, email, role FROM inspectors ORDER BY name")
        ]

    # -- cases ----------------------------------------------------------------------------
    def add_case(
        self,
        sample: str,
        reference: str,
        attributes: Mapping[str, AttributeValue] | None = None,
        inspector_id: str | None = None,
    ) -> CaseSummary:
        [case_id] = self.add_cases([(sample, reference, attributes or {}, inspector_id)])
        return self.case_summary(case_id)

    def add_cases(
        self, rows: Iterable[tuple[str, str, Mapping[str, AttributeValue], str | None]]
    ) -> list[str]:
        """Add many cases in one transaction; all or none. Returns their ids."""
        inspection = self._require_inspection()
        now = self.workspace.now()
        records, ids = [], []
        for n, (sample_id, reference, attributes, inspector_id) in enumerate(rows, start=1):
            sample = self.sample(sample_id)
            place = f"case {n} ({reference or 'no reference'})"
            if not reference.strip():
                raise InvalidChange(f"{sample.reference_label} is empty", place=place)
            clean = {a: self._check_attribute(sample, a, v, place) for a, v in attributes.items()}
            done, total = progress(case_items(self.framework, sample.id, clean, {}))
            case_id = new_id()
            ids.append(case_id)
            records.append(
                {
                    "id": case_id,
                    "inspection_id": inspection.id,
                    "sample": sample.id,
                    "reference": reference.strip(),
                    "inspector_id": inspector_id,
                    "attributes": json.dumps(clean, ensure_ascii=False),
                    "status": "not started",
                    "done": done,
                    "total": total,
                    "updated_at": now,
                }
            )
        with self.workspace.write() as db:
            existing = {(r[0], r[1]) for r in db.execute("SELECT sample, reference FROM cases")}
            for record in records:
                key = (record["sample"], record["reference"])
                if key in existing:
                    raise InvalidChange(
                        f"case {record['reference']!r} is already in sample {record['sample']!r}"
                    )
                existing.add(key)
            db.table("cases").insert_all(records, batch_size=500)
            db.table("history").insert_all(
                (
                    {
                        "id": new_id(),
                        "at": now,
                        "who": self.user,
                        "case_id": r["id"],
                        "entity": "case",
                        "item_id": "",
                        "field": "created",
                        "old": None,
                        "new": r["reference"],
                        "reason": "",
                    }
                    for r in records
                ),
                batch_size=500,
            )
        return ids

    _CASE_COLUMNS = (
        "c.id, c.sample, c.reference, c.status, c.done, c.total, c.inspector_id, i.name, "
        f"c.attributes, {withdrawals.COLUMNS} FROM cases c "
        f"LEFT JOIN inspectors i ON i.id = c.inspector_id {withdrawals.JOIN}"
    )

    @staticmethod
    def _summary(row: tuple[Any, ...]) -> CaseSummary:
        case_id, sample, reference, status, done, total, inspector_id, inspector, attrs = row[:9]
        return CaseSummary(
            case_id,
            sample,
            reference,
            status,
            done,
            total,
            inspector_id,
            inspector,
            json.loads(attrs),
            withdrawals.Withdrawal.from_row(*row[9:]),
        )

    def cases(self, *, inspector_id: str | None = None) -> list[CaseSummary]:
        """Every case, in sample then reference order."""
        where, params = ("WHERE c.inspector_id = ?", [inspector_id]) if inspector_id else ("", [])
        sql = f"SELECT {self._CASE_COLUMNS} {where} ORDER BY c.sample, c.reference"
        return [self._summary(r) for r in self.db.execute(sql, params)]

    def case_summary(self, case_id: str) -> CaseSummary:
        row = self.db.execute(f"SELECT {self._CASE_COLUMNS} WHERE c.id = ?", [case_id]).fetchone()
        if row is None:
            raise InvalidChange(
                f"there is no case with id {case_id}", file=str(self.workspace.path)
            )
        return self._summary(row)

    def find_case(self, reference: str, sample: str | None = None) -> CaseSummary:
        sql = f"SELECT {self._CASE_COLUMNS} WHERE c.reference = ?"
        params = [reference]
        if sample:
            sql += " AND c.sample = ?"
            params.append(sample)
        rows = self.db.execute(sql, params).fetchall()
        if not rows:
            raise InvalidChange(f"there is no case {reference!r}", file=str(self.workspace.path))
        if len(rows) > 1:
            raise InvalidChange(f"{reference!r} is in more than one sample; name the sample")
        return self._summary(rows[0])

    def case(self, case_id: str) -> CaseDetail:
        """The case with its items as the store holds them.

        A case read or changed here before is not built again while nothing has been written
        since: the store's version (changes made through this connection, and
        ``PRAGMA data_version`` for commits of any other) is the same as when it was built.
        Any write anywhere, by any path, makes every kept case stale. A case read inside a
        transaction is not kept: the transaction may yet be rolled back."""
        version = self.store_version()
        kept = self._details.get(case_id, version)
        if kept is not None:
            return kept
        summary = self.case_summary(case_id)
        detail = CaseDetail(summary, tuple(self._items(summary)))
        self._details.keep(self, case_id, detail, version)
        return detail

    def store_version(self) -> StoreVersion:
        """What has been written so far: changes through this connection, and
        ``PRAGMA data_version`` for commits of any other. Anything kept in memory from the
        store (a case here, an interview in ``fieldwork/interviews/store.py``) is current while
        this is unchanged."""
        data_version = self.db.execute("PRAGMA data_version").fetchone()[0]
        return self.db.conn.total_changes, data_version

    def _committed(self, change: Change, read_at: StoreVersion) -> Change:
        self._details.committed(self, change.case_id, change.detail, read_at)
        return change

    def missing(self, case_id: str) -> list[MissingItem]:
        return self.case(case_id).missing

    def _responses(self, case_id: str) -> dict[str, StoredResponse]:
        return {
            r[0]: StoredResponse(*r)
            for r in self.db.execute(
                "SELECT item_id, value, na_reason, note FROM responses WHERE case_id = ?", [case_id]
            )
        }

    def _items(self, summary: CaseSummary) -> list[CaseItem]:
        return case_items(
            self.framework, summary.sample, summary.attributes, self._responses(summary.id)
        )

    # -- changes to a case ----------------------------------------------------------------
    def answer(
        self,
        case_id: str,
        prompt_id: str,
        value: Answer | None,
        *,
        na_reason: str | None = None,
        edit_reason: str = "",
    ) -> Change:
        """Answer a prompt Yes / No / Not applicable (with reason), or clear it (None)."""
        summary, item, items = self._target(case_id, prompt_id, ItemKind.PROMPT)
        fields = self._value_fields(summary, item, value, na_reason)
        return self._set_response(summary, items, item, fields, edit_reason)

    def judge(
        self,
        case_id: str,
        key_question_id: str,
        value: Answer | None,
        *,
        na_reason: str | None = None,
        rationale: str | None = None,
        edit_reason: str = "",
    ) -> Change:
        """Record (or clear, with None) a key-question judgement: ``Answer.YES`` satisfactory,
        ``Answer.NO`` not, ``Answer.NOT_APPLICABLE`` (with a reason) where the framework allows
        it; optionally with its rationale."""
        summary, item, items = self._target(case_id, key_question_id, ItemKind.JUDGEMENT)
        fields = self._value_fields(summary, item, value, na_reason)
        if rationale is not None:
            fields["note"] = rationale
        return self._set_response(summary, items, item, fields, edit_reason)

    def _value_fields(
        self, summary: CaseSummary, item: CaseItem, value: object, na_reason: str | None
    ) -> dict[str, Any]:
        """The stored fields of a typed answer; refuses anything but an ``Answer`` or None."""
        what = "key question" if item.kind is ItemKind.JUDGEMENT else "prompt"
        place = f"case {summary.reference}, {what} {item.item_id}"
        if value is not None and not isinstance(value, Answer):
            raise InvalidChange(
                f"{value!r} is not an answer: give Answer.YES, Answer.NO or "
                "Answer.NOT_APPLICABLE (fieldwork.answers), or None to clear",
                place=place,
            )
        if value is Answer.NOT_APPLICABLE and not item.may_mark_na:
            expected = (
                "judged satisfactory or not"
                if item.kind is ItemKind.JUDGEMENT
                else "answered Yes or No"
            )
            raise InvalidChange(
                f"this {what} must be {expected}: the framework does not allow "
                "'not applicable' here",
                place=place,
            )
        if na_reason is not None and not isinstance(na_reason, str):
            raise InvalidChange(f"{na_reason!r} is not a reason (text)", place=place)
        fields: dict[str, Any] = {"value": None if value is None else value.value}
        if na_reason is not None:
            fields["na_reason"] = na_reason
        return fields

    def set_note(self, case_id: str, item_id: str, note: str, *, edit_reason: str = "") -> Change:
        """A prompt's note, or a key question's rationale."""
        summary, item, items = self._target(case_id, item_id, None)
        return self._set_response(summary, items, item, {"note": note}, edit_reason)

    def set_na_reason(
        self, case_id: str, item_id: str, reason: str, *, edit_reason: str = ""
    ) -> Change:
        """Why a prompt, or a key-question judgement, is not applicable in this case."""
        summary, item, items = self._target(case_id, item_id, None)
        return self._set_response(summary, items, item, {"na_reason": reason}, edit_reason)

    def set_attribute(
        self, case_id: str, attribute_id: str, value: AttributeValue, *, edit_reason: str = ""
    ) -> Change:
        """Change one case attribute; what applies is re-evaluated at once."""
        detail = self.case(case_id)
        summary = detail.summary
        place = f"case {summary.reference}"
        sample = self.sample(summary.sample)
        value = self._check_attribute(sample, attribute_id, value, place)
        old = summary.attributes.get(attribute_id)
        if old == value:
            return self._unchanged(summary, detail.items)
        self._require_edit_reason(summary, edit_reason)
        read_at = self.store_version()
        before = {i.item_id for i in detail.items if i.applies}
        attributes = {**summary.attributes, attribute_id: value}
        updated = CaseSummary(**{**summary.__dict__, "attributes": attributes})
        items = self._items(updated)
        after = {i.item_id for i in items if i.applies}
        with self.workspace.write() as db:
            db.execute(
                "UPDATE cases SET attributes = ?, revision = revision + 1, updated_at = ?"
                " WHERE id = ?",
                [json.dumps(attributes, ensure_ascii=False), self.workspace.now(), case_id],
            )
            self.workspace.record_history(
                case_id=case_id,
                entity="case",
                field=f"attribute:{attribute_id}",
                old=old,
                new=value,
                who=self.user,
                reason=edit_reason,
            )
            change = self._after_change(updated, items, tuple(sorted(before ^ after)), edit_reason)
        return self._committed(replace(change, applicability_changed=before != after), read_at)

    def mark_complete(self, case_id: str) -> Change:
        """Mark a case complete; refused with the list of missing items while anything is."""
        detail = self.case(case_id)
        summary, items = detail.summary, detail.items
        if summary.status != "complete":  # withdrawn, or locked by quality assurance
            self._require_edit_reason(summary, "")
        missing = missing_items(items)
        if missing:
            raise CaseIncomplete(summary.reference, missing)
        if summary.status == "complete":
            return self._unchanged(summary, items)
        read_at = self.store_version()
        with self.workspace.write() as db:
            now = self.workspace.now()
            db.execute(
                "UPDATE cases SET status = 'complete', completed_at = ?, updated_at = ?,"
                " revision = revision + 1 WHERE id = ?",
                [now, now, case_id],
            )
            self.workspace.record_history(
                case_id=case_id,
                entity="case",
                field="status",
                old=summary.status,
                new="complete",
                who=self.user,
            )
        done, total = progress(items)
        stored = CaseDetail(replace(summary, status="complete"), items)
        return self._committed(Change(case_id, (), "complete", done, total, now, stored), read_at)

    def history(self, case_id: str | None = None, *, limit: int | None = None) -> list[HistoryRow]:
        """The append-only history, oldest first (all of it, or one case's)."""
        sql = "SELECT seq, at, who, case_id, entity, item_id, field, old, new, reason FROM history"
        params: list[Any] = []
        if case_id:
            sql += " WHERE case_id = ?"
            params.append(case_id)
        sql += " ORDER BY seq"
        if limit:
            sql = f"SELECT * FROM ({sql} DESC LIMIT {int(limit)}) ORDER BY seq"
        return [HistoryRow(*r) for r in self.db.execute(sql, params)]

    # -- internals ------------------------------------------------------------------------
    def sample(self, sample_id: str) -> Sample:
        """The framework's sample with this id; a clear InvalidChange if there is none."""
        try:
            return self.framework.sample(sample_id)
        except KeyError:
            raise InvalidChange(
                f"unknown sample {sample_id!r}; the framework has "
                f"{', '.join(s.id for s in self.framework.samples)}"
            ) from None

    def _check_attribute(
        self, sample: Sample, attribute_id: str, value: Any, place: str
    ) -> AttributeValue:
        try:
            attribute = sample.attribute(attribute_id)
        except KeyError:
            raise InvalidChange(
                f"unknown attribute {attribute_id!r} for sample {sample.id!r}", place=place
            ) from None
        where = f"{place}, {attribute.label}"
        if value is None or value == "":
            return None
        if attribute.type == "bool":
            if isinstance(value, bool):
                return value
            raise InvalidChange(f"{value!r} is not yes or no", place=where)
        if not isinstance(value, str):
            raise InvalidChange(f"{value!r} is not text", place=where)
        if attribute.type == "choice" and value not in attribute.choices:
            raise InvalidChange(
                f"{value!r} is not one of: {', '.join(attribute.choices)}", place=where
            )
        if attribute.type == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                raise InvalidChange(f"{value!r} is not a date (YYYY-MM-DD)", place=where) from None
        return value

    def _target(
        self, case_id: str, item_id: str, kind: ItemKind | None
    ) -> tuple[CaseSummary, CaseItem, list[CaseItem]]:
        """The case, the item to change and all the case's items; refuses unknown or
        inapplicable items."""
        detail = self.case(case_id)
        summary, items = detail.summary, list(detail.items)
        place = f"case {summary.reference}"
        item = next((i for i in items if i.item_id == item_id), None)
        if item is None or (kind is not None and item.kind is not kind):
            what = kind.value if kind else "item"
            known = (
                self.framework.prompt if kind is ItemKind.PROMPT else self.framework.key_question
            )
            try:
                known(item_id)
                problem = f"{what} {item_id} is not part of the {summary.sample} sample"
            except KeyError:
                problem = f"there is no {what} {item_id} in the framework"
            raise InvalidChange(problem, place=place)
        if not item.applies:
            reason = f" ({item.rule_note})" if item.rule_note else ""
            raise InvalidChange(
                f"{item.kind.value} {item_id} does not apply to this case{reason}", place=place
            )
        return summary, item, items

    def _require_edit_reason(self, summary: CaseSummary, edit_reason: str) -> None:
        if summary.withdrawn is not None:  # moved away: read-only here (fieldwork/withdrawals.py)
            raise withdrawals.CaseWithdrawn(summary.reference, summary.withdrawn)
        accepted = self.db.execute(
            "SELECT 1 FROM case_reviews WHERE case_id = ? AND state = 'accepted'", [summary.id]
        ).fetchone()
        if accepted:  # quality assurance accepted it (fieldwork/qa/review.py)
            raise InvalidChange(
                "the case was accepted by quality assurance and is locked: "
                "the lead must reopen it before it can change",
                place=f"case {summary.reference}",
            )
        if summary.status == "complete" and not edit_reason.strip():
            raise EditReasonRequired(
                "the case is complete: give a reason for changing it",
                place=f"case {summary.reference}",
            )

    def _unchanged(self, summary: CaseSummary, items: Iterable[CaseItem]) -> Change:
        detail = CaseDetail(summary, tuple(items))
        return Change(
            summary.id,
            (),
            summary.status,
            summary.done,
            summary.total,
            self.workspace.now(),
            detail,
        )

    def _set_response(
        self,
        summary: CaseSummary,
        items: list[CaseItem],
        item: CaseItem,
        fields: dict[str, Any],
        edit_reason: str,
    ) -> Change:
        row = self.db.execute(
            "SELECT id, value, na_reason, note, revision, rev FROM responses "
            "WHERE case_id = ? AND item_id = ?",
            [summary.id, item.item_id],
        ).fetchone()
        old = (
            dict(zip(("value", "na_reason", "note"), row[1:4], strict=True))
            if row
            else {"value": None, "na_reason": "", "note": ""}
        )
        changed = {k: v for k, v in fields.items() if old[k] != v}
        if not changed:
            return self._unchanged(summary, items)
        self._require_edit_reason(summary, edit_reason)
        read_at = self.store_version()
        now = self.workspace.now()
        entity = "judgement" if item.kind is ItemKind.JUDGEMENT else "answer"
        with self.workspace.write() as db:
            if row:
                sets = ", ".join(f"{k} = ?" for k in changed)
                db.execute(
                    f"UPDATE responses SET {sets}, revision = revision + 1, rev = ?, "
                    "replaces = rev, updated_at = ?, updated_by = ? WHERE id = ?",
                    [*changed.values(), new_id(), now, self.user, row[0]],
                )
            else:
                # One fixed statement, not sqlite-utils' insert: that one looks the table up and
                # wraps itself in a savepoint of a new random name, a new statement each time.
                first = {**old, **changed}
                db.execute(
                    "INSERT INTO responses (id, case_id, item_id, kind, value, na_reason, note, "
                    "revision, rev, replaces, updated_at, updated_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, NULL, ?, ?)",
                    [
                        new_id(),
                        summary.id,
                        item.item_id,
                        item.kind.value,
                        first["value"],
                        first["na_reason"],
                        first["note"],
                        new_id(),
                        now,
                        self.user,
                    ],
                )
            for name, value in changed.items():
                label = "rationale" if name == "note" and entity == "judgement" else name
                self.workspace.record_history(
                    case_id=summary.id,
                    entity=entity,
                    item_id=item.item_id,
                    field=label,
                    old=old[name],
                    new=value,
                    who=self.user,
                    reason=edit_reason,
                    at=now,
                )
            stored = StoredResponse(item.item_id, **{**old, **changed})
            change = self._after_change(
                summary, with_response(items, stored), (item.item_id,), edit_reason
            )
        return self._committed(change, read_at)

    def _after_change(
        self,
        summary: CaseSummary,
        items: list[CaseItem],
        item_ids: tuple[str, ...],
        edit_reason: str,
    ) -> Change:
        """Inside a write: refresh the case's progress and status after a change."""
        done, total = progress(items)
        status = status_after_edit(summary.status, items, started=True)
        now = self.workspace.now()
        self.db.execute(
            "UPDATE cases SET done = ?, total = ?, status = ?, updated_at = ?, "
            "completed_at = CASE WHEN ? = 'complete' THEN completed_at END WHERE id = ?",
            [done, total, status, now, status, summary.id],
        )
        if status != summary.status:
            self.workspace.record_history(
                case_id=summary.id,
                entity="case",
                field="status",
                old=summary.status,
                new=status,
                who=self.user,
                reason=edit_reason,
                at=now,
            )
        refreshed = replace(summary, status=status, done=done, total=total)
        return Change(
            summary.id, item_ids, status, done, total, now, CaseDetail(refreshed, tuple(items))
        )
