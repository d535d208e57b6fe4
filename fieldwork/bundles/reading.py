"""Reading a return bundle at the centre: every check, cheapest and signer first; no writing.

The order is the defence (docs/security.md): the file's size and the manifest (capped)
first; then the workspace, inspection, framework and inspector the manifest names;
then who signed it (``trust.check_signer``: registered, or endorsed by a registered
key) and the signature; only then is the bundle's id looked up, its sequence checked
within its series, its key unwrapped and its entries decrypted, decompressed (each
capped at its stated size) and checked against their schemas and this inspection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldwork.bundles import checks, container, crypto, keystore, ledger, meta, records, trust
from fieldwork.bundles.keystore import CENTRAL, ENCRYPTION, Keyring, PublicKeyRecord
from fieldwork.bundles.returns import ENTRIES, KIND, OPTIONAL_ENTRIES
from fieldwork.bundles.schemas import BundleError
from fieldwork.errors import InvalidChange
from fieldwork.interviews import records as interview_records
from fieldwork.qa import practice as qa_practice
from fieldwork.qa import threads as qa_threads
from fieldwork.service import Service


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
    series: str = ""
    inspector_name: str = ""
    interviews: dict[str, Any] = field(default_factory=dict)  # interviews.json
    qa_threads: dict[str, Any] | None = None  # review threads (fieldwork/qa/threads.py)
    # case id → item id → answer: a blind second marking, kept out of the records above
    second_markings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def manifest(self) -> container.Manifest:
        return self.sealed.manifest


@dataclass(frozen=True)
class AlreadyImported:
    """This very bundle (its signed id) has been imported here before."""

    path: Path
    manifest: container.Manifest
    inspector_name: str


def _fail(problem: str, source: str, place: str | None = None) -> BundleError:
    return BundleError(problem, file=source, place=place)


def read_return(
    service: Service, path: str | Path, keyring: Keyring
) -> ReturnContents | AlreadyImported:
    """Read and check a return bundle completely (see the module's description); writes
    nothing. ``AlreadyImported`` if its signed bundle id has been imported before."""
    sealed = container.read_sealed(path)
    manifest, source = sealed.manifest, sealed.source
    if not meta.is_central(service):
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
    name = str(inspector[0])
    trusted = trust.check_signer(sealed, service)
    # Re-import is recognised by the signed bundle id, never by the file's bytes: a copy with
    # bytes appended is the same bundle, and a forged id cannot get past the signature.
    if ledger.was_imported(service, manifest.bundle_id):
        return AlreadyImported(sealed.path, manifest, name)
    series = trust.series(service, trusted)
    last = ledger.last_sequence(service, "imported", KIND, manifest.inspector_id, series=series)
    if manifest.sequence <= last:
        raise _fail(
            f"this is return bundle {manifest.sequence} from {name}'s laptop, older than bundle "
            f"{last} from the same laptop already imported; the newer one holds everything this "
            "one does",
            source,
        )
    names = set(manifest.entry_names())
    if not set(ENTRIES) <= names <= set(ENTRIES) | set(OPTIONAL_ENTRIES):
        raise _fail(
            "a return bundle must hold exactly: "
            + ", ".join(sorted(ENTRIES))
            + " (and may hold "
            + ", ".join(sorted(OPTIONAL_ENTRIES))
            + ")",
            source,
        )
    key = _unwrap(service, sealed, keyring)
    entries = open_entries(sealed, key)
    contents = ReturnContents(
        sealed,
        entries["cases.json"],
        entries["responses.json"],
        entries["history.json"],
        [PublicKeyRecord(**k) for k in entries["keys.json"]],
        trusted.signer,
        trusted.new_keys,
        series,
        name,
        entries[interview_records.ENTRY],
        entries.get(qa_threads.ENTRY),
    )
    _check_contents(service, contents, name)
    return contents


def open_entries(sealed: container.SealedBundle, key: bytes) -> dict[str, Any]:
    """Decrypt, parse and schema-check every entry of a return bundle, in a fixed order."""
    present = set(sealed.manifest.entry_names())
    return {
        entry: records.from_entry(entry, sealed.open_json(entry, key, schema))
        for entry, schema in {**ENTRIES, **OPTIONAL_ENTRIES}.items()
        if entry in present
    }


def _unwrap(service: Service, sealed: container.SealedBundle, keyring: Keyring) -> bytes:
    block, source = sealed.manifest.encryption, sealed.source
    if block["scheme"] != container.RETURN_SCHEME:
        raise _fail("a return bundle must be encrypted to the inspectorate's key", source)
    record = keystore.find_key(service, block["recipient_key_id"])
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
    interview_records.check_records(
        service.framework, contents.interviews, file=source, case_ids=by_id, error=BundleError
    )
    if contents.qa_threads is not None:
        try:
            # practice work never reaches a live workspace (fieldwork/qa/practice.py)
            qa_practice.refuse_practice(
                service, practice_source=bool(contents.qa_threads.get("practice")), source=source
            )
            qa_threads.check_bundle_records(contents.qa_threads, set(by_id), source=source)
        except InvalidChange as problem:
            raise _fail(problem.problem, source, problem.place) from None
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
