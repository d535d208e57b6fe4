"""Demo and benchmark inspections: generated, realistic and reproducible from a seed.

Answers are drawn with the probabilities of the North West inspection's own
published figures (``resources/reference/north-west-2020.json``), so a demo
workspace looks like real fieldwork and scores like it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fieldwork.applicability import ItemKind, case_items
from fieldwork.framework import AttributeValue
from fieldwork.paths import resources_dir
from fieldwork.service import Service
from fieldwork.store import new_id

INSPECTORS = ("Helen Adeyemi", "Tom Brierley", "Grace Okafor", "Sanjay Patel")
CLUSTERS = ("Cheshire", "Cumbria and Lancashire", "Greater Manchester", "Merseyside")
COURTS = (
    "Manchester Magistrates' Court",
    "Liverpool Crown Court",
    "Preston Crown Court",
    "Chester Magistrates' Court",
    "Carlisle Magistrates' Court",
)
NOTES = (
    "Discussed with the responsible officer at interview; evidence in the contact log.",
    "OASys completed on time, but the analysis relies heavily on self-report.",
    "Home visit recorded; the partner's views were taken into account.",
    "No evidence of liaison with children's services despite the referral.",
    "Good use of the service user's strengths (employment, family support).",
    "Plan reviewed after the change of address; risk management plan updated.",
)
SATISFACTORY = (
    "Most of the prompts were met and the gaps did not affect the overall quality of the work.",
    "The work was personalised and involved the service user throughout.",
)
UNSATISFACTORY = (
    "Key risks were not analysed and there was no evidence of information from other agencies.",
    "Contact levels fell well short of what the assessed risk required.",
)


@dataclass(frozen=True)
class DemoSizes:
    case_supervision: int = 24
    court_reports: int = 12
    victim: int = 6


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _case_supervision(rng: random.Random, start: date) -> dict[str, AttributeValue]:
    rosh = _pick(rng, {"low": 0.15, "medium": 0.55, "high": 0.27, "very high": 0.03})
    return {
        "disposal": _pick(rng, {"community sentence": 0.55, "post-release licence": 0.45}),
        "gender": _pick(rng, {"male": 0.88, "female": 0.12}),
        "ethnicity": _pick(rng, {"white": 0.86, "ethnic minority": 0.12, "not known": 0.02}),
        "disability": rng.random() < 0.25,
        "rosh": rosh,
        "mappa_level": _pick(rng, {"none": 0.8, "1": 0.15, "2": 0.04, "3": 0.01}),
        "officer_grade": _pick(rng, {"PO": 0.68, "PSO": 0.27, "PQiP": 0.05}),
        "cluster": rng.choice(CLUSTERS),
        "sentence_date": (start - timedelta(days=rng.randint(183, 213))).isoformat(),
        "domestic_abuse": rng.random() < 0.45,
        "child_safeguarding": rng.random() < 0.35,
        "children": rng.random() < 0.55,
        "substance_misuse": rng.random() < 0.5,
        "risk_of_harm_factors": rosh != "low" or rng.random() < 0.2,
    }


def _court_report(rng: random.Random, start: date) -> dict[str, AttributeValue]:
    sentenced = rng.random() < 0.93
    return {
        "report_type": _pick(rng, {"oral": 0.5, "short format": 0.4, "standard delivery": 0.1}),
        "court": rng.choice(COURTS),
        "sentenced": sentenced,
        "allocated_to": _pick(rng, {"NPS": 0.45, "CRC": 0.55}) if sentenced else "not allocated",
        "domestic_abuse": rng.random() < 0.35,
        "children": rng.random() < 0.45,
    }


def _victim(rng: random.Random, start: date) -> dict[str, AttributeValue]:
    return {"stage": _pick(rng, {"post-sentence": 0.55, "pre-release": 0.45})}


SAMPLES: dict[str, tuple[str, Callable[[random.Random, date], dict[str, AttributeValue]]]] = {
    "case-supervision": ("E{:06d}", _case_supervision),
    "court-reports": ("PSR-{:06d}", _court_report),
    "victim": ("VLU-{:06d}", _victim),
}


def _reference_rates() -> dict[str, float]:
    path = resources_dir() / "reference" / "north-west-2020.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    rates = {}
    for group in ("key_questions", "prompts"):
        for item_id, figures in data[group].items():
            if figures.get("current") is not None:
                rates[item_id] = figures["current"] / 100
    return rates


#: The meta entry that marks a generated demo workspace (``is_demo``).
DEMO_KEY = "demo"


def is_demo(path: str | Path) -> bool:
    """Whether the plain workspace at ``path`` was made by ``make_demo`` (made-up cases)."""
    from fieldwork.store import reading

    with reading(path) as conn:
        return conn.execute("SELECT 1 FROM meta WHERE key = ?", [DEMO_KEY]).fetchone() is not None


def make_demo(
    path: str | Path,
    *,
    seed: int = 2020,
    sizes: DemoSizes = DemoSizes(),
    complete: float | None = None,
    user: str = "demo",
) -> Service:
    """Create a demo inspection workspace and return the open service.

    ``complete`` is the share of cases fully answered and marked complete; by default a third
    are complete, a third in progress and a third not started. ``complete=1.0`` answers all.
    """
    rng = random.Random(seed)
    rates = _reference_rates()
    service = Service.create(path, user=user)
    with service.workspace.write() as db:  # made-up data: nothing to protect at rest
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [DEMO_KEY, "generated"])
    start = date(2020, 1, 13)
    service.create_inspection(
        "North West NPS division (demo)",
        provider="National Probation Service, North West Division",
        fieldwork_start=start,
        fieldwork_end=start + timedelta(days=11),
    )
    inspectors = [service.add_inspector(name) for name in INSPECTORS]
    rows = []
    counts = {
        "case-supervision": sizes.case_supervision,
        "court-reports": sizes.court_reports,
        "victim": sizes.victim,
    }
    for sample, count in counts.items():
        pattern, attributes = SAMPLES[sample]
        numbers = rng.sample(range(10_000, 999_999), count)
        for n, number in enumerate(numbers):
            rows.append(
                (
                    sample,
                    pattern.format(number),
                    attributes(rng, start),
                    inspectors[n % len(inspectors)].id,
                )
            )
    ids = service.add_cases(rows)
    with service.workspace.write():
        for n, case_id in enumerate(ids):
            if complete is None:
                level = (1.0, 0.5, 0.0)[n % 3]
            else:
                level = 1.0 if rng.random() < complete else rng.choice((0.5, 0.0))
            _answer(service, case_id, rng, rates, level)
    from fieldwork.interviews.demo import add_demo_interviews

    add_demo_interviews(service, rng, complete=complete)
    return service


def _answer(
    service: Service, case_id: str, rng: random.Random, rates: dict[str, float], level: float
) -> None:
    """Fill a case's responses in bulk: all of them (level 1.0) or the first share of them."""
    summary = service.case_summary(case_id)
    items = [
        i
        for i in case_items(service.framework, summary.sample, summary.attributes, {})
        if i.applies
    ]
    count = round(len(items) * level)
    if not count:
        return
    now = service.workspace.now()
    records, history = [], []
    answered: list[str] = []  # the current key question's prompt answers
    for item in items[:count]:
        rate = rates.get(item.item_id, 0.75)
        na_reason = note = ""
        if item.kind is ItemKind.JUDGEMENT:
            # The inspector weighs the prompts (no mechanistic link, Annexe 4): the judgement
            # leans on the share answered Yes, around the published rate.
            share = answered.count("yes") / len(answered) if answered else rate
            value = "yes" if rng.random() < (rate + share) / 2 else "no"
            note = rng.choice(SATISFACTORY if value == "yes" else UNSATISFACTORY)
            answered = []
        else:
            value = "yes" if rng.random() < rate else "no"
            if item.may_mark_na and rng.random() < 0.1:
                value, na_reason = "na", "Not needed in this case: no change in circumstances."
            elif rng.random() < 0.2:
                note = rng.choice(NOTES)
            if value != "na":
                answered.append(value)
        records.append(
            {
                "id": new_id(),
                "case_id": case_id,
                "item_id": item.item_id,
                "kind": item.kind.value,
                "value": value,
                "na_reason": na_reason,
                "note": note,
                "revision": 1,
                "rev": new_id(),
                "replaces": None,
                "updated_at": now,
                "updated_by": service.user,
            }
        )
        history.append(
            {
                "id": new_id(),
                "at": now,
                "who": service.user,
                "case_id": case_id,
                "entity": item.kind.value if item.kind is ItemKind.JUDGEMENT else "answer",
                "item_id": item.item_id,
                "field": "value",
                "old": None,
                "new": value,
                "reason": "",
            }
        )
    db = service.db
    db.table("responses").insert_all(records, batch_size=500)
    db.table("history").insert_all(history, batch_size=500)
    status = "complete" if count == len(items) else "in progress"
    db.execute(
        "UPDATE cases SET done = ?, status = ?, completed_at = ? WHERE id = ?",
        [count, status, now if status == "complete" else None, case_id],
    )
