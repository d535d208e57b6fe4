"""Merging a checked return bundle into central: the plan (the preview), then one commit.

``plan_import`` works out, record by record, what importing a bundle would do,
without writing anything: that plan is the preview. ``apply_import`` then commits
it inside a transaction.

A response supersedes central's version when it descends from it (central's
revision is among its ancestors); it is stale when central's version descends
from it; otherwise the two are a conflict, kept in the ``conflicts`` table for the
data team and never resolved silently. Case attributes merge three ways against
what was last agreed with the inspector (``sent_cases``). Work on a case the
inspector no longer holds (it was moved to someone else) is never applied: what
would change central is kept as a conflict instead.

History rows taken from a bundle keep the laptop's "who" and "when" as claimed
values, and record the bundle they came from and when central received it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from fieldwork.bundles import keystore, ledger, records
from fieldwork.bundles.assignment import insert_lineage, refresh_progress
from fieldwork.bundles.keystore import SIGNING, Keyring
from fieldwork.bundles.reading import AlreadyImported, ReturnContents, read_return
from fieldwork.bundles.schemas import BundleError
from fieldwork.interviews import records as interview_records
from fieldwork.qa import double as qa_double
from fieldwork.qa import review as qa_review
from fieldwork.qa import threads as qa_threads
from fieldwork.service import Service
from fieldwork.store import INTEGRITY_ERRORS, new_id

CONTENT_FIELDS = ("value", "na_reason", "note")


@dataclass(frozen=True)
class Change:
    """One line of the preview: what importing would do to one record."""

    action: str  # new, updated, conflict, kept (central is newer)
    case_reference: str
    item: str  # item id, or "attribute <id>", or "status", or "responses" (new ones, counted)
    detail: str = ""
    count: int = 1  # records this line stands for


@dataclass
class ImportPlan:
    """What importing one bundle will do; nothing is written until ``apply_import``."""

    path: Path
    bundle_id: str
    inspector_id: str
    inspector_name: str
    sequence: int
    created_at: str
    already_imported: bool = False
    contents: ReturnContents | None = None
    new_responses: list[dict[str, Any]] = field(default_factory=list)
    updated_responses: list[dict[str, Any]] = field(default_factory=list)
    new_conflicts: list[dict[str, Any]] = field(default_factory=list)
    conflict_updates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (central rev, incoming rev)
    attribute_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    bases: dict[str, dict[str, Any]] = field(default_factory=dict)
    status_updates: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    new_history: list[list[Any]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    #: Cases that will hold exactly the bundle's responses and attributes: their progress is
    #: the bundle's (done, total), so it need not be worked out again.
    progress: dict[str, tuple[int, int]] = field(default_factory=dict)
    _differs: set[str] = field(default_factory=set)  # cases where central keeps other versions
    _central_items: dict[str, set[str]] = field(default_factory=dict)
    unchanged: int = 0
    #: Cases in the bundle that this inspector no longer holds: their holder's name ('' for
    #: none). Nothing of the bundle is applied to them; what would change is a conflict.
    holders: dict[str, str] = field(default_factory=dict)
    interviews: interview_records.InterviewMerge = field(
        default_factory=interview_records.InterviewMerge
    )
    #: Set by ``release``: the count of new history rows once the rows themselves are gone.
    _history_count: int | None = None

    @property
    def rows(self) -> int:
        """Records the bundle brings (responses and history rows), for progress."""
        if self.contents is None:
            return 0
        return len(self.contents.responses) + len(self.contents.history)

    def release(self) -> None:
        """Once committed, drop the bundle's records and keep what ``describe`` and ``counts``
        show. A run of fifty bundles otherwise holds every record to its end, and each full
        garbage collection walks them all again: a third of the national import."""
        self._history_count = len(self.new_history)
        self.contents = None
        self.new_responses, self.updated_responses, self.new_history = [], [], []
        self.new_conflicts, self.conflict_updates, self.merged = [], [], []
        self.attribute_updates, self.bases, self.status_updates, self.progress = {}, {}, {}, {}
        self._differs, self._central_items = set(), {}

    @property
    def counts(self) -> dict[str, int]:
        tally: Counter[str] = Counter()
        for change in self.changes:
            tally[change.action] += change.count
        return {
            "new": tally["new"],
            "updated": tally["updated"],
            "conflicts": tally["conflict"],
            "kept": tally["kept"],
            "unchanged": self.unchanged,
            "history": len(self.new_history)
            if self._history_count is None
            else self._history_count,
        }

    def describe(self) -> list[str]:
        """The preview as lines of text."""
        if self.already_imported:
            return [f"Already imported: nothing to do ({self.path.name})."]
        c = self.counts
        lines = [
            f"Return bundle {self.sequence} from {self.inspector_name}, made {self.created_at}",
            f"  {c['new']} new, {c['updated']} updated, {c['conflicts']} in conflict, "
            f"{c['kept']} kept (central is newer), {c['unchanged']} unchanged; "
            f"{c['history']} new history rows",
        ]
        for change in self.changes:
            detail = f": {change.detail}" if change.detail else ""
            lines.append(f"  {change.action:<8} {change.case_reference:<12} {change.item}{detail}")
        return lines


@dataclass(frozen=True)
class ImportResult:
    path: Path
    bundle_id: str
    inspector_name: str
    sequence: int
    already_imported: bool
    counts: Mapping[str, int]


# -- planning -----------------------------------------------------------------------------------
def plan_import(service: Service, path: str | Path, keyring: Keyring) -> ImportPlan:
    """Read a bundle and work out what importing it would do. Writes nothing."""
    contents = read_return(service, path, keyring)
    if isinstance(contents, AlreadyImported):
        m = contents.manifest
        return ImportPlan(
            contents.path,
            m.bundle_id,
            m.inspector_id,
            contents.inspector_name,
            m.sequence,
            m.created_at,
            already_imported=True,
        )
    manifest = contents.manifest
    # A second, blind marking of a case is kept apart from the first (fieldwork/qa/double.py).
    contents.cases, contents.responses, contents.history, contents.second_markings = (
        qa_double.split_return(
            service,
            manifest.inspector_id,
            contents.cases,
            contents.responses,
            contents.history,
            records.HISTORY_CASE,
        )
    )
    plan = ImportPlan(
        contents.sealed.path,
        manifest.bundle_id,
        manifest.inspector_id,
        contents.inspector_name,
        manifest.sequence,
        manifest.created_at,
        contents=contents,
    )
    case_ids = [c["id"] for c in contents.cases]
    references = {c["id"]: c["reference"] for c in contents.cases}
    plan.holders = {
        row[0]: row[1]
        for row in service.db.execute(
            "SELECT c.id, COALESCE(i.name, '') FROM cases c LEFT JOIN inspectors i "
            "ON i.id = c.inspector_id WHERE c.id IN (SELECT value FROM json_each(?)) "
            "AND c.inspector_id IS NOT ?",
            [json.dumps(case_ids), plan.inspector_id],
        )
    }
    # An accepted case is locked (fieldwork/qa/review.py): what a bundle holds for it is kept
    # as a conflict, never applied, until quality assurance reopens it.
    for case_id in sorted(qa_review.accepted_cases(service) & set(case_ids)):
        plan.holders.setdefault(case_id, "quality assurance (accepted and locked)")
    _plan_responses(service, plan, contents, case_ids, references)
    _plan_cases(service, plan, contents, case_ids, references)
    known = {
        row[0]
        for row in service.db.execute(
            "SELECT id FROM history WHERE case_id IN (SELECT value FROM json_each(?))",
            [json.dumps(case_ids)],
        )
    }
    plan.new_history = [h for h in contents.history if h[records.HISTORY_ID] not in known]
    plan.interviews = interview_records.plan_merge(service, contents.interviews, moved=plan.holders)
    plan.changes += [Change(*change) for change in plan.interviews.changes]
    return plan


def _plan_responses(
    service: Service,
    plan: ImportPlan,
    contents: ReturnContents,
    case_ids: list[str],
    references: Mapping[str, str],
) -> None:
    scope = json.dumps(case_ids)
    central = {
        (row[0], row[1]): dict(
            zip(
                ("value", "na_reason", "note", "revision", "rev", "updated_by", "updated_at"),
                row[2:],
                strict=True,
            )
        )
        for row in service.db.execute(
            "SELECT case_id, item_id, value, na_reason, note, revision, rev, updated_by, "
            "updated_at FROM responses WHERE case_id IN (SELECT value FROM json_each(?))",
            [scope],
        )
    }
    for case_id, item_id in central:
        plan._central_items.setdefault(case_id, set()).add(item_id)
    open_conflicts = {
        (row[1], row[2]): (row[0], json.loads(row[3]))
        for row in service.db.execute(
            "SELECT id, case_id, item_id, incoming FROM conflicts WHERE entity = 'response' "
            "AND resolved_at IS NULL AND case_id IN (SELECT value FROM json_each(?))",
            [scope],
        )
    }
    settled = {
        (row[0], row[1], row[2])
        for row in service.db.execute(
            "SELECT case_id, item_id, json_extract(incoming, '$.rev') FROM conflicts "
            "WHERE entity = 'response' AND case_id IN (SELECT value FROM json_each(?))",
            [scope],
        )
    }
    parents: dict[str, set[str]] | None = None
    new_by_case: Counter[str] = Counter()
    fresh = not central and not plan.holders
    if fresh:
        # Nothing of these cases is held yet (a first return): every response is new, as the
        # loop below would find one record at a time.
        plan.new_responses = list(contents.responses)
        new_by_case.update(map(itemgetter("case_id"), contents.responses))
    for response in () if fresh else contents.responses:
        key = (response["case_id"], response["item_id"])
        reference = references[response["case_id"]]
        current = central.get(key)
        moved = response["case_id"] in plan.holders
        if current is None and moved:
            if (*key, response["rev"]) in settled:
                plan.unchanged += 1
            else:
                _keep_moved(plan, response, None, reference)
            continue
        if current is None:
            plan.new_responses.append(response)
            new_by_case[response["case_id"]] += 1
            continue
        if current["rev"] == response["rev"]:
            plan.unchanged += 1
            continue
        conflict = open_conflicts.get(key)
        if conflict is not None:
            conflict_id, held = conflict
            if held["rev"] == response["rev"]:
                plan.unchanged += 1
            elif held["rev"] in response["ancestors"]:
                plan._differs.add(response["case_id"])
                plan.conflict_updates.append((conflict_id, response))
                plan.changes.append(
                    Change(
                        "conflict",
                        reference,
                        response["item_id"],
                        "newer version kept in the open conflict",
                    )
                )
            else:
                plan.unchanged += 1
            plan._differs.add(response["case_id"])
            continue
        if current["rev"] in response["ancestors"] and moved:
            _keep_moved(plan, response, current, reference)
            continue
        if current["rev"] in response["ancestors"]:
            plan.updated_responses.append(response)
            plan.changes.append(
                Change(
                    "updated",
                    reference,
                    response["item_id"],
                    f"{_show(current)} → {_show(response)}",
                )
            )
            continue
        if parents is None:
            parents = records.lineage(service, case_ids)
        if response["rev"] in records.ancestors(current["rev"], parents):
            plan._differs.add(response["case_id"])
            plan.changes.append(Change("kept", reference, response["item_id"], "central is newer"))
            continue
        if all(current[f] == response[f] for f in CONTENT_FIELDS):
            plan._differs.add(response["case_id"])
            plan.merged.append((current["rev"], response["rev"]))
            plan.unchanged += 1
            continue
        plan._differs.add(response["case_id"])
        plan.new_conflicts.append(
            {
                "case_id": response["case_id"],
                "entity": "response",
                "item_id": response["item_id"],
                "current": current,
                "incoming": response,
            }
        )
        plan.changes.append(
            Change(
                "conflict",
                reference,
                response["item_id"],
                f"central {_show(current)} by {current['updated_by']}; bundle {_show(response)} "
                f"by {response['updated_by']}",
            )
        )

    for case_id, count in new_by_case.items():
        plan.changes.append(
            Change(
                "new", references[case_id], "responses", f"{count} answers and judgements", count
            )
        )


def _keep_moved(
    plan: ImportPlan,
    response: dict[str, Any],
    current: dict[str, Any] | None,
    reference: str,
) -> None:
    """An answer to a case the inspector no longer holds: kept as a conflict, never applied."""
    holder = plan.holders[response["case_id"]] or "nobody"
    plan._differs.add(response["case_id"])
    plan.new_conflicts.append(
        {
            "case_id": response["case_id"],
            "entity": "response",
            "item_id": response["item_id"],
            "current": current or {"value": None, "na_reason": None, "note": None},
            "incoming": response,
        }
    )
    plan.changes.append(
        Change(
            "conflict",
            reference,
            response["item_id"],
            f"the case is now held by {holder}: {plan.inspector_name}'s {_show(response)} is "
            "kept as a conflict, not applied",
        )
    )


def _show(record: Mapping[str, Any]) -> str:
    value = record["value"] or "unanswered"
    return {"na": "n/a"}.get(value, value) + (" + note" if record["note"] else "")


def _plan_cases(
    service: Service,
    plan: ImportPlan,
    contents: ReturnContents,
    case_ids: list[str],
    references: Mapping[str, str],
) -> None:
    scope = json.dumps(case_ids)
    central = {
        row[0]: (json.loads(row[1]), row[2], row[3])
        for row in service.db.execute(
            "SELECT id, attributes, inspector_id, status FROM cases WHERE id IN "
            "(SELECT value FROM json_each(?))",
            [scope],
        )
    }
    bases = {
        row[0]: json.loads(row[1])
        for row in service.db.execute(
            "SELECT case_id, attributes FROM sent_cases WHERE inspector_id = ? AND case_id IN "
            "(SELECT value FROM json_each(?))",
            [plan.inspector_id, scope],
        )
    }
    open_attribute_conflicts = {
        (row[0], row[1])
        for row in service.db.execute(
            "SELECT case_id, item_id FROM conflicts WHERE entity = 'attribute' AND resolved_at "
            "IS NULL AND case_id IN (SELECT value FROM json_each(?))",
            [scope],
        )
    }
    incoming_items: dict[str, set[str]] = {}
    for response in contents.responses if plan._central_items else ():
        # only cases central holds answers of need it (see the progress test below)
        incoming_items.setdefault(response["case_id"], set()).add(response["item_id"])
    for case in contents.cases:
        attributes, holder, status = central[case["id"]]
        disputed = False
        base = bases.get(case["id"], {})
        incoming = case["attributes"]
        reference = references[case["id"]]
        for name in sorted(set(incoming) | set(attributes) | set(base)):
            mine, theirs, agreed = attributes.get(name), incoming.get(name), base.get(name)
            if theirs in (mine, agreed):
                continue
            if mine == agreed and case["id"] not in plan.holders:
                plan.attribute_updates.setdefault(case["id"], {})[name] = theirs
                plan.changes.append(
                    Change("updated", reference, f"attribute {name}", f"{mine!r} → {theirs!r}")
                )
                continue
            disputed = True
            if (case["id"], name) not in open_attribute_conflicts:
                plan.new_conflicts.append(
                    {
                        "case_id": case["id"],
                        "entity": "attribute",
                        "item_id": name,
                        "current": {"value": mine},
                        "incoming": {"value": theirs, "updated_by": plan.inspector_name},
                    }
                )
                plan.changes.append(
                    Change(
                        "conflict",
                        reference,
                        f"attribute {name}",
                        f"central {mine!r}; bundle {theirs!r}",
                    )
                )
        if incoming != base:
            plan.bases[case["id"]] = incoming
        final = {**attributes, **plan.attribute_updates.get(case["id"], {})}
        if (
            holder == plan.inspector_id
            and not disputed
            and case["id"] not in plan._differs
            and final == incoming
            and plan._central_items.get(case["id"], set()) <= incoming_items.get(case["id"], set())
        ):
            plan.progress[case["id"]] = (case["done"], case["total"])
        if (
            holder == plan.inspector_id
            and case["status"] != status
            and case["id"] not in plan.holders
        ):
            plan.status_updates[case["id"]] = (case["status"], case["completed_at"])
            plan.changes.append(
                Change("updated", reference, "status", f"{status} → {case['status']}")
            )


# -- committing ---------------------------------------------------------------------------------
def apply_import(service: Service, plan: ImportPlan, *, in_run: bool = False) -> ImportResult:
    """Commit a plan in one transaction (or nothing, if it was already imported).

    ``in_run``: the caller holds the transaction of a run of imports (``import_many``) and
    rolls the whole run back if this raises.
    """
    if plan.already_imported or plan.contents is None:
        return ImportResult(
            plan.path, plan.bundle_id, plan.inspector_name, plan.sequence, True, plan.counts
        )
    contents = plan.contents
    db = service.db
    now = service.workspace.now()
    with nullcontext() if in_run else service.workspace.write():
        _register_keys(service, contents, now)
        if contents.qa_threads is not None:
            qa_threads.merge_bundle_records(service, contents.qa_threads)
        # a case handed in complete is submitted for review (fieldwork/qa/review.py)
        qa_threads.submit_handed_in(
            service, [c["id"] for c in contents.cases if c["status"] == "complete"], now
        )
        if contents.second_markings:
            qa_double.store_second(service, contents.second_markings)
        try:
            db.conn.executemany(
                f"INSERT INTO responses ({', '.join(records.RESPONSE_FIELDS)}) "
                f"VALUES ({', '.join('?' * len(records.RESPONSE_FIELDS))})",
                map(itemgetter(*records.RESPONSE_FIELDS), plan.new_responses),
            )
        except INTEGRITY_ERRORS:
            taken = _taken_id(service, plan)
            if taken is None:
                raise
            raise taken from None
        db.conn.executemany(
            "UPDATE responses SET value = ?, na_reason = ?, note = ?, revision = ?, rev = ?, "
            "replaces = ?, updated_at = ?, updated_by = ? WHERE case_id = ? AND item_id = ?",
            [
                [
                    r["value"],
                    r["na_reason"],
                    r["note"],
                    r["revision"],
                    r["rev"],
                    r["replaces"],
                    r["updated_at"],
                    r["updated_by"],
                    r["case_id"],
                    r["item_id"],
                ]
                for r in plan.updated_responses
            ],
        )
        insert_lineage(service, plan.new_responses + plan.updated_responses)
        db.conn.executemany(
            "INSERT OR IGNORE INTO response_lineage (case_id, rev, parent) "
            "SELECT case_id, ?, ? FROM responses WHERE rev = ?",
            [(central, incoming, central) for central, incoming in plan.merged],
        )
        db.conn.executemany(
            "INSERT INTO conflicts (id, case_id, entity, item_id, current, incoming, "
            "inspector_id, bundle_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    new_id(),
                    c["case_id"],
                    c["entity"],
                    c["item_id"],
                    json.dumps(c["current"], ensure_ascii=False),
                    json.dumps(c["incoming"], ensure_ascii=False),
                    plan.inspector_id,
                    plan.bundle_id,
                    now,
                ]
                for c in plan.new_conflicts
            ],
        )
        db.conn.executemany(
            "UPDATE conflicts SET incoming = ?, bundle_id = ? WHERE id = ?",
            [
                [json.dumps(r, ensure_ascii=False), plan.bundle_id, conflict_id]
                for conflict_id, r in plan.conflict_updates
            ],
        )
        touched = _apply_cases(service, plan, now)
        db.conn.executemany(
            f"INSERT OR IGNORE INTO history ({', '.join(records.HISTORY_FIELDS)}, bundle_id, "
            f"received_at) VALUES ({', '.join('?' * (len(records.HISTORY_FIELDS) + 2))})",
            [(*row, plan.bundle_id, now) for row in plan.new_history],
        )
        touched |= {r["case_id"] for r in plan.new_responses + plan.updated_responses}
        db.conn.executemany(
            "UPDATE cases SET revision = revision + 1, updated_at = ? WHERE id = ?",
            [(now, case_id) for case_id in sorted(touched)],
        )
        exact = {c: plan.progress[c] for c in touched if c in plan.progress}
        db.conn.executemany(
            "UPDATE cases SET done = ?, total = ? WHERE id = ?",
            [(done, total, case_id) for case_id, (done, total) in exact.items()],
        )
        refresh_progress(service, touched - set(exact))
        interview_records.apply_merge(
            service, plan.interviews, inspector_id=plan.inspector_id, bundle_id=plan.bundle_id
        )
        counts = plan.counts
        ledger.record_bundle(
            service,
            contents.manifest,
            "imported",
            contents.sealed.file_sha256,
            counts,
            series=contents.series,
        )
        service.workspace.record_history(
            case_id=None,
            entity="bundle",
            field="return imported",
            old=None,
            new=f"return {plan.sequence} from {plan.inspector_name}: {counts['new']} new, "
            f"{counts['updated']} updated, {counts['conflicts']} conflicts",
            who=service.user,
            item_id=plan.bundle_id,
            at=now,
        )
    return ImportResult(
        plan.path, plan.bundle_id, plan.inspector_name, plan.sequence, False, counts
    )


def _taken_id(service: Service, plan: ImportPlan) -> BundleError | None:
    """Why new responses could not go in, if it is the bundle's fault. A response id that
    central holds for another item is refused by the table's key, set-based, rather than
    looked up record by record beforehand; this names the record."""
    assert plan.contents is not None
    held = service.db.execute(
        "SELECT r.id FROM responses r JOIN json_each(?) j "
        "ON r.id = json_extract(j.value, '$[0]') "
        "AND NOT (r.case_id = json_extract(j.value, '$[1]') "
        "AND r.item_id = json_extract(j.value, '$[2]')) LIMIT 1",
        [json.dumps([[r["id"], r["case_id"], r["item_id"]] for r in plan.new_responses])],
    ).fetchone()
    if held is None:
        return None
    return BundleError(
        f"response {held[0]} is already held for another item",
        file=plan.contents.sealed.source,
        place="responses.json",
    )


def _register_keys(service: Service, contents: ReturnContents, now: str) -> None:
    if not contents.new_keys:
        return
    inspector_id = contents.manifest.inspector_id
    old = [
        k.id for k in keystore.public_keys(service, inspector_id, SIGNING) if k.retired_at is None
    ]
    keystore.retire(service, old, now)
    for record in contents.new_keys:
        keystore.insert_key(service, record)
    keystore.retire(service, [k.id for k in contents.new_keys[:-1]], now)
    service.workspace.record_history(
        case_id=None,
        entity="keys",
        field="rotated",
        old=", ".join(k[:16] for k in old),
        new=contents.new_keys[-1].id[:16],
        who=service.user,
        item_id=inspector_id,
        at=now,
    )


def _apply_cases(service: Service, plan: ImportPlan, now: str) -> set[str]:
    db = service.db
    touched: set[str] = set()
    for case_id, updates in plan.attribute_updates.items():
        attributes = json.loads(
            db.execute("SELECT attributes FROM cases WHERE id = ?", [case_id]).fetchone()[0]
        )
        attributes.update(updates)
        db.execute(
            "UPDATE cases SET attributes = ? WHERE id = ?",
            [json.dumps(attributes, ensure_ascii=False), case_id],
        )
        touched.add(case_id)
    db.conn.executemany(
        "UPDATE cases SET status = ?, completed_at = ? WHERE id = ?",
        [
            (status, completed_at, case_id)
            for case_id, (status, completed_at) in plan.status_updates.items()
        ],
    )
    touched |= set(plan.status_updates)
    db.conn.executemany(
        "UPDATE sent_cases SET attributes = ?, sent_at = ? WHERE case_id = ? AND inspector_id = ?",
        [
            (json.dumps(attributes, ensure_ascii=False), now, case_id, plan.inspector_id)
            for case_id, attributes in plan.bases.items()
        ],
    )
    return touched
