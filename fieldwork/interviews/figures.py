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
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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
NOT_RECORDED = "(not recorded)"


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
    level: float = 0.1  # the framework's significance level

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
            f"{moved}; {verdict} at {self.level:g} (z = {self.significance.z:.2f}, "
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


def tally(counts: Mapping[str | None, int], item: Item, spec: FigureSpec | None = None) -> Count:
    """Count answers to ``item`` for ``spec`` (None: the item's own figure) from how many
    interviews gave each value."""
    unanswered = counts.get(None, 0) + counts.get("", 0)
    na = counts.get(NOT_APPLICABLE, 0)
    if item.answer is AnswerType.CHOICE:
        applicable = sum(n for v, n in counts.items() if v not in (None, "", NOT_APPLICABLE))
        counted = counts.get(spec.choice, 0) if spec is not None else 0
        return Count(counted, applicable, na, unanswered)
    positive = sum(counts.get(v, 0) for v in POSITIVE)
    negative = sum(counts.get(v, 0) for v in NEGATIVE)
    counted = negative if spec is not None and spec.inverted else positive
    return Count(counted, positive + negative, na, unanswered)


def count(values: Sequence[str | None], item: Item, spec: FigureSpec | None = None) -> Count:
    """Count a list of answers to ``item`` for ``spec``."""
    return tally(Counter(values), item, spec)


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
    *,
    level: float,
) -> list[InterviewFigure]:
    """The figures of one questionnaire from its interviews' attributes and answers;
    ``level``: the significance level of changes since the previous inspection."""
    breakdown_by = [a.id for a in questionnaire.attributes if a.breakdown]
    # Who is in each group, once: (attribute, value) → interviews.
    members: dict[tuple[str, str], list[str]] = {}
    for interview_id, values in attributes.items():
        for attribute in {*breakdown_by, "grade"}:
            group = (attribute, values.get(attribute) or NOT_RECORDED)
            members.setdefault(group, []).append(interview_id)
    orders = {
        attribute: _order(questionnaire, attribute, {v for a, v in members if a == attribute})
        for attribute in breakdown_by
    }
    out = []
    for item in questionnaire.items:
        if not item.counted:
            continue
        column = {i: answers.get(i, {}).get(item.id) for i in attributes}
        whole = Counter(column.values())
        by_group = {g: Counter(column[i] for i in ids) for g, ids in members.items()}
        for spec in item_specs(item):
            rows = []
            if spec.grade:
                overall = tally(by_group.get(("grade", spec.grade), {}), item, spec)
                chosen = set(members.get(("grade", spec.grade), ()))
                for attribute in breakdown_by:
                    if attribute == "grade":
                        continue  # already one grade
                    for value in orders[attribute]:
                        ids = [i for i in members[(attribute, value)] if i in chosen]
                        if ids:
                            counts = Counter(column[i] for i in ids)
                            rows.append(BreakdownRow(attribute, value, tally(counts, item, spec)))
            else:
                overall = tally(whole, item, spec)
                rows = [
                    BreakdownRow(attribute, value, tally(by_group[(attribute, value)], item, spec))
                    for attribute in breakdown_by
                    for value in orders[attribute]
                ]
            significance = None
            if spec.previous is not None and spec.previous_sample_size and overall.applicable:
                significance = two_proportion_z(
                    spec.previous / 100,
                    spec.previous_sample_size,
                    overall.counted / overall.applicable,
                    overall.applicable,
                    level=level,
                )
            out.append(
                InterviewFigure(spec, questionnaire.id, overall, tuple(rows), significance, level)
            )
    return out


def _order(questionnaire: Questionnaire, attribute: str, groups: Iterable[str]) -> list[str]:
    choices = questionnaire.attribute(attribute).choices
    found = set(groups)
    known = [c for c in choices if c in found]
    return known + sorted(v for v in found if v not in known)


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
        level = service.framework.scoring.significance_level
        figures += compute(form, attributes, answers, level=level)
    return InterviewFigures(tuple(figures), counted, only_complete)
