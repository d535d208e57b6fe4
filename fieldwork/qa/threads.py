"""Review threads: a quality lead's comment on a prompt, a judgement, an attribute or a whole
case, and the inspector's replies, until the lead resolves it (or reopens it).

A thread is a ``qa_comments`` row (its opening text; ``resolved_at`` empty while open), so
the laptop's existing QA marks show every open thread. Each step is a ``qa_thread_steps``
row and a history row, written in one transaction. A reply may change the answer the thread
is about: the answer goes through the service's edit path with the reply as its reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from fieldwork.answers import Answer
from fieldwork.errors import InvalidChange
from fieldwork.qa import practice
from fieldwork.service import Service
from fieldwork.store import new_id

Action = Literal["open", "reply", "resolve", "reopen"]
ENTITY = "qa thread"


@dataclass(frozen=True)
class Step:
    id: str
    thread_id: str
    action: Action
    text: str
    answer_old: str | None
    answer_new: str | None
    author: str
    at: str


@dataclass(frozen=True)
class Thread:
    id: str
    case_id: str
    item_id: str  # "" for the whole case
    comment: str
    author: str
    created_at: str
    resolved_at: str | None
    steps: tuple[Step, ...]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


def _record(
    service: Service,
    thread_id: str,
    case_id: str,
    item_id: str,
    action: Action,
    text: str,
    *,
    answer_old: str | None = None,
    answer_new: str | None = None,
) -> str:
    now = service.workspace.now()
    seq = service.db.execute(
        "SELECT coalesce(max(seq), 0) + 1 FROM qa_thread_steps WHERE thread_id = ?", [thread_id]
    ).fetchone()[0]
    service.db.execute(
        "INSERT INTO qa_thread_steps (id, thread_id, case_id, seq, action, text, answer_old, "
        "answer_new, author, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            new_id(),
            thread_id,
            case_id,
            seq,
            action,
            text,
            answer_old,
            answer_new,
            service.user,
            now,
        ],
    )
    service.workspace.record_history(
        case_id=case_id,
        entity=ENTITY,
        item_id=item_id,
        field=action,
        old=answer_old,
        new=answer_new if answer_new is not None else text,
        who=service.user,
        reason=thread_id,
    )
    return now


def open_thread(service: Service, case_id: str, item_id: str, text: str) -> str:
    """Open a thread on an item ("" for the whole case); returns its id."""
    summary = service.case_summary(case_id)
    if not text.strip():
        raise InvalidChange("a review comment needs text", place=f"case {summary.reference}")
    if item_id:
        known = {item.item_id for item in service.case(case_id).items}
        attributes = {a.id for a in service.framework.sample(summary.sample).attributes}
        if item_id not in known and item_id not in attributes:
            raise InvalidChange(
                f"{item_id!r} is not a prompt, judgement or attribute of this case",
                place=f"case {summary.reference}",
            )
    thread_id = new_id()
    with service.workspace.write() as db:
        now = service.workspace.now()
        db.execute(
            "INSERT INTO qa_comments (id, case_id, item_id, comment, author, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [thread_id, case_id, item_id, text.strip(), service.user, now],
        )
        _record(service, thread_id, case_id, item_id, "open", text.strip())
    return thread_id


def _thread_row(service: Service, thread_id: str) -> tuple[str, str, str | None]:
    row = service.db.execute(
        "SELECT case_id, item_id, resolved_at FROM qa_comments WHERE id = ?", [thread_id]
    ).fetchone()
    if row is None:
        raise InvalidChange(f"there is no review thread {thread_id}")
    return row[0], row[1], row[2]


def reply(service: Service, thread_id: str, text: str, *, answer: Answer | None = None) -> None:
    """Reply to an open thread; with ``answer``, change the item's answer, the reply being the
    reason recorded with the change."""
    case_id, item_id, resolved = _thread_row(service, thread_id)
    place = f"review thread on case {service.case_summary(case_id).reference}"
    if resolved is not None:
        raise InvalidChange("the thread is resolved: the lead must reopen it first", place=place)
    if not text.strip():
        raise InvalidChange("a reply needs text (the reason for any change)", place=place)
    old: str | None = None
    new: str | None = None
    if answer is not None:
        if not item_id:
            raise InvalidChange("a thread on the whole case has no answer to change", place=place)
        row = service.db.execute(
            "SELECT value FROM responses WHERE case_id = ? AND item_id = ?", [case_id, item_id]
        ).fetchone()
        old = row[0] if row else None
        new = answer.value
        kind = next(i.kind for i in service.case(case_id).items if i.item_id == item_id)
        if kind == "judgement":
            service.judge(case_id, item_id, answer, edit_reason=text.strip())
        else:
            service.answer(case_id, item_id, answer, edit_reason=text.strip())
    with service.workspace.write():
        _record(
            service,
            thread_id,
            case_id,
            item_id,
            "reply",
            text.strip(),
            answer_old=old,
            answer_new=new,
        )


def resolve(service: Service, thread_id: str, text: str = "") -> None:
    case_id, item_id, resolved = _thread_row(service, thread_id)
    if resolved is not None:
        raise InvalidChange("the thread is already resolved", place=f"review thread {thread_id}")
    with service.workspace.write() as db:
        now = _record(service, thread_id, case_id, item_id, "resolve", text.strip())
        db.execute("UPDATE qa_comments SET resolved_at = ? WHERE id = ?", [now, thread_id])


def reopen(service: Service, thread_id: str, text: str = "") -> None:
    case_id, item_id, resolved = _thread_row(service, thread_id)
    if resolved is None:
        raise InvalidChange("the thread is open already", place=f"review thread {thread_id}")
    with service.workspace.write() as db:
        _record(service, thread_id, case_id, item_id, "reopen", text.strip())
        db.execute("UPDATE qa_comments SET resolved_at = NULL WHERE id = ?", [thread_id])


def threads(
    service: Service, case_id: str | None = None, *, open_only: bool = False
) -> list[Thread]:
    """Threads with their steps, oldest first (one case's, or every case's)."""
    sql = "SELECT id, case_id, item_id, comment, author, created_at, resolved_at FROM qa_comments"
    where = []
    params: list[str] = []
    if case_id is not None:
        where.append("case_id = ?")
        params.append(case_id)
    if open_only:
        where.append("resolved_at IS NULL")
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = service.db.execute(sql + " ORDER BY created_at, id", params).fetchall()
    steps: dict[str, list[Step]] = {}
    for s in service.db.execute(
        "SELECT id, thread_id, action, text, answer_old, answer_new, author, at "
        "FROM qa_thread_steps WHERE ? IS NULL OR case_id = ? ORDER BY seq, at, id",
        [case_id, case_id],
    ):
        steps.setdefault(s[1], []).append(Step(*s))
    return [
        Thread(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(steps.get(r[0], ()))) for r in rows
    ]


def open_counts(service: Service) -> dict[str, int]:
    """Open threads per case id: what the laptop's home view marks."""
    return dict(
        service.db.execute(
            "SELECT case_id, count(*) FROM qa_comments WHERE resolved_at IS NULL GROUP BY case_id"
        ).fetchall()
    )


# --- travel in bundles: the hooks bundles/ calls (both bundle kinds carry qa-threads.json) ---

ENTRY = "qa-threads.json"
SCHEMA = "bundle-qa-threads"
THREAD_FIELDS = ("id", "case_id", "item_id", "comment", "author", "created_at")
STEP_FIELDS = (
    "id",
    "thread_id",
    "case_id",
    "seq",
    "action",
    "text",
    "answer_old",
    "answer_new",
    "author",
    "at",
)


REVIEW_FIELDS = ("case_id", "state", "updated_at", "updated_by")
#: The review moves a laptop may make and send back: (state at central, state from the laptop).
LAPTOP_MOVES = {(None, "submitted"), ("returned", "resubmitted")}


def bundle_records(service: Service, case_ids: list[str] | None = None) -> dict[str, Any]:
    """The threads and steps of some cases (all, with None), as a bundle carries them."""
    scope, params = "", []
    if case_ids is not None:
        scope = " WHERE case_id IN (SELECT value FROM json_each(?))"
        params = [json.dumps(case_ids)]
    found = service.db.execute(
        f"SELECT {', '.join(THREAD_FIELDS)} FROM qa_comments{scope} ORDER BY created_at, id", params
    ).fetchall()
    steps = service.db.execute(
        f"SELECT {', '.join(STEP_FIELDS)} FROM qa_thread_steps{scope}"
        " ORDER BY thread_id, seq, at, id",
        params,
    ).fetchall()
    reviews = service.db.execute(
        f"SELECT {', '.join(REVIEW_FIELDS)} FROM case_reviews{scope} ORDER BY case_id", params
    ).fetchall()
    return {
        "threads": [dict(zip(THREAD_FIELDS, r, strict=True)) for r in found],
        "steps": [dict(zip(STEP_FIELDS, r, strict=True)) for r in steps],
        "reviews": [dict(zip(REVIEW_FIELDS, r, strict=True)) for r in reviews],
        # a practice workspace's bundles say so: a live workspace refuses them
        "practice": practice.is_practice(service),
    }


def check_bundle_records(data: dict[str, Any], case_ids: set[str], *, source: str) -> None:
    """Every thread and step must belong to a case the bundle carries, every step to a thread
    it carries or this workspace holds (checked by ``merge``); raises naming the place."""
    threads_ = {t["id"] for t in data["threads"]}
    for n, t in enumerate(data["threads"]):
        if t["case_id"] not in case_ids:
            raise InvalidChange(
                "the thread is on a case the bundle does not carry",
                file=source,
                place=f"{ENTRY}, threads[{n}]",
            )
    for n, r in enumerate(data.get("reviews", ())):
        if r["case_id"] not in case_ids:
            raise InvalidChange(
                "the review state is for a case the bundle does not carry",
                file=source,
                place=f"{ENTRY}, reviews[{n}]",
            )
    for n, s in enumerate(data["steps"]):
        if s["case_id"] not in case_ids or s["thread_id"] not in threads_:
            raise InvalidChange(
                "the step is not on a thread of a case the bundle carries",
                file=source,
                place=f"{ENTRY}, steps[{n}]",
            )


def merge_bundle_records(
    service: Service, data: dict[str, Any], *, from_central: bool = False
) -> int:
    """Take a bundle's threads and steps (inside the importer's transaction): threads and
    steps are immutable, so both sides keep their union, and each thread touched is resolved
    exactly when its latest step (by sequence in the thread, then time, then id) is a
    resolve. Concurrent steps on both
    sides (a reply while the lead resolves) are therefore never lost: both stay in the thread,
    and the later one sets its state. Returns the number of new steps."""
    db = service.db
    for t in data["threads"]:
        db.execute(
            f"INSERT OR IGNORE INTO qa_comments ({', '.join(THREAD_FIELDS)}) VALUES "
            f"({', '.join('?' for _ in THREAD_FIELDS)})",
            [t[f] for f in THREAD_FIELDS],
        )
    before = db.execute("SELECT count(*) FROM qa_thread_steps").fetchone()[0]
    for s in data["steps"]:
        db.execute(
            f"INSERT OR IGNORE INTO qa_thread_steps ({', '.join(STEP_FIELDS)}) VALUES "
            f"({', '.join('?' for _ in STEP_FIELDS)})",
            [s[f] for f in STEP_FIELDS],
        )
    touched = {s["thread_id"] for s in data["steps"]} | {t["id"] for t in data["threads"]}
    for thread_id in sorted(touched):
        last = db.execute(
            "SELECT action, at FROM qa_thread_steps WHERE thread_id = ?"
            " ORDER BY seq DESC, at DESC, id DESC"
            " LIMIT 1",
            [thread_id],
        ).fetchone()
        if last is None:
            continue  # a comment from before threads: its state is as stored
        resolved = last[1] if last[0] == "resolve" else None
        db.execute("UPDATE qa_comments SET resolved_at = ? WHERE id = ?", [resolved, thread_id])
    _merge_reviews(service, data.get("reviews", []), from_central=from_central)
    if from_central and data.get("practice"):
        practice.mark(service)  # a laptop of a practice inspection is practice too
    return int(db.execute("SELECT count(*) FROM qa_thread_steps").fetchone()[0]) - int(before)


def submit_handed_in(service: Service, case_ids: list[str], now: str) -> None:
    """Cases a return bundle hands in complete, with no review state yet, are submitted
    (inside the importer's transaction; a history row each). Set-based: a national import
    hands in ten thousand cases."""
    held = {
        row[0]
        for row in service.db.execute(
            "SELECT case_id FROM case_reviews WHERE case_id IN (SELECT value FROM json_each(?))",
            [json.dumps(case_ids)],
        )
    }
    submitted = [c for c in dict.fromkeys(case_ids) if c not in held]
    service.db.conn.executemany(
        "INSERT INTO case_reviews (case_id, state, updated_at, updated_by)"
        " VALUES (?, 'submitted', ?, ?)",
        [(case_id, now, service.user) for case_id in submitted],
    )
    service.db.conn.executemany(
        "INSERT INTO history (id, at, who, case_id, entity, item_id, field, old, new, reason)"
        " VALUES (?, ?, ?, ?, 'case', '', 'review', NULL, 'submitted', 'handed in complete')",
        [(new_id(), now, service.user, case_id) for case_id in submitted],
    )


def _merge_reviews(service: Service, reviews: list[dict[str, Any]], *, from_central: bool) -> None:
    """Central decides review states: an assignment's states replace the laptop's. From a
    laptop only its own moves are taken (submitting, resubmitting a returned case); a state
    central has moved on from is left as central holds it."""
    for r in reviews:
        row = service.db.execute(
            "SELECT state FROM case_reviews WHERE case_id = ?", [r["case_id"]]
        ).fetchone()
        current = None if row is None else row[0]
        if current == r["state"]:
            continue
        if not from_central and (current, r["state"]) not in LAPTOP_MOVES:
            continue
        service.db.execute(
            "INSERT INTO case_reviews (case_id, state, updated_at, updated_by) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (case_id) DO UPDATE SET state = excluded.state,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [r[f] for f in REVIEW_FIELDS],
        )
