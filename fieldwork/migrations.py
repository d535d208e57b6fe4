"""The workspace schema as numbered, append-only migrations.

Never edit a migration that has shipped: add the next number instead. The
number of migrations known to this build is the schema version; a workspace
that has applied a migration this build does not know was made by a newer
Fieldwork and is refused.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("fieldwork")


@migrations(name="0001_initial")
def m0001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE inspections (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            provider TEXT NOT NULL DEFAULT '',
            fieldwork_start TEXT,
            fieldwork_end TEXT,
            framework_id TEXT NOT NULL,
            framework_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE inspectors (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections(id),
            name TEXT NOT NULL,
            email TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL DEFAULT 'inspector'
                CHECK (role IN ('inspector', 'lead inspector', 'data team')),
            created_at TEXT NOT NULL,
            UNIQUE (inspection_id, name)
        );
        CREATE TABLE cases (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections(id),
            sample TEXT NOT NULL,
            reference TEXT NOT NULL,
            inspector_id TEXT REFERENCES inspectors(id),
            attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
            status TEXT NOT NULL DEFAULT 'not started'
                CHECK (status IN ('not started', 'in progress', 'complete')),
            done INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            completed_at TEXT,
            revision INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL,
            UNIQUE (inspection_id, sample, reference)
        );
        CREATE INDEX cases_inspector ON cases (inspector_id);
        -- One row per case and item (prompt answer or key-question judgement).
        -- rev is this revision's UUID and replaces the one before it, as ODK's
        -- instanceID and deprecatedID do, so bundles can say what they supersede.
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL REFERENCES cases(id),
            item_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('prompt', 'judgement')),
            value TEXT CHECK (value IN ('yes', 'no', 'na')),
            na_reason TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL DEFAULT 1,
            rev TEXT NOT NULL,
            replaces TEXT,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            UNIQUE (case_id, item_id)
        );
        CREATE TABLE history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            case_id TEXT,
            entity TEXT NOT NULL,
            item_id TEXT NOT NULL DEFAULT '',
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX history_case ON history (case_id, seq);
        CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
        CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
        """
    )


def known_names() -> list[str]:
    return [m.name for m in migrations._migrations]


SCHEMA_VERSION = len(known_names())
