"""The working of a draw, as data: what the sampling report shows on screen and on paper.

A summary is computed from the stored population and the draw's record (never from
copies of the figures), so it always agrees with what is stored: population and
sample counts per stratum, the achieved shares of each stratifying attribute against
the population's, the margin of error the sample actually achieves overall and for
the sub-samples the report breaks figures down by, the filters with what each
removed, the replacements made from the reserve, and the seed with the command that
re-draws the same sample.
"""

from __future__ import annotations

import math
import shlex
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from fieldwork.errors import InvalidChange
from fieldwork.framework import AttributeValue, Sample
from fieldwork.sampling.draw import (
    NOT_RECORDED,
    DrawPlan,
    Eligibility,
    FilterStep,
    StoredDraw,
    Stratum,
    members,
    plan_draw,
    stored_draw,
    stratum_order,
)
from fieldwork.sampling.plans import SamplingPlan, plan_from_dict
from fieldwork.sampling.population import PopulationCase, population_info
from fieldwork.sampling.size import SampleSize, margin_achieved, sample_size
from fieldwork.service import Service

RESERVE_SHOWN = 5


@dataclass(frozen=True)
class StratumRow:
    labels: tuple[str, ...]
    population: int
    population_share: float  # per cent of the eligible population
    exact: float  # the stratum's exact proportional share of the sample
    sample: int
    sample_share: float  # per cent of the sample
    reserve: int  # reserve cases left
    withdrawn: int
    references: tuple[str, ...] = ()  # the cases in the sample
    next_reserve: tuple[str, ...] = ()  # the next reserve cases, in draw order


@dataclass(frozen=True)
class ShareRow:
    """One value of one stratifying attribute: its share of the population and the sample."""

    attribute: str
    value: str
    population: int
    population_share: float
    sample: int
    sample_share: float

    @property
    def difference(self) -> float:
        return self.sample_share - self.population_share


@dataclass(frozen=True)
class SubSampleRow:
    label: str
    population: int
    sample: int
    margin: float  # points; inf when the sub-sample is empty


@dataclass(frozen=True)
class ReplacementRow:
    withdrawn: str
    replaced_by: str
    reason: str
    stratum: tuple[str, ...]


@dataclass(frozen=True)
class SamplingSummary:
    sample_id: str
    title: str
    drawn: bool  # False for a preview of a draw not yet made
    seed: int
    source: str  # the population file
    imported_at: str
    drawn_at: str
    drawn_by: str
    population: int
    filters: tuple[FilterStep, ...]
    eligible: int
    size: SampleSize
    size_rule: str
    estimated: bool  # the plan's size is an estimate (victim work), not a margin of error
    strata_attributes: tuple[str, ...]
    strata: tuple[StratumRow, ...]
    shares: tuple[ShareRow, ...]
    achieved_margin: float
    sub_samples: tuple[SubSampleRow, ...]
    replacements: tuple[ReplacementRow, ...]
    redraw: str  # the command that re-draws this sample
    eligibility: Eligibility = Eligibility()
    verified: bool | None = None  # re-drawn from the population with the seed: identical?

    @property
    def n(self) -> int:
        return sum(s.sample for s in self.strata)

    @property
    def largest_difference(self) -> float:
        """The largest gap, in points, between a value's share of the sample and the population."""
        return max((abs(s.difference) for s in self.shares), default=0.0)


def show(value: AttributeValue) -> str:
    if value is None:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _label(sample: Sample, plan: SamplingPlan, field_id: str) -> str:
    try:
        return sample.attribute(field_id).label
    except KeyError:
        extra = plan.extra_field(field_id)
        return extra.label if extra else field_id


def _value_order(sample: Sample, field_id: str, value: AttributeValue) -> tuple[int, str]:
    try:
        attribute = sample.attribute(field_id)
    except KeyError:
        return (0, show(value))
    choices: tuple[AttributeValue, ...] = (
        attribute.choices if attribute.type == "choice" else (True, False)
    )
    return (choices.index(value) if value in choices else len(choices), show(value))


def _per_cent(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


def _build(
    *,
    sample: Sample,
    plan: SamplingPlan,
    size: SampleSize,
    rows: Sequence[tuple[PopulationCase, Stratum, str, int, str]],
    filters: tuple[FilterStep, ...],
    population_size: int,
    seed: int,
    drawn: bool,
    drawn_at: str,
    drawn_by: str,
    source: str,
    imported_at: str,
    size_rule: str,
    eligibility: Eligibility,
    replacements: tuple[ReplacementRow, ...],
    workspace: str,
    verified: bool | None,
) -> SamplingSummary:
    eligible = len(rows)
    in_sample = [(case, key) for case, key, role, _, _ in rows if role == "sample"]
    n = len(in_sample)
    by_stratum: dict[Stratum, list[tuple[PopulationCase, str]]] = defaultdict(list)
    for case, key, role, _, _ in rows:  # already in stratum, rank order
        by_stratum[key].append((case, role))
    strata = []
    for key in sorted(by_stratum, key=stratum_order(sample, plan.strata)):
        cases = by_stratum[key]
        roles = Counter(role for _, role in cases)
        strata.append(
            StratumRow(
                tuple(show(v) for v in key),
                len(cases),
                _per_cent(len(cases), eligible),
                size.n * len(cases) / eligible if eligible else 0.0,
                roles["sample"],
                _per_cent(roles["sample"], n),
                roles["reserve"],
                roles["withdrawn"],
                tuple(sorted(c.reference for c, role in cases if role == "sample")),
                tuple(c.reference for c, role in cases if role == "reserve")[:RESERVE_SHOWN],
            )
        )
    shares = []
    for index, field_id in enumerate(plan.strata):
        pop = Counter(key[index] for _, key, _, _, _ in rows)
        got = Counter(key[index] for _, key in in_sample)
        for value in sorted(pop, key=lambda v: _value_order(sample, field_id, v)):
            shares.append(
                ShareRow(
                    _label(sample, plan, field_id),
                    show(value),
                    pop[value],
                    _per_cent(pop[value], eligible),
                    got[value],
                    _per_cent(got[value], n),
                )
            )
    subs = []
    for sub in plan.sub_samples:
        sub_population = sum(1 for case, *_ in rows if sub.holds(case.attributes))
        sub_sample = sum(1 for case, _ in in_sample if sub.holds(case.attributes))
        subs.append(
            SubSampleRow(
                sub.label,
                sub_population,
                sub_sample,
                margin_achieved(sub_sample, sub_population, size.confidence),
            )
        )
    command = ["fieldwork", "sample", "draw", workspace, "--sample", sample.id, "--seed", str(seed)]
    if eligibility.date_from:
        command += ["--eligible-from", eligibility.date_from.isoformat()]
    if eligibility.date_to:
        command += ["--eligible-to", eligibility.date_to.isoformat()]
    if eligibility.exclude:
        command += ["--exclude", "EXCLUSIONS.txt"]
    if size_rule == "given":
        command += ["--size", str(size.n)]
    else:
        command += ["--confidence", f"{size.confidence:g}", "--margin", f"{size.margin:g}"]
    return SamplingSummary(
        sample_id=sample.id,
        title=sample.title,
        drawn=drawn,
        seed=seed,
        source=source,
        imported_at=imported_at,
        drawn_at=drawn_at,
        drawn_by=drawn_by,
        population=population_size,
        filters=filters,
        eligible=eligible,
        size=size,
        size_rule=size_rule,
        estimated=plan.size == "estimated",
        strata_attributes=tuple(_label(sample, plan, a) for a in plan.strata),
        strata=tuple(strata),
        shares=tuple(shares),
        achieved_margin=margin_achieved(n, eligible, size.confidence),
        sub_samples=tuple(subs),
        replacements=replacements,
        redraw=shlex.join(command),
        eligibility=eligibility,
        verified=verified,
    )


def preview(service: Service, draw: DrawPlan) -> SamplingSummary:
    """The summary of a draw worked out but not stored (what the Draw button would do)."""
    rows = [
        (case, s.key, "sample" if i < len(s.sample) else "reserve", i + 1, "")
        for s in draw.strata
        for i, case in enumerate((*s.sample, *s.reserve))
    ]
    info = population_info(service, draw.sample.id)
    return _build(
        sample=draw.sample,
        plan=draw.plan,
        size=draw.size,
        rows=rows,
        filters=draw.filters,
        population_size=draw.population_size,
        seed=draw.seed,
        drawn=False,
        drawn_at="",
        drawn_by="",
        source=info.file if info else "",
        imported_at=info.imported_at if info else "",
        size_rule=draw.size_rule,
        eligibility=draw.eligibility,
        replacements=(),
        workspace=service.workspace.path.name,
        verified=None,
    )


def sampling_summary(service: Service, sample_id: str, *, verify: bool = True) -> SamplingSummary:
    """The summary of a stored draw, recomputed from the population and the draw's record.

    With ``verify``, the sample is also re-drawn from the stored population with the
    recorded seed, window and strata, and ``verified`` says whether it came out the same.
    """
    draw = stored_draw(service, sample_id)
    if draw is None:
        raise InvalidChange(
            f"the {sample_id} sample has not been drawn yet", file=str(service.workspace.path)
        )
    sample = service.framework.sample(sample_id)
    plan = plan_from_dict(sample, draw.plan)
    rows = members(service, sample_id)
    eligibility = Eligibility(
        _date(draw.filters["eligibility"]["date_from"]),
        _date(draw.filters["eligibility"]["date_to"]),
        tuple(draw.filters["eligibility"]["exclude"]),
    )
    filters = tuple(
        FilterStep(s["name"], s["description"], s["removed"], s["remaining"], tuple(s["not_found"]))
        for s in draw.filters["steps"]
    )
    worked = sample_size(draw.eligible_size, draw.confidence, draw.margin)
    size = SampleSize(
        draw.eligible_size, draw.confidence, draw.margin, worked.z, worked.n0, draw.size
    )
    replacements = tuple(
        ReplacementRow(case.reference, replaced_by or "", reason, tuple(show(v) for v in key))
        for case, key, role, _, reason, replaced_by in _withdrawn(service, sample_id, rows)
    )
    info = population_info(service, sample_id)
    verified = (
        _verify(service, draw.seed, sample_id, eligibility, draw, plan, rows) if verify else None
    )
    return _build(
        sample=sample,
        plan=plan,
        size=size,
        rows=rows,
        filters=filters,
        population_size=draw.population_size,
        seed=draw.seed,
        drawn=True,
        drawn_at=draw.drawn_at,
        drawn_by=draw.drawn_by,
        source=info.file if info else "",
        imported_at=info.imported_at if info else "",
        size_rule=draw.size_rule,
        eligibility=eligibility,
        replacements=replacements,
        workspace=service.workspace.path.name,
        verified=verified,
    )


def _withdrawn(
    service: Service, sample_id: str, rows: Sequence[tuple[PopulationCase, Stratum, str, int, str]]
) -> list[tuple[PopulationCase, Stratum, str, int, str, str | None]]:
    replaced_by = dict(
        service.db.execute(
            "SELECT m.reference, m.replaced_by FROM sample_members m "
            "JOIN sample_draws d ON d.id = m.draw_id WHERE d.sample = ? AND m.role = 'withdrawn'",
            [sample_id],
        ).fetchall()
    )
    return [(*r, replaced_by.get(r[0].reference)) for r in rows if r[2] == "withdrawn"]


def _verify(
    service: Service,
    seed: int,
    sample_id: str,
    eligibility: Eligibility,
    draw: StoredDraw,
    plan: SamplingPlan,
    rows: Sequence[tuple[PopulationCase, Stratum, str, int, str]],
) -> bool:
    """Re-draw from the stored population with the recorded settings; same order, same cut?"""
    again = plan_draw(
        service,
        sample_id,
        seed,
        eligibility=eligibility,
        confidence=draw.confidence,
        margin=draw.margin,
        size=draw.size if draw.size_rule == "given" else None,
        strata=plan.strata,
    )
    stored: dict[Stratum, list[str]] = defaultdict(list)
    kept: Counter[Stratum] = Counter()
    for case, key, role, _, _ in rows:
        stored[key].append(case.reference)
        kept[key] += role == "sample"
    return all(
        [c.reference for c in (*s.sample, *s.reserve)] == stored.get(s.key)
        and len(s.sample) == kept[s.key]
        for s in again.strata
    ) and len(again.strata) == len(stored)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def points(value: float) -> str:
    """A margin of error as the reports print it: "±5.0" points, or "—" for no cases."""
    return "—" if math.isinf(value) else f"±{value:.1f}"
