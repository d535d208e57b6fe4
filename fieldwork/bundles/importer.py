"""Importing return bundles at the centre: read and check everything, preview, then commit.

``read_return`` checks a bundle completely (structure, hashes, who signed it,
decryption, schemas, references) and ``plan_import`` works out, record by record,
what importing it would do, without writing anything: that plan is the preview.
``apply_import`` then commits the plan in one transaction.

A response supersedes central's version when it descends from it (central's
revision is among its ancestors); it is stale when central's version descends
from it; otherwise the two are a conflict, kept in the ``conflicts`` table for the
data team and never resolved silently. Case attributes merge three ways against
what was last agreed with the inspector (``sent_cases``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from fieldwork import keys as keyring_module
from fieldwork.bundles import checks, container, crypto, ledger, meta, records
from fieldwork.bundles.assignment import insert_lineage, refresh_progress
from fieldwork.bundles.returns import ENTRIES, KIND
from fieldwork.bundles.schemas import BundleError
from fieldwork.errors import FieldworkError
from fieldwork.keys import CENTRAL, ENCRYPTION, SIGNING, KeyProblem, Keyring, PublicKeyRecord
from fieldwork.service import Service
from fieldwork.store import new_id

Progress = Callable[[int, int, str], None]
log = logging.getLogger(__name__)
CONTENT_FIELDS = ("value", "na_reason", "note")


@dataclass
class ReturnContents:
    """A return bundle, decrypted and fully checked, with the key that signed it."""

    sealed: container.SealedBundle
    cases: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    history: list[list[Any]]  # rows in records.HISTORY_FIELDS order
    keys: list[PublicKeyRecord]
    signer: PublicKeyRecord
    new_keys: list[PublicKeyRecord] = field(default_factory=list)

    @property
    def manifest(self) -> container.Manifest:
        return self.sealed.manifest


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
            "history": len(self.new_history),
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


# -- reading ------------------------------------------------------------------------------------
def _fail(problem: str, source: str, place: str | None = None) -> BundleError:
    return BundleError(problem, file=source, place=place)


def read_return(
    service: Service, path: str | Path, keyring: Keyring
) -> ReturnContents | ImportPlan:
    """Read and check a return bundle completely; an ``ImportPlan`` marked already imported if
    this very bundle has been imported before. Writes nothing."""
    sealed = container.read_sealed(path)
    manifest, source = sealed.manifest, sealed.source
    if meta.get(service, meta.KIND, "central") != "central":
        raise _fail("return bundles are imported into the central workspace", source)
    if manifest.kind != KIND:
        raise _fail(
            "this is an assignment bundle: open it on the inspector's laptop, not at the centre",
            source,
        )
    inspection = service.inspection()
    if inspection is None or inspection.id != manifest.inspection_id:
        raise _fail(
            f"this bundle is for another inspection ({manifest.inspection_id}); this workspace "
            f"holds {inspection.name if inspection else 'no inspection'}",
            source,
        )
    framework = manifest.framework
    if (
        framework["hash"] != service.framework.content_hash
        or framework["id"] != service.framework.id
    ):
        raise _fail(
            f"the bundle was made under framework {framework['id']} version "
            f"{framework['version']} (hash {framework['hash'][:12]}), but this inspection uses "
            f"version {service.framework.version} (hash {service.framework.content_hash[:12]})",
            source,
        )
    inspector = service.db.execute(
        "SELECT name FROM inspectors WHERE id = ?", [manifest.inspector_id]
    ).fetchone()
    if inspector is None:
        raise _fail(
            f"the bundle is from inspector {manifest.inspector_id}, who is not an inspector of "
            "this inspection",
            source,
        )
    name = inspector[0]
    seen = service.db.execute(
        "SELECT file_sha256 FROM bundles WHERE id = ? AND direction = 'imported'",
        [manifest.bundle_id],
    ).fetchone()
    if seen is not None:
        if seen[0] != sealed.file_sha256:
            raise _fail(
                "a different bundle with this bundle's id has already been imported", source
            )
        return ImportPlan(
            sealed.path,
            manifest.bundle_id,
            manifest.inspector_id,
            name,
            manifest.sequence,
            manifest.created_at,
            already_imported=True,
        )
    last = ledger.last_sequence(service, "imported", KIND, manifest.inspector_id)
    if manifest.sequence <= last:
        raise _fail(
            f"this is return bundle {manifest.sequence} from {name}, older than bundle {last} "
            "already imported; the newer one holds everything this one does",
            source,
        )
    if set(manifest.entry_names()) != set(ENTRIES):
        raise _fail("a return bundle must hold exactly: " + ", ".join(sorted(ENTRIES)), source)
    signer = keyring_module.find_key(service, manifest.signer_key_id)
    if signer is not None:
        _check_signer(signer, manifest.inspector_id, name, source)
        sealed.check_signature(signer.key())  # type: ignore[arg-type]
    key = _unwrap(service, sealed, keyring)
    entries = open_entries(sealed, key)
    offered = [PublicKeyRecord(**k) for k in entries["keys.json"]]
    new_keys: list[PublicKeyRecord] = []
    if signer is None:
        trusted = [
            k
            for k in keyring_module.public_keys(service, manifest.inspector_id, SIGNING)
            if k.retired_at is None
        ]
        mine = [k for k in offered if k.owner == manifest.inspector_id]
        try:
            new_keys = keyring_module.endorsement_chain(
                trusted, mine, manifest.signer_key_id, source=source
            )
        except KeyProblem as exc:
            raise _fail(
                f"not signed by {name}'s registered key: {exc.problem}", source, "manifest.sig"
            ) from None
        signer = new_keys[-1]
        sealed.check_signature(signer.key())  # type: ignore[arg-type]
    contents = ReturnContents(
        sealed,
        entries["cases.json"],
        entries["responses.json"],
        entries["history.json"],
        offered,
        signer,
        new_keys,
    )
    _check_contents(service, contents, name)
    return contents


def open_entries(sealed: container.SealedBundle, key: bytes) -> dict[str, Any]:
    """Decrypt, parse and schema-check every entry of a return bundle, in a fixed order."""
    return {
        entry: records.from_entry(entry, sealed.open_json(entry, key, schema))
        for entry, schema in ENTRIES.items()
    }


def _check_signer(signer: PublicKeyRecord, inspector_id: str, name: str, source: str) -> None:
    if signer.owner != inspector_id or signer.purpose != SIGNING:
        raise _fail(f"signed with a key that is not {name}'s signing key", source, "manifest.sig")
    if signer.retired_at is not None:
        raise _fail(
            f"signed with {name}'s key {signer.short}, retired on {signer.retired_at[:10]}",
            source,
            "manifest.sig",
        )


def _unwrap(service: Service, sealed: container.SealedBundle, keyring: Keyring) -> bytes:
    block, source = sealed.manifest.encryption, sealed.source
    if block["scheme"] != container.RETURN_SCHEME:
        raise _fail("a return bundle must be encrypted to the inspectorate's key", source)
    record = keyring_module.find_key(service, block["recipient_key_id"])
    if record is None or record.owner != CENTRAL or record.purpose != ENCRYPTION:
        raise _fail(
            f"the bundle is encrypted to key {block['recipient_key_id'][:16]}, which is not one "
            "of this inspectorate's keys",
            source,
        )
    try:
        return crypto.unwrap_key(keyring.decryption_key(record), crypto.unb64(block["wrapped_key"]))
    except ValueError:
        raise _fail(
            "the bundle's key cannot be unwrapped with the inspectorate's private key: it was "
            "encrypted with another key, or damaged",
            source,
        ) from None


def _check_contents(service: Service, contents: ReturnContents, name: str) -> None:
    source = contents.sealed.source
    inspector_id = contents.manifest.inspector_id
    checks.check_cases(service.framework, contents.cases, source)
    by_id = {c["id"]: c for c in contents.cases}
    checks.check_responses(service.framework, by_id, contents.responses, source)
    checks.check_history_rows(contents.history, by_id, source)
    central = {
        row[0]: (row[1], row[2])
        for row in service.db.execute(
            "SELECT id, sample, reference FROM cases WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(by_id))],
        )
    }
    sent = {
        row[0]
        for row in service.db.execute(
            "SELECT case_id FROM sent_cases WHERE inspector_id = ?", [inspector_id]
        )
    }
    for n, case in enumerate(contents.cases):
        place = f"cases.json, [{n}] (case {case['reference']})"
        if central.get(case["id"]) != (case["sample"], case["reference"]):
            raise _fail("the case is not one of this inspection's cases", source, place)
        if case["id"] not in sent:
            raise _fail(f"the case was never assigned to {name}", source, place)


# -- planning -----------------------------------------------------------------------------------
def plan_import(service: Service, path: str | Path, keyring: Keyring) -> ImportPlan:
    """Read a bundle and work out what importing it would do. Writes nothing."""
    contents = read_return(service, path, keyring)
    if isinstance(contents, ImportPlan):
        return contents
    manifest = contents.manifest
    name = service.db.execute(
        "SELECT name FROM inspectors WHERE id = ?", [manifest.inspector_id]
    ).fetchone()[0]
    plan = ImportPlan(
        contents.sealed.path,
        manifest.bundle_id,
        manifest.inspector_id,
        name,
        manifest.sequence,
        manifest.created_at,
        contents=contents,
    )
    case_ids = [c["id"] for c in contents.cases]
    references = {c["id"]: c["reference"] for c in contents.cases}
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
    taken_ids = {
        row[0]: (row[1], row[2])
        for row in service.db.execute(
            "SELECT id, case_id, item_id FROM responses WHERE id IN "
            "(SELECT value FROM json_each(?))",
            [json.dumps([r["id"] for r in contents.responses])],
        )
    }
    parents: dict[str, set[str]] | None = None
    new_by_case: Counter[str] = Counter()
    for response in contents.responses:
        key = (response["case_id"], response["item_id"])
        reference = references[response["case_id"]]
        current = central.get(key)
        if current is None:
            if taken_ids.get(response["id"], key) != key:
                raise _fail(
                    f"response {response['id']} is already held for another item",
                    contents.sealed.source,
                    "responses.json",
                )
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
    for response in contents.responses:
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
            if mine == agreed:
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
        if holder == plan.inspector_id and case["status"] != status:
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
        db.conn.executemany(
            f"INSERT INTO responses ({', '.join(records.RESPONSE_FIELDS)}) "
            f"VALUES ({', '.join('?' * len(records.RESPONSE_FIELDS))})",
            # In id order: inserts into the id index then walk its pages in order.
            map(itemgetter(*records.RESPONSE_FIELDS), plan.new_responses),
        )
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
            f"INSERT OR IGNORE INTO history ({', '.join(records.HISTORY_FIELDS)}) "
            f"VALUES ({', '.join('?' * len(records.HISTORY_FIELDS))})",
            plan.new_history,
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
        counts = plan.counts
        ledger.record_bundle(
            service, contents.manifest, "imported", contents.sealed.file_sha256, counts
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


def _register_keys(service: Service, contents: ReturnContents, now: str) -> None:
    if not contents.new_keys:
        return
    inspector_id = contents.manifest.inspector_id
    old = [
        k.id
        for k in keyring_module.public_keys(service, inspector_id, SIGNING)
        if k.retired_at is None
    ]
    keyring_module.retire(service, old, now)
    for record in contents.new_keys:
        keyring_module.insert_key(service, record)
    keyring_module.retire(service, [k.id for k in contents.new_keys[:-1]], now)
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
    for case_id, (status, completed_at) in plan.status_updates.items():
        db.execute(
            "UPDATE cases SET status = ?, completed_at = ? WHERE id = ?",
            [status, completed_at, case_id],
        )
        touched.add(case_id)
    db.conn.executemany(
        "UPDATE sent_cases SET attributes = ?, sent_at = ? WHERE case_id = ? AND inspector_id = ?",
        [
            (json.dumps(attributes, ensure_ascii=False), now, case_id, plan.inspector_id)
            for case_id, attributes in plan.bases.items()
        ],
    )
    return touched


def import_return(service: Service, path: str | Path, keyring: Keyring) -> ImportResult:
    """Plan and apply one bundle."""
    return apply_import(service, plan_import(service, path, keyring))


@contextmanager
def larger_cache(service: Service, kib: int = 256 * 1024) -> Iterator[None]:
    """A bigger page cache for a run of imports: index pages of a large central workspace
    stay in memory instead of being read again for each bundle. The file is not changed."""
    old = service.db.execute("PRAGMA cache_size").fetchone()[0]
    service.db.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        service.db.execute(f"PRAGMA cache_size = {int(old)}")


class _WriteFailed(Exception):
    """A bundle that passed its checks could not be written: the run is rolled back and
    tried again without it."""


def import_many(
    service: Service,
    paths: Iterable[str | Path],
    keyring: Keyring,
    *,
    progress: Progress | None = None,
) -> list[ImportResult | FieldworkError]:
    """Import bundles, oldest sequence first (so none is refused as older); the results come
    in the order the paths were given. A bundle that fails its checks is reported and the
    others still go in.

    The run is one transaction: bundles share index pages, and writing them once instead of
    once per bundle is what makes a national import fast (a savepoint per bundle costs more
    than the writing itself). If writing one bundle fails, the run is rolled back and done
    again without it, so each bundle still goes in whole or not at all.
    """
    given = [Path(p) for p in paths]
    ordered = sorted(given, key=bundle_order)
    failed: dict[Path, FieldworkError] = {}
    while True:
        results: dict[Path, ImportResult | FieldworkError] = dict(failed)
        todo = [p for p in ordered if p not in failed]
        try:
            with larger_cache(service), service.workspace.write():
                for n, path in enumerate(todo):
                    if progress:
                        progress(n, len(todo), path.name)
                    try:
                        plan = plan_import(service, path, keyring)
                    except BundleError as exc:
                        results[path] = exc
                        continue
                    try:
                        results[path] = apply_import(service, plan, in_run=True)
                    except Exception as exc:
                        failed[path] = _write_error(path, exc)
                        raise _WriteFailed from exc
        except _WriteFailed:
            continue
        break
    if progress:
        progress(len(todo), len(todo), "done")
    return [results[p] for p in given]


def _write_error(path: Path, exc: Exception) -> FieldworkError:
    if isinstance(exc, FieldworkError):
        return exc
    log.exception("writing %s failed", path)
    return BundleError(f"could not be written ({exc}); nothing of it was imported", file=str(path))


def bundle_order(path: Path) -> tuple[str, int, str]:
    """Sort key: by inspector, then oldest sequence first (unreadable files first)."""
    try:
        manifest = container.peek_manifest(path)
    except BundleError:
        return ("", 0, path.name)
    return (manifest.inspector_id, manifest.sequence, path.name)
