"""Describe and check a bundle without importing it (``fieldwork verify``)."""

from __future__ import annotations

from pathlib import Path

from fieldwork.bundles import container
from fieldwork.bundles.assignment import check_installed_framework, read_assignment, trusted_signer
from fieldwork.bundles.importer import ReturnContents, read_return
from fieldwork.keys import Keyring
from fieldwork.service import Service


def describe(
    path: str | Path,
    *,
    service: Service | None = None,
    keyring: Keyring | None = None,
    passphrase: str | None = None,
) -> list[str]:
    """Lines describing the bundle and every check it passed; BundleError at the first failure.

    Without keys, the structure, the manifest and every entry's SHA-256 are checked. With the
    passphrase (an assignment) or the central workspace and its keys (a return), the signature,
    the decryption, the schemas and the references are checked too.
    """
    sealed = container.read_sealed(path)
    m = sealed.manifest
    lines = [
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
    lines.append("Checked:     zip structure, entry names, manifest schema, SHA-256 of every entry")
    check_installed_framework(m, sealed.source)
    lines.append("Checked:     the framework version is the one installed here")
    if m.kind == "assignment" and passphrase is not None:
        contents = read_assignment(path, passphrase)
        signer, _ = trusted_signer(contents, service)
        contents.sealed.check_signature(signer.key())  # type: ignore[arg-type]
        lines.append(
            f"Checked:     passphrase, decryption, schemas, references; signature by {signer.short}"
        )
        lines.append(
            f"Holds:       {contents.inspector['name']}: {len(contents.cases)} cases, "
            f"{len(contents.responses)} responses, {len(contents.qa_comments)} QA comments"
        )
    elif m.kind == "return" and service is not None and keyring is not None:
        returned = read_return(service, path, keyring)
        if isinstance(returned, ReturnContents):
            lines.append(
                f"Checked:     signature by {returned.signer.short}, decryption, schemas, "
                "references, sequence"
            )
            lines.append(
                f"Holds:       {len(returned.cases)} cases, {len(returned.responses)} "
                f"responses, {len(returned.history)} history rows"
            )
        else:
            lines.append("Note:        this bundle has already been imported here")
    else:
        needs = "the bundle passphrase" if m.kind == "assignment" else "the central workspace"
        lines.append(f"Not checked: signature and contents (give {needs} to check them)")
    return lines
