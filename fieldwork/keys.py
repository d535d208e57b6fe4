"""Key management: make, rotate and revoke the keys bundles are signed and encrypted with.

The inspectorate ("central") has an RSA-3072 key that return bundles are
encrypted to and an Ed25519 key that signs assignment bundles; each inspector
has an Ed25519 key that signs their return bundles. The register of public keys
and the sealed private key files are ``fieldwork.bundles.keystore`` (the layer
below, which bundles read); this module holds the operations people run
(``fieldwork keys init | rotate | revoke | list``).

A rotated key is *endorsed*: the owner's previous signing key signs the new
key's statement, so whoever trusts the old key can trust the new one without
another meeting. Retired keys stay on record (and central keeps its retired
private keys, to open return bundles encrypted to them); a bundle signed with a
retired or unknown key is refused.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from fieldwork.bundles import crypto, meta
from fieldwork.bundles.keystore import (
    CENTRAL,
    ENCRYPTION,
    SIGNING,
    KeyProblem,
    Keyring,
    PublicKeyRecord,
    active_key,
    endorse,
    insert_key,
    keys_dir,
    owner_name,
    public_keys,
    record_for,
    retire,
)
from fieldwork.service import Service

# The GUI and the CLI reach the keyring through this module, the key-management layer.
__all__ = [
    "KeyProblem",
    "Keyring",
    "PublicKeyRecord",
    "keys_dir",
    "init_central_keys",
    "rotate_central_keys",
    "rotate_inspector_key",
    "revoke_inspector_keys",
    "describe",
]


def init_central_keys(
    service: Service,
    keyring: Keyring,
    *,
    encryption_key: rsa.RSAPrivateKey | None = None,
) -> list[PublicKeyRecord]:
    """Make the inspectorate's encryption and signing keys (once per central workspace)."""
    if not meta.is_central(service):
        raise KeyProblem(
            "only a central workspace holds the inspectorate's keys",
            file=str(service.workspace.path),
        )
    if active_key(service, CENTRAL, SIGNING) is not None:
        raise KeyProblem(
            "this workspace already has the inspectorate's keys; use 'fieldwork keys rotate' to "
            "replace them",
            file=str(service.workspace.path),
        )
    return _new_central_keys(service, keyring, encryption_key)


def rotate_central_keys(
    service: Service, keyring: Keyring, *, encryption_key: rsa.RSAPrivateKey | None = None
) -> list[PublicKeyRecord]:
    """New inspectorate keys, endorsed by the old signing key; the old ones are retired.

    The old private keys stay in the keys folder: return bundles already encrypted to the
    old encryption key can still be opened.
    """
    if active_key(service, CENTRAL, SIGNING) is None:
        raise KeyProblem(
            "this workspace has no inspectorate keys yet; use 'fieldwork keys init'",
            file=str(service.workspace.path),
        )
    return _new_central_keys(service, keyring, encryption_key)


def _new_central_keys(
    service: Service, keyring: Keyring, encryption_key: rsa.RSAPrivateKey | None
) -> list[PublicKeyRecord]:
    now = service.workspace.now()
    old_signing = active_key(service, CENTRAL, SIGNING)
    old = [k.id for k in public_keys(service, CENTRAL) if k.retired_at is None]
    signer = crypto.new_signing_key()
    decrypter = encryption_key or crypto.new_encryption_key()
    signing = record_for(signer, owner=CENTRAL, purpose=SIGNING, created_at=now)
    encryption = record_for(decrypter, owner=CENTRAL, purpose=ENCRYPTION, created_at=now)
    if old_signing is not None:
        signing = endorse(signing, old_signing, keyring.signing_key(old_signing))
    encryption = endorse(encryption, signing, signer)
    keyring.store(signer, signing)
    keyring.store(decrypter, encryption)
    with service.workspace.write():
        retire(service, old, now)
        for record in (signing, encryption):
            insert_key(service, record)
        service.workspace.record_history(
            case_id=None,
            entity="keys",
            field="rotated" if old else "created",
            old=", ".join(k[:16] for k in old) or None,
            new=f"signing {signing.id[:16]}, encryption {encryption.id[:16]}",
            who=service.user,
        )
    return [signing, encryption]


def rotate_inspector_key(service: Service, keyring: Keyring) -> PublicKeyRecord:
    """On a laptop: a new signing key for the inspector, endorsed by the current one.

    The next return bundle carries the endorsement; central registers the new key when it
    imports that bundle and refuses the old one from then on.
    """
    inspector_id = meta.get(service, meta.INSPECTOR_ID)
    current = active_key(service, inspector_id, SIGNING) if inspector_id else None
    if current is None:
        raise KeyProblem(
            "this is not an inspector's fieldwork workspace with a signing key",
            file=str(service.workspace.path),
        )
    now = service.workspace.now()
    private = crypto.new_signing_key()
    record = endorse(
        record_for(private, owner=inspector_id, purpose=SIGNING, created_at=now),
        current,
        keyring.signing_key(current),
    )
    keyring.store(private, record)
    with service.workspace.write():
        retire(service, [current.id], now)
        insert_key(service, record)
        service.workspace.record_history(
            case_id=None,
            entity="keys",
            field="rotated",
            old=current.id[:16],
            new=record.id[:16],
            who=service.user,
        )
    return record


def revoke_inspector_keys(service: Service, inspector_id: str) -> list[str]:
    """At central: retire an inspector's keys (a lost laptop); the next assignment issues one."""
    ids = [k.id for k in public_keys(service, inspector_id, SIGNING) if k.retired_at is None]
    if ids:
        with service.workspace.write():
            now = service.workspace.now()
            retire(service, ids, now)
            service.workspace.record_history(
                case_id=None,
                entity="keys",
                field="revoked",
                old=", ".join(k[:16] for k in ids),
                new=None,
                who=service.user,
                item_id=inspector_id,
            )
    return ids


def describe(service: Service) -> list[str]:
    """One line per recorded key, for ``fieldwork keys list``."""
    lines = []
    for record in public_keys(service):
        state = f"retired {record.retired_at[:10]}" if record.retired_at else "active"
        lines.append(
            f"{record.short}  {record.purpose:<10} {record.algorithm:<8} "
            f"{owner_name(service, record.owner):<24} {state}"
        )
    return lines
