"""The key register bundles read and write: public key records, sealed private key files.

Public keys are recorded in the workspace (table ``keys``); private keys live in
files in a keys folder beside the workspace (``inspection.fieldwork.keys/``), each
sealed with AES-256-GCM under a key derived from a passphrase by scrypt. A
rotated key is *endorsed*: the owner's previous signing key signs the new key's
statement (``endorsement_chain`` follows such chains).

This module sits below ``fieldwork.keys`` (which makes, rotates and revokes keys)
so that bundles can read keys without importing the layer above them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from fieldwork import passphrases
from fieldwork.bundles import crypto
from fieldwork.bundles.schemas import validate
from fieldwork.errors import FieldworkError
from fieldwork.service import Service

CENTRAL = "central"
SIGNING = "signing"
ENCRYPTION = "encryption"
KEY_FILE_SUFFIX = ".key"

Passphrase = str | Callable[[], str]


class KeyProblem(FieldworkError):
    """A key is missing, unreadable, locked with another passphrase or not trusted."""


def keys_dir(workspace_path: str | Path) -> Path:
    """The keys folder that belongs to a workspace: ``<workspace>.keys`` beside it."""
    path = Path(workspace_path)
    return path.with_name(path.name + ".keys")


@dataclass(frozen=True)
class PublicKeyRecord:
    """A public key as the workspace and bundles record it."""

    id: str
    owner: str
    purpose: str
    algorithm: str
    public_key: str
    created_at: str
    retired_at: str | None = None
    endorsed_by: str | None = None
    endorsement: str | None = None

    def key(self) -> crypto.PublicKey:
        return crypto.load_public_pem(self.public_key)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def statement(self) -> bytes:
        """The canonical bytes an endorsement signs: everything that identifies the key."""
        return json.dumps(
            {
                "statement": "fieldwork key endorsement",
                "id": self.id,
                "owner": self.owner,
                "purpose": self.purpose,
                "algorithm": self.algorithm,
                "public_key": self.public_key,
                "created_at": self.created_at,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode("utf-8")

    @property
    def short(self) -> str:
        """The first 16 hex digits in groups of four, for people to compare."""
        return " ".join(self.id[i : i + 4] for i in range(0, 16, 4))


def record_for(
    private_key: crypto.PrivateKey, *, owner: str, purpose: str, created_at: str
) -> PublicKeyRecord:
    public = private_key.public_key()
    algorithm = "ed25519" if isinstance(public, ed25519.Ed25519PublicKey) else "rsa-3072"
    return PublicKeyRecord(
        crypto.fingerprint(public), owner, purpose, algorithm, crypto.public_pem(public), created_at
    )


def endorse(
    record: PublicKeyRecord, by: PublicKeyRecord, private_key: ed25519.Ed25519PrivateKey
) -> PublicKeyRecord:
    signature = crypto.sign(private_key, record.statement())
    return PublicKeyRecord(
        **{**record.as_json(), "endorsed_by": by.id, "endorsement": crypto.b64(signature)}
    )


def check_record(record: PublicKeyRecord, *, source: str) -> None:
    """The record's id really is its key's fingerprint, and the key is of the stated kind."""
    try:
        key = record.key()
    except ValueError as exc:
        raise KeyProblem(f"key {record.id[:16]} cannot be read ({exc})", file=source) from None
    expected = rsa.RSAPublicKey if record.algorithm.startswith("rsa") else ed25519.Ed25519PublicKey
    if crypto.fingerprint(key) != record.id or not isinstance(key, expected):
        raise KeyProblem(f"key {record.id[:16]} does not match its id or algorithm", file=source)


# -- private key files ------------------------------------------------------------------------
def write_key_file(
    folder: Path,
    private_key: crypto.PrivateKey,
    record: PublicKeyRecord,
    passphrase: str,
    *,
    kdf_n: int = crypto.SCRYPT_N,
) -> Path:
    """Seal a private key under the passphrase into ``folder`` (created if need be)."""
    strength = passphrases.assess(passphrase)
    if not strength.acceptable:
        raise KeyProblem(f"the key passphrase is refused: {strength.hint}")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    salt = os.urandom(crypto.SALT_BYTES)
    key = crypto.derive_key(passphrase, salt, kdf_n)
    document = {
        "format": 1,
        "kind": "fieldwork-private-key",
        "key_id": record.id,
        "owner": record.owner,
        "purpose": record.purpose,
        "algorithm": record.algorithm,
        "public_key": record.public_key,
        "created_at": record.created_at,
        "kdf": {
            "name": "scrypt",
            "salt": crypto.b64(salt),
            "n": kdf_n,
            "r": crypto.SCRYPT_R,
            "p": crypto.SCRYPT_P,
        },
        "sealed": crypto.b64(
            crypto.seal(key, crypto.private_der(private_key), record.id.encode("ascii"))
        ),
    }
    path = folder / f"{record.purpose}-{record.id[:16]}{KEY_FILE_SUFFIX}"
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(document, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, path)
    return path


def read_key_file(path: Path, passphrase: str) -> crypto.PrivateKey:
    """Open a key file; KeyProblem naming the file if it is unreadable or the passphrase wrong."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyProblem("key file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise KeyProblem(f"not a readable key file ({exc})", file=str(path)) from None
    validate("bundle-private-key", document, file=str(path), entry="key file")
    kdf = document["kdf"]
    key = crypto.derive_key(passphrase, crypto.unb64(kdf["salt"]), kdf["n"], kdf["r"], kdf["p"])
    try:
        der = crypto.unseal(key, crypto.unb64(document["sealed"]), document["key_id"].encode())
    except InvalidTag:
        raise KeyProblem(
            "wrong passphrase for this key (or the key file is damaged)", file=str(path)
        ) from None
    private = crypto.load_private_der(der)
    if crypto.fingerprint(private.public_key()) != document["key_id"]:
        raise KeyProblem("the key file does not hold the key it names", file=str(path))
    return private


class Keyring:
    """The private keys in one folder, unlocked with one passphrase, asked for on first use."""

    def __init__(self, folder: str | Path, passphrase: Passphrase, *, kdf_n: int = crypto.SCRYPT_N):
        self.folder = Path(folder)
        self._passphrase = passphrase
        self._cache: dict[str, crypto.PrivateKey] = {}
        self.kdf_n = kdf_n

    @classmethod
    def beside(cls, workspace_path: str | Path, passphrase: Passphrase, **kw: Any) -> Keyring:
        return cls(keys_dir(workspace_path), passphrase, **kw)

    def passphrase(self) -> str:
        if callable(self._passphrase):
            self._passphrase = self._passphrase()
        return self._passphrase

    def path(self, record: PublicKeyRecord) -> Path:
        return self.folder / f"{record.purpose}-{record.id[:16]}{KEY_FILE_SUFFIX}"

    def has(self, record: PublicKeyRecord) -> bool:
        return record.id in self._cache or self.path(record).is_file()

    def private(self, record: PublicKeyRecord) -> crypto.PrivateKey:
        if record.id not in self._cache:
            path = self.path(record)
            if not path.is_file():
                raise KeyProblem(
                    f"the private half of {record.purpose} key {record.short} is not in the keys "
                    "folder; use the folder the key was made in (--keys)",
                    file=str(self.folder),
                )
            self._cache[record.id] = read_key_file(path, self.passphrase())
        return self._cache[record.id]

    def signing_key(self, record: PublicKeyRecord) -> ed25519.Ed25519PrivateKey:
        key = self.private(record)
        assert isinstance(key, ed25519.Ed25519PrivateKey)
        return key

    def decryption_key(self, record: PublicKeyRecord) -> rsa.RSAPrivateKey:
        key = self.private(record)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    def store(self, private_key: crypto.PrivateKey, record: PublicKeyRecord) -> Path:
        path = write_key_file(self.folder, private_key, record, self.passphrase(), kdf_n=self.kdf_n)
        self._cache[record.id] = private_key
        return path


# -- the workspace's register of public keys -----------------------------------------------------
_COLUMNS = (
    "id, owner, purpose, algorithm, public_key, created_at, retired_at, endorsed_by, endorsement"
)


def public_keys(
    service: Service, owner: str | None = None, purpose: str | None = None
) -> list[PublicKeyRecord]:
    """Recorded public keys, oldest first."""
    sql, params = f"SELECT {_COLUMNS} FROM keys WHERE 1", []
    if owner is not None:
        sql += " AND owner = ?"
        params.append(owner)
    if purpose is not None:
        sql += " AND purpose = ?"
        params.append(purpose)
    return [
        PublicKeyRecord(*row)
        for row in service.db.execute(sql + " ORDER BY created_at, id", params)
    ]


def owner_name(service: Service, owner: str) -> str:
    """Whose key, in words: "the inspectorate" or the inspector's name."""
    if owner == CENTRAL:
        return "the inspectorate"
    row = service.db.execute("SELECT name FROM inspectors WHERE id = ?", [owner]).fetchone()
    return str(row[0]) if row else f"inspector {owner}"


def active_key(service: Service, owner: str, purpose: str) -> PublicKeyRecord | None:
    active = [k for k in public_keys(service, owner, purpose) if k.retired_at is None]
    return active[-1] if active else None


def find_key(service: Service, key_id: str) -> PublicKeyRecord | None:
    row = service.db.execute(f"SELECT {_COLUMNS} FROM keys WHERE id = ?", [key_id]).fetchone()
    return PublicKeyRecord(*row) if row else None


def insert_key(service: Service, record: PublicKeyRecord) -> None:
    """Inside a write: record a public key (a key already recorded is left as it is)."""
    service.db.execute(
        f"INSERT OR IGNORE INTO keys ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        list(record.as_json().values()),
    )


def retire(service: Service, key_ids: Iterable[str], at: str) -> None:
    """Inside a write: mark keys retired."""
    for key_id in key_ids:
        service.db.execute(
            "UPDATE keys SET retired_at = ? WHERE id = ? AND retired_at IS NULL", [at, key_id]
        )


def endorsement_chain(
    trusted: Sequence[PublicKeyRecord],
    offered: Sequence[PublicKeyRecord],
    target_id: str,
    *,
    source: str,
) -> list[PublicKeyRecord]:
    """The offered keys leading, by endorsements, from a trusted signing key to ``target_id``.

    Returns them oldest first (empty if the target is itself trusted). KeyProblem if there is
    no such chain or an endorsement does not verify.
    """
    trusted_ids = {k.id for k in trusted}
    if target_id in trusted_ids:
        return []
    by_id = {k.id: k for k in offered}
    chain: list[PublicKeyRecord] = []
    current = by_id.get(target_id)
    while current is not None and len(chain) <= len(offered):
        check_record(current, source=source)
        chain.append(current)
        parent_id = current.endorsed_by
        if parent_id is None or current.endorsement is None:
            break
        parent = next((k for k in trusted if k.id == parent_id), None) or by_id.get(parent_id)
        if parent is None or parent.purpose != SIGNING or parent.owner != current.owner:
            break
        parent_key = parent.key()
        if not isinstance(parent_key, ed25519.Ed25519PublicKey) or not crypto.verify(
            parent_key, crypto.unb64(current.endorsement), current.statement()
        ):
            raise KeyProblem(f"the endorsement of key {current.short} does not verify", file=source)
        if parent_id in trusted_ids:
            return list(reversed(chain))
        current = parent
    raise KeyProblem(
        f"signed with key {target_id[:16]}, which is not registered here and is not endorsed by "
        "a registered key",
        file=source,
    )
