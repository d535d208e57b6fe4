"""What the data team records beside the case data: the ratings panel's decisions, the
domain 1 ratings and the previous inspection's figures.

Each change is one transaction that also appends to the history (who, when, old
value, new value, reason), so a decision that is revised is never lost.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from fieldwork.errors import FieldworkError, InvalidChange
from fieldwork.framework import Standard
from fieldwork.scoring.rules import Rating
from fieldwork.service import Service
from fieldwork.store import new_id


class PreviousFiguresError(FieldworkError):
    """A previous-figures file that cannot be read; nothing was imported."""


@dataclass(frozen=True)
class PanelDecision:
    standard_id: str
    final: Rating
    reasons: str
    decided_by: str
    decided_at: str
    provisional: Rating | None  # what the panel was shown
    lowest_item: str | None
    lowest_percentage: int | None
    only_complete: bool = True  # the case set it was scored on: complete cases only, or all

    @property
    def case_set(self) -> str:
        return case_set_text(self.only_complete)


def case_set_text(only_complete: bool) -> str:
    """The case set a scoring used, in words."""
    return "complete cases only" if only_complete else "every case, complete or not"


@dataclass(frozen=True)
class Domain1Rating:
    standard_id: str
    rating: Rating
    evidence: str
    entered_by: str
    entered_at: str


@dataclass(frozen=True)
class PreviousFigure:
    """A figure of the previous inspection. ``percentage`` None: no comparable data."""

    item_id: str
    percentage: Decimal | None
    sample_size: int | None
    rating: Rating | None
    source: str
    source_row: int


def _inspection_id(service: Service) -> str:
    inspection = service.inspection()
    if inspection is None:
        raise InvalidChange(
            "create an inspection in this workspace first", file=str(service.workspace.path)
        )
    return inspection.id


def _decimal(value: float | Decimal) -> Decimal:
    """A percentage as the Decimal it was written as (83.0 → 83, 83.5 → 83.5)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact.normalize()


def _rating(value: str | None) -> Rating | None:
    return Rating(value) if value else None


# -- reading ----------------------------------------------------------------------------------
def panel_decisions(service: Service) -> dict[str, PanelDecision]:
    rows = service.db.execute(
        "SELECT standard_id, final, reasons, decided_by, decided_at, provisional, lowest_item, "
        "lowest_percentage, only_complete FROM panel_decisions"
    )
    return {
        r[0]: PanelDecision(
            r[0], Rating(r[1]), r[2], r[3], r[4], _rating(r[5]), r[6], r[7], bool(r[8])
        )
        for r in rows
    }


def domain1_ratings(service: Service) -> dict[str, Domain1Rating]:
    rows = service.db.execute(
        "SELECT standard_id, rating, evidence, entered_by, entered_at FROM domain1_ratings"
    )
    return {r[0]: Domain1Rating(r[0], Rating(r[1]), r[2], r[3], r[4]) for r in rows}


def previous_figures(service: Service) -> dict[str, PreviousFigure]:
    rows = service.db.execute(
        "SELECT item_id, percentage, sample_size, rating, source, source_row FROM previous_figures"
    )
    return {
        r[0]: PreviousFigure(
            r[0],
            None if r[1] is None else _decimal(r[1]),
            r[2],
            _rating(r[3]),
            r[4],
            r[5],
        )
        for r in rows
    }


# -- recording ----------------------------------------------------------------------------------
def record_panel_decision(
    service: Service,
    standard_id: str,
    final: Rating | str,
    reasons: str,
    *,
    provisional: Rating | None,
    lowest_item: str | None,
    lowest_percentage: int | None,
    only_complete: bool = True,
) -> PanelDecision:
    """Record (or revise) the panel's final rating of a standard of domains 2 and 3.

    The caller passes the figures the panel was shown; ``fieldwork.scoring.decide`` does
    that from a fresh scoring and refuses standards the rules did not flag.
    """
    inspection_id = _inspection_id(service)
    standard = _standard(service, standard_id, assessed="case")
    rating = _parse_rating(final, f"panel decision on {standard.id}")
    reasons = reasons.strip()
    if not reasons:
        raise InvalidChange(
            "the panel's reasons are needed: say why the rating is what it is",
            place=f"panel decision on {standard.id}",
        )
    old = panel_decisions(service).get(standard.id)
    decision = PanelDecision(
        standard.id,
        rating,
        reasons,
        service.user,
        service.workspace.now(),
        provisional,
        lowest_item,
        lowest_percentage,
        only_complete,
    )
    with service.workspace.write() as db:
        db.execute(
            "INSERT INTO panel_decisions (id, inspection_id, standard_id, provisional, "
            "lowest_item, lowest_percentage, final, reasons, decided_by, decided_at, "
            "only_complete) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (inspection_id, standard_id) DO UPDATE SET "
            "provisional = excluded.provisional, lowest_item = excluded.lowest_item, "
            "lowest_percentage = excluded.lowest_percentage, final = excluded.final, "
            "reasons = excluded.reasons, decided_by = excluded.decided_by, "
            "decided_at = excluded.decided_at, only_complete = excluded.only_complete",
            [
                new_id(),
                inspection_id,
                standard.id,
                provisional.value if provisional else None,
                lowest_item,
                lowest_percentage,
                rating.value,
                reasons,
                decision.decided_by,
                decision.decided_at,
                int(only_complete),
            ],
        )
        service.workspace.record_history(
            case_id=None,
            entity="panel decision",
            item_id=standard.id,
            field="final rating",
            old=old.final.value if old else None,
            new=rating.value,
            who=service.user,
            reason=reasons,
            at=decision.decided_at,
        )
    return decision


def record_domain1_rating(
    service: Service, standard_id: str, rating: Rating | str, evidence: str
) -> Domain1Rating:
    """Record (or revise) the lead inspector's rating of a domain 1 standard, with evidence."""
    inspection_id = _inspection_id(service)
    standard = _standard(service, standard_id, assessed="inspection")
    parsed = _parse_rating(rating, f"domain 1 rating of {standard.id}")
    evidence = evidence.strip()
    if not evidence:
        raise InvalidChange(
            "a domain 1 rating needs its evidence", place=f"domain 1 rating of {standard.id}"
        )
    old = domain1_ratings(service).get(standard.id)
    entry = Domain1Rating(standard.id, parsed, evidence, service.user, service.workspace.now())
    with service.workspace.write() as db:
        db.execute(
            "INSERT INTO domain1_ratings (id, inspection_id, standard_id, rating, evidence, "
            "entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (inspection_id, standard_id) DO UPDATE SET rating = excluded.rating, "
            "evidence = excluded.evidence, entered_by = excluded.entered_by, "
            "entered_at = excluded.entered_at",
            [
                new_id(),
                inspection_id,
                standard.id,
                parsed.value,
                evidence,
                entry.entered_by,
                entry.entered_at,
            ],
        )
        service.workspace.record_history(
            case_id=None,
            entity="domain 1 rating",
            item_id=standard.id,
            field="rating",
            old=old.rating.value if old else None,
            new=parsed.value,
            who=service.user,
            reason=evidence,
            at=entry.entered_at,
        )
    return entry


def _standard(service: Service, standard_id: str, *, assessed: str) -> Standard:
    framework = service.framework
    for domain in framework.domains:
        for standard in domain.standards:
            if standard.id == standard_id.strip():
                if domain.assessed != assessed:
                    what = (
                        "a domain 1 standard, rated by the lead inspector (use domain1)"
                        if domain.assessed == "inspection"
                        else "rated from the case data; the ratings panel decides on it"
                    )
                    raise InvalidChange(f"standard {standard.id} is {what}")
                return standard
    choices = ", ".join(
        s.id for d in framework.domains if d.assessed == assessed for s in d.standards
    )
    raise InvalidChange(f"there is no standard {standard_id!r}; the standards are {choices}")


def _parse_rating(value: Rating | str, place: str) -> Rating:
    if isinstance(value, Rating):
        return value
    try:
        return Rating.parse(value)
    except ValueError as exc:
        raise InvalidChange(str(exc), place=place) from None


# -- previous figures ---------------------------------------------------------------------------
PREVIOUS_COLUMNS = ("item", "percentage", "sample_size", "rating")


def read_previous_figures(path: str | Path, service: Service) -> list[PreviousFigure]:
    """Read and check a previous-figures CSV; raise PreviousFiguresError naming file, row and
    column.

    Columns (a header row is required): ``item`` (a key question, prompt or standard id),
    ``percentage`` (0–100; empty means no comparable data), and optionally ``sample_size``
    (the previous sub-sample, a whole number) and ``rating`` (for standards).
    """
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PreviousFiguresError("file not found", file=source) from None
    except OSError as exc:
        raise PreviousFiguresError(f"cannot read the file ({exc.strerror})", file=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PreviousFiguresError(
            f"not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8", file=source
        ) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise PreviousFiguresError("the file is empty; it needs a header row", file=source)
    header = [cell.strip().casefold().replace(" ", "_") for cell in rows[0]]
    for name in ("item", "percentage"):
        if name not in header:
            raise PreviousFiguresError(
                f"no {name!r} column; the header must name: item, percentage "
                "(and optionally sample_size, rating)",
                file=source,
                place="row 1",
            )
    unknown = [h for h in header if h and h not in PREVIOUS_COLUMNS]
    if unknown:
        raise PreviousFiguresError(
            f"unknown column {unknown[0]!r}; the columns are {', '.join(PREVIOUS_COLUMNS)}",
            file=source,
            place="row 1",
        )
    framework = service.framework
    standards = {s.id for s in framework.standards}
    figures: dict[str, PreviousFigure] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise PreviousFiguresError(
                f"{len(row)} cells but the header has {len(header)}",
                file=source,
                place=f"row {number}",
            )
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}

        def fail(column: str, problem: str, number: int = number) -> PreviousFiguresError:
            return PreviousFiguresError(
                problem, file=source, place=f"row {number}, column {column}"
            )

        item_id = cells["item"]
        if not item_id:
            raise fail("item", "empty item id")
        is_standard = item_id in standards
        if not is_standard:
            try:
                framework.key_question(item_id)
            except KeyError:
                try:
                    framework.prompt(item_id)
                except KeyError:
                    raise fail(
                        "item", f"{item_id!r} is not a standard, key question or prompt"
                    ) from None
        if item_id in figures:
            raise fail(
                "item", f"{item_id} appears twice (first on row {figures[item_id].source_row})"
            )
        percentage: Decimal | None = None
        if cells["percentage"]:
            try:
                percentage = Decimal(cells["percentage"].removesuffix("%").strip())
                percentage = _decimal(percentage) if percentage.is_finite() else percentage
            except InvalidOperation:
                raise fail("percentage", f"{cells['percentage']!r} is not a number") from None
            if not percentage.is_finite() or not 0 <= percentage <= 100:
                raise fail("percentage", f"{cells['percentage']!r} is not between 0 and 100")
            if is_standard:
                raise fail("percentage", "a standard has a rating, not a percentage")
        sample_size: int | None = None
        if cells.get("sample_size"):
            try:
                sample_size = int(cells["sample_size"])
            except ValueError:
                raise fail(
                    "sample_size", f"{cells['sample_size']!r} is not a whole number"
                ) from None
            if sample_size <= 0:
                raise fail("sample_size", "the sample size must be at least 1")
            if percentage is None:
                raise fail("sample_size", "a sample size without a percentage")
        rating: Rating | None = None
        if cells.get("rating"):
            if not is_standard:
                raise fail("rating", "only a standard has a rating")
            try:
                rating = Rating.parse(cells["rating"])
            except ValueError as exc:
                raise fail("rating", str(exc)) from None
        figures[item_id] = PreviousFigure(
            item_id, percentage, sample_size, rating, path.name, number
        )
    if not figures:
        raise PreviousFiguresError("no figures below the header row", file=source)
    return list(figures.values())


def import_previous_figures(service: Service, path: str | Path) -> list[PreviousFigure]:
    """Replace the previous inspection's figures with those of a CSV file, in one transaction.

    The file is read and checked whole first: a bad file changes nothing.
    """
    figures = read_previous_figures(path, service)
    inspection_id = _inspection_id(service)
    old = previous_figures(service)
    now = service.workspace.now()
    with service.workspace.write() as db:
        db.execute("DELETE FROM previous_figures")
        db.conn.executemany(
            "INSERT INTO previous_figures (inspection_id, item_id, percentage, sample_size, "
            "rating, source, source_row, imported_at, imported_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    inspection_id,
                    f.item_id,
                    None if f.percentage is None else float(f.percentage),
                    f.sample_size,
                    f.rating.value if f.rating else None,
                    f.source,
                    f.source_row,
                    now,
                    service.user,
                )
                for f in figures
            ],
        )
        for figure in figures:
            before = old.pop(figure.item_id, None)
            if before is None or _shown(before) != _shown(figure):
                service.workspace.record_history(
                    case_id=None,
                    entity="previous figure",
                    item_id=figure.item_id,
                    field="value",
                    old=_shown(before) if before else None,
                    new=_shown(figure),
                    who=service.user,
                    reason=f"imported from {figure.source}",
                    at=now,
                )
        for gone in old.values():
            service.workspace.record_history(
                case_id=None,
                entity="previous figure",
                item_id=gone.item_id,
                field="value",
                old=_shown(gone),
                new=None,
                who=service.user,
                reason=f"not in {Path(path).name}",
                at=now,
            )
    return figures


def _shown(figure: PreviousFigure) -> str:
    if figure.rating is not None:
        return figure.rating.value
    if figure.percentage is None:
        return "no comparable data"
    size = f" (n={figure.sample_size})" if figure.sample_size else ""
    return f"{figure.percentage}%{size}"
