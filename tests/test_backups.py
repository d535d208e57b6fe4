"""Backups that are real: temporary file, verified, renamed; a failure leaves nothing and says
why; a full disk is never called damage (injected faults, and a real full tmpfs when this
machine lets the test mount one)."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fieldwork.store as store
from fieldwork.errors import StorageError, WorkspaceError
from fieldwork.service import Service
from fieldwork.store import BackupFailed, backups_dir, list_backups, write_backup
from tests.conftest import FakeClock


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Service]:
    service = Service.create(tmp_path / "inspection.fieldwork", user="Helen", clock=FakeClock())
    service.create_inspection("North West")
    for n in range(5):
        service.add_case("case-supervision", f"E{n:06d}", {"disposal": "community sentence"})
    yield service
    service.close()


def folder_names(service: Service) -> list[str]:
    folder = backups_dir(service.workspace.path)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


class FullDiskSource:
    """A connection whose backup call writes part of the copy, then meets a full disk."""

    def __init__(self, conn: sqlite3.Connection, error: Exception):
        self._conn = conn
        self._error = error

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def backup(self, target: sqlite3.Connection, **kw: Any) -> None:
        target.execute("CREATE TABLE half_written (x)")
        raise self._error


def test_backup_is_verified_then_renamed(workspace: Service) -> None:
    made = workspace.workspace.backup("manual")
    assert folder_names(workspace) == [made.name]  # no temporary file left beside it
    copy = sqlite3.connect(made)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM cases").fetchone()[0] == 5
    copy.close()


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database or disk is full"),
        OSError(errno.ENOSPC, "No space left on device"),
    ],
    ids=["SQLITE_FULL", "ENOSPC"],
)
def test_full_disk_at_the_backup_call_leaves_no_file(workspace: Service, error: Exception) -> None:
    before = list_backups(workspace.workspace.path)
    source = FullDiskSource(workspace.db.conn, error)
    with pytest.raises(BackupFailed) as caught:
        write_backup(source, workspace.workspace.path, FakeClock(), "manual")  # type: ignore[arg-type]
    message = caught.value.message
    assert "the disk is full" in message and "not damaged" in message
    assert "damaged (" not in message and "may be damaged" not in message
    assert list_backups(workspace.workspace.path) == before
    assert folder_names(workspace) == []  # not even the half-written temporary file


def test_other_write_failures_say_why_without_blaming_the_disk(
    workspace: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(store.os, "replace", refuse)
    with pytest.raises(BackupFailed, match=r"could not be written \(Permission denied\)") as caught:
        workspace.workspace.backup("manual")
    assert "disk is full" not in caught.value.message
    assert folder_names(workspace) == []


def test_a_copy_that_does_not_verify_is_not_kept(
    workspace: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = store.row_counts
    calls: list[int] = []

    def short_copy(conn: sqlite3.Connection) -> dict[str, int]:
        counts = original(conn)
        calls.append(1)
        if len(calls) == 2:  # the copy's count, after the source's
            counts["cases"] -= 1
        return counts

    monkeypatch.setattr(store, "row_counts", short_copy)
    with pytest.raises(BackupFailed, match=r"not kept: the copy's row counts differ .*cases"):
        workspace.workspace.backup("manual")
    assert folder_names(workspace) == []


def test_a_copy_failing_its_integrity_check_is_not_kept(
    workspace: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = store.integrity_problems
    monkeypatch.setattr(
        store,
        "integrity_problems",
        lambda conn: ["page 3 is never used"] if conn is not workspace.db.conn else original(conn),
    )
    with pytest.raises(BackupFailed, match="failed its integrity check .page 3"):
        workspace.workspace.backup("manual")
    assert folder_names(workspace) == []


def test_periodic_backup_failure_is_logged_not_raised(
    workspace: Service, caplog: pytest.LogCaptureFixture
) -> None:
    source = FullDiskSource(workspace.db.conn, sqlite3.OperationalError("database or disk is full"))
    with caplog.at_level(logging.WARNING, logger="fieldwork.store"):
        made = store.backup_if_due(source, workspace.workspace.path, FakeClock())  # type: ignore[arg-type]
    assert made is None
    assert "the disk is full" in caplog.text
    assert folder_names(workspace) == []


def test_unreadable_on_a_full_disk_is_not_damage(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "inspection.fieldwork"
    Service.create(path).close()
    monkeypatch.setattr(store, "free_bytes", lambda where: 4096)
    error = store.unreadable(path, sqlite3.OperationalError("disk I/O error"))
    assert isinstance(error, StorageError)
    assert "the disk is full (4 kB free)" in error.message and "not damaged" in error.message
    monkeypatch.setattr(store, "free_bytes", lambda where: 10 * 2**30)
    error = store.unreadable(path, sqlite3.DatabaseError("file is not a database"))
    assert "may be damaged" in error.message and "no backup found" in error.message


# -- a real full disk -----------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, where this machine allows the test to mount one (root on Linux)."""
    folder = tmp_path / "small"
    folder.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace')}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_disk(folder: Path, leave: int) -> None:
    (folder / "filler").unlink(missing_ok=True)
    free = shutil.disk_usage(folder).free
    with open(folder / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


def small_workspace(folder: Path) -> Path:
    path = folder / "inspection.fieldwork"
    with Service.create(path, user="Helen") as service:
        service.create_inspection("North West")
        for n in range(30):
            service.add_case("case-supervision", f"E{n:06d}", {"disposal": "community sentence"})
    return path


def test_real_full_disk_backup_leaves_no_file(small_disk: Path) -> None:
    path = small_workspace(small_disk)
    fill_disk(small_disk, leave=120 * 1024)  # room to work, not for a copy
    with Service.open(path, backup=False) as service:
        with pytest.raises(BackupFailed, match="the disk is full .* not damaged"):
            service.workspace.backup("manual")
        assert list(backups_dir(path).iterdir()) == []
        service.add_case("case-supervision", "E999999", {"disposal": "community sentence"})
    with Service.open(path, backup=False) as service:
        assert len(service.cases()) == 31


def test_real_workspace_opened_with_4_kb_free_is_not_called_damaged(small_disk: Path) -> None:
    path = small_workspace(small_disk)
    before = path.read_bytes()
    fill_disk(small_disk, leave=4096)
    with pytest.raises(WorkspaceError) as caught:
        Service.open(path)
    message = caught.value.message
    assert "the disk is full" in message and "not damaged" in message
    assert "may be damaged" not in message and "restore" not in message
    assert path.read_bytes() == before
    (small_disk / "filler").unlink()
    with Service.open(path, backup=False) as service:
        assert len(service.cases()) == 30


def test_real_full_disk_with_an_encrypted_workspace(small_disk: Path) -> None:
    path = small_disk / "laptop.fieldwork"
    phrase = "lantern orbit mossy tundra"
    with Service.create(path, user="Helen", passphrase=phrase, kdf_log2_n=14) as service:
        service.create_inspection("North West")
        for n in range(30):
            service.add_case("case-supervision", f"E{n:06d}", {"disposal": "community sentence"})
    fill_disk(small_disk, leave=120 * 1024)
    with Service.open(path, backup=False, passphrase=phrase) as service:
        with pytest.raises(BackupFailed, match="the disk is full .* not damaged"):
            service.workspace.backup("manual")
        assert list(backups_dir(path).iterdir()) == []
    fill_disk(small_disk, leave=4096)
    with pytest.raises(WorkspaceError, match="the disk is full") as caught:
        Service.open(path, passphrase=phrase)
    assert "may be damaged" not in caught.value.message
