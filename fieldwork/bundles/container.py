"""The bundle file: a zip holding a signed manifest and sealed JSON entries.

Layout (see docs/bundle-format.md)::

    manifest.json   what the bundle is; the SHA-256 and size of every entry
    manifest.sig    Ed25519 signature of manifest.json's exact bytes
    <name>.json     one per entry: zlib-compressed JSON, sealed with AES-256-GCM
                    (random nonce + ciphertext + tag; "<bundle id>/<name>" as associated data)

Reading never extracts anything to disk and trusts nothing before it is checked:
member names are checked before anything is read, every read is capped at the
size the manifest states (so a zip bomb stops at its stated size), each entry's
SHA-256 is checked against the manifest, the manifest's signature against a
known key, and each decrypted entry against its JSON Schema.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from fieldwork.bundles import crypto
from fieldwork.bundles.schemas import BundleError, validate

FORMAT = 1
EXTENSION = ".fwb"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNATURE_BYTES = 64
MAX_MANIFEST_BYTES = 1 << 20
MAX_TOTAL_CONTENT = 1 << 30  # all entries together, decrypted and decompressed
COMPRESSION_LEVEL = 6
RETURN_SCHEME = "rsa-oaep-sha256+aes-256-gcm"
PASSPHRASE_SCHEME = "scrypt+aes-256-gcm"
CHECK_TEXT = b"fieldwork bundle key check"


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    sha256: str
    content_size: int


@dataclass(frozen=True)
class Manifest:
    """The parsed, schema-checked manifest and its exact bytes (what the signature covers)."""

    data: Mapping[str, Any]
    raw: bytes = field(repr=False)

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def bundle_id(self) -> str:
        return str(self.data["bundle_id"])

    @property
    def inspection_id(self) -> str:
        return str(self.data["inspection_id"])

    @property
    def inspector_id(self) -> str:
        return str(self.data["inspector_id"])

    @property
    def sequence(self) -> int:
        return int(self.data["sequence"])

    @property
    def created_at(self) -> str:
        return str(self.data["created_at"])

    @property
    def framework(self) -> Mapping[str, str]:
        return self.data["framework"]  # type: ignore[no-any-return]

    @property
    def signer_key_id(self) -> str:
        return str(self.data["signature"]["key_id"])

    @property
    def encryption(self) -> Mapping[str, Any]:
        return self.data["encryption"]  # type: ignore[no-any-return]

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(Entry(**e) for e in self.data["entries"])

    def entry_names(self) -> list[str]:
        return [e.name for e in self.entries]


@dataclass
class SealedBundle:
    """A bundle whose structure and entry hashes are checked, not yet decrypted or trusted."""

    path: Path
    manifest: Manifest
    signature: bytes
    stored: dict[str, bytes]
    file_sha256: str

    @property
    def source(self) -> str:
        return str(self.path)

    def check_signature(self, public_key: ed25519.Ed25519PublicKey) -> None:
        if not crypto.verify(public_key, self.signature, self.manifest.raw):
            raise BundleError(
                "the signature does not match the manifest: the bundle was altered after it "
                "was signed, or was not signed by the key it names",
                file=self.source,
                place=SIGNATURE,
            )

    def check_passphrase_key(self, key: bytes) -> None:
        """For an assignment: the key derived from the passphrase opens the manifest's check."""
        check = crypto.unb64(self.manifest.encryption["check"])
        try:
            opened = crypto.unseal(key, check, self.manifest.bundle_id.encode())
        except crypto.InvalidTag:
            opened = b""
        if opened != CHECK_TEXT:
            raise BundleError(
                "wrong passphrase for this bundle (ask the lead inspector for the passphrase "
                "they set when they made it)",
                file=self.source,
            )

    def open_entry(self, name: str, key: bytes) -> bytes:
        """Decrypt and decompress one entry, reading no more than its stated size."""
        entry = next(e for e in self.manifest.entries if e.name == name)
        aad = f"{self.manifest.bundle_id}/{name}".encode()
        try:
            compressed = crypto.unseal(key, self.stored[name], aad)
        except crypto.InvalidTag:
            raise BundleError(
                "cannot be decrypted: the entry was altered, or the bundle was encrypted with "
                "another key",
                file=self.source,
                place=name,
            ) from None
        inflater = zlib.decompressobj()
        try:
            content = inflater.decompress(compressed, entry.content_size + 1)
        except zlib.error as exc:
            raise BundleError(
                f"cannot be decompressed ({exc})", file=self.source, place=name
            ) from None
        if len(content) > entry.content_size or inflater.unconsumed_tail:
            raise BundleError(
                f"expands beyond its stated size of {entry.content_size:,} bytes (a zip bomb?); "
                "reading stopped there",
                file=self.source,
                place=name,
            )
        if not inflater.eof or inflater.unused_data or len(content) != entry.content_size:
            raise BundleError(
                f"holds {len(content):,} bytes, not the {entry.content_size:,} the manifest states",
                file=self.source,
                place=name,
            )
        return content

    def open_json(self, name: str, key: bytes, schema: str) -> Any:
        """Decrypt, parse and check one JSON entry against its schema."""
        content = self.open_entry(name, key)
        try:
            data = json.loads(content.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise BundleError(
                f"is not UTF-8 text ({exc.reason})", file=self.source, place=name
            ) from None
        except json.JSONDecodeError as exc:
            raise BundleError(
                f"is not valid JSON: {exc.msg}",
                file=self.source,
                place=f"{name}, line {exc.lineno}, column {exc.colno}",
            ) from None
        validate(schema, data, file=self.source, entry=name)
        return data


# -- reading ------------------------------------------------------------------------------------
def _unsafe(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or ":" in name
        or any(part in ("..", ".") for part in path.parts)
        or len(path.parts) != 1
    )


def read_sealed(path: str | Path) -> SealedBundle:
    """Read a bundle's structure: BundleError naming the file, place and problem if it is bad."""
    path = Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BundleError("no bundle file here", file=source) from None
    except OSError as exc:
        raise BundleError(f"cannot read the file ({exc.strerror})", file=source) from None
    file_sha256 = hashlib.sha256(data).hexdigest()
    try:
        return _read_zip(path, data, file_sha256)
    except BundleError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise BundleError(
            f"not a readable bundle: the zip is damaged or truncated ({exc})", file=source
        ) from None


def peek_manifest(path: str | Path) -> Manifest:
    """Just the manifest (checked against its schema): enough to sort or route a bundle
    without reading its entries. Nothing in it is trusted until ``read_sealed`` and the
    signature have checked the whole bundle."""
    source = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(MANIFEST)
            if _unsafe(info.filename):
                raise BundleError("unsafe entry name", file=source)
            raw = _read_member(archive, info, MAX_MANIFEST_BYTES, source, cap_only=True)
    except KeyError:
        raise BundleError(f"not a Fieldwork bundle: there is no {MANIFEST}", file=source) from None
    except FileNotFoundError:
        raise BundleError("no bundle file here", file=source) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise BundleError(f"not a readable bundle ({exc})", file=source) from None
    return parse_manifest(raw, source)


def _read_zip(path: Path, data: bytes, file_sha256: str) -> SealedBundle:
    source = str(path)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise BundleError(
            "not a Fieldwork bundle: the file is not a zip (or it is truncated)", file=source
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        for name in names:
            if _unsafe(name):
                raise BundleError(
                    "unsafe entry name (a path, an absolute path or '..'): bundles hold plain "
                    "file names only",
                    file=source,
                    place=repr(name),
                )
        if len(set(names)) != len(names):
            raise BundleError("the zip holds two entries with the same name", file=source)
        by_name = {i.filename: i for i in infos}
        for required in (MANIFEST, SIGNATURE):
            if required not in by_name:
                raise BundleError(f"not a Fieldwork bundle: there is no {required}", file=source)
        raw = _read_member(archive, by_name[MANIFEST], MAX_MANIFEST_BYTES, source, cap_only=True)
        manifest = parse_manifest(raw, source)
        signature = _read_member(archive, by_name[SIGNATURE], SIGNATURE_BYTES, source)
        expected = {MANIFEST, SIGNATURE, *manifest.entry_names()}
        if len(manifest.entry_names()) != len(set(manifest.entry_names())):
            raise BundleError("the manifest lists an entry twice", file=source, place=MANIFEST)
        missing = sorted(expected - set(names))
        extra = sorted(set(names) - expected)
        if missing:
            raise BundleError(
                f"entries listed in the manifest are missing: {', '.join(missing)}", file=source
            )
        if extra:
            raise BundleError(
                f"entries not listed in the manifest: {', '.join(extra)}", file=source
            )
        if sum(e.content_size for e in manifest.entries) > MAX_TOTAL_CONTENT:
            raise BundleError("the entries are too large for a bundle", file=source, place=MANIFEST)
        stored = {}
        for entry in manifest.entries:
            content = _read_member(archive, by_name[entry.name], entry.size, source)
            if hashlib.sha256(content).hexdigest() != entry.sha256:
                raise BundleError(
                    "does not match its SHA-256 in the manifest: the entry was damaged or altered",
                    file=source,
                    place=entry.name,
                )
            stored[entry.name] = content
    return SealedBundle(path, manifest, signature, stored, file_sha256)


def _read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    size: int,
    source: str,
    *,
    cap_only: bool = False,
) -> bytes:
    """A member's bytes, never more than ``size`` (exactly ``size`` unless ``cap_only``)."""
    if info.file_size > size or (not cap_only and info.file_size != size):
        raise BundleError(
            f"the zip says it holds {info.file_size:,} bytes where {size:,} are expected",
            file=source,
            place=info.filename,
        )
    try:
        with archive.open(info) as member:
            content = member.read(size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise BundleError(
            f"the entry is damaged ({exc})", file=source, place=info.filename
        ) from None
    if len(content) > size:
        raise BundleError(
            f"expands beyond its stated size of {size:,} bytes (a zip bomb?)",
            file=source,
            place=info.filename,
        )
    if not cap_only and len(content) != size:
        raise BundleError(
            f"holds {len(content):,} bytes, not {size:,}", file=source, place=info.filename
        )
    return content


def parse_manifest(raw: bytes, source: str) -> Manifest:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BundleError("is not UTF-8 text", file=source, place=MANIFEST) from None
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"is not valid JSON: {exc.msg}",
            file=source,
            place=f"{MANIFEST}, line {exc.lineno}, column {exc.colno}",
        ) from None
    if isinstance(data, dict) and isinstance(data.get("format"), int) and data["format"] > FORMAT:
        raise BundleError(
            f"bundle format {data['format']} was made by a newer Fieldwork; update Fieldwork to "
            "read it",
            file=source,
            place=MANIFEST,
        )
    validate("bundle-manifest", data, file=source, entry=MANIFEST)
    return Manifest(data, raw)


# -- writing ------------------------------------------------------------------------------------
def seal_entries(
    bundle_id: str, contents: Mapping[str, bytes], key: bytes
) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Compress and seal each entry; return the manifest's entry list and the stored bytes."""
    entries, stored = [], {}
    for name, content in contents.items():
        sealed = crypto.seal(
            key, zlib.compress(content, COMPRESSION_LEVEL), f"{bundle_id}/{name}".encode()
        )
        stored[name] = sealed
        entries.append(
            {
                "name": name,
                "size": len(sealed),
                "sha256": hashlib.sha256(sealed).hexdigest(),
                "content_size": len(content),
            }
        )
    return entries, stored


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")


def write_members(path: Path, members: Sequence[tuple[str, bytes]]) -> str:
    """Write the zip atomically (a temporary file renamed into place); return its SHA-256."""
    temporary = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, content in members:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = 0o600 << 16
                archive.writestr(info, content)
        with temporary.open("rb+") as fh:
            os.fsync(fh.fileno())
            fh.seek(0)
            digest = hashlib.sha256(fh.read()).hexdigest()
        os.replace(temporary, path)
    except OSError as exc:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise BundleError(f"cannot write the bundle ({exc.strerror})", file=str(path)) from None
    return digest


def write_bundle(
    path: Path,
    fields: Mapping[str, Any],
    contents: Mapping[str, bytes],
    *,
    key: bytes,
    signing_key: ed25519.Ed25519PrivateKey,
) -> tuple[Manifest, str]:
    """Seal ``contents`` with ``key``, sign the manifest, write the zip. Returns (manifest, sha)."""
    entries, stored = seal_entries(str(fields["bundle_id"]), contents, key)
    manifest = {**fields, "compression": "zlib", "entries": entries}
    raw = manifest_bytes(manifest)
    signature = crypto.sign(signing_key, raw)
    members = [(MANIFEST, raw), (SIGNATURE, signature), *stored.items()]
    digest = write_members(path, members)
    return Manifest(manifest, raw), digest


def passphrase_encryption(
    bundle_id: str, passphrase: str, *, n: int = crypto.SCRYPT_N
) -> tuple[dict[str, Any], bytes]:
    """The manifest's encryption block for a passphrase-protected bundle, and the key."""
    salt = os.urandom(crypto.SALT_BYTES)
    key = crypto.derive_key(passphrase, salt, n)
    check = crypto.seal(key, CHECK_TEXT, bundle_id.encode())
    block = {
        "scheme": PASSPHRASE_SCHEME,
        "salt": crypto.b64(salt),
        "n": n,
        "r": crypto.SCRYPT_R,
        "p": crypto.SCRYPT_P,
        "check": crypto.b64(check),
    }
    return block, key


def passphrase_key(bundle: SealedBundle, passphrase: str) -> bytes:
    block = bundle.manifest.encryption
    if block["scheme"] != PASSPHRASE_SCHEME:
        raise BundleError("this bundle is not protected by a passphrase", file=bundle.source)
    key = crypto.derive_key(
        passphrase, crypto.unb64(block["salt"]), block["n"], block["r"], block["p"]
    )
    bundle.check_passphrase_key(key)
    return key
