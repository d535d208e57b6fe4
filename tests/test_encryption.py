"""Encryption at rest: encrypted workspaces, their WAL and backups; passphrases; conversion;
file modes; the lock on the real path."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from fieldwork.answers import Answer
from fieldwork.applicability import ItemState
from fieldwork.errors import WorkspaceError, WorkspaceLocked
from fieldwork.service import Service
from fieldwork.store import (
    HMAC_SHA256_FORMAT,
    SQLITE_HEADER,
    PassphraseRequired,
    Workspace,
    WorkspaceKey,
    WrongPassphrase,
    backups_dir,
    encrypt_workspace,
    is_encrypted,
    key_for,
    list_backups,
    lock_path,
    set_passphrase_prompt,
)
from tests.conftest import CASE_SUPERVISION, FakeClock

PASS = "lantern orbit mossy tundra"
COST = 14  # the cheapest accepted scrypt cost, to keep the suite fast
#: What a thief must not find in any file: case references, attribute values, note texts,
#: and a note that was replaced (kept only in the history).
PLANTED = [
    b"E900417",
    b"X771203",
    b"Visited the family home on the Meadow estate",
    b"Concerns about the partner Bartholomew",
    b"Deleted remark about Zebediah",
]


def fill(service: Service) -> None:
    service.create_inspection("North West", provider="NPS North West")
    first = service.add_case("case-supervision", "E900417", CASE_SUPERVISION)  # type: ignore[arg-type]
    second = service.add_case("case-supervision", "X771203", CASE_SUPERVISION)  # type: ignore[arg-type]
    service.answer(first.id, "2.1.1.1", Answer.YES)
    service.set_note(first.id, "2.1.1.1", "Visited the family home on the Meadow estate")
    service.set_note(second.id, "2.1.1.1", "Deleted remark about Zebediah")
    service.set_note(second.id, "2.1.1.1", "Concerns about the partner Bartholomew")


def all_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def planted_in(path: Path) -> list[bytes]:
    data = path.read_bytes()
    found = [s for s in PLANTED if s in data]
    # SQLite may store text as UTF-16 too; look for that spelling as well.
    found += [s for s in PLANTED if s.decode().encode("utf-16-le") in data]
    return found


def test_lost_laptop_finds_nothing_in_workspace_wal_or_backups(tmp_path: Path) -> None:
    path = tmp_path / "laptop.fieldwork"
    service = Service.create(path, user="Helen", passphrase=PASS, kdf_log2_n=COST)
    fill(service)
    service.workspace.backup("manual")
    # The laptop is taken while the workspace is open: the WAL holds the latest pages.
    wal = Path(str(path) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    files = all_files(tmp_path)
    assert path in files and wal in files and list_backups(path)
    for file in files:
        assert planted_in(file) == [], file
    service.close()
    for file in all_files(tmp_path):
        assert planted_in(file) == [], file
    # ... and the same work in a plain workspace does show them: the check can see.
    plain = tmp_path / "plain" / "plain.fieldwork"
    plain.parent.mkdir()
    with Service.create(plain, user="Helen") as other:
        fill(other)
    assert planted_in(plain)


def test_encrypted_workspace_reopens_with_its_passphrase_only(tmp_path: Path) -> None:
    path = tmp_path / "laptop.fieldwork"
    with Service.create(path, user="Helen", passphrase=PASS, kdf_log2_n=COST) as service:
        fill(service)
    assert path.read_bytes()[:16] != SQLITE_HEADER
    assert is_encrypted(path)
    with pytest.raises(PassphraseRequired, match="passphrase is needed") as needed:
        Service.open(path)
    assert needed.value.file == str(path)
    before = path.read_bytes()
    with pytest.raises(WrongPassphrase, match="passphrase is wrong"):
        Service.open(path, passphrase="lantern orbit mossy tundrA")
    assert path.read_bytes() == before
    # The failed attempts left the workspace unlocked for the right passphrase.
    with Service.open(path, passphrase=PASS) as service:
        assert service.workspace.encrypted
        assert [c.reference for c in service.cases()] == ["E900417", "X771203"]
        assert service.case(service.cases()[0].id).item("2.1.1.1").note == (
            "Visited the family home on the Meadow estate"
        )
    # The standard library cannot read it: it is not an SQLite file without the key.
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


def test_key_opens_without_second_derivation_and_matches(tmp_path: Path) -> None:
    path = tmp_path / "laptop.fieldwork"
    Service.create(path, passphrase=PASS, kdf_log2_n=COST).close()
    key = key_for(path, PASS)
    assert key.matches(PASS) and not key.matches(PASS + " ")
    assert PASS not in repr(key) and key.raw.hex() not in repr(key)
    with pytest.raises(WrongPassphrase):
        key_for(path, "not it at all")
    with Service.open(path, passphrase=key) as service:
        assert service.workspace.key == key


def test_prompt_is_asked_when_no_passphrase_given(tmp_path: Path) -> None:
    path = tmp_path / "laptop.fieldwork"
    Service.create(path, passphrase=PASS, kdf_log2_n=COST).close()
    asked: list[Path] = []

    def prompt(where: Path) -> str:
        asked.append(where)
        return PASS

    set_passphrase_prompt(prompt)
    try:
        Service.open(path).close()
    finally:
        set_passphrase_prompt(None)
    assert asked == [path]


def test_scrypt_cost_outside_the_range_is_refused_before_scrypt(tmp_path: Path) -> None:
    path = tmp_path / "forged.fieldwork"
    Service.create(path, passphrase=PASS, kdf_log2_n=COST).close()
    data = bytearray(path.read_bytes())
    data[15] = 30  # asks for N = 2**30: 128 GiB of memory if believed
    path.write_bytes(bytes(data))
    with pytest.raises(WorkspaceError, match="not a Fieldwork workspace"):
        Service.open(path, passphrase=PASS)


def test_backups_of_an_encrypted_workspace_are_encrypted_and_open(tmp_path: Path) -> None:
    path = tmp_path / "laptop.fieldwork"
    with Service.create(path, passphrase=PASS, kdf_log2_n=COST, clock=FakeClock()) as service:
        fill(service)
        backup = service.workspace.backup("manual")
    assert backup.read_bytes()[:16] == path.read_bytes()[:16]  # same salt, so same passphrase
    with Service.open(backup, passphrase=PASS, backup=False) as restored:
        assert len(restored.cases()) == 2


def test_encrypt_converts_in_place_with_backup_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "inspection.fieldwork"
    with Service.create(path, user="Helen", clock=FakeClock()) as service:
        fill(service)
        service.workspace.backup("plain")
    assert any(planted_in(b) for b in list_backups(path))
    key = encrypt_workspace(path, PASS, kdf_log2_n=COST)
    assert is_encrypted(path)
    for file in all_files(tmp_path):
        assert planted_in(file) == [], file
    backups = list_backups(path)
    assert any("-encrypted" in b.name for b in backups)
    assert all(is_encrypted(b) for b in backups)
    with Service.open(path, passphrase=PASS) as service:
        assert service.workspace.key == key
        assert [c.reference for c in service.cases()] == ["E900417", "X771203"]
    with pytest.raises(WorkspaceError, match="already encrypted"):
        encrypt_workspace(path, PASS, kdf_log2_n=COST)


def test_encrypt_failure_leaves_the_plain_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "inspection.fieldwork"
    with Service.create(path, user="Helen") as service:
        fill(service)
    import fieldwork.store as store

    calls: list[int] = []

    def broken_counts(conn: sqlite3.Connection) -> dict[str, int]:
        counts = original(conn)
        calls.append(1)
        if len(calls) == 2:  # the read-back's count, after the plain file's
            counts["cases"] += 1
        return counts

    original = store.row_counts
    monkeypatch.setattr(store, "row_counts", broken_counts)
    with pytest.raises(WorkspaceError, match="not encrypted .*row counts differ.*unchanged"):
        encrypt_workspace(path, PASS, kdf_log2_n=COST)
    assert not is_encrypted(path)
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock"))
    assert left == ["inspection.fieldwork"]
    with Service.open(path) as service:
        assert len(service.cases()) == 2


@pytest.mark.skipif(os.name != "posix", reason="Unix file modes")
def test_files_are_private(tmp_path: Path) -> None:
    os.umask(0o022)
    path = tmp_path / "laptop.fieldwork"
    service = Service.create(path, passphrase=PASS, kdf_log2_n=COST)
    fill(service)
    service.workspace.backup("manual")
    wal = Path(str(path) + "-wal")
    for file in (path, wal, *list_backups(path)):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE(backups_dir(path).stat().st_mode) == 0o700
    service.close()


@pytest.mark.skipif(os.name != "posix", reason="Unix file modes")
def test_opening_tightens_an_old_workspace(tmp_path: Path) -> None:
    path = tmp_path / "old.fieldwork"
    Service.create(path).close()
    os.chmod(path, 0o644)
    with Service.open(path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_lock_is_on_the_real_path(tmp_path: Path) -> None:
    path = tmp_path / "inspection.fieldwork"
    Service.create(path).close()
    link = tmp_path / "elsewhere" / "shortcut.fieldwork"
    link.parent.mkdir()
    link.symlink_to(path)
    with Service.open(path):
        with pytest.raises(WorkspaceLocked, match="open elsewhere") as caught:
            Service.open(link)
        assert caught.value.file == str(link)
    with Service.open(link):
        assert lock_path(path).exists()
        with pytest.raises(WorkspaceLocked):
            Workspace.open(path)


def test_background_check_and_backup_of_an_encrypted_workspace(tmp_path: Path) -> None:
    from fieldwork.store import check_and_back_up

    path = tmp_path / "laptop.fieldwork"
    with Service.create(path, passphrase=PASS, kdf_log2_n=COST) as service:
        fill(service)
        key = service.workspace.key
        # beside the open workspace, as the GUI's housekeeper runs it
        assert check_and_back_up(path, key=key) is None
        [made] = list_backups(path)
        assert is_encrypted(made) and planted_in(made) == []
        problem = check_and_back_up(path)  # without the key it cannot read, and says so
        assert problem is not None and "cannot be read for checking" in problem.message
        assert "damaged" not in problem.message


def hmac_of(path: Path, key: WorkspaceKey) -> str | None:
    """Which HMAC opens the file with ``key`` (SQLCipher's default SHA-512, or SHA-256)."""
    import sqlcipher3

    for algorithm in ("HMAC_SHA512", "HMAC_SHA256"):
        conn = sqlcipher3.connect(str(path))
        try:
            conn.execute(f"PRAGMA key = {key.literal}")
            conn.execute(f"PRAGMA cipher_hmac_algorithm = {algorithm}")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return algorithm
        except sqlcipher3.DatabaseError:
            continue
        finally:
            conn.close()
    return None


def test_new_encrypted_pages_carry_hmac_sha256_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "laptop.fieldwork"
    with Service.create(path, passphrase=PASS, kdf_log2_n=COST, clock=FakeClock()) as service:
        fill(service)
        backup = service.workspace.backup("manual")
        key = service.workspace.key
    assert key is not None
    assert path.read_bytes()[15] == COST | HMAC_SHA256_FORMAT
    assert hmac_of(path, key) == hmac_of(backup, key) == "HMAC_SHA256"
    plain = tmp_path / "plain.fieldwork"
    with Service.create(plain) as service:
        fill(service)
    converted = encrypt_workspace(plain, PASS, kdf_log2_n=COST)
    assert hmac_of(plain, converted) == "HMAC_SHA256"
    with Service.open(plain, passphrase=PASS) as service:
        assert len(service.cases()) == 2


def test_workspaces_encrypted_with_hmac_sha512_still_open_and_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workspace encrypted before the format bit existed: SQLCipher's default HMAC-SHA512."""
    import fieldwork.store as store

    monkeypatch.setattr(store, "new_salt", lambda log2_n: os.urandom(15) + bytes([log2_n]))
    path = tmp_path / "older.fieldwork"
    with Service.create(path, passphrase=PASS, kdf_log2_n=COST, clock=FakeClock()) as service:
        fill(service)
    monkeypatch.undo()
    assert path.read_bytes()[15] == COST
    key = key_for(path, PASS)
    assert hmac_of(path, key) == "HMAC_SHA512"
    with Service.open(path, passphrase=PASS, clock=FakeClock()) as service:
        case = service.cases()[0]
        service.answer(case.id, "2.1.1.2", Answer.NO)
        backup = service.workspace.backup("manual")
    assert hmac_of(path, key) == hmac_of(backup, key) == "HMAC_SHA512"
    with Service.open(backup, passphrase=PASS, backup=False) as restored:
        assert restored.case(case.id).item("2.1.1.2").state is ItemState.NO
