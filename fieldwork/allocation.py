"""Allocating cases to inspectors: by hand, or balanced within clusters and by capacity.

A case has one owner (``cases.inspector_id``). Giving an unallocated case to an
inspector is an *assignment*; giving an allocated case to someone else is a *move*,
a central act that needs a reason. Both are recorded in the history. The balanced
allocation only ever assigns unallocated cases: it never takes work away from an
inspector.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from fieldwork.errors import InvalidChange
from fieldwork.sampling.plans import plan_for
from fieldwork.service import CaseSummary, Inspector, Service

NO_LOCATION = "(no cluster)"
UNLIMITED = 10**9


@dataclass(frozen=True)
class Assignment:
    """One case given to an inspector (``previous_*`` is set when the case was moved)."""

    case_id: str
    reference: str
    sample: str
    inspector_id: str
    inspector_name: str
    previous_inspector_id: str | None = None
    previous_inspector_name: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class InspectorLoad:
    """How many cases an inspector holds, in total and by cluster (or court)."""

    inspector_id: str
    name: str
    cases: int
    capacity: int | None = None
    locations: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AllocationResult:
    assignments: tuple[Assignment, ...]
    loads: tuple[InspectorLoad, ...]
    unallocated: tuple[str, ...] = ()  # references of cases no inspector had room for

    def load(self, name_or_id: str) -> InspectorLoad:
        for load in self.loads:
            if name_or_id in (load.inspector_id, load.name):
                return load
        raise KeyError(name_or_id)


def find_inspector(service: Service, name_or_id: str) -> Inspector:
    """The inspector with this id or name (names are matched ignoring case)."""
    inspectors = service.inspectors()
    for inspector in inspectors:
        if inspector.id == name_or_id:
            return inspector
    matches = [i for i in inspectors if i.name.casefold() == name_or_id.strip().casefold()]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(i.name for i in inspectors) or "none yet"
    raise InvalidChange(
        f"there is no inspector {name_or_id!r} (inspectors: {known})",
        file=str(service.workspace.path),
    )


def assign(service: Service, case_id: str, inspector_id: str, reason: str = "") -> Assignment:
    """Give an unallocated case to an inspector. A case that has an owner must be moved."""
    case = service.case_summary(case_id)
    inspector = find_inspector(service, inspector_id)
    if case.inspector_id == inspector.id:
        return Assignment(case.id, case.reference, case.sample, inspector.id, inspector.name)
    if case.inspector_id is not None:
        raise InvalidChange(
            f"the case is allocated to {case.inspector_name}; move it to {inspector.name} "
            "with a reason instead",
            place=f"case {case.reference}",
        )
    assignment = Assignment(
        case.id, case.reference, case.sample, inspector.id, inspector.name, reason=reason.strip()
    )
    with service.workspace.write():
        _record(service, [assignment])
    return assignment


def move_case(service: Service, case_id: str, inspector_id: str, reason: str) -> Assignment:
    """Move a case to another inspector; the reason goes into the history."""
    case = service.case_summary(case_id)
    inspector = find_inspector(service, inspector_id)
    if case.inspector_id is None:
        return assign(service, case_id, inspector.id, reason)
    if case.inspector_id == inspector.id:
        raise InvalidChange(
            f"the case is already allocated to {inspector.name}", place=f"case {case.reference}"
        )
    if not reason.strip():
        raise InvalidChange(
            f"moving a case from {case.inspector_name} to {inspector.name} needs a reason "
            "for the history",
            place=f"case {case.reference}",
        )
    assignment = Assignment(
        case.id,
        case.reference,
        case.sample,
        inspector.id,
        inspector.name,
        case.inspector_id,
        case.inspector_name,
        reason.strip(),
    )
    with service.workspace.write():
        _record(service, [assignment])
    return assignment


def allocation(service: Service) -> tuple[InspectorLoad, ...]:
    """Every inspector's current load, by cluster (or court), in name order."""
    return _loads(service, service.inspectors(), {})


def unallocated(service: Service, sample: str | None = None) -> list[str]:
    """References of the cases nobody holds yet."""
    return [
        c.reference
        for c in service.cases()
        if c.inspector_id is None and (sample is None or c.sample == sample)
    ]


def allocate_balanced(
    service: Service,
    inspectors_capacity: dict[str, int] | None,
    by_cluster: bool = True,
    *,
    samples: Iterable[str] | None = None,
    reason: str = "balanced allocation",
    dry_run: bool = False,
) -> AllocationResult:
    """Give every unallocated case to an inspector, balancing loads.

    ``inspectors_capacity`` maps inspector names (or ids) to the most cases each can
    hold in total; only they take part, and loads are balanced in proportion to
    capacity. ``None`` means every inspector except the data team, equally, with no
    limit. With ``by_cluster`` each inspector's new cases are kept to as few clusters
    (courts, for court reports) as the balance allows, so an inspector works in one
    office where possible; without it, cases are dealt out in turn. Cases nobody has
    room for stay unallocated and are listed in the result. One transaction. With
    ``dry_run`` nothing is stored: the result says what would be done, with the loads as
    they would then be.
    """
    pool, capacity = _pool(service, inspectors_capacity)
    wanted = set(samples) if samples is not None else None
    cases = service.cases()
    todo = [c for c in cases if c.inspector_id is None and (wanted is None or c.sample in wanted)]
    held = Counter(c.inspector_id for c in cases if c.inspector_id is not None)
    quota = _quotas(pool, capacity, held, len(todo), weighted=inspectors_capacity is not None)

    where = _location_attributes(service)

    def location(case: CaseSummary) -> str:
        return _location(case.attributes, where.get(case.sample))

    by_id = {i.id: i for i in pool}
    plan: list[tuple[str, str]] = []  # (case id, inspector id)
    if by_cluster:
        groups: dict[str, list[CaseSummary]] = defaultdict(list)
        for case in sorted(todo, key=lambda c: (c.sample, c.reference)):
            groups[location(case)].append(case)
        present: dict[str, set[str]] = defaultdict(set)  # inspector id -> locations worked
        for case in cases:
            if case.inspector_id in by_id:
                present[case.inspector_id].add(location(case))
        for name in sorted(groups, key=lambda g: (-len(groups[g]), g)):
            waiting = groups[name]
            while waiting:
                open_ = [i for i in pool if quota[i.id] > 0]
                if not open_:
                    break
                # Someone already working there first, then whoever has most room left, so a
                # cluster is split between as few inspectors as possible.
                chosen = min(open_, key=lambda i: (name not in present[i.id], -quota[i.id], i.name))
                take = min(quota[chosen.id], len(waiting))
                plan.extend((c.id, chosen.id) for c in waiting[:take])
                del waiting[:take]
                quota[chosen.id] -= take
                present[chosen.id].add(name)
    else:
        # Dealt out in turn, each inspector taking one while they have room.
        turns = [i.id for i in pool]
        waiting = sorted(todo, key=lambda c: (c.sample, c.reference))
        while waiting and any(quota[i] > 0 for i in turns):
            for inspector_id in turns:
                if waiting and quota[inspector_id] > 0:
                    plan.append((waiting.pop(0).id, inspector_id))
                    quota[inspector_id] -= 1
    summaries = {c.id: c for c in todo}
    assignments = [
        Assignment(
            case_id,
            summaries[case_id].reference,
            summaries[case_id].sample,
            inspector_id,
            by_id[inspector_id].name,
            reason=reason,
        )
        for case_id, inspector_id in plan
    ]
    if assignments and not dry_run:
        with service.workspace.write():
            _record(service, assignments)
    given = {a.case_id for a in assignments}
    left = tuple(sorted(summaries[c].reference for c in summaries if c not in given))
    planned = [(i, location(summaries[c])) for c, i in plan] if dry_run else []
    return AllocationResult(tuple(assignments), _loads(service, pool, capacity, planned), left)


# -- internals --------------------------------------------------------------------------------
def _pool(
    service: Service, inspectors_capacity: Mapping[str, int] | None
) -> tuple[list[Inspector], dict[str, int | None]]:
    if inspectors_capacity is None:
        pool = [i for i in service.inspectors() if i.role != "data team"]
        capacity: dict[str, int | None] = {i.id: None for i in pool}
    else:
        pool, capacity = [], {}
        for key, limit in inspectors_capacity.items():
            inspector = find_inspector(service, key)
            if int(limit) < 0:
                raise InvalidChange(f"the capacity of {inspector.name} is negative ({limit})")
            if inspector.id in capacity:
                raise InvalidChange(f"{inspector.name} is given a capacity twice")
            pool.append(inspector)
            capacity[inspector.id] = int(limit)
        pool.sort(key=lambda i: i.name)
    if not pool:
        raise InvalidChange(
            "there is no inspector to allocate cases to; add inspectors first",
            file=str(service.workspace.path),
        )
    return pool, capacity


def _quotas(
    pool: list[Inspector],
    capacity: Mapping[str, int | None],
    held: Mapping[str, int],
    count: int,
    *,
    weighted: bool,
) -> dict[str, int]:
    """How many new cases each inspector takes: water-filling to equal load per capacity."""
    quota = {i.id: 0 for i in pool}

    def weight(inspector_id: str) -> int:
        limit = capacity[inspector_id]
        return max(limit, 1) if weighted and limit is not None else 1

    def room(inspector_id: str) -> int:
        limit = capacity[inspector_id]
        return UNLIMITED if limit is None else limit

    heap = [
        (held.get(i.id, 0) / weight(i.id), held.get(i.id, 0), i.name, i.id)
        for i in pool
        if held.get(i.id, 0) < room(i.id)
    ]
    heapq.heapify(heap)
    for _ in range(count):
        if not heap:
            break
        _, load, name, inspector_id = heapq.heappop(heap)
        quota[inspector_id] += 1
        load += 1
        if load < room(inspector_id):
            heapq.heappush(heap, (load / weight(inspector_id), load, name, inspector_id))
    return quota


def _location_attributes(service: Service) -> dict[str, str | None]:
    """Sample id -> the attribute saying where its cases are worked (cluster, court)."""
    return {s.id: plan_for(service.framework, s.id).location for s in service.framework.samples}


def _location(attributes: Mapping[str, object], attribute: str | None) -> str:
    value = attributes.get(attribute) if attribute else None
    return str(value) if value not in (None, "") else NO_LOCATION


def _loads(
    service: Service,
    pool: Iterable[Inspector],
    capacity: Mapping[str, int | None],
    planned: Iterable[tuple[str, str]] = (),
) -> tuple[InspectorLoad, ...]:
    """Each inspector's stored load, plus ``planned`` (inspector id, location) not yet stored."""
    where = _location_attributes(service)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for sample, inspector_id, attributes in service.db.execute(
        "SELECT sample, inspector_id, attributes FROM cases WHERE inspector_id IS NOT NULL"
    ):
        counts[inspector_id][_location(json.loads(attributes), where.get(sample))] += 1
    for inspector_id, place in planned:
        counts[inspector_id][place] += 1
    return tuple(
        InspectorLoad(
            i.id,
            i.name,
            sum(counts[i.id].values()),
            capacity.get(i.id),
            dict(sorted(counts[i.id].items())),
        )
        for i in sorted(pool, key=lambda i: i.name)
    )


def _record(service: Service, assignments: Iterable[Assignment]) -> None:
    """Inside a write: set each case's owner and append its history row."""
    workspace = service.workspace
    now = workspace.now()
    for a in assignments:
        workspace.db.execute(
            "UPDATE cases SET inspector_id = ?, revision = revision + 1, updated_at = ? "
            "WHERE id = ?",
            [a.inspector_id, now, a.case_id],
        )
        workspace.record_history(
            case_id=a.case_id,
            entity="case",
            field="inspector",
            old=a.previous_inspector_name,
            new=a.inspector_name,
            who=service.user,
            reason=a.reason,
            at=now,
        )
