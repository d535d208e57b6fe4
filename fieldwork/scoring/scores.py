"""The central scoring of an inspection: every figure, band, rating and comparison.

``score(service)`` reads the workspace in a few bulk queries (``data.load``) and
returns a ``Scores``: plain frozen data that the terminal table, the CSV and
Excel tables, the PDF report and the GUI dashboard all show. Each figure keeps
its counts, so anyone challenging it can see the working.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from fieldwork.errors import InvalidChange
from fieldwork.framework import AttributeValue, Framework
from fieldwork.scoring.data import CaseRow, Count, ItemAnswers, ScoringData, Tally, load, tally
from fieldwork.scoring.records import (
    Domain1Rating,
    PanelDecision,
    PreviousFigure,
    case_set_text,
    domain1_ratings,
    panel_decisions,
    previous_figures,
)
from fieldwork.scoring.rules import (
    Band,
    KeyQuestionCount,
    PanelFlag,
    Rating,
    ScoringRules,
    Significance,
    panel_flags,
    percentage,
    two_proportion_z,
)
from fieldwork.service import Inspection, Service

NO_COMPARABLE_DATA = "No comparable data available"
NOT_RECORDED = "not recorded"

#: The attributes each sample's key questions are broken down by in the tables.
BREAKDOWN_ATTRIBUTES: Mapping[str, tuple[str, ...]] = {
    "case-supervision": ("officer_grade", "gender", "disposal", "cluster", "rosh"),
    "court-reports": ("report_type", "allocated_to"),
    "victim": ("stage",),
}


@dataclass(frozen=True)
class ProfileCharacteristic:
    """One row of the report's section 1.3 table: a share of the inspected cases."""

    label: str
    sample: str
    attribute: str
    value: AttributeValue


#: Section 1.3, "Characteristics of inspected domain 2 cases", in the report's words.
PROFILE = (
    ProfileCharacteristic(
        "Proportion of caseload who are female", "case-supervision", "gender", "female"
    ),
    ProfileCharacteristic(
        "Proportion of inspected cases who are black, Asian and minority ethnic",
        "case-supervision",
        "ethnicity",
        "ethnic minority",
    ),
    ProfileCharacteristic(
        "Proportion of inspected cases with a disability", "case-supervision", "disability", True
    ),
    ProfileCharacteristic(
        "Proportion of inspected cases where inspectors identified substance misuse problems",
        "case-supervision",
        "substance_misuse",
        True,
    ),
    ProfileCharacteristic(
        "Proportion of inspected cases where inspectors identified domestic abuse issues",
        "case-supervision",
        "domestic_abuse",
        True,
    ),
    ProfileCharacteristic(
        "Proportion of inspected cases where inspectors identified child safeguarding issues",
        "case-supervision",
        "child_safeguarding",
        True,
    ),
)


@dataclass(frozen=True)
class Figure:
    """A key question's or prompt's figure, with the counts behind it.

    ``yes`` of ``applicable`` (= yes + no): not applicable by rule is never counted, not
    applicable by the inspector's choice (``not_applicable``) and ``unanswered`` are left out.
    """

    item_id: str
    kind: Literal["key question", "prompt"]
    text: str
    standard_id: str
    key_question_id: str
    sample: str
    yes: int
    no: int
    not_applicable: int = 0
    unanswered: int = 0
    rules: ScoringRules | None = field(default=None, repr=False, compare=False)

    @property
    def applicable(self) -> int:
        return self.yes + self.no

    @property
    def percentage(self) -> int | None:
        """Rounded half up to a whole number; None when no case is applicable."""
        return percentage(self.yes, self.applicable)

    @property
    def exact(self) -> Decimal | None:
        return Decimal(100 * self.yes) / Decimal(self.applicable) if self.applicable else None

    @property
    def band(self) -> Band | None:
        """The band of the rounded percentage by the framework's rules."""
        pct = self.percentage
        return None if pct is None or self.rules is None else self.rules.band_of(pct)

    @property
    def shown(self) -> str:
        """The percentage as a table shows it, or a plain statement that there is none."""
        pct = self.percentage
        return "no applicable cases" if pct is None else f"{pct}%"

    @classmethod
    def of(cls, answers: ItemAnswers, framework: Framework) -> Figure:
        """The figure of one item's answers (sets of case ids)."""
        count = Count(len(answers.counted), len(answers.yes), len(answers.no), len(answers.na))
        return cls.counted(answers.item_id, count, framework)

    @classmethod
    def counted(cls, item_id: str, count: Count, framework: Framework) -> Figure:
        """The figure of one item's counts."""
        try:
            kq = framework.key_question(item_id)
            kind: Literal["key question", "prompt"] = "key question"
            text, kq_id = kq.text, kq.id
        except KeyError:
            prompt = framework.prompt(item_id)
            kq = framework.key_question(prompt.key_question_id)
            kind, text, kq_id = "prompt", prompt.text, kq.id
        standard = framework.standard(kq.standard_id)
        return cls(
            item_id,
            kind,
            text,
            standard.id,
            kq_id,
            standard.sample or "",
            count.yes,
            count.no,
            count.na,
            count.unanswered,
            ScoringRules.of(framework.scoring),
        )


@dataclass(frozen=True)
class Comparison:
    """The change of a figure since the previous inspection, and whether it is significant."""

    item_id: str
    previous: PreviousFigure | None
    current: Figure | None
    significance: Significance | None
    level: float = 0.0  # the framework's significance level

    @property
    def change(self) -> Decimal | None:
        """Percentage points, current rounded figure minus the previous published one."""
        if self.previous is None or self.previous.percentage is None or self.current is None:
            return None
        pct = self.current.percentage
        return None if pct is None else Decimal(pct) - self.previous.percentage

    @property
    def significant(self) -> bool | None:
        return None if self.significance is None else self.significance.significant

    @property
    def previous_shown(self) -> str:
        if self.previous is None or self.previous.percentage is None:
            return NO_COMPARABLE_DATA
        return f"{self.previous.percentage}%"

    @property
    def note(self) -> str:
        """In words: the change and its significance, or why there is none to test."""
        if self.previous is None or self.previous.percentage is None:
            return NO_COMPARABLE_DATA
        change = self.change
        if change is None:
            return "no current figure (no applicable cases)"
        moved = "no change" if change == 0 else f"{change:+} points"
        if self.previous.sample_size is None:
            return f"{moved}; previous sample size unknown, so significance not tested"
        assert self.significance is not None
        verdict = "significant" if self.significance.significant else "not significant"
        return (
            f"{moved}; {verdict} at {self.level:g} (z = {self.significance.z:.2f}, "
            f"p = {self.significance.p_value:.3f})"
        )


def compare(
    previous: PreviousFigure | None, current: Figure | None, item_id: str, *, level: float
) -> Comparison:
    """Test the change with a pooled two-proportion z-test where both sample sizes are known,
    significant below ``level`` (the framework's significance level)."""
    significance = None
    if (
        previous is not None
        and previous.percentage is not None
        and previous.sample_size
        and current is not None
        and current.applicable
    ):
        significance = two_proportion_z(
            float(previous.percentage) / 100,
            previous.sample_size,
            current.yes / current.applicable,
            current.applicable,
            level=level,
        )
    return Comparison(item_id, previous, current, significance, level)


@dataclass(frozen=True)
class StandardScore:
    """A standard's rating: from its key questions (domains 2 and 3) or the lead inspector."""

    id: str
    title: str
    domain_id: str
    assessed: Literal["inspection", "case"]
    key_questions: tuple[Figure, ...] = ()
    provisional: Rating | None = None
    flags: tuple[PanelFlag, ...] = ()
    decision: PanelDecision | None = None
    domain1: Domain1Rating | None = None
    previous: Rating | None = None
    rules: ScoringRules | None = field(default=None, repr=False, compare=False)
    only_complete: bool = True  # the case set these figures are of

    @property
    def points(self) -> int | None:
        """What the final rating scores by the framework's points (0–3 in the report)."""
        final = self.final
        return None if final is None or self.rules is None else self.rules.points[final]

    @property
    def lowest(self) -> Figure | None:
        """The key question that sets the provisional rating (the lowest percentage)."""
        rated = [f for f in self.key_questions if f.percentage is not None]
        return min(rated, key=lambda f: (f.percentage, f.item_id)) if rated else None

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def final(self) -> Rating | None:
        """The rating that counts: the lead inspector's (domain 1), else the panel's, else the
        provisional rating."""
        if self.assessed == "inspection":
            return self.domain1.rating if self.domain1 else None
        return self.decision.final if self.decision else self.provisional

    @property
    def decided_by(self) -> str:
        if self.assessed == "inspection":
            return "lead inspector" if self.domain1 else ""
        if self.decision:
            return "ratings panel"
        return "case data" if self.provisional else ""

    @property
    def decision_on_other_cases(self) -> bool:
        """The panel decided on another case set (complete cases only, or every case) than
        these figures are of: compare by scoring the same set, not as a change in the data."""
        return self.decision is not None and self.decision.only_complete != self.only_complete

    @property
    def decision_outdated(self) -> bool:
        """The case data have changed since the panel decided (it saw other figures of the
        same case set)."""
        if self.decision is None or self.decision_on_other_cases:
            return False
        lowest = self.lowest
        return (
            self.decision.provisional != self.provisional
            or self.decision.lowest_item != (lowest.item_id if lowest else None)
            or self.decision.lowest_percentage != (lowest.percentage if lowest else None)
        )

    @property
    def statement(self) -> str:
        """The rating in one plain sentence, saying so when there is none."""
        if self.assessed == "inspection":
            if self.domain1 is None:
                return "No rating yet: the lead inspector has not entered one."
            return f"{self.domain1.rating.value}, rated by the lead inspector."
        lowest = self.lowest
        if lowest is None:
            return "No rating: no key question of this standard has an applicable case."
        band = lowest.band
        assert band is not None and self.provisional is not None
        text = (
            f"Provisional rating {self.provisional.value}: the lowest key question, "
            f"{lowest.item_id}, is {lowest.percentage}% ({lowest.yes} of {lowest.applicable}), "
            f"{band.label} ({band.range_text})."
        )
        if self.decision:
            text += f" The ratings panel decided {self.decision.final.value}."
            if self.decision_on_other_cases:
                text += (
                    f" It decided on {self.decision.case_set}; these figures are of "
                    f"{case_set_text(self.only_complete)}."
                )
            elif self.decision_outdated:
                text += " The case data have changed since it decided: review the decision."
        elif self.flagged:
            text += " Flagged for the ratings panel."
        return text


@dataclass(frozen=True)
class Overall:
    """The overall score: each standard 0–3, added up to 0–30, and its band."""

    points: Mapping[str, int]
    missing: tuple[str, ...]
    rules: ScoringRules

    @property
    def maximum(self) -> int:
        """The highest possible total: top points times the standards (30 in the report)."""
        return self.rules.top_points * (len(self.points) + len(self.missing))

    @property
    def score(self) -> int | None:
        """The total (out of 30 in the report), or None while any standard has no rating."""
        return None if self.missing else sum(self.points.values())

    @property
    def rating(self) -> Rating | None:
        score = self.score
        return None if score is None else self.rules.overall_rating(score)

    @property
    def statement(self) -> str:
        if self.missing:
            return (
                f"No overall rating yet: {len(self.missing)} standard(s) have no rating "
                f"({', '.join(self.missing)}); the {len(self.points)} rated standard(s) score "
                f"{sum(self.points.values())}."
            )
        assert self.rating is not None
        return f"Score {self.score}/{self.maximum}: {self.rating.value}."


@dataclass(frozen=True)
class ProfileRow:
    characteristic: ProfileCharacteristic
    count: int
    cases: int  # cases with the attribute recorded
    not_recorded: int

    @property
    def percentage(self) -> int | None:
        return percentage(self.count, self.cases)


@dataclass(frozen=True)
class SampleCount:
    sample: str
    title: str
    cases: int
    scored: int


@dataclass(frozen=True)
class BreakdownRow:
    value: str
    yes: int
    no: int
    not_applicable: int
    attribute_value: AttributeValue = None

    @property
    def applicable(self) -> int:
        return self.yes + self.no

    @property
    def percentage(self) -> int | None:
        return percentage(self.yes, self.applicable)


@dataclass(frozen=True)
class Breakdown:
    """One figure split by a case attribute; its rows add up to the figure."""

    figure: Figure
    attribute: str
    attribute_label: str
    rows: tuple[BreakdownRow, ...]


@dataclass(frozen=True)
class Scores:
    inspection: Inspection | None
    framework_title: str
    domains: Mapping[str, str]  # domain id → title
    only_complete: bool
    produced_at: str
    samples: tuple[SampleCount, ...]
    standards: tuple[StandardScore, ...]
    key_questions: Mapping[str, Figure]
    prompts: Mapping[str, Figure]
    comparisons: Mapping[str, Comparison]
    profile: tuple[ProfileRow, ...]
    overall: Overall
    breakdowns: tuple[Breakdown, ...] = field(default=())
    open_conflicts: int = 0  # answers two inspectors gave differently, not yet resolved

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a reader must know before trusting the figures."""
        out = []
        if self.only_complete and self.left_out:
            left = sum(s.cases - s.scored for s in self.left_out)
            where = "; ".join(f"{s.title} {s.cases - s.scored}" for s in self.left_out)
            out.append(
                f"{left} case(s) not yet marked complete are left out of the figures ({where})."
            )
        if self.open_conflicts:
            out.append(
                f"{self.open_conflicts} answer(s) are in conflict between inspectors and not yet "
                "resolved: the figures use the central copy; resolve the conflicts before "
                "publishing."
            )
        return tuple(out)

    @property
    def left_out(self) -> tuple[SampleCount, ...]:
        """The samples with cases not scored (not complete, when only complete cases are)."""
        return tuple(s for s in self.samples if s.cases > s.scored)

    @property
    def scope_statement(self) -> str:
        """Which cases were scored and which were left out, and why, in words."""
        total = sum(s.cases for s in self.samples)
        scored = sum(s.scored for s in self.samples)
        if not self.only_complete:
            unanswered = sum(f.unanswered for f in self.key_questions.values())
            return (
                f"Scored every case ({scored}), complete or not; judgements not yet made are "
                f"left out of each figure ({unanswered} key-question judgement(s) unanswered)."
            )
        if scored == total:
            return f"Scored all {total} cases: every case is complete."
        samples = "; ".join(f"{s.title} {s.cases - s.scored}" for s in self.left_out)
        return (
            f"Scored the {scored} complete cases of {total}. Left out {total - scored} "
            f"incomplete case(s), not yet marked complete ({samples}). "
            "Use --include-incomplete to score every case."
        )

    def standard(self, standard_id: str) -> StandardScore:
        for standard in self.standards:
            if standard.id == standard_id:
                return standard
        raise KeyError(standard_id)

    def figure(self, item_id: str) -> Figure:
        found = self.key_questions.get(item_id) or self.prompts.get(item_id)
        if found is None:
            raise KeyError(item_id)
        return found


def score(
    service: Service,
    *,
    only_complete: bool = True,
    breakdowns: Mapping[str, Sequence[str]] | None = BREAKDOWN_ATTRIBUTES,
) -> Scores:
    """Score the inspection held in the workspace.

    ``only_complete``: score complete cases only (the default; the data team scores
    completed cases). ``breakdowns``: sample → the attributes its key questions are broken
    down by (None for none).
    """
    framework = service.framework
    rules = ScoringRules.of(framework.scoring)
    counts = tally(
        service,
        only_complete=only_complete,
        breakdowns=breakdowns or {},
        values=_profile_attributes(),
    )
    figures = {
        item_id: Figure.counted(item_id, count, framework)
        for item_id, count in counts.items.items()
    }
    decisions = panel_decisions(service)
    domain1 = domain1_ratings(service)
    previous = previous_figures(service)
    key_questions: dict[str, Figure] = {}
    prompts: dict[str, Figure] = {}
    standards = []
    for domain in framework.domains:
        for standard in domain.standards:
            before = previous.get(standard.id)
            if domain.assessed == "inspection":
                standards.append(
                    StandardScore(
                        standard.id,
                        standard.title,
                        domain.id,
                        "inspection",
                        domain1=domain1.get(standard.id),
                        previous=before.rating if before else None,
                        rules=rules,
                    )
                )
                continue
            kqs = tuple(figures[kq.id] for kq in standard.key_questions)
            for kq in standard.key_questions:
                key_questions[kq.id] = figures[kq.id]
                for prompt in kq.prompts:
                    prompts[prompt.id] = figures[prompt.id]
            standards.append(
                StandardScore(
                    standard.id,
                    standard.title,
                    domain.id,
                    "case",
                    key_questions=kqs,
                    provisional=rules.rating_of_lowest([f.percentage for f in kqs]),
                    flags=tuple(
                        panel_flags(
                            [KeyQuestionCount(f.item_id, f.yes, f.applicable) for f in kqs], rules
                        )
                    ),
                    decision=decisions.get(standard.id),
                    previous=before.rating if before else None,
                    rules=rules,
                    only_complete=only_complete,
                )
            )
    comparisons = {
        item_id: compare(previous.get(item_id), figure, item_id, level=rules.significance_level)
        for item_id, figure in (*key_questions.items(), *prompts.items())
    }
    points = {s.id: s.points for s in standards if s.points is not None}
    overall = Overall(points, tuple(s.id for s in standards if s.final is None), rules)
    inspection = service.inspection()
    return Scores(
        inspection=inspection,
        framework_title=framework.title,
        domains={d.id: d.title for d in framework.domains},
        only_complete=only_complete,
        produced_at=service.workspace.now(),
        samples=tuple(
            SampleCount(s.id, s.title, counts.cases.get(s.id, 0), counts.scored.get(s.id, 0))
            for s in framework.samples
        ),
        standards=tuple(standards),
        key_questions=key_questions,
        prompts=prompts,
        comparisons=comparisons,
        profile=profile(counts),
        overall=overall,
        breakdowns=_breakdowns(counts, key_questions, breakdowns or {}),
        open_conflicts=_open_conflicts(service),
    )


def _open_conflicts(service: Service) -> int:
    """Unresolved conflicts, where the workspace keeps them (central workspaces do)."""
    if "conflicts" not in service.db.table_names():
        return 0
    row = service.db.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()
    return int(row[0])


def _has_attribute(framework: Framework, sample: str, attribute: str) -> bool:
    try:
        framework.sample(sample).attribute(attribute)
    except KeyError:
        return False
    return True


def _profile_attributes() -> dict[str, list[str]]:
    """Sample → the attributes the profile table counts."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for characteristic in PROFILE:
        wanted[characteristic.sample].append(characteristic.attribute)
    return wanted


def profile(counts: Tally) -> tuple[ProfileRow, ...]:
    """Section 1.3's table: each characteristic's share of the scored cases that record it."""
    rows = []
    for characteristic in PROFILE:
        if not _has_attribute(counts.framework, characteristic.sample, characteristic.attribute):
            continue
        values = counts.values.get((characteristic.sample, characteristic.attribute), {})
        not_recorded = values.get(None, 0)
        rows.append(
            ProfileRow(
                characteristic,
                values.get(characteristic.value, 0),
                sum(values.values()) - not_recorded,
                not_recorded,
            )
        )
    return tuple(rows)


def _label(value: AttributeValue) -> str:
    if value is None:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _value_order(framework: Framework, sample: str, attribute: str) -> list[AttributeValue]:
    spec = framework.sample(sample).attribute(attribute)
    if spec.type == "choice":
        return list(spec.choices)
    if spec.type == "bool":
        return [True, False]
    return []


def partition(data: ScoringData, sample: str, attribute: str) -> dict[AttributeValue, set[str]]:
    """The scored cases of a sample grouped by the value of one attribute."""
    parts: dict[AttributeValue, set[str]] = defaultdict(set)
    for case in data.scored_cases(sample):
        parts[case.attributes.get(attribute)].add(case.id)
    return parts


def breakdown_of(
    data: ScoringData,
    item_id: str,
    attribute: str,
    parts: Mapping[AttributeValue, set[str]] | None = None,
) -> Breakdown:
    """A figure split by the value of one case attribute (cases without it: 'not recorded').

    ``parts`` is ``partition(data, sample, attribute)`` when the caller already has it.
    """
    answers = data.answers[item_id]
    figure = Figure.of(answers, data.framework)
    try:
        spec = data.framework.sample(figure.sample).attribute(attribute)
    except KeyError:
        known = ", ".join(a.id for a in data.framework.sample(figure.sample).attributes)
        raise InvalidChange(
            f"{figure.sample} cases have no attribute {attribute!r}; they have: {known}",
            place=f"breakdown of {item_id}",
        ) from None
    if parts is None:
        parts = partition(data, figure.sample, attribute)
    counted = {value: answers.counted & cases for value, cases in parts.items()}
    counts = {
        value: Count(
            len(cases), len(answers.yes & cases), len(answers.no & cases), len(answers.na & cases)
        )
        for value, cases in counted.items()
    }
    return _breakdown(data.framework, figure, attribute, spec.label, counts)


def _breakdown(
    framework: Framework,
    figure: Figure,
    attribute: str,
    label: str,
    counts: Mapping[AttributeValue, Count],
) -> Breakdown:
    """A breakdown's rows, one per value with counted cases, in the attribute's order (its
    choices, yes before no), other values after, "not recorded" last."""
    counted = {value: count for value, count in counts.items() if count.counted}
    order = _value_order(framework, figure.sample, attribute)
    present = [v for v in order if v in counted]
    present += sorted((v for v in counted if v not in order and v is not None), key=str)
    if None in counted:
        present.append(None)
    rows = tuple(
        BreakdownRow(_label(value), counted[value].yes, counted[value].no, counted[value].na, value)
        for value in present
    )
    return Breakdown(figure, attribute, label, rows)


def _breakdowns(
    counts: Tally, key_questions: Mapping[str, Figure], wanted: Mapping[str, Sequence[str]]
) -> tuple[Breakdown, ...]:
    framework = counts.framework
    out: list[Breakdown] = []
    for sample in framework.samples:
        for attribute in wanted.get(sample.id, ()):
            if not _has_attribute(framework, sample.id, attribute):
                continue
            label = sample.attribute(attribute).label
            out.extend(
                _breakdown(
                    framework,
                    figure,
                    attribute,
                    label,
                    counts.breakdowns.get((kq_id, attribute), {}),
                )
                for kq_id, figure in key_questions.items()
                if figure.sample == sample.id
            )
    return tuple(sorted(out, key=lambda b: (b.attribute, b.figure.item_id)))


def breakdown(
    service: Service, item_id: str, attribute: str, *, only_complete: bool = True
) -> Breakdown:
    """Any key question's or prompt's figure broken down by a case attribute."""
    data = load(service, only_complete=only_complete, items=[item_id])
    if item_id not in data.answers:
        raise InvalidChange(f"there is no key question or prompt {item_id!r} judged case by case")
    return breakdown_of(data, item_id, attribute)


@dataclass(frozen=True)
class CaseBehind:
    """A case behind a figure, and what it gave."""

    case_id: str
    reference: str
    sample: str
    status: str
    inspector: str | None
    answer: str  # "yes", "no", "not applicable" or "unanswered"
    attributes: Mapping[str, AttributeValue]


def cases_behind(
    service: Service,
    item_id: str,
    *,
    only_complete: bool = True,
    attribute: str | None = None,
    value: AttributeValue | str = None,
    answers: Iterable[str] | None = None,
) -> list[CaseBehind]:
    """The cases counted for a figure (optionally one breakdown row, or some answers only),
    in reference order.

    ``value`` is an attribute value or its label as breakdowns show it ('yes', 'not recorded').
    """
    data = load(service, only_complete=only_complete, items=[item_id])
    if item_id not in data.answers:
        raise InvalidChange(f"there is no key question or prompt {item_id!r} judged case by case")
    item = data.answers[item_id]
    given = {**{c: "yes" for c in item.yes}, **{c: "no" for c in item.no}}
    given.update({c: "not applicable" for c in item.na})
    wanted = set(answers) if answers is not None else None
    out = []
    for case_id in item.counted:
        case: CaseRow = data.cases[case_id]
        if attribute is not None:
            have = case.attributes.get(attribute)
            if have != value and _label(have) != value:
                continue
        answer = given.get(case_id, "unanswered")
        if wanted is not None and answer not in wanted:
            continue
        out.append(
            CaseBehind(
                case.id,
                case.reference,
                case.sample,
                case.status,
                case.inspector,
                answer,
                case.attributes,
            )
        )
    return sorted(out, key=lambda c: c.reference)
