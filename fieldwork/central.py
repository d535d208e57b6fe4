"""Central set-up: the inspection, its inspectors, a sample's cases from a file, and the
allocation view's rows.

The CLI (``fieldwork setup``) and the GUI (Central menu) both call these functions, so
the rules of set-up live in one place. A sample's cases are read with the population
reader of ``fieldwork.sampling.reader`` (the same column matching, value spelling
and problem list), checked whole, and added in one transaction, or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fieldwork.allocation import Assignment, assign, find_inspector, move_case
from fieldwork.errors import InvalidChange
from fieldwork.framework import DEFAULT_FRAMEWORK, framework_by_id
from fieldwork.sampling.plans import SamplingPlan, plan_for
from fieldwork.sampling.population import saved_mapping
from fieldwork.sampling.reader import (
    ColumnMapping,
    PopulationError,
    PopulationFile,
    RowProblem,
    read_population,
)
from fieldwork.service import Inspection, Inspector, Service
from fieldwork.store import Clock, utc_now

#: The roles an inspector can have, as ``fieldwork setup inspector --role`` offers them.
ROLES = ("inspector", "lead inspector", "data team")


# -- the inspection and its inspectors ------------------------------------------------------
def set_up_inspection(
    service: Service,
    name: str,
    *,
    provider: str = "",
    fieldwork_start: date | None = None,
    fieldwork_end: date | None = None,
) -> Inspection:
    """Create the inspection of a workspace that has none (under its framework)."""
    if fieldwork_start and fieldwork_end and fieldwork_end < fieldwork_start:
        raise InvalidChange(
            f"fieldwork ends ({fieldwork_end.isoformat()}) before it starts "
            f"({fieldwork_start.isoformat()})",
            file=str(service.workspace.path),
        )
    return service.create_inspection(
        name, provider=provider, fieldwork_start=fieldwork_start, fieldwork_end=fieldwork_end
    )


def create_central_workspace(
    path: str | Path,
    name: str,
    *,
    provider: str = "",
    fieldwork_start: date | None = None,
    fieldwork_end: date | None = None,
    framework_id: str = DEFAULT_FRAMEWORK,
    user: str | None = None,
    clock: Clock = utc_now,
) -> Inspection:
    """A new central workspace file holding a new inspection. Nothing is left on disk if the
    inspection's details are refused."""
    path = Path(path)
    if not name.strip():
        raise InvalidChange("an inspection needs a name", file=str(path))
    if fieldwork_start and fieldwork_end and fieldwork_end < fieldwork_start:
        raise InvalidChange(
            f"fieldwork ends ({fieldwork_end.isoformat()}) before it starts "
            f"({fieldwork_start.isoformat()})",
            file=str(path),
        )
    framework_by_id(framework_id)  # an unknown framework is refused before a file is made
    with Service.create(path, framework_id=framework_id, user=user, clock=clock) as service:
        return set_up_inspection(
            service,
            name,
            provider=provider,
            fieldwork_start=fieldwork_start,
            fieldwork_end=fieldwork_end,
        )


def add_inspector(
    service: Service, name: str, *, email: str = "", role: str = "inspector"
) -> Inspector:
    """Add an inspector to the workspace's inspection, with one of ``ROLES``."""
    if role not in ROLES:
        raise InvalidChange(f"{role!r} is not a role; use one of: {', '.join(ROLES)}")
    if email.strip() and "@" not in email:
        raise InvalidChange(f"{email.strip()!r} is not an email address", place=name.strip())
    return service.add_inspector(name, email=email, role=role)


# -- a sample's cases from a file -----------------------------------------------------------
@dataclass(frozen=True)
class CasesImport:
    """What an import of cases added."""

    sample: str
    file: str
    case_ids: tuple[str, ...]
    columns: dict[str, str]  # heading -> what it held

    @property
    def rows(self) -> int:
        return len(self.case_ids)


def cases_plan(service: Service, sample_id: str) -> SamplingPlan:
    """What a file of a sample's cases must hold: the reference, and the attributes that the
    framework's applicability rules read and the provider records (they decide which items
    apply). No draw is made, so the plan's strata are not needed; the case sheet prints
    whatever is recorded. Every other attribute is optional; columns of the file that are
    not case attributes are not read."""
    plan = plan_for(service.framework, sample_id)
    sample = service.sample(sample_id)
    required = tuple(
        a
        for a in service.framework.rule_attributes(sample_id)
        if sample.attribute(a).recorded_by == "provider"
    )
    return SamplingPlan(sample=plan.sample, strata=plan.strata, required=required)


def read_cases(
    service: Service,
    path: str | Path,
    sample_id: str,
    *,
    mapping: ColumnMapping | None = None,
    mapping_name: str | None = None,
    encoding: str = "utf-8",
    sheet: str | None = None,
) -> PopulationFile:
    """Read and check a file of a sample's cases against the framework and the workspace;
    raises ``PopulationError`` listing every problem (file, row, column, problem). Nothing
    is stored."""
    sample = service.sample(sample_id)
    used = saved_mapping(service, sample.id, mapping_name) if mapping_name else ColumnMapping()
    if mapping is not None:
        used = used.merged(mapping)
    found = read_population(
        path, sample, cases_plan(service, sample.id), used, encoding=encoding, sheet=sheet
    )
    column = next(h for h, t in found.columns.items() if t == "reference")
    existing = {
        r[0].casefold()
        for r in service.db.execute("SELECT reference FROM cases WHERE sample = ?", [sample.id])
    }
    problems = [
        RowProblem(row.row, column, f"case {row.reference!r} is already in the workspace")
        for row in found.rows
        if row.reference.casefold() in existing
    ]
    if problems:
        raise PopulationError(found.file, problems)
    return found


def import_cases(
    service: Service,
    path: str | Path,
    sample_id: str,
    *,
    mapping: ColumnMapping | None = None,
    mapping_name: str | None = None,
    encoding: str = "utf-8",
    sheet: str | None = None,
) -> CasesImport:
    """Add every row of a clean file as a case of the sample, unallocated, in one
    transaction (with the import in the history). A file with any problem adds nothing."""
    found = read_cases(
        service,
        path,
        sample_id,
        mapping=mapping,
        mapping_name=mapping_name,
        encoding=encoding,
        sheet=sheet,
    )
    name = Path(found.file).name
    with service.workspace.write():
        ids = service.add_cases(
            (sample_id, row.reference, dict(row.attributes), None) for row in found.rows
        )
        service.workspace.record_history(
            case_id=None,
            entity="cases",
            field=f"imported:{sample_id}",
            old=None,
            new=f"{len(ids)} cases from {name}",
            who=service.user,
        )
    return CasesImport(sample_id, name, tuple(ids), dict(found.columns))


# -- allocation ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AllocationRow:
    """A case as the allocation view lists it."""

    case_id: str
    reference: str
    sample: str
    sample_title: str
    location: str  # the cluster (or court) the case is worked in; "" if none recorded
    inspector_id: str | None
    inspector_name: str | None
    status: str


def allocation_rows(service: Service) -> list[AllocationRow]:
    """Every case with where it is worked and who holds it, in sample then reference order."""
    framework = service.framework
    where = {s.id: plan_for(framework, s.id).location for s in framework.samples}
    titles = {s.id: s.title for s in framework.samples}
    rows = []
    for case in service.cases():
        attribute = where.get(case.sample)
        value = case.attributes.get(attribute) if attribute else None
        rows.append(
            AllocationRow(
                case.id,
                case.reference,
                case.sample,
                titles.get(case.sample, case.sample),
                "" if value in (None, "") else str(value),
                case.inspector_id,
                case.inspector_name,
                case.status,
            )
        )
    return rows


def allocate_cases(
    service: Service, case_ids: Sequence[str], inspector: str, reason: str = ""
) -> list[Assignment]:
    """Give cases to an inspector (by id or name), all in one transaction: unallocated cases
    are assigned; cases another inspector holds are moved, which needs ``reason``. Cases the
    inspector already holds are left as they are."""
    target = find_inspector(service, inspector)
    done: list[Assignment] = []
    with service.workspace.write():
        for case_id in case_ids:
            case = service.case_summary(case_id)
            if case.inspector_id == target.id:
                continue
            if case.inspector_id is None:
                done.append(assign(service, case_id, target.id, reason))
            else:
                done.append(move_case(service, case_id, target.id, reason))
    return done
