"""Drawing a stratified random sample from the eligible population, and its reserve list.

1. The eligibility window keeps the cases whose date (sentence or release date, the
   report's completion date) falls in a range, and the exclusion list removes named
   cases; each filter reports how many cases it removed.
2. The sample size comes from the confidence level and margin of error (``size``), or
   is given by hand.
3. The eligible cases are split into strata (gender × disposal × RoSH for case
   supervision; the plan says which) and the size is shared between the strata in
   proportion to their populations by largest remainders: each stratum gets its exact
   share rounded down or up, never a whole case away from it. The cases left after
   rounding down go first to strata that would otherwise get none, so every stratum
   is represented wherever that is possible without breaking proportion.
4. Within a stratum, cases are taken in the order of their *draw number*: the first
   16 hex digits of SHA-256("SEED:REFERENCE"). Anyone with the population, the seed and
   the strata can re-draw the same sample, with any tool and any version of Python;
   another seed gives another sample. The cases not taken, in the same order, are the
   stratum's reserve list.

Drawn cases become cases of the workspace. A case that turns out not to be
inspectable is replaced by the next reserve case of its stratum, so the ratios stay
as drawn; what the withdrawn case held is archived, never lost.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, TypeVar

from fieldwork.errors import InvalidChange
from fieldwork.framework import AttributeValue, Sample
from fieldwork.sampling.plans import SamplingPlan, plan_for
from fieldwork.sampling.population import PopulationCase, population, population_info
from fieldwork.sampling.size import (
    DEFAULT_CONFIDENCE,
    DEFAULT_MARGIN,
    SampleSize,
    sample_size,
)
from fieldwork.service import CaseSummary, Service
from fieldwork.store import INTEGRITY_ERRORS, new_id

K = TypeVar("K", bound=Hashable)
Stratum = tuple[AttributeValue, ...]
NOT_RECORDED = "(not recorded)"


# -- eligibility ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Eligibility:
    """Which cases of the population may be drawn."""

    date_from: date | None = None  # inclusive
    date_to: date | None = None  # inclusive
    exclude: tuple[str, ...] = ()  # references to leave out (already inspected, in custody...)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "exclude": list(self.exclude),
        }


@dataclass(frozen=True)
class FilterStep:
    """One filter applied to the population and how many cases it removed."""

    name: str
    description: str
    removed: int
    remaining: int
    not_found: tuple[str, ...] = ()  # listed exclusions that are not in the population


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), kept within the month's length."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def supervision_window(start: date, months_from: int = 6, months_to: int = 7) -> tuple[date, date]:
    """Sentence or release dates of cases under supervision for ``months_from``–``months_to``
    months on ``start`` (the first day of fieldwork): from ``start`` − ``months_to`` months to
    ``start`` − ``months_from`` months, both inclusive."""
    if months_from > months_to:
        raise InvalidChange(f"the window {months_from} to {months_to} months is back to front")
    return add_months(start, -months_to), add_months(start, -months_from)


def apply_eligibility(
    cases: Sequence[PopulationCase], plan: SamplingPlan, eligibility: Eligibility, label: str
) -> tuple[list[PopulationCase], list[FilterStep]]:
    """The eligible cases, and what each filter removed."""
    steps: list[FilterStep] = []
    kept = list(cases)
    if eligibility.date_from or eligibility.date_to:
        if plan.date is None:
            raise InvalidChange(
                f"the {label} sample has no date to filter on; draw it without a date window"
            )
        low = eligibility.date_from.isoformat() if eligibility.date_from else "0000-00-00"
        high = eligibility.date_to.isoformat() if eligibility.date_to else "9999-99-99"
        if low > high:
            raise InvalidChange(f"the eligibility window {low} to {high} is back to front")
        before = len(kept)
        kept = [c for c in kept if (d := c.value(plan.date)) is not None and low <= str(d) <= high]
        steps.append(
            FilterStep(
                "date",
                f"{_date_label(plan, label)} from {eligibility.date_from or 'any date'} "
                f"to {eligibility.date_to or 'any date'}",
                before - len(kept),
                len(kept),
            )
        )
    if eligibility.exclude:
        wanted = {r.strip().casefold() for r in eligibility.exclude if r.strip()}
        known = {c.reference.casefold() for c in cases}
        before = len(kept)
        kept = [c for c in kept if c.reference.casefold() not in wanted]
        not_found = tuple(
            sorted(r for r in eligibility.exclude if r.strip().casefold() not in known)
        )
        steps.append(
            FilterStep(
                "exclusions",
                f"Exclusion list ({len(wanted)} reference{'s' if len(wanted) != 1 else ''})",
                before - len(kept),
                len(kept),
                not_found,
            )
        )
    return kept, steps


def _date_label(plan: SamplingPlan, label: str) -> str:
    extra = plan.extra_field(plan.date or "")
    return (
        extra.label
        if extra
        else "Sentence or release date"
        if plan.date == "sentence_date"
        else str(plan.date)
    )


def read_exclusions(text: str) -> tuple[str, ...]:
    """References from an exclusion list: one per line, or the first cell of each CSV row."""
    found = []
    for line in text.splitlines():
        cell = line.split(",")[0].split(";")[0].split("\t")[0].strip().strip('"').strip()
        if cell and not cell.startswith("#"):
            found.append(cell)
    return tuple(dict.fromkeys(found))


# -- proportional allocation and the draw -------------------------------------------------
def allocate(sizes: Mapping[K, int], n: int) -> dict[K, int]:
    """Share ``n`` between strata in proportion to their sizes, by largest remainders.

    Each stratum gets its exact share rounded down or up, so no count is a whole case
    or more from proportional. The cases left after rounding down go first to strata
    that would otherwise get none (so every stratum is represented where the size
    allows), then by largest remainder; ties go to the larger stratum, then to the
    earlier one in ``sizes``' order.
    """
    total = sum(sizes.values())
    if n < 0 or n > total:
        raise InvalidChange(f"cannot draw {n} cases from a population of {total}")
    counts = {k: 0 for k in sizes}
    if total == 0:
        return counts
    order = {k: i for i, k in enumerate(sizes)}
    exact = {k: Fraction(n * size, total) for k, size in sizes.items()}
    for k in sizes:
        counts[k] = math.floor(exact[k])
    left = n - sum(counts.values())
    candidates = [k for k in sizes if exact[k] > counts[k]]
    candidates.sort(key=lambda k: (counts[k] > 0, -(exact[k] - counts[k]), -sizes[k], order[k]))
    for k in candidates[:left]:
        counts[k] += 1
    return counts


def draw_number(seed: int, reference: str) -> str:
    """A case's place in the draw: 16 hex digits of SHA-256("SEED:REFERENCE"); lowest first."""
    return hashlib.sha256(f"{seed}:{reference}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class StratumDraw:
    """One stratum of a draw: its population, its exact share and the cases taken."""

    key: Stratum
    population: int
    exact: float  # the stratum's exact proportional share of the sample
    sample: tuple[PopulationCase, ...]
    reserve: tuple[PopulationCase, ...]  # in draw order: the next to take first


@dataclass(frozen=True)
class DrawPlan:
    """A draw worked out but not stored: what ``draw_sample`` would store."""

    sample: Sample
    plan: SamplingPlan
    seed: int
    size: SampleSize
    size_rule: str  # "formula" or "given"
    population_size: int
    filters: tuple[FilterStep, ...]
    eligibility: Eligibility
    strata: tuple[StratumDraw, ...]

    @property
    def eligible_size(self) -> int:
        return sum(s.population for s in self.strata)

    @property
    def n(self) -> int:
        return sum(len(s.sample) for s in self.strata)

    def references(self) -> list[str]:
        return sorted(c.reference for s in self.strata for c in s.sample)


def stratum_of(case: PopulationCase, strata: Sequence[str]) -> Stratum:
    return tuple(case.value(a) for a in strata)


def stratum_order(sample: Sample, strata: Sequence[str]) -> Any:
    """A sort key putting strata in the framework's order of each attribute's choices."""

    def rank(key: Stratum) -> tuple[tuple[int, str], ...]:
        out = []
        for attribute_id, value in zip(strata, key, strict=True):
            choices: tuple[Any, ...] = ()
            try:
                attribute = sample.attribute(attribute_id)
                choices = attribute.choices if attribute.type == "choice" else (True, False)
            except KeyError:
                pass
            out.append((choices.index(value) if value in choices else len(choices), str(value)))
        return tuple(out)

    return rank


def stratify(
    cases: Sequence[PopulationCase],
    strata: Sequence[str],
    n: int,
    seed: int,
    order: Callable[[Stratum], Any] | None = None,
) -> tuple[StratumDraw, ...]:
    """Split cases into strata, share ``n`` between them and take each stratum's first cases
    in draw-number order; the rest of each stratum, in the same order, is its reserve."""
    groups: dict[Stratum, list[PopulationCase]] = defaultdict(list)
    for case in cases:
        groups[stratum_of(case, strata)].append(case)
    keys = sorted(groups, key=order or (lambda key: [str(v) for v in key]))
    counts = allocate({k: len(groups[k]) for k in keys}, n)
    drawn = []
    for key in keys:
        ordered = sorted(groups[key], key=lambda c: (draw_number(seed, c.reference), c.reference))
        take = counts[key]
        drawn.append(
            StratumDraw(
                key,
                len(ordered),
                n * len(ordered) / len(cases),
                tuple(ordered[:take]),
                tuple(ordered[take:]),
            )
        )
    return tuple(drawn)


def plan_draw(
    service: Service,
    sample_id: str,
    seed: int,
    *,
    eligibility: Eligibility = Eligibility(),
    confidence: float = DEFAULT_CONFIDENCE,
    margin: float = DEFAULT_MARGIN,
    size: int | None = None,
    strata: Sequence[str] | None = None,
) -> DrawPlan:
    """Work out a draw from the stored population without storing anything."""
    sample = service.sample(sample_id)
    plan = plan_for(service.framework, sample.id)
    if strata is not None:
        known = {a.id for a in sample.attributes} | {f.id for f in plan.extra_fields}
        unknown = [s for s in strata if s not in known]
        if unknown:
            raise InvalidChange(
                f"cannot stratify by {', '.join(unknown)}: the {sample.title} sample has "
                f"{', '.join(sorted(known))}"
            )
        plan = plan.with_strata(tuple(strata))
    if seed < 0:
        raise InvalidChange(f"the seed must be a whole number of zero or more, not {seed}")
    cases = population(service, sample.id)
    if not cases:
        raise InvalidChange(
            f"no population has been imported for the {sample.title} sample; import the "
            "provider's list first",
            file=str(service.workspace.path),
        )
    eligible, steps = apply_eligibility(cases, plan, eligibility, sample.title)
    if not eligible:
        raise InvalidChange(
            f"no case of the {sample.title} population is eligible "
            f"({'; '.join(f'{s.description} removed {s.removed}' for s in steps)})"
        )
    worked = sample_size(len(eligible), confidence, margin)
    if size is not None:
        if not 0 < size <= len(eligible):
            raise InvalidChange(
                f"a sample of {size} cannot be drawn from {len(eligible)} eligible cases"
            )
        worked = SampleSize(len(eligible), confidence, margin, worked.z, worked.n0, size)
    drawn = stratify(eligible, plan.strata, worked.n, seed, stratum_order(sample, plan.strata))
    return DrawPlan(
        sample,
        plan,
        seed,
        worked,
        "given" if size is not None else "formula",
        len(cases),
        tuple(steps),
        eligibility,
        drawn,
    )


@dataclass(frozen=True)
class Draw:
    """A stored draw."""

    id: str
    plan: DrawPlan
    case_ids: tuple[str, ...]


def draw_sample(
    service: Service,
    sample_id: str,
    seed: int,
    *,
    eligibility: Eligibility = Eligibility(),
    confidence: float = DEFAULT_CONFIDENCE,
    margin: float = DEFAULT_MARGIN,
    size: int | None = None,
    strata: Sequence[str] | None = None,
) -> Draw:
    """Draw the sample and store it, its reserve list and its cases, in one transaction."""
    existing = stored_draw(service, sample_id)
    if existing is not None:
        raise InvalidChange(
            f"the {sample_id} sample was already drawn (seed {existing.seed}, "
            f"{existing.drawn_at[:10]}); a sample is drawn once per inspection",
            file=str(service.workspace.path),
        )
    worked = plan_draw(
        service,
        sample_id,
        seed,
        eligibility=eligibility,
        confidence=confidence,
        margin=margin,
        size=size,
        strata=strata,
    )
    info = population_info(service, worked.sample.id)
    import_id = service.db.execute(
        "SELECT id FROM population_imports WHERE sample = ?", [worked.sample.id]
    ).fetchone()[0]
    draw_id = new_id()
    now = service.workspace.now()
    filters = {
        "eligibility": worked.eligibility.as_dict(),
        "steps": [
            {
                "name": s.name,
                "description": s.description,
                "removed": s.removed,
                "remaining": s.remaining,
                "not_found": list(s.not_found),
            }
            for s in worked.filters
        ],
    }
    taken = [c for s in worked.strata for c in s.sample]
    with service.workspace.write() as db:
        db.table("sample_draws").insert(
            {
                "id": draw_id,
                "sample": worked.sample.id,
                "import_id": import_id,
                "seed": seed,
                "confidence": confidence,
                "margin": margin,
                "size": worked.n,
                "size_rule": worked.size_rule,
                "population_size": worked.population_size,
                "eligible_size": worked.eligible_size,
                "filters": json.dumps(filters, ensure_ascii=False),
                "plan": json.dumps(worked.plan.as_dict(), ensure_ascii=False),
                "drawn_at": now,
                "drawn_by": service.user,
            }
        )
        case_ids = service.add_cases(
            (worked.sample.id, c.reference, dict(c.attributes), None) for c in taken
        )
        case_of = {c.id: case_id for c, case_id in zip(taken, case_ids, strict=True)}
        db.table("sample_members").insert_all(
            (
                {
                    "draw_id": draw_id,
                    "population_id": c.id,
                    "reference": c.reference,
                    "stratum": json.dumps(list(s.key), ensure_ascii=False),
                    "rank": rank,
                    "role": "sample" if c.id in case_of else "reserve",
                    "case_id": case_of.get(c.id),
                    "reason": "",
                    "replaced_by": None,
                }
                for s in worked.strata
                for rank, c in enumerate((*s.sample, *s.reserve), start=1)
            ),
            batch_size=1000,
        )
        service.workspace.record_history(
            case_id=None,
            entity="sample",
            field=worked.sample.id,
            old=None,
            new=f"{worked.n} of {worked.eligible_size} eligible cases drawn with seed {seed}"
            + (f" from {info.file}" if info else ""),
            who=service.user,
            at=now,
        )
    return Draw(draw_id, worked, tuple(case_ids))


@dataclass(frozen=True)
class StoredDraw:
    """A draw as recorded in the workspace."""

    id: str
    sample: str
    seed: int
    confidence: float
    margin: float
    size: int
    size_rule: str
    population_size: int
    eligible_size: int
    filters: Mapping[str, Any]
    plan: Mapping[str, Any]
    drawn_at: str
    drawn_by: str


def stored_draw(service: Service, sample_id: str) -> StoredDraw | None:
    """The draw of a sample, if it has been drawn."""
    row = service.db.execute(
        "SELECT id, sample, seed, confidence, margin, size, size_rule, population_size, "
        "eligible_size, filters, plan, drawn_at, drawn_by FROM sample_draws WHERE sample = ?",
        [sample_id],
    ).fetchone()
    if row is None:
        return None
    return StoredDraw(
        id=row[0],
        sample=row[1],
        seed=row[2],
        confidence=row[3],
        margin=row[4],
        size=row[5],
        size_rule=row[6],
        population_size=row[7],
        eligible_size=row[8],
        filters=json.loads(row[9]),
        plan=json.loads(row[10]),
        drawn_at=row[11],
        drawn_by=row[12],
    )


def drawn_samples(service: Service) -> list[str]:
    return [r[0] for r in service.db.execute("SELECT sample FROM sample_draws ORDER BY drawn_at")]


# -- replacing a case from the reserve ----------------------------------------------------
@dataclass(frozen=True)
class Replacement:
    withdrawn_reference: str
    withdrawn_case_id: str
    case: CaseSummary  # the reserve case now in the sample
    stratum: Stratum
    reason: str
    archived: Mapping[str, int] = field(default_factory=dict)  # table -> rows archived


def replace_case(service: Service, case_id: str, reason: str) -> Replacement:
    """Withdraw a drawn case and put the next reserve case of its stratum in its place.

    One transaction and one action in the history (with its reason). The replacement goes
    to the same inspector. Everything the withdrawn case held (its answers and any other
    records that refer to it) is archived in ``withdrawn_cases``.
    """
    old = service.case_summary(case_id)
    if not reason.strip():
        raise InvalidChange(
            "replacing a case from the reserve needs a reason (e.g. 'in custody, no contact')",
            place=f"case {old.reference}",
        )
    member = service.db.execute(
        "SELECT draw_id, population_id, stratum FROM sample_members "
        "WHERE case_id = ? AND role = 'sample'",
        [old.id],
    ).fetchone()
    if member is None:
        raise InvalidChange(
            "this case was not drawn from an imported population, so it has no reserve",
            place=f"case {old.reference}",
        )
    draw_id, population_id, stratum = member
    key = tuple(json.loads(stratum))
    nxt = service.db.execute(
        "SELECT m.population_id, m.reference, p.attributes FROM sample_members m "
        "JOIN population p ON p.id = m.population_id "
        "WHERE m.draw_id = ? AND m.stratum = ? AND m.role = 'reserve' ORDER BY m.rank LIMIT 1",
        [draw_id, stratum],
    ).fetchone()
    if nxt is None:
        raise InvalidChange(
            f"the reserve list of the stratum {' / '.join(map(_show, key))} is used up; "
            "no case of that stratum is left to replace it with",
            place=f"case {old.reference}",
        )
    new_population_id, new_reference, attributes = nxt
    why = reason.strip()
    now = service.workspace.now()
    with service.workspace.write() as db:
        archived = _withdraw(service, old, draw_id, why, now)
        [new_id_] = service.add_cases(
            [(old.sample, new_reference, json.loads(attributes), old.inspector_id)]
        )
        db.execute(
            "UPDATE sample_members SET role = 'withdrawn', reason = ?, replaced_by = ?, "
            "case_id = NULL WHERE draw_id = ? AND population_id = ?",
            [why, new_reference, draw_id, population_id],
        )
        db.execute(
            "UPDATE sample_members SET role = 'sample', case_id = ? "
            "WHERE draw_id = ? AND population_id = ?",
            [new_id_, draw_id, new_population_id],
        )
        service.workspace.record_history(
            case_id=new_id_,
            entity="sample",
            field="replaced",
            old=old.reference,
            new=new_reference,
            who=service.user,
            reason=why,
            at=now,
        )
    return Replacement(old.reference, old.id, service.case_summary(new_id_), key, why, archived)


def _show(value: AttributeValue) -> str:
    if value is None:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _referring(db: Any, table: str) -> list[tuple[str, str, str]]:
    """(table, column, referred column) of every foreign key that points at ``table``."""
    found = []
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for fk in db.execute(f"PRAGMA foreign_key_list('{name}')"):
            if fk[2] == table:
                found.append((name, fk[3], fk[4] or "id"))
    return found


def _archive(
    db: Any, table: str, column: str, value: Any, out: dict[str, list[dict[str, Any]]], depth: int
) -> None:
    """Collect, depth first, the rows that refer (directly or not) to table.column = value."""
    if depth > 5:
        return
    for child, fk_column, parent_column in _referring(db, table):
        if parent_column != column:
            continue
        cursor = db.execute(f'SELECT * FROM "{child}" WHERE "{fk_column}" = ?', [value])
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        for row in rows:
            for key in {p for _, _, p in _referring(db, child)}:
                if key in row:
                    _archive(db, child, key, row[key], out, depth + 1)
        if rows:
            out.setdefault(child, []).extend(rows)
            db.execute(f'DELETE FROM "{child}" WHERE "{fk_column}" = ?', [value])


def _withdraw(
    service: Service, case: CaseSummary, draw_id: str, reason: str, now: str
) -> dict[str, int]:
    """Inside a write: archive a case and everything that refers to it, then remove them."""
    db = service.db
    cursor = db.execute("SELECT * FROM cases WHERE id = ?", [case.id])
    names = [d[0] for d in cursor.description]
    record: dict[str, Any] = {"case": dict(zip(names, cursor.fetchone(), strict=True))}
    related: dict[str, list[dict[str, Any]]] = {}
    try:
        _archive(db, "cases", "id", case.id, related, 0)
        record["related"] = related
        db.table("withdrawn_cases").insert(
            {
                "case_id": case.id,
                "draw_id": draw_id,
                "sample": case.sample,
                "reference": case.reference,
                "reason": reason,
                "withdrawn_at": now,
                "withdrawn_by": service.user,
                "record": json.dumps(record, ensure_ascii=False, default=str),
            }
        )
        db.execute("DELETE FROM cases WHERE id = ?", [case.id])
    except INTEGRITY_ERRORS as exc:
        raise InvalidChange(
            f"the case cannot be withdrawn: other records still refer to it ({exc})",
            place=f"case {case.reference}",
        ) from None
    service.workspace.record_history(
        case_id=case.id,
        entity="case",
        field="withdrawn",
        old=case.reference,
        new=None,
        who=service.user,
        reason=reason,
        at=now,
    )
    return {table: len(rows) for table, rows in related.items()}


def members(
    service: Service, sample_id: str
) -> list[tuple[PopulationCase, Stratum, str, int, str]]:
    """Every eligible case of a stored draw: (case, stratum, role, rank, reason)."""
    rows = service.db.execute(
        "SELECT p.id, p.reference, p.source_row, p.attributes, p.extra, m.stratum, m.role, "
        "m.rank, m.reason FROM sample_members m JOIN sample_draws d ON d.id = m.draw_id "
        "JOIN population p ON p.id = m.population_id WHERE d.sample = ? "
        "ORDER BY m.stratum, m.rank",
        [sample_id],
    )
    return [
        (
            PopulationCase(pid, ref, row, json.loads(attrs), json.loads(extra)),
            tuple(json.loads(stratum)),
            role,
            rank,
            reason,
        )
        for pid, ref, row, attrs, extra, stratum, role, rank, reason in rows
    ]
