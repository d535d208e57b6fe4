"""Assignment bundles: central gives an inspector their cases.

An assignment holds the framework, the inspection, the inspector (with the
signing key central registered for them, and on a first assignment that key's
private half), their cases with any work already done on them, central's
quality-assurance comments and central's public keys. It is sealed under a key
derived from a passphrase (scrypt) that the lead inspector gives the inspector,
and signed with central's signing key.

Opening one on a laptop creates the inspector's fieldwork workspace, or updates
it: new cases and comments are added, cases moved to someone else are withdrawn
(read-only from then on, ``fieldwork.withdrawals``, with what was recorded on them kept
and still returned), and nothing the inspector has already recorded is changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldwork import passphrases, withdrawals
from fieldwork.allocation import find_inspector
from fieldwork.bundles import checks, container, crypto, keystore, ledger, meta, records, trust
from fieldwork.bundles.keystore import CENTRAL, SIGNING, KeyProblem, Keyring, PublicKeyRecord
from fieldwork.bundles.ledger import Exported
from fieldwork.bundles.schemas import BundleError
from fieldwork.errors import InvalidChange
from fieldwork.framework import Framework, framework_by_id, parse_framework
from fieldwork.interviews import records as interview_records
from fieldwork.qa import double as qa_double
from fieldwork.qa import threads as qa_threads
from fieldwork.service import Service
from fieldwork.store import KDF_LOG2_N_ACCEPTED, Clock, new_id, utc_now

KIND = "assignment"
ENTRIES = {
    "inspection.json": "bundle-inspection",
    "inspector.json": "bundle-inspector",
    "framework.json": "framework",
    "cases.json": "bundle-cases",
    "responses.json": "bundle-responses",
    "history.json": "bundle-history",
    "qa-comments.json": "bundle-qa-comments",
    "keys.json": "bundle-keys",
    interview_records.ENTRY: interview_records.SCHEMA,
}
#: Entries an assignment may hold beyond ENTRIES (bundles written before them lack them).
OPTIONAL_ENTRIES = {qa_threads.ENTRY: qa_threads.SCHEMA}


@dataclass(frozen=True)
class Opened:
    """What opening an assignment bundle did (or would do) on a laptop."""

    workspace: Path
    bundle_id: str
    inspector_name: str
    sequence: int
    created: bool
    already_opened: bool = False
    new_cases: tuple[str, ...] = ()
    released_cases: tuple[str, ...] = ()
    new_responses: int = 0
    new_comments: int = 0
    #: The fingerprint of the inspectorate's signing key that signed the bundle: on a first
    #: assignment, to compare with the one the lead inspector gives with the passphrase.
    central_key: str = ""
    #: The inspectorate rotated its keys: the new key, endorsed by the old, is now trusted.
    central_key_changed: bool = False


def export_assignment(
    service: Service,
    inspector: str,
    path: str | Path | None,
    *,
    passphrase: str,
    keyring: Keyring,
    kdf_n: int = crypto.SCRYPT_N,
) -> Exported:
    """Write an inspector's assignment bundle (to ``path``, or a default name beside the
    workspace), protected by ``passphrase`` and signed with central's key."""
    inspection = service.inspection()
    if inspection is None:
        raise InvalidChange("create an inspection first", file=str(service.workspace.path))
    if not meta.is_central(service):
        raise InvalidChange(
            "assignment bundles are made in the central workspace", file=str(service.workspace.path)
        )
    who = find_inspector(service, inspector)
    strength = passphrases.assess(passphrase, user_inputs=[who.name, inspection.name])
    if not strength.acceptable:
        raise InvalidChange(f"the bundle passphrase is refused: {strength.hint}")
    central_signing = keystore.active_key(service, CENTRAL, SIGNING)
    if central_signing is None:
        raise KeyProblem(
            "this workspace has no inspectorate keys yet: run 'fieldwork keys init' first",
            file=str(service.workspace.path),
        )
    signer = keyring.signing_key(central_signing)
    sequence = ledger.next_sequence(service, "exported", KIND, who.id)
    target = (
        Path(path)
        if path
        else service.workspace.path.parent / ledger.default_name(KIND, who.name, sequence)
    )
    registered = keystore.active_key(service, who.id, SIGNING)
    issued: tuple[PublicKeyRecord, Any] | None = None
    if registered is None:
        private = crypto.new_signing_key()
        record = keystore.record_for(
            private, owner=who.id, purpose=SIGNING, created_at=service.workspace.now()
        )
        issued, registered = (record, private), record
    case_rows = records.cases(service, [c.id for c in service.cases(inspector_id=who.id)])
    case_ids = [c["id"] for c in case_rows]
    # Cases this inspector marks a second time, blind: the case without the first marking
    # (no responses, history or threads of it are read below, which read case_ids only).
    blind = records.cases(service, qa_double.second_cases(service, who.id))
    case_rows += [qa_double.blind_case(c, who.id) for c in blind if c["id"] not in case_ids]
    inspection_row = service.db.execute(
        "SELECT id, name, provider, fieldwork_start, fieldwork_end, framework_id, framework_hash,"
        " created_at FROM inspections WHERE id = ?",
        [inspection.id],
    ).fetchone()
    inspection_record = dict(
        zip(
            (
                "id",
                "name",
                "provider",
                "fieldwork_start",
                "fieldwork_end",
                "framework_id",
                "framework_hash",
                "created_at",
            ),
            inspection_row,
            strict=True,
        )
    )
    inspector_record = {
        "id": who.id,
        "name": who.name,
        "email": who.email,
        "role": who.role,
        "signing_key_id": registered.id,
        "issued_key": None
        if issued is None
        else {
            "key_id": issued[0].id,
            "algorithm": "ed25519",
            "private_key": crypto.b64(crypto.private_der(issued[1])),
        },
        "acknowledged_return": ledger.last_sequence(service, "imported", "return", who.id),
    }
    central_keys = [k.as_json() for k in keystore.public_keys(service, CENTRAL)]
    responses = records.responses(service, case_ids)
    history = records.history(service, case_ids)
    comments = records.qa_comments(service, case_ids)
    interviews = interview_records.export_records(
        service, interview_records.interview_ids_for(service, case_ids=case_ids)
    )
    contents = {
        "inspection.json": records.to_json(inspection_record),
        "inspector.json": records.to_json(inspector_record),
        "framework.json": service.framework.text.encode("utf-8"),
        "cases.json": records.to_json(case_rows),
        "responses.json": records.to_json(records.to_table(responses, records.RESPONSE_COLUMNS)),
        "history.json": records.to_json(records.to_table(history, records.HISTORY_FIELDS)),
        "qa-comments.json": records.to_json(comments),
        "keys.json": records.to_json(central_keys),
        interview_records.ENTRY: records.to_json(interviews),
        qa_threads.ENTRY: records.to_json(qa_threads.bundle_records(service, case_ids)),
    }
    bundle_id = new_id()
    encryption, key = container.passphrase_encryption(bundle_id, passphrase, n=kdf_n)
    fields = {
        "format": container.FORMAT,
        "kind": KIND,
        "bundle_id": bundle_id,
        "inspection_id": inspection.id,
        "inspector_id": who.id,
        "framework": ledger.framework_fields(service.framework),
        "created_at": service.workspace.now(),
        "created_by": service.user,
        "sequence": sequence,
        "signature": {"algorithm": "ed25519", "key_id": central_signing.id},
        "signer_keys": [k.as_json() for k in trust.signer_keys(service, CENTRAL)][-16:],
        "encryption": encryption,
    }
    manifest, digest = container.write_bundle(target, fields, contents, key=key, signing_key=signer)
    counts = {
        "cases": len(case_rows),
        "responses": len(responses),
        "history": len(history),
        "qa_comments": len(comments),
    }
    try:
        with service.workspace.write():
            if issued is not None:
                keystore.insert_key(service, issued[0])
            ledger.record_bundle(service, manifest, "exported", digest, counts)
            now = service.workspace.now()
            for case in case_rows:
                service.db.execute(
                    "INSERT INTO sent_cases (case_id, inspector_id, attributes, sent_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (case_id, inspector_id) DO UPDATE SET "
                    "attributes = excluded.attributes, sent_at = excluded.sent_at",
                    [case["id"], who.id, json.dumps(case["attributes"]), now],
                )
            service.workspace.record_history(
                case_id=None,
                entity="bundle",
                field="assignment exported",
                old=None,
                new=f"assignment {sequence} for {who.name}: {len(case_rows)} cases",
                who=service.user,
                item_id=bundle_id,
            )
    except BaseException:
        target.unlink(missing_ok=True)  # a bundle central has no record of must not go out
        raise
    return Exported(
        target,
        KIND,
        bundle_id,
        who.id,
        who.name,
        sequence,
        digest,
        counts,
        issued[0].id if issued else None,
        central_signing.short,
    )


# -- opening on a laptop --------------------------------------------------------------------------
@dataclass
class AssignmentContents:
    """An assignment bundle, decrypted, checked against its schemas and against itself."""

    sealed: container.SealedBundle
    framework: Framework
    inspection: dict[str, Any]
    inspector: dict[str, Any]
    cases: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    history: list[list[Any]]  # rows in records.HISTORY_FIELDS order
    qa_comments: list[dict[str, Any]]
    keys: list[PublicKeyRecord]
    trusted: trust.Trusted
    interviews: dict[str, Any]  # interviews.json
    qa_threads: dict[str, Any] | None = None  # review threads (fieldwork/qa/threads.py)

    @property
    def manifest(self) -> container.Manifest:
        return self.sealed.manifest


def read_assignment(
    path: str | Path, passphrase: str, service: Service | None = None
) -> AssignmentContents:
    """Read, check and decrypt an assignment bundle, signer first: the signature is checked
    (against the central keys ``service`` trusts, or for a first assignment the key the
    bundle carries) before scrypt runs on the passphrase or anything is decrypted."""
    sealed = container.read_sealed(path)
    source = sealed.source
    manifest = sealed.manifest
    if manifest.kind != KIND:
        raise BundleError(
            "this is a return bundle: import it into the central workspace", file=source
        )
    names = set(manifest.entry_names())
    if not set(ENTRIES) <= names <= set(ENTRIES) | set(OPTIONAL_ENTRIES):
        raise BundleError(
            "an assignment bundle must hold exactly: "
            + ", ".join(sorted(ENTRIES))
            + " (and may hold "
            + ", ".join(sorted(OPTIONAL_ENTRIES))
            + ")",
            file=source,
        )
    trusted = trust.check_signer(sealed, service)
    try:
        key = container.passphrase_key(sealed, passphrase)
    except ValueError:
        raise BundleError("the manifest's encryption block is damaged", file=source) from None
    opened = {
        name: records.from_entry(name, sealed.open_json(name, key, schema))
        for name, schema in {**ENTRIES, **OPTIONAL_ENTRIES}.items()
        if name != "framework.json" and name in names
    }
    framework_text = sealed.open_entry("framework.json", key).decode("utf-8", errors="strict")
    framework = parse_framework(framework_text, source=f"{source}: framework.json")
    contents = AssignmentContents(
        sealed,
        framework,
        opened["inspection.json"],
        opened["inspector.json"],
        opened["cases.json"],
        opened["responses.json"],
        opened["history.json"],
        opened["qa-comments.json"],
        [PublicKeyRecord(**k) for k in opened["keys.json"]],
        trusted,
        opened[interview_records.ENTRY],
        opened.get(qa_threads.ENTRY),
    )
    _check_assignment(contents)
    return contents


def _check_assignment(contents: AssignmentContents) -> None:
    manifest, source = contents.manifest, contents.sealed.source
    framework = contents.framework
    stated = manifest.framework
    if framework.content_hash != stated["hash"] or framework.id != stated["id"]:
        raise BundleError("framework.json is not the framework the manifest names", file=source)
    check_installed_framework(manifest, source)
    if contents.inspection["id"] != manifest.inspection_id:
        raise BundleError("inspection.json is not the inspection the manifest names", file=source)
    if contents.inspector["id"] != manifest.inspector_id:
        raise BundleError("inspector.json is not the inspector the manifest names", file=source)
    for record in contents.keys:
        keystore.check_record(record, source=f"{source}: keys.json")
    if not any(k.id == contents.trusted.signer.id and k.owner == CENTRAL for k in contents.keys):
        raise BundleError("keys.json does not hold the key that signed the bundle", file=source)
    checks.check_cases(framework, contents.cases, source)
    by_id = {c["id"]: c for c in contents.cases}
    for n, case in enumerate(contents.cases):
        if case["inspector_id"] != manifest.inspector_id:
            raise BundleError(
                "the case is allocated to someone else", file=source, place=f"cases.json, [{n}]"
            )
    checks.check_responses(framework, by_id, contents.responses, source)
    checks.check_history_rows(contents.history, by_id, source)
    checks.check_case_refs("qa-comments.json", contents.qa_comments, by_id, source)
    interview_records.check_records(
        framework, contents.interviews, file=source, case_ids=by_id, error=BundleError
    )
    if contents.qa_threads is not None:
        try:
            qa_threads.check_bundle_records(contents.qa_threads, set(by_id), source=source)
        except InvalidChange as problem:
            raise BundleError(problem.problem, file=source, place=problem.place) from None
    issued = contents.inspector["issued_key"]
    if issued is not None:
        if issued["key_id"] != contents.inspector["signing_key_id"]:
            raise BundleError("the issued key is not the registered one", file=source)
        try:
            private = crypto.load_private_der(crypto.unb64(issued["private_key"]))
        except ValueError:
            raise BundleError("the issued key cannot be read", file=source) from None
        if crypto.fingerprint(private.public_key()) != issued["key_id"]:
            raise BundleError("the issued key does not match its id", file=source)


def check_installed_framework(manifest: container.Manifest, source: str) -> Framework:
    """The installed framework the bundle was made under; BundleError if it differs."""
    stated = manifest.framework
    try:
        installed = framework_by_id(stated["id"])
    except Exception:
        raise BundleError(
            f"the bundle was made under framework {stated['id']!r}, which is not installed here",
            file=source,
        ) from None
    if installed.content_hash != stated["hash"]:
        raise BundleError(
            f"the bundle was made under framework {stated['id']} version {stated['version']} "
            f"(hash {stated['hash'][:12]}), but this Fieldwork has version {installed.version} "
            f"(hash {installed.content_hash[:12]}); its answers cannot be read against a "
            "different framework",
            file=source,
        )
    return installed


def open_assignment(
    bundle: str | Path,
    workspace: str | Path,
    *,
    passphrase: str,
    keyring: Keyring,
    user: str | None = None,
    clock: Clock = utc_now,
) -> Opened:
    """Create or update the inspector's fieldwork workspace from an assignment bundle.

    Everything is read and checked before the workspace is touched: a bad bundle leaves
    an existing workspace byte for byte as it was, and creates no new one.
    """
    workspace = Path(workspace)
    if workspace.exists():
        # A laptop's workspace is encrypted with the inspector's key passphrase.
        with Service.open(
            workspace, user=user, clock=clock, backup=False, passphrase=keyring.passphrase()
        ) as service:
            return _update(service, read_assignment(bundle, passphrase, service), keyring)
    contents = read_assignment(bundle, passphrase)
    _store_issued_key(contents, keyring, required=True)
    service = Service.create(
        workspace,
        framework_id=contents.framework.id,
        kind="fieldwork",
        user=user,
        clock=clock,
        passphrase=keyring.passphrase(),  # encrypted at rest with the inspector's passphrase
        kdf_log2_n=max(KDF_LOG2_N_ACCEPTED.start, keyring.kdf_n.bit_length() - 1),
    )
    try:
        with service:
            return _apply(service, contents, created=True)
    except BaseException:
        for suffix in ("", "-wal", "-shm"):
            Path(str(workspace) + suffix).unlink(missing_ok=True)
        raise


def update_from_assignment(
    service: Service, bundle: str | Path, *, passphrase: str, keyring: Keyring
) -> Opened:
    """Open an assignment bundle into an inspector's workspace that is already open."""
    return _update(service, read_assignment(bundle, passphrase, service), keyring)


def _store_issued_key(contents: AssignmentContents, keyring: Keyring, *, required: bool) -> None:
    inspector = contents.inspector
    issued = inspector["issued_key"]
    if issued is None:
        if required:
            raise BundleError(
                "this assignment is for a laptop that already holds the inspector's signing key "
                f"({inspector['signing_key_id'][:16]}); ask the lead inspector to revoke the old "
                "key and send a new assignment",
                file=contents.sealed.source,
            )
        return
    private = crypto.load_private_der(crypto.unb64(issued["private_key"]))
    record = keystore.record_for(
        private,
        owner=inspector["id"],
        purpose=SIGNING,
        created_at=contents.manifest.created_at,
    )
    if not keyring.has(record):
        keyring.store(private, record)


def _update(service: Service, contents: AssignmentContents, keyring: Keyring) -> Opened:
    manifest, source = contents.manifest, contents.sealed.source
    if not meta.is_laptop(service):
        raise BundleError(
            "assignment bundles open into an inspector's fieldwork workspace, not a central one",
            file=source,
        )
    mine = meta.get(service, meta.INSPECTOR_ID)
    if mine != manifest.inspector_id:
        raise BundleError(
            f"this assignment is for {contents.inspector['name']}, not for the inspector whose "
            "workspace this is",
            file=source,
        )
    inspection = service.inspection()
    if inspection is None or inspection.id != manifest.inspection_id:
        raise BundleError("this assignment is for another inspection", file=source)
    if service.framework.content_hash != manifest.framework["hash"]:
        raise BundleError("this assignment was made under another framework version", file=source)
    known = service.db.execute(
        "SELECT sequence FROM bundles WHERE id = ?", [manifest.bundle_id]
    ).fetchone()
    if known is not None:
        return Opened(
            service.workspace.path,
            manifest.bundle_id,
            contents.inspector["name"],
            manifest.sequence,
            created=False,
            already_opened=True,
        )
    last = ledger.last_sequence(service, "imported", KIND, mine)
    if manifest.sequence <= last:
        raise BundleError(
            f"this is assignment {manifest.sequence}, older than assignment {last} already "
            "opened here",
            file=source,
        )
    own = keystore.public_keys(service, mine, SIGNING)
    registered = contents.inspector["signing_key_id"]
    if contents.inspector["issued_key"] is None and not any(k.id == registered for k in own):
        raise BundleError(
            f"this assignment names signing key {registered[:16]}, which this workspace does not "
            "hold; ask the lead inspector to revoke it and send a new assignment",
            file=source,
        )
    _store_issued_key(contents, keyring, required=False)
    return _apply(service, contents, created=False)


def _apply(service: Service, contents: AssignmentContents, *, created: bool) -> Opened:
    manifest = contents.manifest
    inspector = contents.inspector
    db = service.db
    now = service.workspace.now()
    existing_cases = {row[0]: row[1] for row in db.execute("SELECT id, inspector_id FROM cases")}
    existing_responses = {
        (row[0], row[1]) for row in db.execute("SELECT case_id, item_id FROM responses")
    }
    incoming_ids = {c["id"] for c in contents.cases}
    new_cases = [c for c in contents.cases if c["id"] not in existing_cases]
    new_case_ids = {c["id"] for c in new_cases}
    released = [
        case_id
        for case_id, holder in existing_cases.items()
        if holder == inspector["id"] and case_id not in incoming_ids
    ]
    new_responses = [
        r for r in contents.responses if (r["case_id"], r["item_id"]) not in existing_responses
    ]
    known_comments = {row[0] for row in db.execute("SELECT id FROM qa_comments")}
    comments = [c for c in contents.qa_comments if c["id"] not in known_comments]
    with service.workspace.write():
        inspection = contents.inspection
        db.execute(
            "INSERT INTO inspections (id, name, provider, fieldwork_start, fieldwork_end, "
            "framework_id, framework_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, provider = excluded.provider, "
            "fieldwork_start = excluded.fieldwork_start, fieldwork_end = excluded.fieldwork_end",
            [
                inspection["id"],
                inspection["name"],
                inspection["provider"],
                inspection["fieldwork_start"],
                inspection["fieldwork_end"],
                inspection["framework_id"],
                inspection["framework_hash"],
                inspection["created_at"],
            ],
        )
        db.execute(
            "INSERT INTO inspectors (id, inspection_id, name, email, role, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "email = excluded.email, role = excluded.role",
            [
                inspector["id"],
                inspection["id"],
                inspector["name"],
                inspector["email"],
                inspector["role"],
                now,
            ],
        )
        meta.put(service, meta.INSPECTOR_ID, inspector["id"])
        for case in new_cases:
            db.execute(
                f"INSERT INTO cases ({', '.join(records.CASE_FIELDS)}, inspection_id) "
                f"VALUES ({', '.join('?' * (len(records.CASE_FIELDS) + 1))})",
                [
                    *(
                        json.dumps(case[f], ensure_ascii=False) if f == "attributes" else case[f]
                        for f in records.CASE_FIELDS
                    ),
                    inspection["id"],
                ],
            )
        returned = [c for c in incoming_ids - new_case_ids if existing_cases[c] != inspector["id"]]
        for case_id in returned:
            db.execute("UPDATE cases SET inspector_id = ? WHERE id = ?", [inspector["id"], case_id])
        withdrawals.restore(db, returned)
        withdrawals.record(
            db,
            released,
            at=manifest.created_at,
            by=str(manifest.data.get("created_by", "")),
            assignment=manifest.sequence,
            bundle_id=manifest.bundle_id,
            recorded_at=now,
        )
        for case_id in released:
            db.execute("UPDATE cases SET inspector_id = NULL WHERE id = ?", [case_id])
            service.workspace.record_history(
                case_id=case_id,
                entity="case",
                field="inspector",
                old=inspector["name"],
                new=None,
                who=service.user,
                reason=f"moved to another inspector by central (assignment {manifest.sequence})",
            )
        _insert_responses(service, new_responses)
        db.conn.executemany(
            f"INSERT OR IGNORE INTO history ({', '.join(records.HISTORY_FIELDS)}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            contents.history,
        )
        db.conn.executemany(
            f"INSERT OR REPLACE INTO qa_comments ({', '.join(records.QA_FIELDS)}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[c[f] for f in records.QA_FIELDS] for c in contents.qa_comments],
        )
        if contents.qa_threads is not None:
            qa_threads.merge_bundle_records(service, contents.qa_threads, from_central=True)
        for record in contents.keys:
            keystore.insert_key(service, record)
            if record.retired_at:
                keystore.retire(service, [record.id], record.retired_at)
        own = keystore.find_key(service, inspector["signing_key_id"])
        if own is None and inspector["issued_key"] is not None:
            private = crypto.load_private_der(crypto.unb64(inspector["issued_key"]["private_key"]))
            keystore.insert_key(
                service,
                keystore.record_for(
                    private,
                    owner=inspector["id"],
                    purpose=SIGNING,
                    created_at=manifest.created_at,
                ),
            )
            for old in keystore.public_keys(service, inspector["id"], SIGNING):
                if old.id != inspector["signing_key_id"]:
                    keystore.retire(service, [old.id], now)
        refresh_progress(service, new_case_ids | {r["case_id"] for r in new_responses})
        interview_records.apply_merge(
            service,
            interview_records.plan_merge(service, contents.interviews),
            inspector_id=CENTRAL,
            bundle_id=manifest.bundle_id,
        )
        ledger.record_bundle(
            service,
            manifest,
            "imported",
            contents.sealed.file_sha256,
            {"cases": len(new_cases), "responses": len(new_responses), "comments": len(comments)},
        )
        service.workspace.record_history(
            case_id=None,
            entity="bundle",
            field="assignment opened",
            old=None,
            new=f"assignment {manifest.sequence}: {len(new_cases)} new cases, "
            f"{len(released)} moved away, {len(comments)} new comments",
            who=service.user,
            item_id=manifest.bundle_id,
        )
    return Opened(
        service.workspace.path,
        manifest.bundle_id,
        inspector["name"],
        manifest.sequence,
        created=created,
        new_cases=tuple(sorted(c["reference"] for c in new_cases)),
        released_cases=tuple(released),
        new_responses=len(new_responses),
        new_comments=len(comments),
        central_key=contents.trusted.signer.short,
        central_key_changed=bool(contents.trusted.new_keys) and contents.trusted.known,
    )


def _insert_responses(service: Service, responses: list[dict[str, Any]]) -> None:
    """Inside a write: add responses with their lineage."""
    service.db.conn.executemany(
        f"INSERT INTO responses ({', '.join(records.RESPONSE_FIELDS)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[r[f] for f in records.RESPONSE_FIELDS] for r in responses],
    )
    insert_lineage(service, responses)


def insert_lineage(service: Service, responses: list[dict[str, Any]]) -> None:
    service.db.conn.executemany(
        "INSERT OR IGNORE INTO response_lineage (case_id, rev, parent) VALUES (?, ?, ?)",
        [(r["case_id"], r["rev"], a) for r in responses for a in r["ancestors"]],
    )


def refresh_progress(service: Service, case_ids: set[str]) -> None:
    """Inside a write: recompute done / total (and the status it implies) for these cases."""
    from fieldwork.applicability import StoredResponse, case_items, progress, status_after_edit

    if not case_ids:
        return
    stored: dict[str, dict[str, StoredResponse]] = {c: {} for c in case_ids}
    for case_id, item_id, value, na_reason, note in service.db.execute(
        "SELECT case_id, item_id, value, na_reason, note FROM responses "
        "WHERE case_id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(case_ids))],
    ):
        stored[case_id][item_id] = StoredResponse(item_id, value, na_reason, note)
    updates = []
    for case_id, sample, attributes, status in service.db.execute(
        "SELECT id, sample, attributes, status FROM cases WHERE id IN "
        "(SELECT value FROM json_each(?))",
        [json.dumps(sorted(case_ids))],
    ):
        items = case_items(service.framework, sample, json.loads(attributes), stored[case_id])
        done, total = progress(items)
        status = status_after_edit(status, items, started=bool(stored[case_id]))
        updates.append((done, total, status, case_id))
    service.db.conn.executemany(
        "UPDATE cases SET done = ?, total = ?, status = ?, "
        "completed_at = CASE WHEN ? = 'complete' THEN completed_at END WHERE id = ?",
        [(d, t, s, s, c) for d, t, s, c in updates],
    )
