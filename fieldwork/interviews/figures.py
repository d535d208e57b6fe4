"""Central figures from the interviews: the report's "key data" and the figures in its text.

For every counted item, the share agreeing (or answering yes) among those for whom it
applied: "not applicable" and unanswered items are left out of the denominator. The
questionnaire's figures add the published variants: by grade ("55 per cent of POs"),
inverted ("POs describing workload as unmanageable") or one choice ("over 110 per cent").
Every figure is broken down by the questionnaire's breakdown attributes (grade, cluster),
and compared with the previous inspection with the case figures' two-proportion z-test.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from fieldwork.interviews.questionnaire import (
    NEGATIVE,
    NOT_APPLICABLE,
    POSITIVE,
    AnswerType,
    FigureSpec,
    Item,
    Questionnaire,
    questionnaires_for,
)
from fieldwork.scoring.rules import Significance, percentage, two_proportion_z
from fieldwork.service import Service

NO_COMPARABLE_DATA = "No comparable data available"


@dataclass(frozen=True)
class Count:
    """``counted`` of ``applicable`` interviews, with those left out."""

    counted: int
    applicable: int
    not_applicable: int = 0
    unanswered: int = 0

    @property
    def percentage(self) -> int | None:
        return percentage(self.counted, self.applicable)

    @property
    def shown(self) -> str:
        pct = self.percentage
        return "no applicable interviews" if pct is None else f"{pct}%"


@dataclass(frozen=True)
class BreakdownRow:
    attribute: str
    value: str
    count: Count


@dataclass(frozen=True)
class InterviewFigure:
    """One figure: what it counts, its count, its breakdowns and the previous figure."""

    spec: FigureSpec
    questionnaire: str
    count: Count
    breakdowns: tuple[BreakdownRow, ...] = ()
    significance: Significance | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def change(self) -> Decimal | None:
        pct = self.count.percentage
        if self.spec.previous is None or pct is None:
            return None
        return Decimal(pct) - Decimal(str(self.spec.previous))

    @property
    def previous_shown(self) -> str:
        return NO_COMPARABLE_DATA if self.spec.previous is None else f"{self.spec.previous:g}%"

    @property
    def note(self) -> str:
        """The change since the previous inspection in words, and its significance."""
        if self.spec.previous is None:
            return NO_COMPARABLE_DATA
        change = self.change
        if change is None:
            return "no current figure (no applicable interviews)"
        moved = "no change" if change == 0 else f"{change:+} points"
        if self.significance is None:
            return f"{moved}; previous sample size unknown, so significance not tested"
        verdict = "significant" if self.significance.significant else "not significant"
        return (
            f"{moved}; {verdict} at 0.1 (z = {self.significance.z:.2f}, "
            f"p = {self.significance.p_value:.3f})"
        )


@dataclass(frozen=True)
class InterviewFigures:
    """Every interview figure of an inspection, in questionnaire order."""

    figures: tuple[InterviewFigure, ...]
    interviews: Mapping[str, int]  # questionnaire → interviews counted
    only_complete: bool

    def figure(self, figure_id: str) -> InterviewFigure:
        for figure in self.figures:
            if figure.id == figure_id:
                return figure
        raise KeyError(figure_id)

    def for_standard(self, standard_id: str) -> list[InterviewFigure]:
        return [f for f in self.figures if f.spec.standard == standard_id]

    def key_data(self) -> dict[str, list[InterviewFigure]]:
        """The report's key-data tables (table title → its figures), in order."""
        tables: dict[str, list[InterviewFigure]] = {}
        for figure in self.figures:
            if figure.spec.table:
                tables.setdefault(figure.spec.table, []).append(figure)
        return tables


Answers = Mapping[str, Mapping[str, str | None]]  # interview id → item id → value


def count(values: Sequence[str | None], item: Item, spec: FigureSpec | None = None) -> Count:
    """Count answers to ``item`` for ``spec`` (None: the item's own figure)."""
    counted = applicable = na = unanswered = 0
    for value in values:
        if value is None or value == "":
            unanswered += 1
        elif value == NOT_APPLICABLE:
            na += 1
        elif item.answer is AnswerType.CHOICE:
            applicable += 1
            counted += spec is not None and value == spec.choice
        elif value in POSITIVE or value in NEGATIVE:
            applicable += 1
            inverted = spec is not None and spec.inverted
            counted += (value in NEGATIVE) if inverted else (value in POSITIVE)
    return Count(counted, applicable, na, unanswered)


def item_specs(item: Item) -> list[FigureSpec]:
    """The item's own figure (unless a published one has its id) and its published ones."""
    specs = list(item.figures)
    if not any(s.id == item.id for s in specs) and item.answer in (
        AnswerType.AGREEMENT,
        AnswerType.YES_NO,
    ):
        specs.insert(0, FigureSpec(item.id, item.id, item.label, item.standards[0]))
    return specs


def compute(
    questionnaire: Questionnaire,
    attributes: Mapping[str, Mapping[str, str]],
    answers: Answers,
) -> list[InterviewFigure]:
    """The figures of one questionnaire from its interviews' attributes and answers."""
    breakdown_by = [a.id for a in questionnaire.attributes if a.breakdown]
    out = []
    for item in questionnaire.items:
        if not item.counted:
            continue
        for spec in item_specs(item):
            chosen = [
                i for i in attributes if not spec.grade or attributes[i].get("grade") == spec.grade
            ]
            overall = count([answers.get(i, {}).get(item.id) for i in chosen], item, spec)
            rows = []
            for attribute in breakdown_by:
                if attribute == "grade" and spec.grade:
                    continue  # already one grade
                groups: dict[str, list[str]] = {}
                for i in chosen:
                    groups.setdefault(attributes[i].get(attribute) or "(not recorded)", []).append(
                        i
                    )
                order = _order(questionnaire, attribute, groups)
                for value in order:
                    values = [answers.get(i, {}).get(item.id) for i in groups[value]]
                    rows.append(BreakdownRow(attribute, value, count(values, item, spec)))
            significance = None
            if spec.previous is not None and spec.previous_sample_size and overall.applicable:
                significance = two_proportion_z(
                    spec.previous / 100,
                    spec.previous_sample_size,
                    overall.counted / overall.applicable,
                    overall.applicable,
                )
            out.append(InterviewFigure(spec, questionnaire.id, overall, tuple(rows), significance))
    return out


def _order(questionnaire: Questionnaire, attribute: str, groups: Mapping[str, object]) -> list[str]:
    choices = questionnaire.attribute(attribute).choices
    known = [c for c in choices if c in groups]
    return known + sorted(v for v in groups if v not in known)


def load_answers(
    service: Service, questionnaire: str, *, only_complete: bool
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str | None]]]:
    """(interview id → attributes, interview id → item → value) of one questionnaire."""
    where = " AND status = 'complete'" if only_complete else ""
    attributes = {
        row[0]: json.loads(row[1])
        for row in service.db.execute(
            "SELECT id, attributes FROM interviews WHERE questionnaire = ?" + where,
            [questionnaire],
        ).fetchall()
    }
    answers: dict[str, dict[str, str | None]] = {i: {} for i in attributes}
    for interview_id, item_id, value in service.db.execute(
        "SELECT a.interview_id, a.item_id, a.value FROM interview_answers a "
        "JOIN interviews i ON i.id = a.interview_id WHERE i.questionnaire = ?" + where,
        [questionnaire],
    ).fetchall():
        answers[interview_id][item_id] = value
    return attributes, answers


def interview_figures(
    service: Service,
    *,
    only_complete: bool = True,
    questionnaires: Mapping[str, Questionnaire] | None = None,
) -> InterviewFigures:
    """Every interview figure of the inspection (complete interviews only, by default)."""
    forms = questionnaires if questionnaires is not None else questionnaires_for(service.framework)
    figures: list[InterviewFigure] = []
    counted: dict[str, int] = {}
    for kind, form in forms.items():
        attributes, answers = load_answers(service, kind, only_complete=only_complete)
        counted[kind] = len(attributes)
        figures += compute(form, attributes, answers)
    return InterviewFigures(tuple(figures), counted, only_complete)
