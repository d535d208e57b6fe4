"""Workspace rows as bundle records, and back: one function per kind of record.

Every record keeps its UUID. A response also carries its revision number, its
revision UUID (``rev``), the revision it replaced (``replaces``) and every
earlier revision it descends from (``ancestors``, from ``response_lineage``),
so whoever receives it can tell an update from a conflict.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from fieldwork.service import Service

CASE_FIELDS = (
    "id",
    "sample",
    "reference",
    "inspector_id",
    "attributes",
    "status",
    "completed_at",
    "revision",
    "updated_at",
    "done",
    "total",
)
RESPONSE_FIELDS = (
    "id",
    "case_id",
    "item_id",
    "kind",
    "value",
    "na_reason",
    "note",
    "revision",
    "rev",
    "replaces",
    "updated_at",
    "updated_by",
)
HISTORY_FIELDS = (
    "id",
    "at",
    "who",
    "case_id",
    "entity",
    "item_id",
    "field",
    "old",
    "new",
    "reason",
)
RESPONSE_COLUMNS = (*RESPONSE_FIELDS, "ancestors")
#: The large record sets travel as tables ({"fields": [...], "rows": [[...], ...]}): half the
#: bytes to parse and half the work to check against the schema of a list of objects.
TABLES = {"responses.json": RESPONSE_COLUMNS, "history.json": HISTORY_FIELDS}
#: History rows are only checked, filtered by id and inserted: they stay rows (lists in
#: HISTORY_FIELDS order) when read, which spares making half a million dicts.
ROWS = {"history.json"}
HISTORY_ID, HISTORY_CASE = HISTORY_FIELDS.index("id"), HISTORY_FIELDS.index("case_id")
QA_FIELDS = ("id", "case_id", "item_id", "comment", "author", "created_at", "resolved_at")


def _scope(case_ids: Iterable[str] | None, column: str = "case_id") -> tuple[str, list[Any]]:
    if case_ids is None:
        return "", []
    return f" WHERE {column} IN (SELECT value FROM json_each(?))", [json.dumps(list(case_ids))]


def cases(service: Service, case_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    where, params = _scope(case_ids, "id")
    rows = service.db.execute(
        f"SELECT {', '.join(CASE_FIELDS)} FROM cases{where} ORDER BY sample, reference", params
    )
    records = []
    for row in rows:
        record = dict(zip(CASE_FIELDS, row, strict=True))
        record["attributes"] = json.loads(record["attributes"])
        records.append(record)
    return records


def lineage(service: Service, case_ids: Iterable[str] | None = None) -> dict[str, set[str]]:
    """Revision -> the revisions it directly descends from."""
    where, params = _scope(case_ids)
    parents: dict[str, set[str]] = defaultdict(set)
    for rev, parent in service.db.execute(
        f"SELECT rev, parent FROM response_lineage{where}", params
    ):
        parents[rev].add(parent)
    return parents


def ancestors(rev: str, parents: Mapping[str, set[str]]) -> set[str]:
    """Every revision ``rev`` descends from."""
    seen: set[str] = set()
    todo = list(parents.get(rev, ()))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(parents.get(current, ()))
    return seen


def responses(service: Service, case_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    case_ids = list(case_ids) if case_ids is not None else None
    where, params = _scope(case_ids)
    parents = lineage(service, case_ids)
    records = []
    for row in service.db.execute(
        f"SELECT {', '.join(RESPONSE_FIELDS)} FROM responses{where} ORDER BY case_id, item_id",
        params,
    ):
        record = dict(zip(RESPONSE_FIELDS, row, strict=True))
        record["ancestors"] = sorted(ancestors(record["rev"], parents)) if parents else []
        records.append(record)
    return records


def history(service: Service, case_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    where, params = _scope(case_ids)
    where = where or " WHERE case_id IS NOT NULL"
    return [
        dict(zip(HISTORY_FIELDS, row, strict=True))
        for row in service.db.execute(
            f"SELECT {', '.join(HISTORY_FIELDS)} FROM history{where} ORDER BY seq", params
        )
    ]


def qa_comments(service: Service, case_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    where, params = _scope(case_ids)
    return [
        dict(zip(QA_FIELDS, row, strict=True))
        for row in service.db.execute(
            f"SELECT {', '.join(QA_FIELDS)} FROM qa_comments{where} ORDER BY created_at", params
        )
    ]


def to_json(data: Any) -> bytes:
    """Compact UTF-8 JSON, as bundles hold it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def to_table(rows: Iterable[Mapping[str, Any]], columns: tuple[str, ...]) -> dict[str, Any]:
    return {"fields": list(columns), "rows": [[row[c] for c in columns] for row in rows]}


def from_entry(name: str, data: Any) -> Any:
    """An entry's records: dicts for most tables, rows (lists) for those in ``ROWS``."""
    if name not in TABLES:
        return data
    if name in ROWS:
        return data["rows"]
    fields = data["fields"]
    return [dict(zip(fields, row, strict=False)) for row in data["rows"]]  # lengths: schema
