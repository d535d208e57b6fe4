"""Demo interviews whose answers follow the North West report's published rates.

Officers are interviewed for most case-supervision cases (105 officers for 119 cases in the
report), some for two cases at once; service users for about one case in five (25 of 119).
Each answer is drawn with the published share for the officer's grade where the report
gives one ("55 per cent of POs"), else the overall share, else three in four.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from fieldwork.interviews.questionnaire import (
    NOT_APPLICABLE,
    OFFICER,
    SERVICE_USER,
    AnswerType,
    Item,
    questionnaires_for,
)
from fieldwork.interviews.store import Interviews
from fieldwork.service import Service

#: The report's interviews: 105 responsible officers and 25 service users for 119 cases.
OFFICERS_PER_CASE = 105 / 119
SERVICE_USERS_PER_CASE = 25 / 119
MAX_OFFICERS, MAX_SERVICE_USERS = 105, 25  # one inspection's worth, even for a national set
#: How often an item that may be not applicable is (no adjustments were needed, the officer
#: never changed, the sentence was in the community).
NOT_APPLICABLE_RATE = {
    "ro-reasonable-adjustments": 0.7,
    "su-officer-change-notified": 0.5,
    "su-licence-conditions-informed": 0.4,
}
#: ro-workload-measure: the NPS's own measure found 31 per cent over 110 per cent.
WORKLOAD_MEASURE = {
    "up to 100 per cent": 0.4,
    "101 to 110 per cent": 0.29,
    "over 110 per cent": 0.31,
}
OFFICER_NOTES = (
    "Caseload feels heavier since colleagues moved to Offender Management in Custody.",
    "Supervision is monthly and useful; SPO is stretched across too many staff.",
    "Good access to training, but the safeguarding course has a long waiting list.",
    "Pod model works well; PSOs pick up tasks quickly.",
)
SERVICE_USER_COMMENTS = (
    "I always felt listened to.",
    "The course helped me think about what I do when I'm angry.",
    "Nobody told me my officer had changed until I turned up.",
)


def rates(item: Item) -> dict[str, float]:
    """Grade (or "" for all) → the published share agreeing, from the item's figures."""
    out: dict[str, float] = {}
    for spec in item.figures:
        if spec.published is None or spec.choice:
            continue
        share = spec.published / 100
        out[spec.grade] = 1 - share if spec.inverted else share
    return out


def _value(item: Item, grade: str, rng: random.Random) -> tuple[str, str]:
    """(value, reason for not applicable) for one item."""
    if item.not_applicable and rng.random() < NOT_APPLICABLE_RATE.get(item.id, 0.05):
        return NOT_APPLICABLE, "Did not apply to this interviewee."
    if item.answer is AnswerType.CHOICE:
        weights = WORKLOAD_MEASURE if item.id == "ro-workload-measure" else {}
        choices = list(item.choices)
        chosen = rng.choices(choices, [weights.get(c, 1.0) for c in choices])[0]
        return chosen, ""
    shares = rates(item)
    share = shares.get(grade, shares.get("", 0.75))
    positive = rng.random() < share
    if item.answer is AnswerType.AGREEMENT:
        return ("agree" if positive else "disagree"), ""
    return ("yes" if positive else "no"), ""


def add_demo_interviews(
    service: Service, rng: random.Random, *, complete: float | None = None
) -> Mapping[str, int]:
    """Plan and hold the demo inspection's interviews; returns how many of each kind.

    ``complete``: the share held and complete (default: eight in ten, one in ten under way
    and one in ten planned, as in the middle of fieldwork).
    """
    forms = questionnaires_for(service.framework)
    if OFFICER not in forms or SERVICE_USER not in forms:
        return {}
    store = Interviews(service)
    cases = [c for c in service.cases() if c.sample == "case-supervision"]
    officers = min(MAX_OFFICERS, round(len(cases) * OFFICERS_PER_CASE))
    users = min(MAX_SERVICE_USERS, round(len(cases) * SERVICE_USERS_PER_CASE))
    made_so_far = iter(range(1_000_000))

    def level() -> float:
        """How far the next interview has got: 1.0 complete, 0.5 under way, 0.0 planned."""
        n = next(made_so_far)
        if complete is None:  # one in ten under way, one in ten planned, in turn
            return {4: 0.5, 9: 0.0}.get(n % 10, 1.0)
        return 1.0 if rng.random() < complete else rng.choice((0.5, 0.0))

    made = {OFFICER: 0, SERVICE_USER: 0}
    with service.workspace.write():
        # Each officer interview covers one case, and the last few a second case of the same
        # grade and cluster: one officer asked about two of their cases at once.
        groups: list[list[str]] = [[c.id] for c in cases[:officers]]
        spare = cases[officers:]
        for case in spare:
            match = next(
                (
                    g
                    for g in groups
                    if len(g) == 1
                    and service.case_summary(g[0]).attributes.get("officer_grade")
                    == case.attributes.get("officer_grade")
                ),
                None,
            )
            if match is not None:
                match.append(case.id)
        for n, group in enumerate(groups):
            first = service.case_summary(group[0])
            created = store.create(
                OFFICER,
                f"RO-{n + 1:03d}",
                case_ids=group,
                inspector_id=first.inspector_id,
                attributes={"mode": rng.choice(("in person", "by telephone", "by telephone"))},
            )
            _hold(store, created.id, created.grade, rng, level(), OFFICER_NOTES)
            made[OFFICER] += 1
        for n, case in enumerate(rng.sample(cases, users)):
            created = store.create(
                SERVICE_USER,
                f"SU-{n + 1:03d}",
                case_ids=[case.id],
                inspector_id=case.inspector_id,
                attributes={"mode": "by telephone"},
            )
            _hold(store, created.id, "", rng, level(), SERVICE_USER_COMMENTS)
            made[SERVICE_USER] += 1
    return made


def _hold(
    store: Interviews,
    interview_id: str,
    grade: str,
    rng: random.Random,
    level: float,
    notes: tuple[str, ...],
) -> None:
    """Answer the first ``level`` of an interview's items; all of them: mark it complete."""
    if not level:
        return  # planned, not yet held
    items = list(store.detail(interview_id).items)
    for entry in items[: round(len(items) * level)]:
        item = entry.item
        if item.answer is AnswerType.TEXT:
            if rng.random() < 0.5:
                store.answer(interview_id, item.id, rng.choice(notes))
            continue
        value, reason = _value(item, grade, rng)
        store.answer(interview_id, item.id, value, na_reason=reason or None)
    if level == 1.0:
        store.mark_complete(interview_id)
