"""The reader of a provider's CSV or Excel export: read, mapped and checked, nothing stored.

A provider's export has its own column names; a *column mapping* says which column
holds the case reference and which holds each attribute of the sample. Columns whose
heading already is an attribute's id or label are found without one. Values are matched
to the framework's choices ignoring case, spaces, hyphens and underscores, plus any
value aliases the mapping gives ("M" → "male").

A file is read whole and every problem is collected (file, row, column, problem)
before anything is returned, so a caller stores from a clean file or not at all. The
population store (``fieldwork.sampling.population``) and the import of a sample's
cases (``fieldwork.central``) both read their files here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fieldwork.errors import FieldworkError, InvalidChange
from fieldwork.framework import AttributeValue, Sample
from fieldwork.sampling.plans import SamplingPlan

REFERENCE = "reference"
REFERENCE_ALIASES = ("reference", "ref", "case reference", "crn", "case reference number")
SHOWN_PROBLEMS = 20
EXCEL_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
TRUE_WORDS = {"yes", "y", "true", "t", "1"}
FALSE_WORDS = {"no", "n", "false", "f", "0"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")


def normalise(text: str) -> str:
    """The form two spellings of a value or heading are compared in."""
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold()).strip()


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with a population file: where (row, column) and what."""

    row: int | None
    column: str | None
    problem: str

    def line(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.problem}" if where else self.problem


class PopulationError(FieldworkError):
    """A population file that cannot be imported, with every problem found in it."""

    def __init__(self, file: str, problems: Sequence[RowProblem]):
        self.problems = tuple(problems)
        shown = "; ".join(p.line() for p in self.problems[:SHOWN_PROBLEMS])
        more = len(self.problems) - SHOWN_PROBLEMS
        tail = f"; and {more} more" if more > 0 else ""
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''}, nothing was imported: "
        super().__init__(summary + shown + tail, file=file)

    def lines(self) -> list[str]:
        return [f"{self.file}: {p.line()}" for p in self.problems]


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of a provider's export holds what, and how its values are spelled.

    ``columns`` maps a column heading to ``"reference"``, an attribute id or an extra
    field id; ``values`` maps an attribute id to {provider's spelling: framework choice}.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def merged(self, other: ColumnMapping) -> ColumnMapping:
        """This mapping with ``other``'s entries added on top."""
        values = {a: dict(v) for a, v in self.values.items()}
        for attribute, aliases in other.values.items():
            values.setdefault(attribute, {}).update(aliases)
        return ColumnMapping({**self.columns, **other.columns}, values)

    def to_json(self) -> str:
        return json.dumps(
            {"columns": dict(self.columns), "values": {a: dict(v) for a, v in self.values.items()}},
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        data = json.loads(text)
        return cls(
            dict(data.get("columns", {})), {a: dict(v) for a, v in data.get("values", {}).items()}
        )


@dataclass(frozen=True)
class PopulationRow:
    row: int  # the row of the file (the heading row is row 1 of a CSV file)
    reference: str
    attributes: Mapping[str, AttributeValue]
    extra: Mapping[str, AttributeValue] = field(default_factory=dict)


@dataclass(frozen=True)
class PopulationFile:
    """A clean population file, read and checked."""

    file: str
    sha256: str
    columns: Mapping[str, str]  # heading -> what it holds, for the columns used
    rows: tuple[PopulationRow, ...]


# -- reading a file -------------------------------------------------------------------------
Cell = Any
Table = tuple[list[str], Iterator[tuple[int, list[Cell]]]]


def read_table(path: Path, *, encoding: str = "utf-8", sheet: str | None = None) -> Table:
    """The headings and the rows (with their row numbers) of a CSV or .xlsx file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FieldworkError("file not found", file=str(path)) from None
    except OSError as exc:
        raise FieldworkError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    if not data.strip(b"\xef\xbb\xbf\xff\xfe\r\n\t ,;"):
        raise FieldworkError("the file is empty: no heading row and no cases", file=str(path))
    if data.startswith(OLD_EXCEL_MAGIC):
        raise FieldworkError(
            "this is an old-style Excel file (.xls); save it as an Excel workbook (.xlsx) or as "
            "CSV UTF-8 and import that",
            file=str(path),
        )
    if data.startswith(EXCEL_MAGIC):
        return _read_xlsx(path, data, sheet)
    return _read_csv(path, data, encoding)


def _read_csv(path: Path, data: bytes, encoding: str) -> Table:
    utf8 = encoding.replace("_", "-").casefold() in ("utf-8", "utf8", "utf-8-sig")
    if utf8 and (data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]):
        raise FieldworkError(
            "the file is UTF-16 text, not UTF-8 (as Excel's 'Unicode Text' saves it); save it "
            "as 'CSV UTF-8', or import it with the encoding utf-16",
            file=str(path),
        )
    try:
        text = data.decode("utf-8-sig" if utf8 else encoding)
    except LookupError:
        raise FieldworkError(f"unknown text encoding {encoding!r}", file=str(path)) from None
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        raise FieldworkError(
            f"the file is not {encoding.upper()} text: byte 0x{byte} on row {row} cannot be read"
            + (
                ". It looks like Latin-1 / Windows-1252 text (as Excel's plain 'CSV' saves it): "
                "save it as 'CSV UTF-8', or import it with the encoding cp1252"
                if utf8
                else ""
            ),
            file=str(path),
            place=f"row {row}",
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headings = next(reader)
    except csv.Error as exc:
        raise FieldworkError(f"cannot read the heading row ({exc})", file=str(path)) from None

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for cells in reader:
                yield reader.line_num, list(cells)
        except csv.Error as exc:
            raise FieldworkError(
                f"cannot read the file as CSV ({exc})",
                file=str(path),
                place=f"row {reader.line_num}",
            ) from None

    return [h.strip() for h in headings], rows()


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> Table:
    import openpyxl  # only needed for Excel files
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FieldworkError(
            f"not a readable Excel workbook (.xlsx) ({exc})", file=str(path)
        ) from None
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            raise FieldworkError(
                f"there is no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})",
                file=str(path),
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            all_rows = [
                (n, list(cells))
                for n, cells in enumerate(worksheet.iter_rows(values_only=True), start=1)
            ]
    finally:
        book.close()
    filled = [(n, cells) for n, cells in all_rows if any(_present(c) for c in cells)]
    if not filled:
        raise FieldworkError(
            f"the sheet {worksheet.title!r} is empty: no heading row and no cases", file=str(path)
        )
    (_, heading_cells), body = filled[0], filled[1:]
    headings = ["" if c is None else str(c).strip() for c in heading_cells]
    return headings, iter(body)


def _present(cell: Cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _filled(cells: list[Cell]) -> bool:
    """Whether any cell holds something (a row of blanks is no case)."""
    try:  # a row of text (every row of a CSV file): one join, not a test per cell
        return bool("".join(cells).strip())
    except TypeError:  # numbers, dates or empty cells from a workbook
        return any(_present(c) for c in cells)


# -- checking a file ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    id: str
    label: str
    type: str  # "reference", "choice", "bool", "text" or "date"
    choices: tuple[str, ...] = ()
    required: bool = False
    extra: bool = False


def targets(sample: Sample, plan: SamplingPlan) -> dict[str, _Target]:
    """Everything a column can hold for this sample: the reference, attributes, extra fields."""
    found = {REFERENCE: _Target(REFERENCE, sample.reference_label, "reference", required=True)}
    for a in sample.attributes:
        found[a.id] = _Target(a.id, a.label, a.type, a.choices, a.id in plan.required)
    for f in plan.extra_fields:
        found[f.id] = _Target(f.id, f.label, f.type, (), f.id in plan.required, extra=True)
    return found


def resolve_target(sample: Sample, plan: SamplingPlan, name: str) -> str:
    """The id of the target a user named by id or label ("gender", "Risk of serious harm")."""
    known = targets(sample, plan)
    wanted = normalise(name)
    for target in known.values():
        if wanted in (normalise(target.id), normalise(target.label)):
            return target.id
    if wanted in REFERENCE_ALIASES:
        return REFERENCE
    raise InvalidChange(
        f"{name!r} is not something a {sample.title} column can hold; use one of: "
        f"{', '.join(known)}"
    )


def pairs(items: Iterable[str], what: str) -> list[tuple[str, str]]:
    """``LEFT=RIGHT`` texts (as typed on the command line) split at their last ``=``."""
    out = []
    for item in items:
        left, sep, right = item.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise InvalidChange(f"{item!r} is not {what}")
        out.append((left.strip(), right.strip()))
    return out


def mapping_from_text(
    sample: Sample, plan: SamplingPlan, columns: Iterable[str], values: Iterable[str] = ()
) -> ColumnMapping:
    """A column mapping from ``COLUMN=ATTRIBUTE`` and ``ATTRIBUTE:TEXT=CHOICE`` texts, as
    typed on the command line or in the application (attributes by id or label)."""
    mapped = {
        column: resolve_target(sample, plan, target)
        for column, target in pairs(columns, "COLUMN=ATTRIBUTE")
    }
    aliases: dict[str, dict[str, str]] = {}
    for left, choice in pairs(values, "ATTRIBUTE:TEXT=CHOICE"):
        attribute, sep, spelled = left.partition(":")
        if not sep:
            raise InvalidChange(
                f"{left}={choice!r}: write ATTRIBUTE:TEXT=CHOICE, e.g. gender:M=male"
            )
        aliases.setdefault(resolve_target(sample, plan, attribute), {})[spelled] = choice
    return ColumnMapping(mapped, aliases)


def _match_columns(
    headings: list[str], sample: Sample, plan: SamplingPlan, mapping: ColumnMapping
) -> tuple[dict[int, _Target], list[RowProblem]]:
    known = targets(sample, plan)
    problems: list[RowProblem] = []
    by_name: dict[str, _Target] = {}
    for target in known.values():
        by_name.setdefault(normalise(target.id), target)
        by_name.setdefault(normalise(target.label), target)
    for alias in REFERENCE_ALIASES:
        by_name.setdefault(alias, known[REFERENCE])
    explicit = {normalise(h): t for h, t in mapping.columns.items()}
    for heading, target_id in mapping.columns.items():
        if target_id not in known:
            problems.append(
                RowProblem(
                    None,
                    heading,
                    f"the mapping sends this column to {target_id!r}, which a {sample.title} "
                    f"case does not have",
                )
            )
    chosen: dict[int, _Target] = {}
    for index, heading in enumerate(headings):
        key = normalise(heading)
        if not key:
            continue
        if key in explicit:
            mapped = known.get(explicit[key])
            if mapped is not None:
                chosen[index] = mapped
        elif key in by_name:
            chosen[index] = by_name[key]
    seen: dict[str, int] = {}
    for index, target in sorted(chosen.items()):
        if target.id in seen:
            problems.append(
                RowProblem(
                    1,
                    headings[index],
                    f"both this column and {headings[seen[target.id]]!r} hold {target.label}; "
                    "map one of them to something else",
                )
            )
        seen.setdefault(target.id, index)
    held = {t.id for t in chosen.values()}
    missing = [t for t in known.values() if t.required and t.id not in held]
    if missing:
        hint = "; ".join(
            f"mapped from {h!r}, which is not in the file"
            for h, t in mapping.columns.items()
            if t in {m.id for m in missing} and normalise(h) not in map(normalise, headings)
        )
        problems.append(
            RowProblem(
                1,
                None,
                "missing column"
                + ("s" if len(missing) > 1 else "")
                + f" for {', '.join(t.label for t in missing)}"
                + (f" ({hint})" if hint else "")
                + f". The file's columns are: {', '.join(repr(h) for h in headings if h)}. "
                "Map a column to each, e.g. --map 'Sex=gender'",
            )
        )
    return chosen, problems


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


Converted = tuple[AttributeValue, str | None]  # the value, or None and the problem
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)(?:[ T].*)?$")


class _Converter:
    """Turns the cells of one column into values of its target, remembering texts seen.

    A provider's export repeats a handful of spellings thousands of times, so each
    distinct text is matched (against choices, yes/no words or date formats) once, and
    each distinct cell of text (every cell of a CSV file) is looked up once.
    """

    def __init__(self, target: _Target, aliases: Mapping[str, str]):
        self.target = target
        self.lookup = {normalise(c): c for c in target.choices}
        self.lookup.update({normalise(k): v for k, v in aliases.items() if v in target.choices})
        self.seen: dict[str, Converted] = {}
        self.plain = target.type in ("reference", "text")  # the text itself: nothing to match
        self.cells: dict[str, Converted] = {}

    def __call__(self, cell: Cell) -> Converted:
        if type(cell) is not str:
            return self._convert(cell)
        if self.plain:  # a reference or free text: unique per row, not worth remembering
            text = cell.strip()
            return (text, None) if text else self._convert(cell)
        found = self.cells.get(cell)
        if found is None:
            found = self.cells[cell] = self._convert(cell)
        return found

    def _convert(self, cell: Cell) -> Converted:
        target = self.target
        if target.type == "bool" and isinstance(cell, bool):
            return cell, None
        if target.type == "date" and isinstance(cell, datetime):
            return cell.date().isoformat(), None
        if target.type == "date" and isinstance(cell, date):
            return cell.isoformat(), None
        text = _text(cell)
        if not text:
            if target.required:
                expected = f" ({', '.join(target.choices)})" if target.choices else ""
                return None, f"empty, but every case needs its {target.label}{expected}"
            return None, None
        if target.type in ("reference", "text"):
            return text, None
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = self._match(text)
        return found

    def _match(self, text: str) -> Converted:
        target = self.target
        if target.type == "choice":
            value = self.lookup.get(normalise(text))
            if value is not None:
                return value, None
            return None, f"{text!r} is not one of: {', '.join(target.choices)}"
        if target.type == "bool":
            key = normalise(text)
            if key in TRUE_WORDS:
                return True, None
            if key in FALSE_WORDS:
                return False, None
            return None, f"{text!r} is not yes or no"
        if target.type == "date":
            return _date(text)
        return text, None


def _date(text: str) -> Converted:
    """A date written as YYYY-MM-DD (with or without a time) or, in UK order, DD/MM/YYYY."""
    for pattern, order in ((_ISO, (0, 1, 2)), (_DAY_FIRST, (2, 1, 0))):
        match = pattern.match(text)
        if match:
            parts = [int(match.group(i + 1)) for i in order]
            try:
                return date(*parts).isoformat(), None
            except ValueError:
                break
    else:
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date().isoformat(), None
            except ValueError:
                continue
    return None, f"{text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)"


def check_rows(
    file: str,
    headings: list[str],
    rows: Iterable[tuple[int, list[Cell]]],
    sample: Sample,
    plan: SamplingPlan,
    mapping: ColumnMapping,
) -> tuple[dict[str, str], list[PopulationRow]]:
    """Check every row; raise PopulationError listing every problem, or return the rows."""
    chosen, problems = _match_columns(headings, sample, plan, mapping)
    if problems:
        raise PopulationError(file, problems)
    out: list[PopulationRow] = []
    first_seen: dict[str, int] = {}
    # Per column, once: where it is, how its cells convert, and where its value goes.
    converters = [
        (
            index,
            _Converter(t, mapping.values.get(t.id, {})),
            t.id,
            "reference" if t.type == "reference" else "extra" if t.extra else "attribute",
        )
        for index, t in chosen.items()
    ]
    width = max(chosen, default=-1) + 1
    for number, cells in rows:
        if not _filled(cells):
            continue
        if len(cells) > len(headings) and _filled(cells[len(headings) :]):
            problems.append(
                RowProblem(
                    number,
                    None,
                    f"the row has {len(cells)} cells but there are {len(headings)} headings",
                )
            )
            continue
        if len(cells) < width:
            cells = [*cells, *[None] * (width - len(cells))]
        reference = ""
        attributes: dict[str, AttributeValue] = {}
        extra: dict[str, AttributeValue] = {}
        for index, convert, target_id, goes_to in converters:
            value, problem = convert(cells[index])
            if problem:
                problems.append(RowProblem(number, headings[index], problem))
            elif goes_to == "attribute":
                attributes[target_id] = value
            elif goes_to == "reference":
                reference = str(value)
            else:
                extra[target_id] = value
        if reference:
            key = reference.casefold()
            if key in first_seen:
                column = next(headings[i] for i, t in chosen.items() if t.id == REFERENCE)
                problems.append(
                    RowProblem(
                        number,
                        column,
                        f"duplicate reference {reference!r} (also on row {first_seen[key]})",
                    )
                )
            else:
                first_seen[key] = number
        out.append(PopulationRow(number, reference, attributes, extra))
    if not out and not problems:
        problems.append(RowProblem(None, None, "the file has a heading row but no cases"))
    if problems:
        raise PopulationError(file, problems)
    columns = {headings[i]: t.id for i, t in sorted(chosen.items())}
    return columns, out


def read_population(
    path: str | Path,
    sample: Sample,
    plan: SamplingPlan,
    mapping: ColumnMapping | None = None,
    *,
    encoding: str = "utf-8",
    sheet: str | None = None,
) -> PopulationFile:
    """Read and check a population file; nothing is stored. Raises with every problem found."""
    path = Path(path)
    headings, rows = read_table(path, encoding=encoding, sheet=sheet)
    columns, checked = check_rows(
        str(path), headings, rows, sample, plan, mapping or ColumnMapping()
    )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return PopulationFile(str(path), digest, columns, tuple(checked))
