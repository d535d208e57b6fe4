"""The eligible population of a sample: a provider's export, stored in the workspace.

The file is read and checked by ``fieldwork.sampling.reader``; this module stores a
clean file's rows, in one transaction, replacing the sample's previous population if
nothing has been drawn from it yet. A column mapping can be saved in the workspace
under a name (one per provider) and reused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fieldwork.errors import InvalidChange
from fieldwork.framework import AttributeValue
from fieldwork.sampling.plans import plan_for
from fieldwork.sampling.reader import ColumnMapping, read_population
from fieldwork.service import Service
from fieldwork.store import new_id


@dataclass(frozen=True)
class PopulationImport:
    """What an import stored."""

    id: str
    sample: str
    file: str
    rows: int
    columns: Mapping[str, str]
    replaced: int = 0  # cases of an earlier import of this sample that were replaced
    mapping_saved: str | None = None


@dataclass(frozen=True)
class PopulationCase:
    """One stored case of a population."""

    id: int
    reference: str
    row: int
    attributes: Mapping[str, AttributeValue]
    extra: Mapping[str, AttributeValue]

    def value(self, field_id: str) -> AttributeValue:
        if field_id in self.attributes:
            return self.attributes[field_id]
        return self.extra.get(field_id)


class MemberJson:
    """JSON objects of the few values a population repeats, as ``json.dumps(values,
    ensure_ascii=False)`` writes them: each (key, value) member is encoded once and an
    object is its members joined (10,000 rows hold a few dozen distinct members)."""

    def __init__(self) -> None:
        self._dumps = json.JSONEncoder(ensure_ascii=False).encode
        self._members: dict[tuple[str, AttributeValue], str] = {}

    def encode(self, values: Mapping[str, AttributeValue]) -> str:
        members = self._members
        parts = []
        for member in values.items():  # text, True, False or None: no two equal as keys
            text = members.get(member)
            if text is None:
                text = members[member] = f"{self._dumps(member[0])}: {self._dumps(member[1])}"
            parts.append(text)
        return "{" + ", ".join(parts) + "}"


# -- the workspace ---------------------------------------------------------------------------
def saved_mappings(
    service: Service, sample: str | None = None
) -> dict[tuple[str, str], ColumnMapping]:
    """(sample, name) -> mapping, for every mapping saved in the workspace."""
    sql = "SELECT sample, name, mapping FROM population_mappings"
    params: list[str] = []
    if sample:
        sql += " WHERE sample = ?"
        params.append(sample)
    return {
        (s, n): ColumnMapping.from_json(m)
        for s, n, m in service.db.execute(sql + " ORDER BY 1, 2", params)
    }


def saved_mapping(service: Service, sample: str, name: str) -> ColumnMapping:
    found = saved_mappings(service, sample)
    if (sample, name) not in found:
        names = ", ".join(n for _, n in found) or "none saved yet"
        raise InvalidChange(
            f"there is no saved column mapping {name!r} for the {sample} sample ({names})",
            file=str(service.workspace.path),
        )
    return found[(sample, name)]


def save_mapping(service: Service, sample: str, name: str, mapping: ColumnMapping) -> None:
    """Save (or replace) a named column mapping in the workspace."""
    if not name.strip():
        raise InvalidChange("a column mapping needs a name (e.g. the provider's)")
    with service.workspace.write():
        _save_mapping(service, sample, name.strip(), mapping)


def _save_mapping(service: Service, sample: str, name: str, mapping: ColumnMapping) -> None:
    service.db.execute(
        "INSERT INTO population_mappings (sample, name, mapping, saved_at, saved_by) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sample, name) DO UPDATE SET "
        "mapping = excluded.mapping, saved_at = excluded.saved_at, saved_by = excluded.saved_by",
        [sample, name, mapping.to_json(), service.workspace.now(), service.user],
    )


def import_population(
    service: Service,
    path: str | Path,
    sample_id: str,
    *,
    mapping: ColumnMapping | None = None,
    mapping_name: str | None = None,
    save_as: str | None = None,
    encoding: str = "utf-8",
    sheet: str | None = None,
) -> PopulationImport:
    """Read, check and store a sample's eligible population, all or nothing.

    ``mapping_name`` starts from a saved mapping; ``mapping`` adds to it. ``save_as``
    saves the mapping that was used (with the columns found by their headings) under
    that name, once the file has imported cleanly.
    """
    sample = service.sample(sample_id)
    plan = plan_for(service.framework, sample.id)
    used = saved_mapping(service, sample.id, mapping_name) if mapping_name else ColumnMapping()
    if mapping is not None:
        used = used.merged(mapping)
    drawn = service.db.execute(
        "SELECT drawn_at FROM sample_draws WHERE sample = ?", [sample.id]
    ).fetchone()
    if drawn:
        raise InvalidChange(
            f"the {sample.title} sample was drawn from the current population on {drawn[0][:10]}; "
            "its population cannot be replaced",
            file=str(service.workspace.path),
        )
    population = read_population(path, sample, plan, used, encoding=encoding, sheet=sheet)
    import_id = new_id()
    now = service.workspace.now()
    with service.workspace.write() as db:
        replaced = db.execute(
            "SELECT count(*) FROM population WHERE sample = ?", [sample.id]
        ).fetchone()[0]
        db.execute("DELETE FROM population WHERE sample = ?", [sample.id])
        db.execute("DELETE FROM population_imports WHERE sample = ?", [sample.id])
        db.table("population_imports").insert(
            {
                "id": import_id,
                "sample": sample.id,
                "file": Path(population.file).name,
                "sha256": population.sha256,
                "rows": len(population.rows),
                "columns": json.dumps(population.columns, ensure_ascii=False),
                "imported_at": now,
                "imported_by": service.user,
            }
        )
        # One executemany of plain tuples, each row's JSON joined from members encoded once
        # (see ``MemberJson``): sqlite_utils' insert_all builds and inspects a dict per row,
        # and an encoder call per row took longer than reading and checking the file.
        encode = MemberJson().encode
        db.conn.executemany(
            "INSERT INTO population (import_id, sample, reference, source_row, attributes, extra)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (import_id, sample.id, r.reference, r.row, encode(r.attributes), encode(r.extra))
                for r in population.rows
            ),
        )
        if save_as:
            _save_mapping(
                service,
                sample.id,
                save_as.strip(),
                ColumnMapping(dict(population.columns), used.values),
            )
        service.workspace.record_history(
            case_id=None,
            entity="population",
            field=sample.id,
            old=f"{replaced} cases" if replaced else None,
            new=f"{len(population.rows)} cases from {Path(population.file).name}",
            who=service.user,
            at=now,
        )
    return PopulationImport(
        import_id,
        sample.id,
        Path(population.file).name,
        len(population.rows),
        population.columns,
        replaced,
        save_as.strip() if save_as else None,
    )


def population(service: Service, sample_id: str) -> list[PopulationCase]:
    """The stored population of a sample, in reference order."""
    return [
        PopulationCase(i, ref, row, json.loads(attrs), json.loads(extra))
        for i, ref, row, attrs, extra in service.db.execute(
            "SELECT id, reference, source_row, attributes, extra FROM population "
            "WHERE sample = ? ORDER BY reference",
            [sample_id],
        )
    ]


@dataclass(frozen=True)
class PopulationInfo:
    sample: str
    file: str
    rows: int
    imported_at: str
    imported_by: str
    columns: Mapping[str, str]


def population_info(service: Service, sample_id: str) -> PopulationInfo | None:
    """Where a sample's population came from, or None if none has been imported."""
    row = service.db.execute(
        "SELECT sample, file, rows, imported_at, imported_by, columns FROM population_imports "
        "WHERE sample = ?",
        [sample_id],
    ).fetchone()
    if row is None:
        return None
    sample, file, rows, imported_at, imported_by, columns = row
    return PopulationInfo(sample, file, rows, imported_at, imported_by, json.loads(columns))
