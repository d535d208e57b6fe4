"""Tidy data for analysts: every answer and judgement in long format, one row per case, and a
codebook (``fieldwork export-data WORKSPACE -o DIR``).

- ``responses.csv``: one row per case × item of the case's sample (prompts and key-question
  judgements), with the answer, the kind of "not applicable", the reason, the note or
  rationale, who answered and when, and the framework's id, version and hash;
- ``cases.csv``: one row per case with its status and every attribute of its sample;
- ``codebook.json`` and ``codebook.csv``: every column of both files, its type, meaning and
  codes;
- ``fieldwork-data.xlsx``: the three as sheets of one workbook.

The CSV files are UTF-8 without a byte-order mark (``excel=True`` adds one for Excel), a
numeric column holds numbers or nothing, and a coded column holds only its codes, so the
files load directly into pandas (``pd.read_csv``) or R (``read.csv``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldwork.framework import Attribute, Framework, KeyQuestion, Prompt
from fieldwork.scoring.export import ExportError, csv_encoding
from fieldwork.service import Service

WORKBOOK = "fieldwork-data.xlsx"
Value = str | int | None


@dataclass(frozen=True)
class Column:
    """One column of a data file, as the codebook describes it."""

    name: str
    type: str  # "string", "integer", "code", "datetime", "date"
    description: str
    codes: tuple[tuple[str, str], ...] = ()  # (code, meaning) of a coded column

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        out["description"] = self.description
        if self.codes:
            out["codes"] = dict(self.codes)
        return out


ANSWER_CODES = (
    ("yes", "Yes (a prompt) or satisfactory (a key-question judgement)"),
    ("no", "No (a prompt) or not satisfactory (a key-question judgement)"),
    ("na", "not applicable, by the inspector's choice (see na_kind and na_reason)"),
    ("", "no answer recorded (unanswered, or the item does not apply by rule)"),
)
NA_KIND_CODES = (
    ("rule", "the item does not apply to this case by the framework's rule: never counted"),
    (
        "inspector",
        "the inspector marked it not applicable, with a reason: left out of the denominator",
    ),  # fmt: skip
    ("", "the item applies to this case"),
)
STATUS_CODES = (
    ("not started", "nothing entered yet"),
    ("in progress", "some items entered, not marked complete"),
    ("complete", "marked complete by the inspector: every applicable item answered"),
)

RESPONSE_COLUMNS = (
    Column("inspection_id", "string", "the inspection's id"),
    Column("framework_id", "string", "the framework the items come from"),
    Column("framework_version", "string", "the framework's version"),
    Column("framework_hash", "string", "SHA-256 of the framework file's content"),
    Column("sample", "code", "the case's sample (see cases.csv)"),
    Column("case_id", "string", "the case's id (joins cases.csv)"),
    Column("case_reference", "string", "the case's reference"),
    Column("standard_id", "string", "the standard the item belongs to, e.g. 2.1"),
    Column("key_question_id", "string", "the key question the item belongs to, e.g. 2.1.1"),
    Column("item_id", "string", "the prompt's or key question's id, e.g. 2.1.1.2"),
    Column(
        "item_kind",
        "code",
        "what the row is",
        (("prompt", "an answer to a prompt"), ("judgement", "a key-question judgement")),
    ),
    Column("item_wording", "string", "the prompt's or key question's wording"),
    Column("answer", "code", "the answer or judgement as stored", ANSWER_CODES),
    Column(
        "satisfactory",
        "integer",
        "1 for yes, 0 for no; empty when not applicable or unanswered",
    ),
    Column("na_kind", "code", "why the row is not applicable, if it is", NA_KIND_CODES),
    Column("na_reason", "string", "the inspector's reason for not applicable"),
    Column("note", "string", "the prompt's note or the judgement's rationale"),
    Column("case_inspector", "string", "the inspector the case is allocated to"),
    Column("answered_by", "string", "who last changed the answer (empty: never answered)"),
    Column("answered_at", "datetime", "when it was last changed, ISO 8601 in UTC"),
    Column("revision", "integer", "how many times it was changed (empty: never answered)"),
)

CASE_COLUMNS = (
    Column("case_id", "string", "the case's id"),
    Column("case_reference", "string", "the case's reference"),
    Column("sample", "code", "the sample the case was drawn into"),
    Column("status", "code", "where the case stands", STATUS_CODES),
    Column("case_inspector", "string", "the inspector the case is allocated to"),
    Column("items_done", "integer", "applicable items answered"),
    Column("items_applicable", "integer", "items that apply to the case by the framework's rules"),
    Column("completed_at", "datetime", "when it was marked complete, ISO 8601 in UTC"),
    Column("updated_at", "datetime", "when the case last changed, ISO 8601 in UTC"),
)


@dataclass(frozen=True)
class DataExport:
    folder: Path
    files: tuple[Path, ...]
    responses: int
    cases: int


def _attribute_column(attribute: Attribute, samples: Sequence[str]) -> Column:
    where = f"{attribute.label} ({', '.join(samples)}; recorded by the {attribute.recorded_by})"
    if attribute.type == "bool":
        return Column(attribute.id, "integer", f"{where}: 1 yes, 0 no, empty not recorded")
    if attribute.type == "choice":
        codes = tuple((c, c) for c in attribute.choices) + (("", "not recorded"),)
        return Column(attribute.id, "code", where, codes)
    kind = "date" if attribute.type == "date" else "string"
    return Column(attribute.id, kind, f"{where}; empty: not recorded")


def attribute_columns(framework: Framework) -> tuple[Column, ...]:
    """One column per attribute id of any sample (an id shared by samples is one column)."""
    seen: dict[str, tuple[Attribute, list[str]]] = {}
    for sample in framework.samples:
        for attribute in sample.attributes:
            seen.setdefault(attribute.id, (attribute, []))[1].append(sample.id)
    return tuple(_attribute_column(a, samples) for a, samples in seen.values())


def codebook(framework: Framework) -> dict[str, Any]:
    sample_codes = tuple((s.id, s.title) for s in framework.samples)

    def with_samples(columns: Sequence[Column]) -> list[dict[str, Any]]:
        return [
            (
                Column(c.name, c.type, c.description, sample_codes) if c.name == "sample" else c
            ).as_dict()
            for c in columns
        ]

    return {
        "framework": {
            "id": framework.id,
            "version": framework.version,
            "title": framework.title,
            "hash": framework.content_hash,
        },
        "files": {
            "responses.csv": {
                "description": "One row per case and item of the case's sample (long format).",
                "columns": with_samples(RESPONSE_COLUMNS),
            },
            "cases.csv": {
                "description": "One row per case, with every attribute of the framework's "
                "samples (empty where the case's sample does not have it).",
                "columns": with_samples(CASE_COLUMNS + attribute_columns(framework)),
            },
        },
        "notes": [
            "CSV in UTF-8; numeric columns hold numbers or nothing; coded columns hold only "
            "their codes.",
            "A key question's figure is satisfactory (yes) over yes + no among complete cases "
            "where it applies; rows with na_kind 'rule' or 'inspector' are not in the "
            "denominator (docs/scoring.md).",
        ],
    }


def _items(framework: Framework, sample: str) -> list[tuple[str, str, KeyQuestion | Prompt]]:
    """(standard id, key question id, item) of a sample, in framework order: each key
    question's prompts, then its judgement."""
    out: list[tuple[str, str, KeyQuestion | Prompt]] = []
    for standard in framework.case_standards(sample):
        for kq in standard.key_questions:
            out += [(standard.id, kq.id, p) for p in kq.prompts]
            out.append((standard.id, kq.id, kq))
    return out


def _value(value: Any) -> Value:
    if isinstance(value, bool):
        return int(value)
    return value  # type: ignore[no-any-return]


def rows(service: Service) -> tuple[list[list[Value]], list[list[Value]]]:
    """The long-format response rows and the case rows, in case then framework order."""
    framework = service.framework
    inspection = service.inspection()
    fixed = [
        inspection.id if inspection else None,
        framework.id,
        framework.version,
        framework.content_hash,
    ]
    stored: dict[str, dict[str, tuple[Any, ...]]] = {}
    for r in service.db.execute(
        "SELECT case_id, item_id, kind, value, na_reason, note, updated_by, updated_at, "
        "revision FROM responses"
    ):
        stored.setdefault(r[0], {})[r[1]] = r[2:]
    attributes = attribute_columns(framework)
    items = {s.id: _items(framework, s.id) for s in framework.samples}
    long: list[list[Value]] = []
    cases: list[list[Value]] = []
    for (
        case_id,
        reference,
        sample,
        status,
        inspector,
        done,
        total,
        completed,
        updated,
        attrs,
    ) in service.db.execute(
        "SELECT c.id, c.reference, c.sample, c.status, i.name, c.done, c.total, "
        "c.completed_at, c.updated_at, c.attributes FROM cases c "
        "LEFT JOIN inspectors i ON i.id = c.inspector_id ORDER BY c.sample, c.reference"
    ):
        values = json.loads(attrs)
        cases.append(
            [case_id, reference, sample, status, inspector, done, total, completed, updated]
            + [_value(values.get(a.name)) for a in attributes]
        )
        answers = dict(stored.get(case_id, {}))
        for standard_id, kq_id, item in items.get(sample, []):
            kind = "judgement" if isinstance(item, KeyQuestion) else "prompt"
            applies = item.rule.holds(values)
            found = answers.pop(item.id, None)
            long.append(
                fixed
                + [sample, case_id, reference, standard_id, kq_id, item.id, kind, item.text]
                + _answer_cells(found, applies)
                + [inspector]
                + (list(found[4:7]) if found else [None, None, None])
            )
        for item_id, found in answers.items():  # kept although the framework has no such item
            long.append(
                fixed
                + [sample, case_id, reference, None, None, item_id, found[0], None]
                + _answer_cells(found, True)
                + [inspector, *found[4:7]]
            )
    return long, cases


def _answer_cells(found: tuple[Any, ...] | None, applies: bool) -> list[Value]:
    value = found[1] if found else None
    na_kind = "rule" if not applies else "inspector" if value == "na" else ""
    satisfactory = {"yes": 1, "no": 0}.get(value or "")
    return [
        value or "",
        satisfactory,
        na_kind,
        found[2] if found else "",
        found[3] if found else "",
    ]


def _write_csv(
    path: Path, header: Sequence[str], body: Sequence[Sequence[Value]], excel: bool
) -> Path:
    with path.open("w", encoding=csv_encoding(excel), newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in body)
    return path


def _workbook(
    path: Path, sheets: Sequence[tuple[str, Sequence[str], Iterator[Sequence[Any]]]]
) -> Path:
    from openpyxl import Workbook  # loaded when a workbook is first written

    book = Workbook(write_only=True)
    for name, header, body in sheets:
        sheet = book.create_sheet(name)
        sheet.append(list(header))
        for row in body:
            sheet.append(list(row))
    book.save(path)
    return path


def export_data(service: Service, folder: str | Path, *, excel: bool = False) -> DataExport:
    """Write the long-format responses, the cases, the codebook and the workbook into
    ``folder``; a folder that cannot be written is a clear ``ExportError``."""
    folder = Path(folder)
    book = codebook(service.framework)
    long, cases = rows(service)
    response_header = [c.name for c in RESPONSE_COLUMNS]
    case_header = [c["name"] for c in book["files"]["cases.csv"]["columns"]]
    code_rows = [
        [file, c["name"], c["type"], c["description"],
         "; ".join(f"{k or '(empty)'} = {v}" for k, v in c.get("codes", {}).items())]
        for file, spec in book["files"].items()
        for c in spec["columns"]
    ]  # fmt: skip
    code_header = ["file", "column", "type", "description", "codes"]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        files = [
            _write_csv(folder / "responses.csv", response_header, long, excel),
            _write_csv(folder / "cases.csv", case_header, cases, excel),
            _write_csv(folder / "codebook.csv", code_header, code_rows, excel),
        ]
        path = folder / "codebook.json"
        path.write_text(json.dumps(book, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        files.append(path)
        files.append(
            _workbook(
                folder / WORKBOOK,
                [
                    ("responses", response_header, iter(long)),
                    ("cases", case_header, iter(cases)),
                    ("codebook", code_header, iter(code_rows)),
                ],
            )
        )
    except OSError as exc:
        raise ExportError(
            f"cannot write the data ({exc.strerror or exc}); choose a folder you can write to",
            file=str(folder),
        ) from None
    return DataExport(folder, tuple(files), len(long), len(cases))
