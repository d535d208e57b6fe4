"""Pages written by one answer (each costs an AES and an HMAC pass when the workspace is
encrypted), and migration 0010_answer_pages, which brought them from nine to six, on plain
and encrypted workspaces, central and laptop ones, holding work from before it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from fieldwork import migrations
from fieldwork.answers import Answer
from fieldwork.bundles import records
from fieldwork.service import Service
from fieldwork.store import INTEGRITY_ERRORS, list_backups
from tests.conftest import CASE_SUPERVISION

PASS = "lantern orbit mossy tundra"
COST = 14  # the cheapest accepted scrypt cost, to keep the suite fast
MIGRATION = "0010_answer_pages"
#: What one more answer to an answered prompt writes: the case's progress row, the response,
#: the history row with its id index and case index, and the lineage entry.
PAGES_PER_ANSWER = 6


def wal_frames(service: Service) -> int:
    """Pages in the WAL (a passive checkpoint reports the log's frames)."""
    return int(service.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


def pages_written(service: Service, write: Any) -> int:
    service.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert wal_frames(service) == 0
    write()
    return wal_frames(service)


def fill(service: Service) -> str:
    service.create_inspection("North West")
    case = service.add_case("case-supervision", "E1", CASE_SUPERVISION)  # type: ignore[arg-type]
    for value in (Answer.YES, Answer.NO, Answer.YES):
        service.answer(case.id, "2.1.1.1", value)
    service.set_note(case.id, "2.1.1.1", "first visit")
    service.answer(case.id, "2.1.1.2", Answer.NO)
    return case.id


def table(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in conn.execute(sql).fetchall()]


def schema(conn: Any, *tables: str) -> list[tuple[Any, ...]]:
    marks = ", ".join("?" * len(tables))
    return [
        tuple(r)
        for r in conn.execute(
            f"SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
            "ORDER BY type, name",
            tables,
        )
    ]


@contextmanager
def before_migration(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fieldwork as it was before 0010: workspaces made or opened here stop at 0009."""
    migrations.registry.cache_clear()
    try:
        with monkeypatch.context() as old_code:
            steps = [step for step in migrations._steps if step[0] != MIGRATION]
            old_code.setattr(migrations, "_steps", steps)
            yield
    finally:
        migrations.registry.cache_clear()


def old_workspace(path: Path, kind: str, passphrase: str | None) -> str:
    with Service.create(
        path, kind=kind, user="helen", passphrase=passphrase, kdf_log2_n=COST
    ) as old:
        assert MIGRATION not in migrations.known_names()
        return fill(old)


@pytest.mark.parametrize("passphrase", [None, PASS], ids=["plain", "encrypted"])
@pytest.mark.parametrize("kind", ["central", "laptop"])
def test_migration_keeps_history_and_lineage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, passphrase: str | None
) -> None:
    path = tmp_path / "old.fieldwork"
    with before_migration(monkeypatch):
        case_id = old_workspace(path, kind, passphrase)
        with Service.open(path, user="helen", passphrase=passphrase, backup=False) as old:
            conn = old.db.conn
            history = table(conn, "SELECT * FROM history ORDER BY seq")
            lineage = sorted(table(conn, "SELECT case_id, rev, parent FROM response_lineage"))
            counter = table(conn, "SELECT seq FROM sqlite_sequence WHERE name = 'history'")
            old_pages = pages_written(old, lambda: old.answer(case_id, "2.1.1.1", Answer.NO))
    assert counter == [(history[-1][0],)]
    assert len(lineage) == 3 and len(history) >= 6
    assert old_pages == 9  # what an answer wrote before the migration

    with Service.open(path, user="helen", passphrase=passphrase) as service:
        conn = service.db.conn
        applied = [m.name for m in migrations.registry().applied(service.db)]
        assert applied[-1] == MIGRATION
        assert any("before-upgrade" in b.name for b in list_backups(path))
        # every row kept as it was, its seq included (the old answer added one lineage entry)
        assert table(conn, "SELECT * FROM history ORDER BY seq")[: len(history)] == history
        kept = sorted(table(conn, "SELECT case_id, rev, parent FROM response_lineage"))
        assert set(lineage) < set(kept) and len(kept) == len(lineage) + 1
        assert table(conn, "SELECT seq FROM sqlite_sequence WHERE name = 'history'") == []
        newest = conn.execute("SELECT max(seq) FROM history").fetchone()[0]

        pages = pages_written(service, lambda: service.answer(case_id, "2.1.1.1", Answer.YES))
        assert pages == PAGES_PER_ANSWER
        # numbering goes on from the last row, the new revision descends from the one before
        row = conn.execute("SELECT seq, new FROM history ORDER BY seq DESC LIMIT 1").fetchone()
        assert tuple(row) == (newest + 1, "yes")
        rev, replaces = conn.execute(
            "SELECT rev, replaces FROM responses WHERE case_id = ? AND item_id = '2.1.1.1'",
            [case_id],
        ).fetchone()
        assert records.lineage(service, [case_id])[rev] == {replaces}
        # still append-only
        for change in ("UPDATE history SET new = 'no'", "DELETE FROM history"):
            with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
                conn.execute(change)
        # re-importing a lineage entry or a history row already held changes nothing
        before = conn.execute("SELECT count(*) FROM response_lineage").fetchone()[0]
        conn.execute(
            "INSERT OR IGNORE INTO response_lineage (case_id, rev, parent) VALUES (?, ?, ?)",
            [case_id, rev, replaces],
        )
        assert conn.execute("SELECT count(*) FROM response_lineage").fetchone()[0] == before
        migrated = schema(conn, "history", "response_lineage")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    with Service.create(tmp_path / "new.fieldwork", kind=kind) as fresh:
        assert schema(fresh.db.conn, "history", "response_lineage") == migrated


@pytest.mark.parametrize("passphrase", [None, PASS], ids=["plain", "encrypted"])
def test_an_answer_writes_six_pages(tmp_path: Path, passphrase: str | None) -> None:
    with Service.create(
        tmp_path / "w.fieldwork", user="helen", passphrase=passphrase, kdf_log2_n=COST
    ) as service:
        case_id = fill(service)
        for value in (Answer.NO, Answer.YES, Answer.NO):
            pages = pages_written(service, lambda v=value: service.answer(case_id, "2.1.1.1", v))
            assert pages == PAGES_PER_ANSWER
        history = service.history(case_id)
        assert [h.new for h in history if h.item_id == "2.1.1.1" and h.field == "value"][-3:] == [
            "no",
            "yes",
            "no",
        ]


def test_history_numbers_never_go_back(tmp_path: Path) -> None:
    """Without AUTOINCREMENT a number could only come back if the newest row were deleted:
    the history refuses deletion, so the next row always gets a higher number."""
    path = tmp_path / "w.fieldwork"
    with Service.create(path, user="helen") as service:
        case_id = fill(service)
        top = service.db.execute("SELECT max(seq) FROM history").fetchone()[0]
        with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
            service.db.execute("DELETE FROM history WHERE seq = ?", [top])
        service.answer(case_id, "2.1.1.1", Answer.NO)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT max(seq) FROM history").fetchone()[0] == top + 1
    conn.close()


def test_laptop_and_central_made_before_the_migration_still_exchange_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A central workspace (plain) and an inspector's laptop (encrypted) made and used before
    0010: both migrate on opening; the laptop's later edits reach central with their lineage,
    and a return bundle exported before the migration still imports after it."""
    from fieldwork.bundles import crypto
    from fieldwork.bundles.importer import apply_import, plan_import
    from tests.test_bundles_support import build_world

    with before_migration(monkeypatch):
        world = build_world(tmp_path, crypto.new_encryption_key())
    assert world.passphrase(world.helen) is not None  # the laptop is encrypted

    with world.open_central() as central:
        assert migrations.registry().applied(central.db)[-1].name == MIGRATION
        apply_import(central, plan_import(central, world.returned, world.central_keys()))
    with world.open(world.helen, "Helen") as laptop:
        assert migrations.registry().applied(laptop.db)[-1].name == MIGRATION
        first = laptop.find_case("E000001")
        laptop.answer(first.id, "2.1.1.1", Answer.NO)  # an edit: a new revision of an answer
        rev, replaces = laptop.db.execute(
            "SELECT rev, replaces FROM responses WHERE case_id = ? AND item_id = '2.1.1.1'",
            [first.id],
        ).fetchone()
        assert records.lineage(laptop, [first.id])[rev] == {replaces}
        answers = "SELECT id, at, who, field, old, new FROM history WHERE entity = 'answer'"
        history = table(laptop.db.conn, answers)
    second = world.export_return(name="return-2.fwb")
    with world.open_central() as central:
        result = apply_import(central, plan_import(central, second, world.central_keys()))
        assert not result.already_imported
        case = central.find_case("E000001")
        value = central.db.execute(
            "SELECT value, rev FROM responses WHERE case_id = ? AND item_id = '2.1.1.1'",
            [case.id],
        ).fetchone()
        assert tuple(value) == ("no", rev)
        assert replaces in records.ancestors(rev, records.lineage(central, [case.id]))
        assert len(history) >= 3 and set(history) <= set(table(central.db.conn, answers))
