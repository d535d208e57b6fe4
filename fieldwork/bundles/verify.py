"""Describe and check a bundle without importing it (``fieldwork verify``).

The signature is checked whenever a workspace is given whose register can say who
must have signed (trust.check_signer), and for an assignment also against the key
it carries. When the signer cannot be established, the description says why and
``Verification.signature_checked`` is False: ``fieldwork verify`` then exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fieldwork.bundles import container, trust
from fieldwork.bundles.assignment import check_installed_framework, read_assignment
from fieldwork.bundles.keystore import Keyring
from fieldwork.bundles.reading import ReturnContents, read_return
from fieldwork.service import Service


@dataclass
class Verification:
    lines: list[str] = field(default_factory=list)
    #: True only when a register here vouches for the signer and the signature matched.
    signature_checked: bool = False


def verify_bundle(
    path: str | Path,
    *,
    service: Service | None = None,
    keyring: Keyring | None = None,
    passphrase: str | None = None,
) -> Verification:
    """Check a bundle as far as what is given allows; BundleError at the first failure.

    Always: the structure, the manifest, every entry's SHA-256 and the signature against
    the signer the manifest names. With a workspace: that the signer is the one this
    workspace expects. With the passphrase (an assignment) or the central workspace and its
    keys (a return): the decryption, the schemas and the references too.
    """
    sealed = container.read_sealed(path)
    m = sealed.manifest
    result = Verification()
    lines = result.lines
    lines += [
        f"Bundle:      {sealed.path.name}",
        f"Kind:        {m.kind} (format {m.data['format']}, sequence {m.sequence})",
        f"Bundle id:   {m.bundle_id}",
        f"Inspection:  {m.inspection_id}",
        f"Inspector:   {m.inspector_id}",
        f"Framework:   {m.framework['id']} version {m.framework['version']} "
        f"(hash {m.framework['hash'][:12]})",
        f"Made:        {m.created_at} by {m.data['created_by']}",
        f"Signed by:   key {m.signer_key_id[:16]} (Ed25519)",
        f"Encryption:  {m.encryption['scheme']}",
        f"File SHA-256 {sealed.file_sha256}",
        "Entries:",
    ]
    lines += [
        f"  {e.name:<18} {e.content_size:>10,} bytes ({e.size:,} sealed)  sha256 {e.sha256[:16]}"
        for e in m.entries
    ]
    try:
        trusted = trust.check_signer(sealed, service)
    except trust.Unchecked as exc:
        lines.append(f"Not checked: {exc.problem}")
        trusted = None
    sealed.check_hashes()
    lines.append("Checked:     zip structure, entry names, manifest schema, SHA-256 of every entry")
    check_installed_framework(m, sealed.source)
    lines.append("Checked:     the framework version is the one installed here")
    if trusted is not None and trusted.known:
        result.signature_checked = True
        lines.append(
            f"Checked:     signature by {trusted.signer.short}, a key this workspace trusts"
        )
    elif trusted is not None:
        lines.append(
            f"Signature:   matches the key the bundle carries, {trusted.signer.short}; no "
            "workspace here knows the inspectorate's key, so compare this fingerprint with the "
            "one your lead inspector gave you (or give --workspace)"
        )
    if m.kind == "assignment" and passphrase is not None:
        contents = read_assignment(path, passphrase, service)
        lines.append("Checked:     passphrase, decryption, schemas, references")
        lines.append(
            f"Holds:       {contents.inspector['name']}: {len(contents.cases)} cases, "
            f"{len(contents.responses)} responses, {len(contents.qa_comments)} QA comments"
        )
    elif m.kind == "return" and service is not None and keyring is not None:
        returned = read_return(service, path, keyring)
        if isinstance(returned, ReturnContents):
            lines.append("Checked:     decryption, schemas, references, sequence")
            lines.append(
                f"Holds:       {len(returned.cases)} cases, {len(returned.responses)} "
                f"responses, {len(returned.history)} history rows"
            )
        else:
            lines.append("Note:        this bundle has already been imported here")
    else:
        needs = "the bundle passphrase" if m.kind == "assignment" else "the central workspace"
        lines.append(f"Not checked: the contents (give {needs} to check them)")
    return result


def describe(
    path: str | Path,
    *,
    service: Service | None = None,
    keyring: Keyring | None = None,
    passphrase: str | None = None,
) -> list[str]:
    """The lines of ``verify_bundle`` (BundleError at the first failure)."""
    return verify_bundle(path, service=service, keyring=keyring, passphrase=passphrase).lines
