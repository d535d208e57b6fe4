"""Double marking: a case marked a second time, blind, by another inspector.

The first marking is the case's ``responses``; the second is kept apart in
``second_markings`` so that nothing of it reaches scoring until the lead adjudicates. From
the pairs of markings: agreement per prompt and key question (``fieldwork.agreement``:
percentage with a Wilson interval, Cohen's κ, Gwet's AC1), by inspector pair and by standard.
Adjudication writes the agreed answer into ``responses`` through the service (the reason is
the edit reason), so scoring uses it. A disagreement on a key question is flagged when
adjudicating it the other way would change the key question's band or its standard's
provisional rating.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fieldwork.agreement import Agreement, AgreementError, agreement, contingency
from fieldwork.answers import Answer
from fieldwork.errors import InvalidChange
from fieldwork.qa.register import draw_per_inspector
from fieldwork.scoring.rules import ScoringRules, percentage
from fieldwork.service import Service

CATEGORIES = ("yes", "no", "na")


@dataclass(frozen=True)
class Pair:
    """One item of one case marked twice."""

    case_id: str
    item_id: str
    kind: str  # "prompt" or "judgement"
    standard_id: str
    first_inspector: str
    second_inspector: str
    first: str | None
    second: str | None
    adjudicated: str | None
    key_question_id: str = ""  # the item's key question (itself, for a judgement)

    @property
    def agrees(self) -> bool:
        return self.first == self.second


@dataclass(frozen=True)
class Flag:
    """A disagreement whose adjudication decides a key question's band or a rating."""

    case_id: str
    item_id: str
    standard_id: str
    counted: str  # the answer scoring holds now
    other: str  # the other marker's answer
    band_now: str | None
    band_other: str | None
    rating_now: str | None
    rating_other: str | None

    @property
    def changes_band(self) -> bool:
        return self.band_now != self.band_other

    @property
    def changes_rating(self) -> bool:
        return self.rating_now != self.rating_other


def _inspector_of(service: Service, case_id: str) -> str:
    row = service.db.execute("SELECT inspector_id FROM cases WHERE id = ?", [case_id]).fetchone()
    if row is None:
        raise InvalidChange(f"there is no case {case_id}")
    return row[0] or ""


def choose(service: Service, case_id: str, second_inspector: str) -> None:
    """Choose a case for a blind second marking by ``second_inspector`` (id or name)."""
    summary = service.case_summary(case_id)
    place = f"case {summary.reference}"
    first = _inspector_of(service, case_id)
    if not first:
        raise InvalidChange("the case has no first inspector yet", place=place)
    second = next((i for i in service.inspectors() if second_inspector in (i.id, i.name)), None)
    if second is None:
        raise InvalidChange(f"there is no inspector {second_inspector!r}", place=place)
    if second.id == first:
        raise InvalidChange("the second marker must be another inspector", place=place)
    marked = service.db.execute(
        "SELECT d.second_inspector_id FROM double_markings d WHERE d.case_id = ? AND EXISTS "
        "(SELECT 1 FROM second_markings s WHERE s.case_id = d.case_id)",
        [case_id],
    ).fetchone()
    if marked is not None and marked[0] != second.id:
        raise InvalidChange(
            "the case has been marked a second time already, by another inspector", place=place
        )
    with service.workspace.write() as db:
        db.execute(
            "INSERT INTO double_markings (case_id, first_inspector_id, second_inspector_id, "
            "chosen_at, chosen_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET "
            "second_inspector_id = excluded.second_inspector_id",
            [case_id, first, second.id, service.workspace.now(), service.user],
        )
        service.workspace.record_history(
            case_id=case_id,
            entity="double marking",
            field="second marker",
            old=None,
            new=second.name,
            who=service.user,
        )


def draw(service: Service, share: float, seed: int) -> list[str]:
    """Draw ``share`` of each inspector's complete cases for double marking, in the order of
    the sampling module's seeded draw number; each goes to the next inspector by name."""
    inspectors = sorted(service.inspectors(), key=lambda i: i.name)
    if len(inspectors) < 2:
        raise InvalidChange("double marking needs at least two inspectors")
    chosen = []
    for first_id, case_ids in draw_per_inspector(service, share, seed).items():
        at = next(k for k, i in enumerate(inspectors) if i.id == first_id)
        second = inspectors[(at + 1) % len(inspectors)]
        for case_id in case_ids:
            choose(service, case_id, second.id)
            chosen.append(case_id)
    return chosen


def second_cases(service: Service, inspector_id: str) -> list[str]:
    """The cases an inspector is to mark a second time."""
    return [
        row[0]
        for row in service.db.execute(
            "SELECT case_id FROM double_markings WHERE second_inspector_id = ? ORDER BY case_id",
            [inspector_id],
        )
    ]


def record_second(service: Service, case_id: str, answers: Mapping[str, str | None]) -> None:
    """Store the second marker's answers to a case (item id → yes / no / na)."""
    summary = service.case_summary(case_id)
    if not service.db.execute(
        "SELECT 1 FROM double_markings WHERE case_id = ?", [case_id]
    ).fetchone():
        raise InvalidChange(
            "the case was not chosen for double marking", place=f"case {summary.reference}"
        )
    known = {item.item_id for item in service.case(case_id).items if item.applies}
    for item_id, value in answers.items():
        if item_id not in known:
            raise InvalidChange(
                f"{item_id} is not an applicable item of the case",
                place=f"case {summary.reference}",
            )
        if value is not None and value not in CATEGORIES:
            raise InvalidChange(
                f"{value!r} is not yes, no or na", place=f"case {summary.reference}, {item_id}"
            )
    with service.workspace.write():
        store_second(service, {case_id: dict(answers)})


def store_second(service: Service, markings: Mapping[str, Mapping[str, str | None]]) -> None:
    """Store second markings (case id → item id → answer); call inside ``write()``."""
    now = service.workspace.now()
    for case_id, answers in sorted(markings.items()):
        service.db.conn.executemany(
            "INSERT INTO second_markings (case_id, item_id, value, recorded_at) VALUES (?,?,?,?)"
            " ON CONFLICT (case_id, item_id) DO UPDATE SET value = excluded.value,"
            " recorded_at = excluded.recorded_at",
            [[case_id, item_id, value, now] for item_id, value in sorted(answers.items())],
        )
        service.workspace.record_history(
            case_id=case_id,
            entity="double marking",
            field="second marking",
            old=None,
            new=f"{len(answers)} answers",
            who=service.user,
        )


# --- the bundles' hooks: blind assignment out, second marking back ---


def blind_case(record: Mapping[str, Any], inspector_id: str) -> dict[str, Any]:
    """A case record as the second marker's assignment carries it: the case and its
    attributes, none of the first marking (no status, progress or completion)."""
    return {
        **record,
        "inspector_id": inspector_id,
        "status": "not started",
        "completed_at": None,
        "revision": 1,
        "done": 0,
    }


def split_return(
    service: Service,
    inspector_id: str,
    cases: list[dict[str, Any]],
    responses: list[dict[str, Any]],
    history: list[list[Any]],
    case_id_of_history: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[list[Any]], dict[str, dict[str, Any]]]:
    """Take a return bundle's second markings out of its records: the cases this inspector
    marks a second time go to ``second_markings``, never into the first marking's responses,
    case row or history. Returns the records left and the markings (case → item → answer)."""
    mine = set(second_cases(service, inspector_id))
    if not mine:
        return cases, responses, history, {}
    markings: dict[str, dict[str, Any]] = {c["id"]: {} for c in cases if c["id"] in mine}
    for r in responses:
        if r["case_id"] in markings and r["value"] is not None:
            markings[r["case_id"]][r["item_id"]] = r["value"]
    return (
        [c for c in cases if c["id"] not in mine],
        [r for r in responses if r["case_id"] not in mine],
        [h for h in history if h[case_id_of_history] not in mine],
        {k: v for k, v in markings.items() if v},
    )


def pairs(service: Service) -> list[Pair]:
    """Every item marked by both markers, with any adjudication."""
    framework = service.framework
    rows = service.db.execute(
        "SELECT d.case_id, s.item_id, d.first_inspector_id, d.second_inspector_id, r.value,"
        " s.value, a.first_value, a.agreed, r.kind "
        "FROM double_markings d JOIN second_markings s ON s.case_id = d.case_id "
        "LEFT JOIN responses r ON r.case_id = s.case_id AND r.item_id = s.item_id "
        "LEFT JOIN adjudications a ON a.case_id = s.case_id AND a.item_id = s.item_id "
        "ORDER BY d.case_id, s.item_id"
    ).fetchall()
    out = []
    for case_id, item_id, first_id, second_id, now, second, adj_first, agreed, kind in rows:
        first = adj_first if agreed is not None else now  # adjudication may overwrite responses
        if kind == "judgement" or (kind is None and _is_key_question(service, item_id)):
            kq, kind = item_id, "judgement"
        else:
            kq, kind = framework.prompt(item_id).key_question_id, "prompt"
        standard = framework.key_question(kq).standard_id
        out.append(
            Pair(case_id, item_id, kind, standard, first_id, second_id, first, second, agreed, kq)
        )
    return [p for p in out if p.first is not None and p.second is not None]


def _is_key_question(service: Service, item_id: str) -> bool:
    try:
        service.framework.key_question(item_id)
    except KeyError:
        return False
    return True


def figures(marked: Iterable[Pair]) -> Agreement | None:
    """The agreement figures of some pairs (None where no figure can be computed)."""
    found = [(p.first, p.second) for p in marked]
    if not found:
        return None
    try:
        return agreement(contingency(found, CATEGORIES), CATEGORIES)
    except AgreementError:
        return None


def by(marked: Iterable[Pair], key: str) -> dict[str, Agreement | None]:
    """Agreement grouped by "item", "key question" (its judgement and prompts), "pair"
    (inspector pair), "standard" or "kind"."""
    groups: dict[str, list[Pair]] = defaultdict(list)
    for p in marked:
        if key == "item":
            groups[p.item_id].append(p)
        elif key == "pair":
            groups[" & ".join(sorted((p.first_inspector, p.second_inspector)))].append(p)
        elif key == "standard":
            groups[p.standard_id].append(p)
        elif key == "key question":  # a key question's judgement and its prompts together
            groups[p.key_question_id].append(p)
        elif key == "kind":
            groups[p.kind].append(p)
        else:
            raise ValueError(key)
    return {k: figures(v) for k, v in sorted(groups.items())}


def adjudicate(service: Service, case_id: str, item_id: str, agreed: Answer, reason: str) -> None:
    """Record the agreed answer of a double-marked item, with its reason: it replaces the
    first marking in ``responses`` (through the service's edit path) so scoring uses it."""
    summary = service.case_summary(case_id)
    place = f"case {summary.reference}, {item_id}"
    if not reason.strip():
        raise InvalidChange("an adjudication needs a reason", place=place)
    pair = next((p for p in pairs(service) if p.case_id == case_id and p.item_id == item_id), None)
    if pair is None:
        raise InvalidChange("the item was not marked twice", place=place)
    if pair.kind == "judgement":
        service.judge(case_id, item_id, agreed, edit_reason=f"adjudication: {reason.strip()}")
    else:
        service.answer(case_id, item_id, agreed, edit_reason=f"adjudication: {reason.strip()}")
    with service.workspace.write() as db:
        db.execute(
            "INSERT INTO adjudications (case_id, item_id, first_value, second_value, agreed,"
            " reason, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (case_id, item_id) DO UPDATE SET agreed = excluded.agreed,"
            " reason = excluded.reason, decided_by = excluded.decided_by,"
            " decided_at = excluded.decided_at",
            [
                case_id,
                item_id,
                pair.first,
                pair.second,
                agreed.value,
                reason.strip(),
                service.user,
                service.workspace.now(),
            ],
        )
        service.workspace.record_history(
            case_id=case_id,
            entity="adjudication",
            item_id=item_id,
            field="agreed",
            old=pair.first,
            new=agreed.value,
            who=service.user,
            reason=reason.strip(),
        )


def _counts(service: Service) -> tuple[dict[str, tuple[int, int]], set[str]]:
    """Yes and No per key question over complete cases (what scoring counts), and the
    complete cases."""
    complete = {
        row[0] for row in service.db.execute("SELECT id FROM cases WHERE status = 'complete'")
    }
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case_id, item_id, value in service.db.execute(
        "SELECT case_id, item_id, value FROM responses WHERE kind = 'judgement'"
    ):
        if case_id in complete and value in ("yes", "no"):
            counts[item_id][0 if value == "yes" else 1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}, complete


def _band_and_rating(
    rules: ScoringRules,
    standard_kqs: Iterable[str],
    counts: Mapping[str, tuple[int, int]],
    item_id: str,
) -> tuple[str | None, str | None]:
    pcts = {}
    for kq in standard_kqs:
        yes, no = counts.get(kq, (0, 0))
        pcts[kq] = percentage(yes, yes + no)
    own = pcts.get(item_id)
    band = None if own is None else rules.band_of(own).label
    rating = rules.rating_of_lowest(list(pcts.values()))
    return band, None if rating is None else str(rating)


def flags(service: Service) -> list[Flag]:
    """Every key-question disagreement (adjudicated or not) that would change the key
    question's band or its standard's provisional rating if it went the other way."""
    framework = service.framework
    rules = ScoringRules.of(framework.scoring)
    counts, complete = _counts(service)
    out = []
    for p in pairs(service):
        if p.agrees or p.kind != "judgement" or p.case_id not in complete:
            continue
        counted = service.db.execute(
            "SELECT value FROM responses WHERE case_id = ? AND item_id = ?", [p.case_id, p.item_id]
        ).fetchone()[0]
        assert p.first is not None and p.second is not None
        other = p.second if counted == p.first else p.first
        kqs = [kq.id for kq in framework.standard(p.standard_id).key_questions]
        now = _band_and_rating(rules, kqs, counts, p.item_id)
        yes, no = counts.get(p.item_id, (0, 0))
        yes -= counted == "yes"
        no -= counted == "no"
        yes += other == "yes"
        no += other == "no"
        then = _band_and_rating(rules, kqs, {**counts, p.item_id: (yes, no)}, p.item_id)
        flag = Flag(
            p.case_id, p.item_id, p.standard_id, counted, other, now[0], then[0], now[1], then[1]
        )
        if flag.changes_band or flag.changes_rating:
            out.append(flag)
    return out
