"""Return bundles: an inspector hands their work back to central.

A return bundle holds every case in the inspector's fieldwork workspace, every
response (answer, judgement, note or rationale, reason for not applicable) with
its revision lineage, every history row of those cases and the inspector's
public keys (so a rotated key reaches central endorsed by the old one). It is
cumulative: each one holds everything, so a lost bundle loses nothing and a later
one supersedes it.

Its entries are sealed with a fresh AES-256 key that only the inspectorate can
unwrap (RSA-OAEP to central's public key, as ODK's encrypted submissions do), and
the manifest is signed with the inspector's own key.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from fieldwork.bundles import container, crypto, keystore, ledger, meta, records, trust
from fieldwork.bundles.keystore import CENTRAL, ENCRYPTION, SIGNING, KeyProblem, Keyring
from fieldwork.bundles.ledger import Exported
from fieldwork.errors import InvalidChange
from fieldwork.interviews import records as interview_records
from fieldwork.qa import threads as qa_threads
from fieldwork.service import Service
from fieldwork.store import new_id

KIND = "return"
ENTRIES = {
    "cases.json": "bundle-cases",
    "responses.json": "bundle-responses",
    "history.json": "bundle-history",
    "keys.json": "bundle-keys",
    interview_records.ENTRY: interview_records.SCHEMA,
}
#: Entries a return bundle may hold beyond ENTRIES (bundles written before them lack them).
OPTIONAL_ENTRIES = {qa_threads.ENTRY: qa_threads.SCHEMA}


def export_return(service: Service, path: str | Path | None, *, keyring: Keyring) -> Exported:
    """Write the inspector's return bundle (to ``path``, or a default name beside the
    workspace), encrypted to the inspectorate and signed with the inspector's key."""
    workspace = service.workspace
    inspector_id = meta.get(service, meta.INSPECTOR_ID)
    inspection = service.inspection()
    if not meta.is_laptop(service) or not inspector_id or inspection is None:
        raise InvalidChange(
            "return bundles are made in an inspector's fieldwork workspace (one opened from an "
            "assignment bundle)",
            file=str(workspace.path),
        )
    central = keystore.active_key(service, CENTRAL, ENCRYPTION)
    own = keystore.active_key(service, inspector_id, SIGNING)
    if central is None or own is None:
        raise KeyProblem(
            "this workspace lacks the inspectorate's public key or your signing key; open your "
            "newest assignment bundle again",
            file=str(workspace.path),
        )
    signer = keyring.signing_key(own)
    central_key = central.key()
    assert isinstance(central_key, rsa.RSAPublicKey)
    name = service.db.execute("SELECT name FROM inspectors WHERE id = ?", [inspector_id]).fetchone()
    inspector_name = name[0] if name else "inspector"
    sequence = ledger.next_sequence(service, "exported", KIND, inspector_id)
    target = (
        Path(path)
        if path
        else workspace.path.parent / ledger.default_name(KIND, inspector_name, sequence)
    )
    cases = records.cases(service)
    responses = records.responses(service)
    history = records.history(service)
    own_keys = [k.as_json() for k in keystore.public_keys(service, inspector_id, SIGNING)]
    interviews = interview_records.export_records(service)
    contents = {
        "cases.json": records.to_json(cases),
        "responses.json": records.to_json(records.to_table(responses, records.RESPONSE_COLUMNS)),
        "history.json": records.to_json(records.to_table(history, records.HISTORY_FIELDS)),
        "keys.json": records.to_json(own_keys),
        interview_records.ENTRY: records.to_json(interviews),
        qa_threads.ENTRY: records.to_json(qa_threads.bundle_records(service)),
    }
    bundle_id = new_id()
    key = crypto.new_key()
    fields = {
        "format": container.FORMAT,
        "kind": KIND,
        "bundle_id": bundle_id,
        "inspection_id": inspection.id,
        "inspector_id": inspector_id,
        "framework": ledger.framework_fields(service.framework),
        "created_at": workspace.now(),
        "created_by": service.user,
        "sequence": sequence,
        "signature": {"algorithm": "ed25519", "key_id": own.id},
        "signer_keys": [k.as_json() for k in trust.signer_keys(service, inspector_id)][-16:],
        "encryption": {
            "scheme": container.RETURN_SCHEME,
            "recipient_key_id": central.id,
            "wrapped_key": crypto.b64(crypto.wrap_key(central_key, key)),
        },
    }
    manifest, digest = container.write_bundle(target, fields, contents, key=key, signing_key=signer)
    history_seq = service.db.execute("SELECT MAX(seq) FROM history").fetchone()[0] or 0
    counts = {
        "cases": len(cases),
        "responses": len(responses),
        "history": len(history),
        "history_seq": history_seq,
        "interviews": len(interviews["interviews"]),
    }
    try:
        with workspace.write():
            ledger.record_bundle(service, manifest, "exported", digest, counts)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Exported(target, KIND, bundle_id, inspector_id, inspector_name, sequence, digest, counts)


def changed_since_last_export(service: Service) -> bool:
    """True if anything has been recorded since the newest return bundle was written."""
    row = service.db.execute(
        "SELECT json_extract(summary, '$.history_seq') FROM bundles WHERE direction = 'exported'"
        " AND kind = 'return' ORDER BY sequence DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return True
    newest = service.db.execute("SELECT MAX(seq) FROM history").fetchone()[0] or 0
    return int(newest) > int(row[0] or 0)
