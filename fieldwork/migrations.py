"""The workspace schema as numbered, append-only migrations.

Never edit a migration that has shipped: add the next number instead. The
number of migrations known to this build is the schema version; a workspace
that has applied a migration this build does not know was made by a newer
Fieldwork and is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations

Step = Callable[["Database"], None]
_steps: list[tuple[str, Step]] = []


def migrations(*, name: str) -> Callable[[Step], Step]:
    """Register the next migration, in the order of this file. The register is plain data
    so that reading a workspace's schema version (``fieldwork info``) does not load
    sqlite-utils; ``registry()`` hands the steps to ``sqlite_utils.Migrations``."""

    def register(step: Step) -> Step:
        if any(known == name for known, _ in _steps):
            raise ValueError(f"migration {name!r} is registered twice")
        _steps.append((name, step))
        return step

    return register


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


@migrations(name="0003_sampling")
def m0003_sampling(db: Database) -> None:
    """Populations imported from providers, saved column mappings, draws and their reserves."""
    db.executescript(
        """
        CREATE TABLE population_mappings (
            sample TEXT NOT NULL,
            name TEXT NOT NULL,
            mapping TEXT NOT NULL CHECK (json_valid(mapping)),
            saved_at TEXT NOT NULL,
            saved_by TEXT NOT NULL,
            PRIMARY KEY (sample, name)
        );
        CREATE TABLE population_imports (
            id TEXT PRIMARY KEY,
            sample TEXT NOT NULL,
            file TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            rows INTEGER NOT NULL,
            columns TEXT NOT NULL CHECK (json_valid(columns)),
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL
        );
        -- The eligible population as the provider sent it, one row per case, kept so that
        -- the strata, the reserve and the sampling report can always be recomputed.
        CREATE TABLE population (
            id INTEGER PRIMARY KEY,
            import_id TEXT NOT NULL REFERENCES population_imports(id),
            sample TEXT NOT NULL,
            reference TEXT NOT NULL,
            source_row INTEGER NOT NULL,
            attributes TEXT NOT NULL CHECK (json_valid(attributes)),
            extra TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra)),
            UNIQUE (import_id, reference)
        );
        CREATE INDEX population_sample ON population (sample);
        CREATE TABLE sample_draws (
            id TEXT PRIMARY KEY,
            sample TEXT NOT NULL UNIQUE,
            import_id TEXT NOT NULL REFERENCES population_imports(id),
            seed INTEGER NOT NULL,
            confidence REAL NOT NULL,
            margin REAL NOT NULL,
            size INTEGER NOT NULL,
            size_rule TEXT NOT NULL CHECK (size_rule IN ('formula', 'given')),
            population_size INTEGER NOT NULL,
            eligible_size INTEGER NOT NULL,
            filters TEXT NOT NULL CHECK (json_valid(filters)),
            plan TEXT NOT NULL CHECK (json_valid(plan)),
            drawn_at TEXT NOT NULL,
            drawn_by TEXT NOT NULL
        );
        -- Every eligible case of a draw: in the sample, on the reserve list (in the order
        -- the seeded draw ranked it within its stratum), or withdrawn from the sample.
        CREATE TABLE sample_members (
            draw_id TEXT NOT NULL REFERENCES sample_draws(id),
            population_id INTEGER NOT NULL REFERENCES population(id),
            reference TEXT NOT NULL,
            stratum TEXT NOT NULL CHECK (json_valid(stratum)),
            rank INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('sample', 'reserve', 'withdrawn')),
            case_id TEXT,
            reason TEXT NOT NULL DEFAULT '',
            replaced_by TEXT,
            PRIMARY KEY (draw_id, population_id)
        );
        CREATE INDEX sample_members_stratum ON sample_members (draw_id, stratum, rank);
        CREATE INDEX sample_members_case ON sample_members (case_id);
        -- A case replaced from the reserve leaves the cases table; what it held is kept here.
        CREATE TABLE withdrawn_cases (
            case_id TEXT PRIMARY KEY,
            draw_id TEXT REFERENCES sample_draws(id),
            sample TEXT NOT NULL,
            reference TEXT NOT NULL,
            reason TEXT NOT NULL,
            withdrawn_at TEXT NOT NULL,
            withdrawn_by TEXT NOT NULL,
            record TEXT NOT NULL CHECK (json_valid(record))
        );
        """
    )


@migrations(name="0002_bundles")
def m0002_bundles(db: Database) -> None:
    """Bundles and sync: keys, bundles sent and received, conflicts, QA comments, lineage."""
    db.executescript(
        """
        -- Public keys: the inspectorate's (owner 'central') and each inspector's. A new key
        -- may be endorsed (signed) by the owner's previous signing key, so a holder of the old
        -- key can trust the new one. Private keys live in passphrase-protected files.
        CREATE TABLE keys (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            purpose TEXT NOT NULL CHECK (purpose IN ('signing', 'encryption')),
            algorithm TEXT NOT NULL,
            public_key TEXT NOT NULL,
            created_at TEXT NOT NULL,
            retired_at TEXT,
            endorsed_by TEXT,
            endorsement TEXT
        );
        CREATE INDEX keys_owner ON keys (owner, purpose);
        -- Every bundle this workspace has written or read, newest sequence per inspector last.
        CREATE TABLE bundles (
            id TEXT PRIMARY KEY,
            direction TEXT NOT NULL CHECK (direction IN ('exported', 'imported')),
            kind TEXT NOT NULL CHECK (kind IN ('assignment', 'return')),
            inspector_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            file_sha256 TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(summary)),
            UNIQUE (direction, kind, inspector_id, sequence)
        );
        -- Cases sent to an inspector, with the attributes as last agreed with them: the base
        -- of the three-way merge of attribute changes.
        CREATE TABLE sent_cases (
            case_id TEXT NOT NULL REFERENCES cases(id),
            inspector_id TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
            sent_at TEXT NOT NULL,
            PRIMARY KEY (case_id, inspector_id)
        );
        -- Two versions of one record that neither supersedes: kept for the data team.
        CREATE TABLE conflicts (
            id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL REFERENCES cases(id),
            entity TEXT NOT NULL CHECK (entity IN ('response', 'attribute')),
            item_id TEXT NOT NULL,
            current TEXT NOT NULL CHECK (json_valid(current)),
            incoming TEXT NOT NULL CHECK (json_valid(incoming)),
            inspector_id TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            resolved_at TEXT,
            resolution TEXT CHECK (resolution IN ('current', 'incoming')),
            resolved_by TEXT
        );
        CREATE INDEX conflicts_open ON conflicts (case_id, entity, item_id)
            WHERE resolved_at IS NULL;
        CREATE TABLE qa_comments (
            id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL REFERENCES cases(id),
            item_id TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            resolved_at TEXT
        );
        CREATE INDEX qa_comments_case ON qa_comments (case_id);
        -- Which response revision descends from which: a revision's parents (the one it
        -- replaced, and for a resolved conflict the version it overrode). A trigger records
        -- every edit of a stored response; code that inserts a response replacing another
        -- (bundle imports) records its lineage itself: a trigger on every insert would slow
        -- the national import by a tenth for rows that are almost never revisions.
        CREATE TABLE response_lineage (
            case_id TEXT NOT NULL,
            rev TEXT NOT NULL,
            parent TEXT NOT NULL,
            PRIMARY KEY (rev, parent)
        );
        CREATE INDEX response_lineage_case ON response_lineage (case_id);
        CREATE TRIGGER response_lineage_update AFTER UPDATE OF rev ON responses
        WHEN NEW.replaces IS NOT NULL AND NEW.rev IS NOT OLD.rev
        BEGIN
            INSERT OR IGNORE INTO response_lineage (case_id, rev, parent)
            VALUES (NEW.case_id, NEW.rev, NEW.replaces);
        END;
        INSERT OR IGNORE INTO response_lineage (case_id, rev, parent)
        SELECT case_id, rev, replaces FROM responses WHERE replaces IS NOT NULL;
        """
    )


@migrations(name="0004_scoring")
def m0004_scoring(db: Database) -> None:
    """Central scoring: ratings-panel decisions, domain 1 ratings, previous-inspection figures."""
    db.executescript(
        """
        -- The ratings panel's decision on a standard of domains 2 and 3, with the figures it
        -- was shown (provisional rating, lowest key question) so a later change in the case
        -- data can be seen against it. One current decision per standard; every earlier one
        -- stays in the history.
        CREATE TABLE panel_decisions (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections(id),
            standard_id TEXT NOT NULL,
            provisional TEXT,
            lowest_item TEXT,
            lowest_percentage INTEGER,
            final TEXT NOT NULL
                CHECK (final IN ('Inadequate', 'Requires improvement', 'Good', 'Outstanding')),
            reasons TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            UNIQUE (inspection_id, standard_id)
        );
        -- Domain 1 ratings: single judgements by the lead inspector, with their evidence.
        CREATE TABLE domain1_ratings (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections(id),
            standard_id TEXT NOT NULL,
            rating TEXT NOT NULL
                CHECK (rating IN ('Inadequate', 'Requires improvement', 'Good', 'Outstanding')),
            evidence TEXT NOT NULL,
            entered_by TEXT NOT NULL,
            entered_at TEXT NOT NULL,
            UNIQUE (inspection_id, standard_id)
        );
        -- The previous inspection's published figures: a percentage (NULL: no comparable
        -- data) and, where known, its sample size, per key question or prompt; a rating per
        -- standard.
        CREATE TABLE previous_figures (
            inspection_id TEXT NOT NULL REFERENCES inspections(id),
            item_id TEXT NOT NULL,
            percentage REAL CHECK (percentage IS NULL OR percentage BETWEEN 0 AND 100),
            sample_size INTEGER CHECK (sample_size IS NULL OR sample_size > 0),
            rating TEXT
                CHECK (rating IS NULL
                       OR rating IN ('Inadequate', 'Requires improvement', 'Good', 'Outstanding')),
            source TEXT NOT NULL,
            source_row INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL,
            PRIMARY KEY (inspection_id, item_id)
        );
        """
    )


@migrations(name="0005_not_applicable_judgements")
def m0005_not_applicable_judgements(db: Database) -> None:
    """Fidelity to the method (issue 12). Judgements may be 'na' already (the responses table
    allows it); what changes is that a panel decision keeps the case set it was scored on
    (complete cases only, or every case), so ``panel`` and ``score`` compare like with like."""
    db.executescript(
        """
        ALTER TABLE panel_decisions ADD COLUMN only_complete INTEGER NOT NULL DEFAULT 1
            CHECK (only_complete IN (0, 1));
        """
    )


@migrations(name="0006_bundle_provenance")
def m0006_bundle_provenance(db: Database) -> None:
    """Where imported rows came from, and which laptop a return bundle's numbering belongs to."""
    db.executescript(
        """
        -- A history row imported from a return bundle names that bundle and when central
        -- received it; its own 'at' and 'who' are what the laptop claimed. Rows written here
        -- have both NULL.
        ALTER TABLE history ADD COLUMN bundle_id TEXT;
        ALTER TABLE history ADD COLUMN received_at TEXT;
        -- A return series: one laptop's bundles, numbered from 1 (the first key of the
        -- laptop's endorsement chain). A new laptop starts a new series, so the numbers are
        -- unique within a series. (Nothing references bundles: the table is remade.)
        CREATE TABLE bundles_by_series (
            id TEXT PRIMARY KEY,
            direction TEXT NOT NULL CHECK (direction IN ('exported', 'imported')),
            kind TEXT NOT NULL CHECK (kind IN ('assignment', 'return')),
            inspector_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            file_sha256 TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(summary)),
            series TEXT NOT NULL DEFAULT '',
            UNIQUE (direction, kind, inspector_id, series, sequence)
        );
        INSERT INTO bundles_by_series (id, direction, kind, inspector_id, sequence, created_at,
            recorded_at, file_sha256, summary)
        SELECT id, direction, kind, inspector_id, sequence, created_at, recorded_at,
            file_sha256, summary FROM bundles;
        DROP TABLE bundles;
        ALTER TABLE bundles_by_series RENAME TO bundles;
        """
    )


@migrations(name="0008_interviews")
def m0008_interviews(db: Database) -> None:
    """Interviews: responsible officers (linked to one or more cases) and service users (one)."""
    db.executescript(
        """
        -- One interview: a responsible officer (for one or more inspected cases) or a service
        -- user (for their case). ``reference`` says who, as the inspector records it;
        -- ``attributes`` holds the questionnaire's attributes (the officer's grade, cluster).
        CREATE TABLE interviews (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections(id),
            questionnaire TEXT NOT NULL
                CHECK (questionnaire IN ('responsible-officer', 'service-user')),
            reference TEXT NOT NULL,
            inspector_id TEXT REFERENCES inspectors(id),
            attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
            planned_for TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'not started'
                CHECK (status IN ('not started', 'in progress', 'complete')),
            done INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            completed_at TEXT,
            revision INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (inspection_id, questionnaire, reference)
        );
        CREATE INDEX interviews_inspector ON interviews (inspector_id);
        -- Many cases to one officer interview; a service-user interview has one case.
        CREATE TABLE interview_cases (
            interview_id TEXT NOT NULL REFERENCES interviews(id),
            case_id TEXT NOT NULL REFERENCES cases(id),
            PRIMARY KEY (interview_id, case_id)
        );
        CREATE INDEX interview_cases_case ON interview_cases (case_id);
        -- One row per interview and item, revised in place like ``responses`` (rev replaces
        -- the one before it).
        CREATE TABLE interview_answers (
            id TEXT PRIMARY KEY,
            interview_id TEXT NOT NULL REFERENCES interviews(id),
            item_id TEXT NOT NULL,
            value TEXT,
            na_reason TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL DEFAULT 1,
            rev TEXT NOT NULL,
            replaces TEXT,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            UNIQUE (interview_id, item_id)
        );
        CREATE TABLE interview_history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            interview_id TEXT NOT NULL,
            entity TEXT NOT NULL,
            item_id TEXT NOT NULL DEFAULT '',
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            reason TEXT NOT NULL DEFAULT '',
            -- As history (0006): a row taken from a bundle names it and when it arrived; its
            -- own 'at' and 'who' are what the sender claimed. Rows written here have NULLs.
            bundle_id TEXT,
            received_at TEXT
        );
        CREATE INDEX interview_history_interview ON interview_history (interview_id, seq);
        -- Which answer revision descends from which (as response_lineage), so a bundle can
        -- tell an update from a conflict; a trigger records every edit of a stored answer.
        CREATE TABLE interview_answer_lineage (
            interview_id TEXT NOT NULL,
            rev TEXT NOT NULL,
            parent TEXT NOT NULL,
            PRIMARY KEY (rev, parent)
        );
        CREATE INDEX interview_answer_lineage_interview ON interview_answer_lineage (interview_id);
        CREATE TRIGGER interview_answer_lineage_update AFTER UPDATE OF rev ON interview_answers
        WHEN NEW.replaces IS NOT NULL AND NEW.rev IS NOT OLD.rev
        BEGIN
            INSERT OR IGNORE INTO interview_answer_lineage (interview_id, rev, parent)
            VALUES (NEW.interview_id, NEW.rev, NEW.replaces);
        END;
        -- Two versions of one interview record that neither supersedes (an answer, or the
        -- interview's own fields), kept for the data team as case conflicts are.
        CREATE TABLE interview_conflicts (
            id TEXT PRIMARY KEY,
            interview_id TEXT NOT NULL REFERENCES interviews(id),
            entity TEXT NOT NULL CHECK (entity IN ('answer', 'interview')),
            item_id TEXT NOT NULL DEFAULT '',
            current TEXT NOT NULL CHECK (json_valid(current)),
            incoming TEXT NOT NULL CHECK (json_valid(incoming)),
            inspector_id TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            resolved_at TEXT,
            resolution TEXT CHECK (resolution IN ('current', 'incoming')),
            resolved_by TEXT
        );
        CREATE INDEX interview_conflicts_open ON interview_conflicts (interview_id)
            WHERE resolved_at IS NULL;
        CREATE TRIGGER interview_history_append_only_update BEFORE UPDATE ON interview_history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
        CREATE TRIGGER interview_history_append_only_delete BEFORE DELETE ON interview_history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
        """
    )


@migrations(name="0009_quality_assurance")
def m0009_quality_assurance(db: Database) -> None:
    """Quality assurance (issue 17): review threads grown from the one-way QA comments, case
    review states, the dip-sample register, double marking with adjudication, practice."""
    db.executescript(
        """
        -- Every step of a review thread (a qa_comments row is the thread: its opening text,
        -- and resolved_at its state): open, reply (maybe with a changed answer), resolve,
        -- reopen. Steps are never changed, so both sides' histories can be compared.
        CREATE TABLE qa_thread_steps (
            id TEXT PRIMARY KEY,
            thread_id TEXT NOT NULL REFERENCES qa_comments(id),
            case_id TEXT NOT NULL REFERENCES cases(id),
            -- the step's place in its thread: one more than the latest step its author had
            -- seen (clocks of laptops and central need not agree)
            seq INTEGER NOT NULL CHECK (seq >= 1),
            action TEXT NOT NULL CHECK (action IN ('open', 'reply', 'resolve', 'reopen')),
            text TEXT NOT NULL DEFAULT '',
            answer_old TEXT,
            answer_new TEXT,
            author TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX qa_thread_steps_thread ON qa_thread_steps (thread_id, seq);
        -- Comments made before threads become threads: their opening step takes the
        -- comment's own id, so central and a laptop migrating the same comment agree.
        INSERT INTO qa_thread_steps (id, thread_id, case_id, seq, action, text, author, at)
        SELECT id, id, case_id, 1, 'open', comment, author, created_at FROM qa_comments
        WHERE resolved_at IS NULL;
        -- A case's review state; no row: not yet submitted.
        CREATE TABLE case_reviews (
            case_id TEXT PRIMARY KEY REFERENCES cases(id),
            state TEXT NOT NULL
                CHECK (state IN ('submitted', 'returned', 'resubmitted', 'accepted')),
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        -- The dip-sample register: cases drawn for a quality check, with the draw's seed.
        CREATE TABLE qa_sample (
            case_id TEXT PRIMARY KEY REFERENCES cases(id),
            seed INTEGER NOT NULL,
            share REAL NOT NULL CHECK (share > 0 AND share <= 1),
            draw_number TEXT NOT NULL,
            drawn_at TEXT NOT NULL,
            drawn_by TEXT NOT NULL
        );
        -- Double marking: the second, blind marker of a case and their answers, kept apart
        -- from responses (which hold the first marking, and after adjudication the agreed
        -- answer that scoring uses).
        CREATE TABLE double_markings (
            case_id TEXT PRIMARY KEY REFERENCES cases(id),
            first_inspector_id TEXT NOT NULL,
            second_inspector_id TEXT NOT NULL,
            chosen_at TEXT NOT NULL,
            chosen_by TEXT NOT NULL,
            CHECK (first_inspector_id <> second_inspector_id)
        );
        CREATE TABLE second_markings (
            case_id TEXT NOT NULL REFERENCES double_markings(case_id),
            item_id TEXT NOT NULL,
            value TEXT CHECK (value IN ('yes', 'no', 'na')),
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (case_id, item_id)
        );
        CREATE TABLE adjudications (
            case_id TEXT NOT NULL REFERENCES cases(id),
            item_id TEXT NOT NULL,
            first_value TEXT,
            second_value TEXT,
            agreed TEXT NOT NULL CHECK (agreed IN ('yes', 'no', 'na')),
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (case_id, item_id)
        );
        -- A panel decision keeps whether it was scored on accepted cases only, beside the
        -- case set it keeps already (complete cases only, or every case).
        ALTER TABLE panel_decisions ADD COLUMN accepted_only INTEGER NOT NULL DEFAULT 0
            CHECK (accepted_only IN (0, 1));
        """
    )


@migrations(name="0010_answer_pages")
def m0010_answer_pages(db: Database) -> None:
    """Fewer pages written by one answer: each page a commit writes costs an AES and an HMAC
    pass in an encrypted workspace. An answer wrote nine; it writes six.

    - The history's ``seq`` loses AUTOINCREMENT, whose counter row in ``sqlite_sequence`` was
      a page of its own on every write. History rows are never deleted (a trigger refuses
      it), so the largest ``seq`` plus one, which SQLite gives without AUTOINCREMENT, is the
      same number the counter gave.
    - Response lineage becomes one b-tree keyed by case, revision and parent (WITHOUT ROWID)
      instead of a table, its primary-key index and its case index: three pages per edit to
      one. A revision is a UUID of one case's response, so the key is as unique as the
      (revision, parent) key it replaces, and reading a case's lineage still uses the key.
    """
    db.executescript(
        """
        CREATE TABLE history_0010 (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            case_id TEXT,
            entity TEXT NOT NULL,
            item_id TEXT NOT NULL DEFAULT '',
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            reason TEXT NOT NULL DEFAULT '',
            bundle_id TEXT,
            received_at TEXT
        );
        INSERT INTO history_0010 (seq, id, at, who, case_id, entity, item_id, field, old, new,
            reason, bundle_id, received_at)
        SELECT seq, id, at, who, case_id, entity, item_id, field, old, new, reason, bundle_id,
            received_at
        FROM history ORDER BY seq;
        DROP TABLE history;
        ALTER TABLE history_0010 RENAME TO history;
        DELETE FROM sqlite_sequence WHERE name IN ('history', 'history_0010');
        CREATE INDEX history_case ON history (case_id, seq);
        CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
        CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

        DROP TRIGGER response_lineage_update;
        CREATE TABLE response_lineage_0010 (
            case_id TEXT NOT NULL,
            rev TEXT NOT NULL,
            parent TEXT NOT NULL,
            PRIMARY KEY (case_id, rev, parent)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO response_lineage_0010 (case_id, rev, parent)
        SELECT case_id, rev, parent FROM response_lineage;
        DROP TABLE response_lineage;
        ALTER TABLE response_lineage_0010 RENAME TO response_lineage;
        CREATE TRIGGER response_lineage_update AFTER UPDATE OF rev ON responses
        WHEN NEW.replaces IS NOT NULL AND NEW.rev IS NOT OLD.rev
        BEGIN
            INSERT OR IGNORE INTO response_lineage (case_id, rev, parent)
            VALUES (NEW.case_id, NEW.rev, NEW.replaces);
        END;
        """
    )


@migrations(name="0011_withdrawn_cases")
def m0011_withdrawn_cases(db: Database) -> None:
    """On a laptop: the cases central moved to another inspector, read-only from then on."""
    db.executescript(
        """
        -- A case the next assignment no longer held: moved to another inspector, withdrawn
        -- from this laptop (fieldwork/withdrawals.py; not the sample's withdrawn_cases): when
        -- central wrote that assignment, who wrote it, its number and id, and when it was
        -- opened here.
        CREATE TABLE moved_cases (
            case_id TEXT PRIMARY KEY REFERENCES cases(id),
            withdrawn_at TEXT NOT NULL,
            withdrawn_by TEXT NOT NULL DEFAULT '',
            assignment INTEGER NOT NULL,
            bundle_id TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL
        );
        -- Cases released by an assignment opened before this table existed: their history
        -- row says which assignment ("moved to another inspector by central (assignment N)").
        INSERT OR IGNORE INTO moved_cases (case_id, withdrawn_at, assignment, recorded_at)
        SELECT h.case_id, h.at,
            CAST(rtrim(substr(h.reason, length('moved to another inspector by central '
                || '(assignment ') + 1), ')') AS INTEGER),
            h.at
        FROM history h JOIN cases c ON c.id = h.case_id
        WHERE c.inspector_id IS NULL AND h.entity = 'case' AND h.field = 'inspector'
            AND h.new IS NULL
            AND h.reason LIKE 'moved to another inspector by central (assignment %)'
            AND (SELECT value FROM meta WHERE key = 'kind') = 'fieldwork'
        ORDER BY h.seq DESC;  -- a case that came back and went again: its latest release
        """
    )


def known_names() -> list[str]:
    return [name for name, _ in _steps]


@cache
def registry() -> Migrations:
    """The steps as a ``sqlite_utils.Migrations`` set, which applies and records them."""
    from sqlite_utils import Migrations

    steps = Migrations("fieldwork")
    for name, step in _steps:
        steps(name=name)(step)
    return steps


SCHEMA_VERSION = len(known_names())
