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
#: The biggest file read as a bundle: the national return of one inspector is a few MB; the
#: entries' own cap (MAX_ENTRY_BYTES each, stated in the manifest) is checked before reading.
MAX_FILE_BYTES = 256 << 20
MAX_ENTRY_BYTES = 256 << 20
MAX_MEMBERS = 34  # the manifest, its signature and up to 32 entries
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
    """A bundle whose structure and manifest are checked; nothing else is read yet.

    The entries stay in the file until they are asked for, after the signer is known:
    each is then read alone, capped at the size the manifest states, and checked
    against its SHA-256 (``stored``), so a hostile file costs a stat and a manifest.
    """

    path: Path
    manifest: Manifest
    signature: bytes
    members: dict[str, zipfile.ZipInfo] = field(repr=False)

    @property
    def source(self) -> str:
        return str(self.path)

    @property
    def file_sha256(self) -> str:
        """SHA-256 of the whole file, streamed (recorded in the ledger, shown by verify)."""
        digest = hashlib.sha256()
        try:
            with self.path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        except OSError as exc:
            raise BundleError(f"cannot read the file ({exc.strerror})", file=self.source) from None
        return digest.hexdigest()

    def check_signature(self, public_key: ed25519.Ed25519PublicKey) -> None:
        if not crypto.verify(public_key, self.signature, self.manifest.raw):
            raise BundleError(
                "the signature does not match the manifest: the bundle was altered after it "
                "was signed, or was not signed by the key it names",
                file=self.source,
                place=SIGNATURE,
            )

    def stored(self, name: str) -> bytes:
        """One entry as stored (sealed), read alone, capped at its stated size, hash-checked."""
        entry = next(e for e in self.manifest.entries if e.name == name)
        try:
            with zipfile.ZipFile(self.path) as archive:
                content = _read_member(archive, self.members[name], entry.size, self.source)
        except BundleError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise BundleError(
                f"the entry cannot be read ({exc})", file=self.source, place=name
            ) from None
        if hashlib.sha256(content).hexdigest() != entry.sha256:
            raise BundleError(
                "does not match its SHA-256 in the manifest: the entry was damaged or altered",
                file=self.source,
                place=name,
            )
        return content

    def check_hashes(self) -> None:
        """Every entry's SHA-256 against the manifest, one entry in memory at a time."""
        for entry in self.manifest.entries:
            self.stored(entry.name)

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
            compressed = crypto.unseal(key, self.stored(name), aad)
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
        del compressed
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
        del content
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


def _check_size(path: Path) -> None:
    """Cheap first: a file bigger than any bundle is refused on its size, unread."""
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise BundleError("no bundle file here", file=source) from None
    except OSError as exc:
        raise BundleError(f"cannot read the file ({exc.strerror})", file=source) from None
    if size > MAX_FILE_BYTES:
        raise BundleError(
            f"the file is {size:,} bytes, more than any bundle holds ({MAX_FILE_BYTES:,}); "
            "it was not read",
            file=source,
        )


def read_sealed(path: str | Path) -> SealedBundle:
    """Read a bundle's structure and manifest (not its entries): BundleError naming the file,
    place and problem if it is bad. The file is never read whole."""
    path = Path(path)
    source = str(path)
    _check_size(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_zip(path, archive)
    except BundleError:
        raise
    except FileNotFoundError:
        raise BundleError("no bundle file here", file=source) from None
    except zipfile.BadZipFile:
        raise BundleError(
            "not a Fieldwork bundle: the file is not a zip (or it is truncated)", file=source
        ) from None
    except (zlib.error, EOFError, ValueError, NotImplementedError, OSError) as exc:
        raise BundleError(
            f"not a readable bundle: the zip is damaged or truncated ({exc})", file=source
        ) from None


def peek_manifest(path: str | Path) -> Manifest:
    """Just the manifest (checked against its schema): enough to sort or route a bundle
    without reading its entries. Nothing in it is trusted until the signature is checked."""
    return read_sealed(path).manifest


def _read_zip(path: Path, archive: zipfile.ZipFile) -> SealedBundle:
    source = str(path)
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise BundleError(
            f"the zip holds {len(infos):,} entries; a bundle holds at most {MAX_MEMBERS}",
            file=source,
        )
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
        raise BundleError(f"entries not listed in the manifest: {', '.join(extra)}", file=source)
    if sum(e.content_size for e in manifest.entries) > MAX_TOTAL_CONTENT:
        raise BundleError("the entries are too large for a bundle", file=source, place=MANIFEST)
    for entry in manifest.entries:
        info = by_name[entry.name]
        if max(entry.size, entry.content_size) > MAX_ENTRY_BYTES:
            raise BundleError(
                f"the entry is stated to hold more than {MAX_ENTRY_BYTES:,} bytes; it was not read",
                file=source,
                place=entry.name,
            )
        if info.file_size != entry.size:
            raise BundleError(
                f"the zip says it holds {info.file_size:,} bytes where {entry.size:,} are expected",
                file=source,
                place=entry.name,
            )
    return SealedBundle(path, manifest, signature, by_name)


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
    except NotImplementedError as exc:  # a compression method or feature zipfile lacks
        raise BundleError(
            f"the entry cannot be read ({exc}): bundles store entries uncompressed",
            file=source,
            place=info.filename,
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
    """The key a passphrase gives for this bundle; scrypt runs only with the costs Fieldwork
    writes (checked first: a forged manifest cannot make a laptop spend minutes and GBs)."""
    block = bundle.manifest.encryption
    if block["scheme"] != PASSPHRASE_SCHEME:
        raise BundleError("this bundle is not protected by a passphrase", file=bundle.source)
    try:
        crypto.check_scrypt_cost(block["n"], block["r"], block["p"])
    except ValueError as exc:
        raise BundleError(str(exc), file=bundle.source, place=f"{MANIFEST}, encryption") from None
    key = crypto.derive_key(
        passphrase, crypto.unb64(block["salt"]), block["n"], block["r"], block["p"]
    )
    bundle.check_passphrase_key(key)
    return key
