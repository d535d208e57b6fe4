"""The workspace store: one SQLite file per workspace, plain or encrypted.

The file is opened in WAL mode with ``synchronous=FULL`` (a commit that has
returned survives a power cut) and foreign keys on; it is checked with
``PRAGMA integrity_check`` on open, migrated forward, locked against a second
process (on its resolved real path, so a symlink does not get round the lock) and
backed up with SQLite's backup API into a rotating set of copies. A backup is
written to a temporary file, verified (integrity check and row count) and only
then renamed into place; one that fails leaves no file and says why, telling a full
disk apart from damage. A ``Workspace`` and its connection belong to the thread that
opened it.

Encryption at rest: an encrypted workspace is an SQLCipher 4 database (AES-256 with
an HMAC-SHA512 on every page, through the ``sqlcipher3`` binding). Its key is derived
from the passphrase with scrypt, here, so that the key and not the passphrase is what
stays in memory, and a second connection (the background check, a backup) needs no
second derivation. The first 16 bytes of an SQLCipher file are its salt, in clear:
Fieldwork's salt is 15 random bytes with the scrypt cost (log2 N) in the last byte,
checked against a narrow range before scrypt runs. The WAL and every backup of an
encrypted workspace are encrypted with the same key. Plain workspaces (the demo, most
tests) use the standard library's sqlite3. Files are created 0600 and folders 0700
where the OS has Unix permissions.
"""

from __future__ import annotations

import errno
import hmac
import json
import logging
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import sqlcipher3

from fieldwork.errors import StorageError, WorkspaceError, WorkspaceLocked
from fieldwork.framework import Framework, framework_by_id
from fieldwork.migrations import known_names, registry

if TYPE_CHECKING:  # loaded when a workspace is opened for work, not to read its summary
    import filelock
    from sqlite_utils import Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
SQLITE_HEADER = b"SQLite format 3\x00"
BACKUPS_KEPT = 5
BACKUP_INTERVAL = timedelta(hours=1)
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON")

#: The errors either driver raises (the standard library's for plain workspaces,
#: sqlcipher3's for encrypted ones); catch these, not ``sqlite3``'s alone.
ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher3.Error)
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher3.DatabaseError)
OPERATIONAL_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.OperationalError,
    sqlcipher3.OperationalError,
)
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, sqlcipher3.IntegrityError)

#: Prepared statements sqlcipher3 keeps per connection. Its cache (pysqlite's old one, not the
#: standard library's LRU) orders entries by use count and, once full, evicts its newest entry:
#: at the default 100, filled by opening and migrating a workspace, every statement first run
#: after that was prepared afresh on every call (a third of an encrypted answer's time).
#: Full, the cache holds about 5 MB.
CIPHER_STATEMENTS = 1024

#: scrypt's cost for workspace keys: N = 2**17, r = 8, p = 1 (OWASP's recommendation;
#: about 0.7 s and 128 MiB once per open or unlock). Files made with a cost inside
#: ``KDF_LOG2_N_ACCEPTED`` open; anything else is refused before scrypt runs.
KDF_LOG2_N = 17
KDF_LOG2_N_ACCEPTED = range(14, 21)
KDF_R = 8
KDF_P = 1
KEY_BYTES = 32
SALT_BYTES = 16
#: Set in the salt's last byte (beside the scrypt cost in its low bits): the pages are
#: authenticated with HMAC-SHA256, not SQLCipher's default HMAC-SHA512. Both are HMACs of
#: every page under a 256-bit key; SHA-256 has instructions of its own in current processors
#: (SHA-NI, ARMv8) and costs about half as much per page, on every page written and read.
#: Workspaces encrypted before this bit existed keep HMAC-SHA512 and open as they are.
HMAC_SHA256_FORMAT = 0x80
COST_BITS = 0x7F
#: Less free space than this where the workspace lives counts as a full disk.
LOW_SPACE_BYTES = 1024 * 1024
SQLITE_FULL = 13
#: Environment variable the command line reads a workspace passphrase from.
PASSPHRASE_ENV = "FIELDWORK_PASSPHRASE"


class PassphraseRequired(WorkspaceError):
    """The workspace is encrypted and no passphrase was given."""


class WrongPassphrase(WorkspaceError):
    """The passphrase does not open this workspace (or the file is not a workspace)."""


class BackupFailed(StorageError):
    """A backup could not be written or did not verify; no backup file was left."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


# -- keys ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkspaceKey:
    """The key of an encrypted workspace, derived from its passphrase; kept in memory only."""

    raw: bytes = field(repr=False)
    salt: bytes

    @property
    def literal(self) -> str:
        """The raw key and salt as SQLCipher takes them: no key derivation in SQLCipher."""
        return f"\"x'{self.raw.hex()}{self.salt.hex()}'\""

    def pragmas(self, schema: str = "") -> list[str]:
        """What keys a connection (or, with ``schema``, an attached database) to the file:
        run before anything reads it."""
        keyed = [f"PRAGMA {schema}key = {self.literal}"] if not schema else []
        if self.salt[-1] & HMAC_SHA256_FORMAT:
            keyed.append(f"PRAGMA {schema}cipher_hmac_algorithm = HMAC_SHA256")
        return keyed

    def matches(self, passphrase: str) -> bool:
        """Whether ``passphrase`` is this key's (runs scrypt once)."""
        return hmac.compare_digest(derive_key(passphrase, self.salt).raw, self.raw)


def new_salt(log2_n: int = KDF_LOG2_N) -> bytes:
    """A new workspace's salt: random, its last byte the scrypt cost and the page format."""
    if log2_n not in KDF_LOG2_N_ACCEPTED:
        raise ValueError(f"scrypt cost 2**{log2_n} is outside the accepted range")
    return os.urandom(SALT_BYTES - 1) + bytes([log2_n | HMAC_SHA256_FORMAT])


def _ours(last_byte: int) -> bool:
    """Whether a salt's last byte is one Fieldwork writes: an accepted cost, either format."""
    return last_byte & COST_BITS in KDF_LOG2_N_ACCEPTED


def derive_key(passphrase: str, salt: bytes) -> WorkspaceKey:
    """The workspace key for ``passphrase`` and ``salt`` (whose last byte holds the cost)."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt  # loaded when first needed

    if len(salt) != SALT_BYTES or not _ours(salt[-1]):
        raise WorkspaceError("not a Fieldwork workspace (its encryption header is not ours)")
    cost = 2 ** (salt[-1] & COST_BITS)
    raw = Scrypt(salt=salt, length=KEY_BYTES, n=cost, r=KDF_R, p=KDF_P).derive(
        passphrase.encode("utf-8")
    )
    return WorkspaceKey(raw, salt)


def is_encrypted(path: Path) -> bool:
    """True for an encrypted workspace, False for a plain one; WorkspaceError for neither."""
    return _check_header(path)


def key_for(path: str | Path, passphrase: str) -> WorkspaceKey:
    """The key ``passphrase`` gives for the encrypted workspace at ``path``, checked against the
    file (WrongPassphrase if it does not open it). For unlocking before a window opens."""
    path = Path(path)
    if not _check_header(path):
        raise WorkspaceError("this workspace is not encrypted", file=str(path))
    key = derive_key(passphrase, _salt_of(path))
    _cipher_connect(path, key, readonly=True).close()
    return key


# -- connections --------------------------------------------------------------------------------
def connect(path: Path, key: WorkspaceKey | None = None) -> sqlite3.Connection:
    """A connection with the workspace PRAGMAs, in autocommit mode (we BEGIN ourselves);
    encrypted with ``key`` when one is given."""
    if key is None:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=5.0)
    else:
        conn = _cipher_connect(path, key)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


def _cipher_connect(path: Path, key: WorkspaceKey, *, readonly: bool = False) -> sqlite3.Connection:
    target = f"file:{path.as_posix()}?mode=ro" if readonly else str(path)
    conn = sqlcipher3.connect(
        target, isolation_level=None, timeout=5.0, uri=readonly, cached_statements=CIPHER_STATEMENTS
    )
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not stderr
        for pragma in key.pragmas():
            conn.execute(pragma)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc):
            raise WrongPassphrase(
                "the passphrase is wrong (or the file is not a Fieldwork workspace)",
                file=str(path),
            ) from None
        raise
    return cast(sqlite3.Connection, conn)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def backups_dir(path: Path) -> Path:
    return path.with_name(path.name + ".backups")


#: Asks for the passphrase of an encrypted workspace opened without one (the command line
#: sets it: the environment or the terminal); None means PassphraseRequired is raised.
PassphrasePrompt = Callable[[Path], str]
_prompt: PassphrasePrompt | None = None


def set_passphrase_prompt(prompt: PassphrasePrompt | None) -> None:
    global _prompt
    _prompt = prompt


class Workspace:
    """An open workspace file. Use ``Workspace.create`` or ``Workspace.open``."""

    def __init__(
        self,
        path: Path,
        db: Database,
        lock: filelock.BaseFileLock,
        clock: Clock,
        key: WorkspaceKey | None = None,
    ):
        self.path = path
        self.db = db
        self._lock = lock
        self.clock = clock
        self.key = key
        self.framework: Framework = None  # type: ignore[assignment]  # set by _check_framework

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | Path,
        framework: Framework,
        *,
        kind: str = "central",
        clock: Clock = utc_now,
        passphrase: str | WorkspaceKey | None = None,
        kdf_log2_n: int = KDF_LOG2_N,
    ) -> Workspace:
        """Create a new, empty workspace file for ``framework``. Refuses to overwrite.
        With ``passphrase`` the workspace is encrypted."""
        path = Path(path)
        if path.exists():
            raise WorkspaceError("a file already exists here; choose another name", file=str(path))
        if not path.parent.is_dir():
            raise WorkspaceError("the folder does not exist", file=str(path))
        key = (
            derive_key(passphrase, new_salt(kdf_log2_n))
            if isinstance(passphrase, str)
            else passphrase
        )
        lock = _acquire(path)
        try:
            _create_private(path)
            db = _database(connect(path, key))
            registry().apply(db)
            db.execute(f"PRAGMA user_version={len(known_names())}")
            now = clock().isoformat()
            with db.atomic():
                db.table("meta").insert_all(
                    [
                        {"key": "workspace_id", "value": new_id()},
                        {"key": "kind", "value": kind},
                        {"key": "created_at", "value": now},
                        {"key": "framework_id", "value": framework.id},
                        {"key": "framework_version", "value": framework.version},
                        {"key": "framework_hash", "value": framework.content_hash},
                        {"key": "framework_json", "value": framework.text},
                    ]
                )
        except BaseException:
            lock.release()
            raise
        workspace = cls(path, db, lock, clock, key)
        workspace.framework = framework
        return workspace

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        clock: Clock = utc_now,
        backup: bool = True,
        check: bool = True,
        frameworks: Path | None = None,
        passphrase: str | WorkspaceKey | None = None,
    ) -> Workspace:
        """Open, check, migrate and lock an existing workspace.

        ``check=False`` leaves ``PRAGMA integrity_check`` (seconds on a national-sized file) to
        the caller, who must then run ``check_and_back_up`` in the background at once: the GUI
        does, so that a large workspace opens within its time budget and is still checked.
        An encrypted workspace needs ``passphrase`` (or its key); without one the prompt set
        with ``set_passphrase_prompt`` is asked, else PassphraseRequired is raised.
        """
        path = Path(path)
        key: WorkspaceKey | None = None
        if _check_header(path):
            key = _key_to_open(path, passphrase)
        lock = _acquire(path)
        try:
            _make_private(path)
            db = _database(connect(path, key))
            workspace = cls(path, db, lock, clock, key)
            if check:
                workspace._check_integrity()
            workspace._migrate()
            workspace._check_framework(frameworks)
        except DATABASE_ERRORS as exc:
            lock.release()
            raise unreadable(path, exc) from None
        except BaseException:
            lock.release()
            raise
        if backup:
            workspace.backup_if_due()
        return workspace

    def _check_integrity(self) -> None:
        problems = integrity_problems(self.db.conn)
        if problems:
            raise damaged(self.path, problems)

    def _migrate(self) -> None:
        if "meta" not in self.db.table_names():
            raise WorkspaceError(
                "this SQLite file is not a Fieldwork workspace", file=str(self.path)
            )
        applied = [m.name for m in registry().applied(self.db)]
        unknown = [name for name in applied if name not in known_names()]
        if unknown or self.db.execute("PRAGMA user_version").fetchone()[0] > len(known_names()):
            raise WorkspaceError(
                "this workspace was made by a newer version of Fieldwork "
                f"(schema {', '.join(unknown) or 'newer'}); update Fieldwork to open it",
                file=str(self.path),
            )
        if registry().pending(self.db):
            self.backup(label="before-upgrade")
            registry().apply(self.db)
            self.db.execute(f"PRAGMA user_version={len(known_names())}")

    def _check_framework(self, frameworks: Path | None) -> None:
        framework_id = self.meta("framework_id")
        recorded = self.meta("framework_hash")
        # The recorded framework was validated when the workspace was made: the same content
        # needs no schema check on every open.
        installed = framework_by_id(framework_id, frameworks, validated_hash=recorded)
        if installed.content_hash != recorded:
            raise WorkspaceError(
                f"this workspace was made with framework {framework_id!r} version "
                f"{self.meta('framework_version')} (hash {recorded[:12]}), but the installed "
                f"framework is version {installed.version} (hash {installed.content_hash[:12]}); "
                "its answers cannot be read against a different framework",
                file=str(self.path),
            )
        self.framework = installed

    # -- basic access ----------------------------------------------------------------------
    def meta(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        if row is None:
            raise WorkspaceError(f"the workspace has no {key!r} entry", file=str(self.path))
        return str(row[0])

    def now(self) -> str:
        return self.clock().isoformat()

    @contextmanager
    def write(self) -> Iterator[Database]:
        """One unit of work: committed whole or not at all; storage failures become StorageError."""
        try:
            with self.db.atomic():
                yield self.db
        except OPERATIONAL_ERRORS as exc:
            if disk_full(exc, self.path):
                raise StorageError(
                    f"the change could not be saved: {full_disk_text(self.path)}; nothing was "
                    "changed and the workspace is not damaged. Free some space, then try again",
                    file=str(self.path),
                ) from exc
            raise StorageError(
                f"the change could not be saved ({exc}); nothing was changed. Check that the disk "
                "has space and the file is still there, then try again",
                file=str(self.path),
            ) from exc

    def record_history(
        self,
        *,
        case_id: str | None,
        entity: str,
        field: str,
        old: Any,
        new: Any,
        who: str,
        item_id: str = "",
        reason: str = "",
        at: str | None = None,
    ) -> None:
        """Append one row to the history (call inside ``write()``)."""
        self.db.execute(
            "INSERT INTO history (id, at, who, case_id, entity, item_id, field, old, new, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new_id(),
                at or self.now(),
                who,
                case_id,
                entity,
                item_id,
                field,
                _text(old),
                _text(new),
                reason,
            ],
        )

    # -- backups ---------------------------------------------------------------------------
    def backups(self) -> list[Path]:
        return list_backups(self.path)

    def backup(self, label: str = "auto") -> Path:
        """A verified copy in the backups folder (encrypted like the workspace); keeps the
        newest few. BackupFailed, with no file left, if it cannot be written or verified."""
        return write_backup(self.db.conn, self.path, self.clock, label, self.key)

    def backup_if_due(self) -> Path | None:
        return backup_if_due(self.db.conn, self.path, self.clock, self.key)

    def close(self) -> None:
        with suppress(*ERRORS):
            self.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()
        self._lock.release()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- backups ------------------------------------------------------------------------------------
@contextmanager
def reading(
    path: str | Path, *, passphrase: str | WorkspaceKey | None = None
) -> Iterator[sqlite3.Connection]:
    """A connection to look into a workspace without working on it: no lock, no backup, no
    migration and no integrity check, and neither sqlite-utils nor the lock library loaded,
    so that ``fieldwork info`` starts as fast as the interpreter allows. Refused like
    ``Workspace.open``: not a workspace, made by a newer Fieldwork, wrong passphrase."""
    path = Path(path)
    key = _key_to_open(path, passphrase) if _check_header(path) else None
    conn = connect(path, key) if key is not None else sqlite3.connect(str(path), timeout=5.0)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "meta" not in tables:
            raise WorkspaceError("this SQLite file is not a Fieldwork workspace", file=str(path))
        if conn.execute("PRAGMA user_version").fetchone()[0] > len(known_names()):
            raise WorkspaceError(
                "this workspace was made by a newer version of Fieldwork; update Fieldwork to "
                "open it",
                file=str(path),
            )
        yield conn
    except DATABASE_ERRORS as exc:
        raise unreadable(path, exc) from None
    finally:
        conn.close()


def list_backups(path: Path) -> list[Path]:
    folder = backups_dir(path)
    return sorted(folder.glob("*.sqlite")) if folder.is_dir() else []


def write_backup(
    source: sqlite3.Connection,
    path: Path,
    clock: Clock,
    label: str,
    key: WorkspaceKey | None = None,
) -> Path:
    """Copy ``source`` (a connection to the workspace at ``path``) into its backups folder.

    The copy is written to a hidden temporary file, checked (``integrity_check``, and the
    same number of rows in every table as the source had when the copy was taken), and
    renamed into place only then. On any failure the temporary file is removed and
    BackupFailed says why, a full disk in those words.
    """
    folder = backups_dir(path)
    stamp = clock().strftime("%Y%m%dT%H%M%S%f")
    target = folder / f"{path.stem}-{stamp}-{label}.sqlite"
    partial = folder / f".{target.name}.partial"
    try:
        _private_dir(folder)
        _remove_file(partial)
        _create_private(partial)
        _copy_verified(source, partial, key)
        os.replace(partial, target)
        _fsync_dir(folder)
    except (OSError, _Unverified, sqlite3.Error, sqlcipher3.Error) as exc:
        _remove_file(partial)
        raise BackupFailed(_backup_problem(exc, folder), file=str(target)) from exc
    except BaseException:
        _remove_file(partial)
        raise
    for old in list_backups(path)[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return target


class _Unverified(Exception):
    """The copy was written but does not match its source."""


def _copy_verified(source: sqlite3.Connection, partial: Path, key: WorkspaceKey | None) -> None:
    dest = _cipher_connect(partial, key) if key is not None else sqlite3.connect(str(partial))
    try:
        # One read transaction around the count and the copy: both see the same snapshot,
        # even while another connection writes (WAL).
        own = not source.in_transaction
        if own:
            source.execute("BEGIN")
        try:
            expected = row_counts(source)
            source.backup(dest)
        finally:
            if own:
                source.execute("COMMIT")
        problems = integrity_problems(dest)
        if problems:
            raise _Unverified(f"the copy failed its integrity check ({'; '.join(problems[:3])})")
        copied = row_counts(dest)
        if copied != expected:
            differ = sorted(
                t for t in expected.keys() | copied.keys() if expected.get(t) != copied.get(t)
            )
            raise _Unverified(
                f"the copy's row counts differ from the workspace's ({', '.join(differ)})"
            )
    finally:
        dest.close()
    _remove_file(Path(str(partial) + "-journal"))


def row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in each table of the database."""
    tables = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        t: int(
            conn.execute(f'SELECT count(*) FROM "{t.replace(chr(34), chr(34) * 2)}"').fetchone()[0]
        )
        for t in tables
    }


def _backup_problem(exc: BaseException, folder: Path) -> str:
    if disk_full(exc, folder):
        return (
            f"the backup was not made: {full_disk_text(folder)}. The workspace itself is not "
            "damaged; free some space and the next backup will be made"
        )
    if isinstance(exc, _Unverified):
        return f"the backup was not kept: {exc}; the workspace itself was not changed"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"the backup could not be written ({reason}); the workspace itself was not changed"


def backup_if_due(
    source: sqlite3.Connection, path: Path, clock: Clock, key: WorkspaceKey | None = None
) -> Path | None:
    """A backup when the newest is over ``BACKUP_INTERVAL`` old; never raises (a backup that
    cannot be written must not stop the inspector working: the reason is logged)."""
    existing = list_backups(path)
    if existing:
        age = clock().timestamp() - existing[-1].stat().st_mtime
        if age < BACKUP_INTERVAL.total_seconds():
            return None
    try:
        return write_backup(source, path, clock, "auto", key)
    except BackupFailed as exc:
        log.warning("%s", exc.message)
        return None


# -- checks and messages ------------------------------------------------------------------------
def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong; empty when the file is sound."""
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def damaged(path: Path, problems: list[str]) -> WorkspaceError:
    newest = list_backups(path)[-1:]
    restore = f"restore the newest backup: {newest[0]}" if newest else "no backup found"
    return WorkspaceError(
        f"the workspace is damaged ({'; '.join(problems[:3])}); {restore}", file=str(path)
    )


def unreadable(path: Path, exc: BaseException) -> WorkspaceError:
    """The error for a workspace SQLite could not read: a full disk is said to be one, and
    is not called damage; anything else may be damage, with the backup to restore."""
    if disk_full(exc, path):
        return StorageError(
            f"the workspace cannot be opened: {full_disk_text(path)}. It is not damaged; free "
            "some space and open it again",
            file=str(path),
        )
    newest = list_backups(path)[-1:]
    restore = f"restore the newest backup: {newest[0]}" if newest else "no backup found"
    return WorkspaceError(
        f"the workspace cannot be read, it may be damaged (SQLite: {exc}); {restore}",
        file=str(path),
    )


def free_bytes(where: Path) -> int | None:
    folder = where if where.is_dir() else where.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def disk_full(exc: BaseException, where: Path) -> bool:
    """Whether ``exc`` comes of a full disk: ENOSPC, SQLITE_FULL, or almost no space left."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    if getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL or "is full" in str(exc):
        return True
    if isinstance(exc, _Unverified):
        return False
    free = free_bytes(where)
    return free is not None and free < LOW_SPACE_BYTES


def full_disk_text(where: Path) -> str:
    free = free_bytes(where)
    amount = f" ({free // 1024} kB free)" if free is not None else ""
    return f"the disk is full{amount}"


def check_and_back_up(
    path: Path,
    clock: Clock = utc_now,
    on_connect: Callable[[sqlite3.Connection], None] | None = None,
    key: WorkspaceKey | None = None,
) -> WorkspaceError | None:
    """Check a workspace that is open elsewhere in this process, then back it up if due.

    Runs on its own read-only connection (WAL lets it read beside the writer), so it can
    run on a background thread while the inspector works. Returns the damage found, if any;
    a damaged file is not backed up over the good backups. ``on_connect`` receives the
    connection, so that the caller can ``interrupt()`` the check when it closes.
    """
    try:
        if key is None and _check_header(path):
            return WorkspaceError(
                "the workspace cannot be read for checking without its key (it is encrypted)",
                file=str(path),
            )
        if key is not None:
            conn = _cipher_connect(path, key, readonly=True)
        else:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    except WorkspaceError as exc:
        return exc
    except ERRORS as exc:
        if disk_full(exc, path):
            return unreadable(path, exc)
        return WorkspaceError(f"the workspace cannot be read for checking ({exc})", file=str(path))
    if on_connect is not None:
        on_connect(conn)
    try:
        problems = integrity_problems(conn)
        if problems:
            return damaged(path, problems)
        backup_if_due(conn, path, clock, key)
        return None
    except OPERATIONAL_ERRORS as exc:
        if "interrupt" in str(exc):
            return None  # stopped because the workspace is closing
        return unreadable(path, exc) if disk_full(exc, path) else damaged(path, [str(exc)])
    except DATABASE_ERRORS as exc:
        return unreadable(path, exc) if disk_full(exc, path) else damaged(path, [str(exc)])
    finally:
        conn.close()


# -- conversion ---------------------------------------------------------------------------------
def encrypt_workspace(
    path: str | Path, passphrase: str, *, clock: Clock = utc_now, kdf_log2_n: int = KDF_LOG2_N
) -> WorkspaceKey:
    """Encrypt a plain workspace in place.

    The encrypted copy is written beside it, read back with the key and compared (integrity
    check, row counts of every table), backed up (encrypted) and only then renamed over the
    plain file. The plain backups are encrypted the same way, so that no plain copy of the
    work is left in the backups folder. A failure leaves the plain workspace as it was.
    """
    path = Path(path)
    if _check_header(path):
        raise WorkspaceError("this workspace is already encrypted", file=str(path))
    key = derive_key(passphrase, new_salt(kdf_log2_n))
    lock = _acquire(path)
    try:
        # Read through sqlcipher3 too (without a key it reads plain files): one SQLite library
        # in the process touches the file, so their POSIX locks cannot undo each other.
        plain = _cipher_plain(path)
        try:
            problems = integrity_problems(plain)
            if problems:
                raise damaged(path, problems)
            sealed = path.with_name(f".{path.name}.encrypting")
            _encrypt_copy(plain, sealed, key)
            with suppress(*ERRORS):
                plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except (OSError, _Unverified) as exc:
            raise _not_encrypted(path, exc) from exc
        except DATABASE_ERRORS as exc:
            if disk_full(exc, path):
                raise _not_encrypted(path, exc) from exc
            raise unreadable(path, exc) from None
        finally:
            plain.close()
        try:
            check = _cipher_connect(sealed, key)
            try:
                write_backup(check, path, clock, "encrypted", key)
            finally:
                check.close()
            for old in list_backups(path):
                if not _check_header(old):
                    _encrypt_in_place(old, key)
            os.replace(sealed, path)
            _fsync_dir(path.parent)
        finally:
            _remove_file(sealed)
        for suffix in ("-wal", "-shm"):
            _remove_file(Path(str(path) + suffix))
    finally:
        lock.release()
    return key


def _not_encrypted(path: Path, exc: BaseException) -> WorkspaceError:
    if disk_full(exc, path):
        why = full_disk_text(path)
    elif isinstance(exc, OSError):
        why = str(exc.strerror or exc)
    else:
        why = str(exc)
    return StorageError(
        f"the workspace was not encrypted ({why}); it is unchanged and still plain",
        file=str(path),
    )


def _encrypt_copy(plain: sqlite3.Connection, target: Path, key: WorkspaceKey) -> None:
    """Write an encrypted copy of ``plain`` to ``target``, read it back and compare."""
    _remove_file(target)
    _create_private(target)
    try:
        expected = row_counts(plain)
        # SQLCipher's export works within one connection: attach the target, keyed.
        plain.execute(f"ATTACH DATABASE ? AS sealed KEY {key.literal}", [str(target)])
        try:
            for pragma in key.pragmas(schema="sealed."):
                plain.execute(pragma)
            plain.execute("SELECT sqlcipher_export('sealed')")
        finally:
            plain.execute("DETACH DATABASE sealed")
        back = _cipher_connect(target, key)
        try:
            problems = integrity_problems(back)
            if problems:
                raise _Unverified(f"the encrypted copy failed its check ({problems[0]})")
            copied = row_counts(back)
            if copied != expected:
                raise _Unverified("the encrypted copy's row counts differ from the workspace's")
        finally:
            back.close()
    except BaseException:
        _remove_file(target)
        raise


def _cipher_plain(path: Path) -> sqlite3.Connection:
    """A sqlcipher3 connection, without a key, to a plain SQLite file."""
    conn = sqlcipher3.connect(str(path), isolation_level=None, timeout=5.0)
    return cast(sqlite3.Connection, conn)


def _encrypt_in_place(plain_file: Path, key: WorkspaceKey) -> None:
    sealed = plain_file.with_name(f".{plain_file.name}.encrypting")
    conn = _cipher_plain(plain_file)
    try:
        _encrypt_copy(conn, sealed, key)
    finally:
        conn.close()
    os.replace(sealed, plain_file)


# -- files --------------------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _check_header(path: Path) -> bool:
    """True for an encrypted workspace, False for a plain SQLite file; else WorkspaceError."""
    if not path.exists():
        raise WorkspaceError("no workspace file here", file=str(path))
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
        size = path.stat().st_size
    except OSError as exc:
        raise WorkspaceError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    if header == SQLITE_HEADER:
        return False
    if size >= 512 and size % 512 == 0 and _ours(header[-1]):
        return True
    raise WorkspaceError(
        "not a Fieldwork workspace (the file is not an SQLite database)", file=str(path)
    )


def _salt_of(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(SALT_BYTES)


def _key_to_open(path: Path, passphrase: str | WorkspaceKey | None) -> WorkspaceKey:
    if passphrase is None and _prompt is not None:
        passphrase = _prompt(path)
    if passphrase is None:
        raise PassphraseRequired(
            "this workspace is encrypted: its passphrase is needed to open it", file=str(path)
        )
    salt = _salt_of(path)
    if isinstance(passphrase, WorkspaceKey):
        if passphrase.salt != salt:
            raise WrongPassphrase("the key given is not this workspace's", file=str(path))
        return passphrase
    return derive_key(passphrase, salt)


def _create_private(path: Path) -> None:
    """Create an empty file readable by its owner only (0600 where the OS has modes)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def _make_private(path: Path) -> None:
    """Tighten an existing workspace and its WAL to 0600 (a no-op where modes do not apply)."""
    for suffix in ("", "-wal", "-shm"):
        with suppress(OSError):
            os.chmod(str(path) + suffix, 0o600)


def _private_dir(folder: Path) -> None:
    folder.mkdir(mode=0o700, exist_ok=True)
    with suppress(OSError):
        os.chmod(folder, 0o700)


def _remove_file(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _database(conn: sqlite3.Connection) -> Database:
    from sqlite_utils import Database

    # No sqlite-utils plugin runs on a workspace: none is ours, and the search for them
    # would cost every command line its start-up.
    return Database(conn, execute_plugins=False)


def _acquire(path: Path) -> filelock.BaseFileLock:
    import filelock

    """The single-writer lock, beside the workspace's resolved real path: opening it through
    a symlink or another spelling of its path meets the same lock."""
    lock = filelock.FileLock(str(lock_path(path.resolve())), timeout=0, mode=0o600)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise WorkspaceLocked(
            "the workspace is open elsewhere (another Fieldwork window or process); close it "
            "there first",
            file=str(path),
        ) from None
    return lock
