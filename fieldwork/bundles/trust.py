"""Who must have signed a bundle: the one rule for import, assignment and verify alike.

The signer is decided from the manifest alone (its ``signature.key_id`` and the
``signer_keys`` it carries) and this workspace's register of public keys, and the
signature is checked, before anything is decrypted, decompressed or schema-checked:
a file from outside costs a stat, a capped manifest and one Ed25519 check until
its signer is known.

- A return bundle must be signed by the inspector it names: by their registered,
  unretired signing key, or by a key that such a key endorsed (a rotation on the
  laptop; the endorsed keys are registered when the bundle is imported).
- An assignment must be signed by the inspectorate: by a central signing key this
  laptop trusts, or one endorsed by it (central rotated its keys). A first
  assignment, on a laptop that knows no central key yet, is signed by the key it
  carries; its fingerprint is shown so that it can be checked against the one the
  lead inspector gives with the passphrase.

A return series is the chain of one laptop's keys: it starts with the key central
issued in an assignment, and continues through that laptop's rotations. A new
laptop (a key issued after revocation) starts a new series, numbered from 1 again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ed25519

from fieldwork.bundles import container, keystore
from fieldwork.bundles.keystore import CENTRAL, SIGNING, KeyProblem, PublicKeyRecord
from fieldwork.bundles.schemas import BundleError
from fieldwork.service import Service


@dataclass(frozen=True)
class Trusted:
    """The key that signed a bundle, checked against the signature."""

    signer: PublicKeyRecord
    #: Keys new to this workspace that lead, by endorsements, to the signer (oldest first).
    new_keys: list[PublicKeyRecord] = field(default_factory=list)
    #: False when no register vouches for the signer: a first assignment (the fingerprint
    #: must be compared by a person) or a bundle checked without a workspace.
    known: bool = True


class Unchecked(BundleError):
    """The signature could not be checked here: no register knows whose key it should be."""


def expected_owner(manifest: container.Manifest) -> str:
    """Whose key must have signed: central for an assignment, the inspector for a return."""
    return CENTRAL if manifest.kind == "assignment" else manifest.inspector_id


def offered_keys(sealed: container.SealedBundle) -> list[PublicKeyRecord]:
    """The signer keys the manifest carries, each checked to be the key its id names."""
    source = f"{sealed.source}: {container.MANIFEST}"
    offered = [PublicKeyRecord(**k) for k in sealed.manifest.data.get("signer_keys", [])]
    for record in offered:
        try:
            keystore.check_record(record, source=source)
        except KeyProblem as exc:
            raise BundleError(
                exc.problem, file=sealed.source, place="manifest.json, signer_keys"
            ) from None
    return offered


def check_signer(sealed: container.SealedBundle, service: Service | None) -> Trusted:
    """Decide who must have signed ``sealed`` and check the signature; BundleError if not.

    ``service`` is the receiving workspace (its register of keys), or None where there is
    none: a first assignment is then checked against the key it carries (``known`` False),
    and a return bundle cannot be checked at all (``Unchecked``).
    """
    manifest, source = sealed.manifest, sealed.source
    owner = expected_owner(manifest)
    key_id = manifest.signer_key_id
    if service is None:
        if owner != CENTRAL:
            raise Unchecked(
                "the signature was not checked: only the central workspace knows the "
                "inspectors' keys (give it with --workspace)",
                file=source,
                place=container.SIGNATURE,
            )
        carried = next((k for k in offered_keys(sealed) if k.id == key_id), None)
        if carried is None or carried.owner != CENTRAL or carried.purpose != SIGNING:
            raise BundleError(
                "the bundle does not carry the inspectorate's key that signed it",
                file=source,
                place=container.SIGNATURE,
            )
        _verify(sealed, carried)
        return Trusted(carried, [carried], known=False)
    registered = keystore.find_key(service, key_id)
    who = keystore.owner_name(service, owner)
    if registered is not None:
        if registered.owner != owner or registered.purpose != SIGNING:
            raise BundleError(
                f"signed with a key that is not {who}'s signing key",
                file=source,
                place=container.SIGNATURE,
            )
        if registered.retired_at is not None:
            raise BundleError(
                f"signed with {who}'s key {registered.short}, retired on "
                f"{registered.retired_at[:10]}",
                file=source,
                place=container.SIGNATURE,
            )
        _verify(sealed, registered)
        return Trusted(registered)
    trusted = [k for k in keystore.public_keys(service, owner, SIGNING) if k.retired_at is None]
    mine = [k for k in offered_keys(sealed) if k.owner == owner]
    try:
        chain = keystore.endorsement_chain(trusted, mine, key_id, source=source)
    except KeyProblem as exc:
        raise BundleError(
            f"not signed by {who}'s registered key: {exc.problem}",
            file=source,
            place=container.SIGNATURE,
        ) from None
    _verify(sealed, chain[-1])
    return Trusted(chain[-1], chain)


def _verify(sealed: container.SealedBundle, record: PublicKeyRecord) -> None:
    key = record.key()
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise BundleError("the signing key is not an Ed25519 key", file=sealed.source)
    sealed.check_signature(key)


def series(service: Service, trusted: Trusted) -> str:
    """The return series the signer belongs to: the first key of its endorsement chain (the
    key central issued to that laptop). Sequence numbers are compared within a series."""
    known: dict[str, PublicKeyRecord] = {k.id: k for k in trusted.new_keys}
    current = trusted.signer
    seen = {current.id}
    while current.endorsed_by is not None:
        parent = known.get(current.endorsed_by) or keystore.find_key(service, current.endorsed_by)
        if parent is None or parent.owner != current.owner or parent.id in seen:
            break
        seen.add(parent.id)
        current = parent
    return current.id


def series_of_key(service: Service, key_id: str) -> str:
    """The series of a registered key (or the key itself if it is not registered)."""
    record = keystore.find_key(service, key_id)
    return series(service, Trusted(record)) if record is not None else key_id


def signer_keys(service: Service, owner: str) -> Sequence[PublicKeyRecord]:
    """What a bundle's manifest carries for its receiver: the owner's signing keys."""
    return keystore.public_keys(service, owner, SIGNING)
