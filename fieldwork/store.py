"""The workspace store: one SQLite file per workspace.

The file is opened in WAL mode with ``synchronous=FULL`` (a commit that has
returned survives a power cut) and foreign keys on; it is checked with
``PRAGMA integrity_check`` on open, migrated forward, locked against a second
process and backed up with SQLite's backup API into a rotating set of copies.
A ``Workspace`` and its connection belong to the thread that opened it.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import filelock
from sqlite_utils import Database

from fieldwork.errors import StorageError, WorkspaceError, WorkspaceLocked
from fieldwork.framework import Framework, framework_by_id
from fieldwork.migrations import known_names, migrations

Clock = Callable[[], datetime]
SQLITE_HEADER = b"SQLite format 3\x00"
BACKUPS_KEPT = 5
BACKUP_INTERVAL = timedelta(hours=1)
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON")


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the workspace PRAGMAs, in autocommit mode (we BEGIN ourselves)."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=5.0)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def backups_dir(path: Path) -> Path:
    return path.with_name(path.name + ".backups")


class Workspace:
    """An open workspace file. Use ``Workspace.create`` or ``Workspace.open``."""

    def __init__(self, path: Path, db: Database, lock: filelock.BaseFileLock, clock: Clock):
        self.path = path
        self.db = db
        self._lock = lock
        self.clock = clock
        self.framework: Framework = None  # type: ignore[assignment]  # set by _check_framework

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | Path,
        framework: Framework,
        *,
        kind: str = "central",
        clock: Clock = utc_now,
    ) -> Workspace:
        """Create a new, empty workspace file for ``framework``. Refuses to overwrite."""
        path = Path(path)
        if path.exists():
            raise WorkspaceError("a file already exists here; choose another name", file=str(path))
        if not path.parent.is_dir():
            raise WorkspaceError("the folder does not exist", file=str(path))
        lock = _acquire(path)
        try:
            # No sqlite-utils plugin runs on a workspace: none is ours, and the search for
            # them would cost every command line its start-up.
            db = Database(connect(path), execute_plugins=False)
            migrations.apply(db)
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
        workspace = cls(path, db, lock, clock)
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
    ) -> Workspace:
        """Open, check, migrate and lock an existing workspace.

        ``check=False`` leaves ``PRAGMA integrity_check`` (seconds on a national-sized file) to
        the caller, who must then run ``check_and_back_up`` in the background at once: the GUI
        does, so that a large workspace opens within its time budget and is still checked.
        """
        path = Path(path)
        _check_header(path)
        lock = _acquire(path)
        try:
            db = Database(connect(path), execute_plugins=False)
            workspace = cls(path, db, lock, clock)
            if check:
                workspace._check_integrity()
            workspace._migrate()
            workspace._check_framework(frameworks)
        except sqlite3.DatabaseError as exc:
            lock.release()
            newest = sorted(backups_dir(path).glob("*.sqlite"))[-1:]
            restore = f"restore the newest backup: {newest[0]}" if newest else "no backup found"
            raise WorkspaceError(
                f"the workspace cannot be read, it may be damaged (SQLite: {exc}); {restore}",
                file=str(path),
            ) from None
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
        applied = [m.name for m in migrations.applied(self.db)]
        unknown = [name for name in applied if name not in known_names()]
        if unknown or self.db.execute("PRAGMA user_version").fetchone()[0] > len(known_names()):
            raise WorkspaceError(
                "this workspace was made by a newer version of Fieldwork "
                f"(schema {', '.join(unknown) or 'newer'}); update Fieldwork to open it",
                file=str(self.path),
            )
        if migrations.pending(self.db):
            self.backup(label="before-upgrade")
            migrations.apply(self.db)
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
        except sqlite3.OperationalError as exc:
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
        """Copy the workspace with SQLite's online backup API; keep the newest few."""
        return write_backup(self.db.conn, self.path, self.clock, label)

    def backup_if_due(self) -> Path | None:
        return backup_if_due(self.db.conn, self.path, self.clock)

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()
        self._lock.release()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def list_backups(path: Path) -> list[Path]:
    folder = backups_dir(path)
    return sorted(folder.glob("*.sqlite")) if folder.is_dir() else []


def write_backup(source: sqlite3.Connection, path: Path, clock: Clock, label: str) -> Path:
    """Copy ``source`` (a connection to the workspace at ``path``) into its backups folder."""
    folder = backups_dir(path)
    folder.mkdir(exist_ok=True)
    stamp = clock().strftime("%Y%m%dT%H%M%S%f")
    target = folder / f"{path.stem}-{stamp}-{label}.sqlite"
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
    for old in list_backups(path)[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return target


def backup_if_due(source: sqlite3.Connection, path: Path, clock: Clock) -> Path | None:
    """A backup when the newest is over ``BACKUP_INTERVAL`` old; never raises."""
    existing = list_backups(path)
    if existing:
        age = clock().timestamp() - existing[-1].stat().st_mtime
        if age < BACKUP_INTERVAL.total_seconds():
            return None
    try:
        return write_backup(source, path, clock, "auto")
    except (OSError, sqlite3.Error):
        return None  # a backup that cannot be written must not stop the inspector working


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


def check_and_back_up(
    path: Path,
    clock: Clock = utc_now,
    on_connect: Callable[[sqlite3.Connection], None] | None = None,
) -> WorkspaceError | None:
    """Check a workspace that is open elsewhere in this process, then back it up if due.

    Runs on its own read-only connection (WAL lets it read beside the writer), so it can
    run on a background thread while the inspector works. Returns the damage found, if any;
    a damaged file is not backed up over the good backups. ``on_connect`` receives the
    connection, so that the caller can ``interrupt()`` the check when it closes.
    """
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as exc:
        return WorkspaceError(f"the workspace cannot be read for checking ({exc})", file=str(path))
    if on_connect is not None:
        on_connect(conn)
    try:
        problems = integrity_problems(conn)
        if problems:
            return damaged(path, problems)
        backup_if_due(conn, path, clock)
        return None
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            return None  # stopped because the workspace is closing
        return damaged(path, [str(exc)])
    except sqlite3.DatabaseError as exc:
        return damaged(path, [str(exc)])
    finally:
        conn.close()


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _check_header(path: Path) -> None:
    if not path.exists():
        raise WorkspaceError("no workspace file here", file=str(path))
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise WorkspaceError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    if header != SQLITE_HEADER:
        raise WorkspaceError(
            "not a Fieldwork workspace (the file is not an SQLite database)", file=str(path)
        )


def _acquire(path: Path) -> filelock.BaseFileLock:
    lock = filelock.FileLock(str(lock_path(path)), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise WorkspaceLocked(
            "the workspace is open elsewhere (another Fieldwork window or process); close it "
            "there first",
            file=str(path),
        ) from None
    return lock
