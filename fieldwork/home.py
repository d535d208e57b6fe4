"""What the home view says about a workspace when it opens: whose it is, which inspection,
how far the work has gone, where the inspector left off and what has not been handed in.

One read of a few small aggregates, cheap even on a national workspace of 10,000 cases
(``benchmarks/bench_home.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldwork.service import Service

CENTRAL = "central"
FIELDWORK = "fieldwork"
#: The status a laptop counts a case under once a later assignment moved it to another
#: inspector (``fieldwork/withdrawals.py``): whatever its own status, it is no longer open work.
WITHDRAWN = "withdrawn"
#: How far back in the history "where I left off" looks: far enough for a day's work,
#: bounded so that a central workspace full of imported history answers at once.
RECENT_HISTORY = 5000


@dataclass(frozen=True)
class LeftOff:
    """The case (and item) the inspector changed last, or the next case to start."""

    case_id: str
    reference: str
    sample: str
    status: str
    item_id: str  # '' when the case was not changed yet (a case to start)
    at: str  # when it was changed; '' for a case to start


@dataclass(frozen=True)
class HomeSummary:
    workspace_kind: str  # CENTRAL or FIELDWORK
    inspection: str  # the inspection's name, '' if none yet
    provider: str
    fieldwork_dates: tuple[str | None, str | None]
    owner: str  # the inspector whose fieldwork workspace this is; '' at central
    user: str  # who is working now
    framework: str  # the framework's title and version
    by_status: dict[str, int] = field(default_factory=dict)
    unallocated: int = 0  # central: cases not yet allocated to an inspector
    left_off: LeftOff | None = None
    last_export: str | None = None  # when the newest bundle was written from here
    last_export_kind: str | None = None
    last_import: str | None = None  # when the newest bundle was read in here
    unexported_changes: int | None = None  # fieldwork: history rows since the last return
    sync_folder: str = ""
    open_threads: int = 0  # review threads quality assurance has not resolved (issue 17)
    returned: tuple[str, ...] = ()  # references of cases returned for changes

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def central(self) -> bool:
        return self.workspace_kind == CENTRAL


def _meta(service: Service, key: str) -> str:
    row = service.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else ""


def home_summary(service: Service) -> HomeSummary:
    db = service.db
    kind = _meta(service, "kind") or CENTRAL
    inspection = service.inspection()
    owner = ""
    owner_id = _meta(service, "inspector_id")
    if kind == FIELDWORK and owner_id:
        row = db.execute("SELECT name FROM inspectors WHERE id = ?", [owner_id]).fetchone()
        owner = str(row[0]) if row else ""
    by_status = {"not started": 0, "in progress": 0, "complete": 0}
    for status, count in db.execute(
        "SELECT status, COUNT(*) FROM cases WHERE id NOT IN (SELECT case_id FROM moved_cases) "
        "GROUP BY status"
    ):
        by_status[str(status)] = int(count)
    withdrawn = int(db.execute("SELECT COUNT(*) FROM moved_cases").fetchone()[0])
    if withdrawn:  # moved to another inspector: read-only here, no longer this laptop's work
        by_status[WITHDRAWN] = withdrawn
    unallocated = 0
    if kind == CENTRAL:
        unallocated = int(
            db.execute("SELECT COUNT(*) FROM cases WHERE inspector_id IS NULL").fetchone()[0]
        )
    last_export = db.execute(
        "SELECT recorded_at, kind FROM bundles WHERE direction = 'exported' "
        "ORDER BY recorded_at DESC LIMIT 1"
    ).fetchone()
    last_import = db.execute(
        "SELECT MAX(recorded_at) FROM bundles WHERE direction = 'imported'"
    ).fetchone()[0]
    unexported = None
    if kind == FIELDWORK:
        row = db.execute(
            "SELECT json_extract(summary, '$.history_seq') FROM bundles "
            "WHERE direction = 'exported' AND kind = 'return' ORDER BY sequence DESC LIMIT 1"
        ).fetchone()
        since = int(row[0] or 0) if row else 0
        unexported = int(
            db.execute(
                "SELECT COUNT(*) FROM history WHERE seq > ? AND case_id IS NOT NULL", [since]
            ).fetchone()[0]
        )
    framework = service.framework
    return HomeSummary(
        workspace_kind=kind,
        inspection=inspection.name if inspection else "",
        provider=inspection.provider if inspection else "",
        fieldwork_dates=(
            (inspection.fieldwork_start, inspection.fieldwork_end) if inspection else (None, None)
        ),
        owner=owner,
        user=service.user,
        framework=f"{framework.title} (version {framework.version})",
        by_status=by_status,
        unallocated=unallocated,
        left_off=left_off(service),
        last_export=str(last_export[0]) if last_export else None,
        last_export_kind=str(last_export[1]) if last_export else None,
        last_import=str(last_import) if last_import else None,
        unexported_changes=unexported,
        sync_folder=_meta(service, "sync_folder"),
        open_threads=int(
            db.execute("SELECT COUNT(*) FROM qa_comments WHERE resolved_at IS NULL").fetchone()[0]
        ),
        returned=tuple(
            str(r[0])
            for r in db.execute(
                "SELECT c.reference FROM case_reviews r JOIN cases c ON c.id = r.case_id"
                " WHERE r.state = 'returned' ORDER BY c.reference"
            )
        ),
    )


def left_off(service: Service) -> LeftOff | None:
    """The case this user changed last (within the recent history) and the item they were
    on; else the first case in progress; else the first not started. Never a case withdrawn
    from this laptop (fieldwork/withdrawals.py): it can no longer be worked here."""
    row = service.db.execute(
        "SELECT h.case_id, h.item_id, h.at, c.reference, c.sample, c.status "
        f"FROM (SELECT * FROM history ORDER BY seq DESC LIMIT {RECENT_HISTORY}) AS h "
        "JOIN cases AS c ON c.id = h.case_id WHERE h.who = ? "
        "AND c.id NOT IN (SELECT case_id FROM moved_cases) ORDER BY h.seq DESC LIMIT 1",
        [service.user],
    ).fetchone()
    if row is not None:
        case_id, item_id, at, reference, sample, status = row
        return LeftOff(case_id, reference, sample, status, item_id or "", at)
    for status in ("in progress", "not started"):
        found = service.db.execute(
            "SELECT id, reference, sample FROM cases WHERE status = ? "
            "AND id NOT IN (SELECT case_id FROM moved_cases) ORDER BY sample, reference LIMIT 1",
            [status],
        ).fetchone()
        if found is not None:
            return LeftOff(found[0], found[1], found[2], status, "", "")
    return None
