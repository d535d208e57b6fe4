"""The workspace store: PRAGMAs, checks on open, locking, backups and bad files."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fieldwork.answers import Answer
from fieldwork.errors import StorageError, WorkspaceError, WorkspaceLocked
from fieldwork.service import Service
from fieldwork.store import Workspace, backups_dir


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def closed_workspace(workspace_path: Path, clock) -> Path:
    with Service.create(workspace_path, user="Helen", clock=clock) as svc:
        svc.create_inspection("North West")
        case = svc.add_case("case-supervision", "E100001", {"disposal": "community sentence"})
        svc.answer(case.id, "2.1.1.1", Answer.YES)
    return workspace_path


def test_pragmas(service):
    db = service.db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_foreign_keys_are_enforced(service):
    with pytest.raises(sqlite3.IntegrityError):
        service.db.execute(
            "INSERT INTO responses (id, case_id, item_id, kind, rev, updated_at, updated_by)"
            " VALUES ('x', 'no-such-case', '2.1.1.1', 'prompt', 'r', 'now', 'me')"
        )


def test_ids_are_uuids(service, make_case):
    import uuid

    case = make_case()
    assert uuid.UUID(case.id).version == 4
    assert uuid.UUID(service.inspection().id).version == 4


def test_not_sqlite(tmp_path):
    path = tmp_path / "notes.fieldwork"
    path.write_text("Dear diary", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="not an SQLite database") as caught:
        Workspace.open(path)
    assert caught.value.file == str(path)
    assert path.read_text(encoding="utf-8") == "Dear diary"


def test_other_sqlite_file(tmp_path):
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(WorkspaceError, match="not a Fieldwork workspace"):
        Workspace.open(path)


def test_missing_file(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace file here"):
        Workspace.open(tmp_path / "missing.fieldwork")


def test_corrupt_file(closed_workspace):
    data = bytearray(closed_workspace.read_bytes())
    for offset in range(4096 + 8, len(data), 4096):  # scribble over every page but the first
        data[offset : offset + 2048] = b"\xa5" * 2048
    closed_workspace.write_bytes(bytes(data))
    before = digest(closed_workspace)
    with pytest.raises(WorkspaceError, match="damaged") as caught:
        Service.open(closed_workspace)
    assert caught.value.file == str(closed_workspace)
    assert digest(closed_workspace) == before


def test_newer_schema_is_refused(closed_workspace):
    conn = sqlite3.connect(closed_workspace)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('fieldwork', '9999_from_the_future', 'later')"
    )
    conn.commit()
    conn.close()
    before = digest(closed_workspace)
    with pytest.raises(WorkspaceError, match="newer version of Fieldwork"):
        Service.open(closed_workspace)
    assert digest(closed_workspace) == before


def test_other_framework_hash_is_refused(closed_workspace):
    conn = sqlite3.connect(closed_workspace)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'framework_hash'", ["0" * 64])
    conn.commit()
    conn.close()
    with pytest.raises(
        WorkspaceError,
        match="made with framework 'hmip-probation-2018'.*"
        "cannot be read against a different framework",
    ):
        Service.open(closed_workspace)


def test_refuses_to_overwrite(closed_workspace):
    before = digest(closed_workspace)
    with pytest.raises(WorkspaceError, match="already exists"):
        Service.create(closed_workspace)
    assert digest(closed_workspace) == before


HOLDER = textwrap.dedent("""
    import sys
    from fieldwork.service import Service
    service = Service.open(sys.argv[1], backup=False)
    print("ready", flush=True)
    sys.stdin.readline()
""")


def test_second_process_gets_a_clear_message(closed_workspace):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(closed_workspace)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceLocked, match="open elsewhere"):
            Service.open(closed_workspace)
    finally:
        holder.kill()
        holder.communicate()
    # the OS releases the lock of a killed process: no stale lock
    Service.open(closed_workspace).close()


def test_same_process_second_open_is_refused(closed_workspace):
    with Service.open(closed_workspace), pytest.raises(WorkspaceLocked):
        Service.open(closed_workspace)


def test_backups_rotate(closed_workspace, clock):
    from datetime import timedelta

    from fieldwork import store

    for _ in range(store.BACKUPS_KEPT + 3):
        clock.now += timedelta(hours=2)
        with Workspace.open(closed_workspace, clock=clock) as ws:
            ws.backup(label="manual")
    backups = sorted(backups_dir(closed_workspace).glob("*.sqlite"))
    assert len(backups) == store.BACKUPS_KEPT
    copy = sqlite3.connect(backups[-1])
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
    copy.close()


def test_failed_write_raises_storage_error_and_keeps_saved_data(closed_workspace):
    service = Service.open(closed_workspace, backup=False)
    case = service.cases()[0]
    # Cap the file at its current size, as a full disk would.
    pages = service.db.execute("PRAGMA page_count").fetchone()[0]
    service.db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError, match="could not be saved") as caught:
        for n in range(2000):
            service.set_note(case.id, "2.1.1.1", "x" * 2000 + str(n))
    assert caught.value.file == str(closed_workspace)
    service.close()
    with Service.open(closed_workspace, backup=False) as reopened:
        item = reopened.case(case.id).item("2.1.1.1")
        assert item.state == "yes"
        assert reopened.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_background_check_finds_damage_and_backs_up_a_sound_file(closed_workspace, clock):
    from fieldwork.store import check_and_back_up, list_backups

    with Service.open(closed_workspace, backup=False, check=False, clock=clock):
        assert check_and_back_up(closed_workspace, clock) is None  # beside the open writer
    assert len(list_backups(closed_workspace)) == 1
    data = bytearray(closed_workspace.read_bytes())
    for offset in range(4096 + 8, len(data), 4096):
        data[offset : offset + 2048] = b"\xa5" * 2048
    closed_workspace.write_bytes(bytes(data))
    damage = check_and_back_up(closed_workspace, clock)
    assert damage is not None and "damaged" in damage.message
    assert str(list_backups(closed_workspace)[-1]) in damage.message
    assert len(list_backups(closed_workspace)) == 1  # no backup of a damaged file


def test_sqlite_utils_plugins_never_run_on_a_workspace(closed_workspace: Path, tmp_path: Path):
    """A sqlite-utils plugin installed on the machine must not touch an inspector's
    workspace (nor cost every command the scan for plugins)."""
    from sqlite_utils import hookimpl
    from sqlite_utils.plugins import pm

    seen: list[object] = []

    class Plugin:
        @hookimpl
        def prepare_connection(self, conn: sqlite3.Connection) -> None:
            seen.append(conn)

    plugin = Plugin()
    pm.register(plugin, name="fieldwork-test-plugin")
    try:
        Service.open(closed_workspace).close()
        Service.create(tmp_path / "new.fieldwork").close()
    finally:
        pm.unregister(plugin)
    assert seen == []
