"""Every output table of the central scoring, as plain rows.

The terminal, the CSV files, the Excel workbook, the PDF report and the GUI
dashboard all show these same tables, so a figure reads the same everywhere.
A row may name the figure behind it (``item_id``, and a breakdown's attribute
and value) so a reader can drill down to the cases.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fieldwork.framework import AttributeValue
from fieldwork.scoring.scores import (
    NO_COMPARABLE_DATA,
    Breakdown,
    Comparison,
    Figure,
    Scores,
    StandardScore,
)

Cell = str | int | None


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    item_id: str | None = None  # the figure this row shows, for drill-down
    standard_id: str | None = None
    attribute: str | None = None  # a breakdown row: the attribute and value it selects
    value: AttributeValue = None
    heading: bool = False  # a group heading (e.g. a key question above its prompts)
    emphasis: bool = False  # e.g. the key question that sets a standard's rating
    layout: bool = False  # only lays out the table (a heading with no figure): not data


@dataclass(frozen=True)
class Table:
    key: str  # a short, file-safe name: "ratings", "key-questions", "breakdown-gender"
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()  # columns that hold numbers (or nothing) in data files

    def column(self, name: str) -> int:
        return self.columns.index(name)

    @property
    def data_rows(self) -> tuple[Row, ...]:
        """The rows a data file holds: every row but the layout-only headings."""
        return tuple(r for r in self.rows if not r.layout)


def _current(figure: Figure) -> Cell:
    pct = figure.percentage
    return "no applicable cases" if pct is None else pct


def _change(comparison: Comparison | None) -> Cell:
    if comparison is None or comparison.change is None:
        return None
    change = comparison.change
    return int(change) if change == change.to_integral_value() else str(change)


def _previous(comparison: Comparison | None) -> Cell:
    if comparison is None or comparison.previous is None or comparison.previous.percentage is None:
        return NO_COMPARABLE_DATA
    value = comparison.previous.percentage
    return int(value) if value == value.to_integral_value() else str(value)


def _significance(comparison: Comparison | None) -> Cell:
    if comparison is None:
        return NO_COMPARABLE_DATA
    return comparison.note


def when(moment: str) -> str:
    """An ISO timestamp as a reader writes it: "13 January 2020, 09:00"."""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    return f"{parsed.day} {parsed:%B %Y, %H:%M}"


def rating_text(standard: StandardScore) -> str:
    final = standard.final
    return final.value if final else "No rating"


def ratings_table(scores: Scores) -> Table:
    rows = []
    for standard in scores.standards:
        panel = ""
        if standard.assessed == "case":
            if standard.decision:
                panel = f"decided {standard.decision.final.value}"
                if standard.decision_on_other_cases:
                    panel += f" (on {standard.decision.case_set})"
                elif standard.decision_outdated:
                    panel += " (data changed since)"
            elif standard.flagged:
                panel = "flagged"
        final = standard.final
        rows.append(
            Row(
                (
                    f"{standard.id} {standard.title}",
                    standard.previous.value if standard.previous else None,
                    standard.provisional.value if standard.provisional else None,
                    rating_text(standard),
                    standard.points if final else None,
                    standard.decided_by or None,
                    panel or None,
                ),
                item_id=standard.lowest.item_id if standard.lowest else None,
                standard_id=standard.id,
            )
        )
    overall = scores.overall
    rows.append(
        Row(
            (
                "Overall",
                None,
                None,
                overall.rating.value if overall.rating else "No rating",
                overall.score,
                None,
                None,
            ),
            emphasis=True,
        )
    )
    notes = [overall.statement, *scores.warnings]
    notes += [f"{s.id}: {s.statement}" for s in scores.standards if s.final is None]
    return Table(
        "ratings",
        "Ratings",
        (
            "Standard",
            "Previous inspection",
            "Provisional rating",
            "Current rating",
            "Score",
            "Rated by",
            "Ratings panel",
        ),
        tuple(rows),
        tuple(notes),
        numeric=("Score",),
    )


KEY_QUESTION_COLUMNS = (
    "Id",
    "Key question",
    "Applicable cases",
    "Satisfactory",
    "Previous inspection %",
    "Current inspection %",
    "Band",
    "Change (points)",
    "Significance",
    "Not applicable (inspector)",
)


def key_question_rows(scores: Scores, standard: StandardScore) -> list[Row]:
    lowest = standard.lowest
    rows = []
    for figure in standard.key_questions:
        comparison = scores.comparisons.get(figure.item_id)
        band = figure.band
        rows.append(
            Row(
                (
                    figure.item_id,
                    figure.text,
                    figure.applicable,
                    figure.yes,
                    _previous(comparison),
                    _current(figure),
                    f"{band.label} ({band.range_text}) → {band.rating.value}" if band else None,
                    _change(comparison),
                    _significance(comparison),
                    figure.not_applicable,
                ),
                item_id=figure.item_id,
                standard_id=standard.id,
                emphasis=lowest is not None and figure.item_id == lowest.item_id,
            )
        )
    return rows


def key_questions_table(scores: Scores, standard: StandardScore | None = None) -> Table:
    standards = [standard] if standard else [s for s in scores.standards if s.assessed == "case"]
    rows = [row for s in standards for row in key_question_rows(scores, s)]
    key, title = (
        (f"key-questions-{standard.id}", f"{standard.id} {standard.title}: key questions")
        if standard
        else ("key-questions", "Key questions")
    )
    return Table(
        key,
        title,
        KEY_QUESTION_COLUMNS,
        tuple(rows),
        (
            "Percentages rounded half up to a whole number; bands are taken on the rounded figure.",
            "In the data files an empty percentage means no figure: no comparable data "
            "(previous) or no applicable cases (current).",
        ),
        numeric=(
            "Applicable cases",
            "Satisfactory",
            "Previous inspection %",
            "Current inspection %",
            "Change (points)",
            "Not applicable (inspector)",
        ),
    )


PROMPT_COLUMNS = (
    "Id",
    "Prompt",
    "Applicable answers",
    "Yes",
    "Not applicable (inspector)",
    "Previous inspection %",
    "Current inspection %",
    "Change (points)",
    "Significance",
)


def prompts_table(scores: Scores, standard: StandardScore | None = None) -> Table:
    """Annexe 4: each key question as a heading, then its prompts."""
    standards = [standard] if standard else [s for s in scores.standards if s.assessed == "case"]
    rows = []
    for s in standards:
        for kq in s.key_questions:
            rows.append(
                Row(
                    (kq.item_id, kq.text, None, None, None, None, None, None, None),
                    standard_id=s.id,
                    heading=True,
                    layout=True,
                )
            )
            prompts = [p for p in scores.prompts.values() if p.key_question_id == kq.item_id]
            for figure in prompts:
                comparison = scores.comparisons.get(figure.item_id)
                rows.append(
                    Row(
                        (
                            figure.item_id,
                            figure.text,
                            figure.applicable,
                            figure.yes,
                            figure.not_applicable,
                            _previous(comparison),
                            _current(figure),
                            _change(comparison),
                            _significance(comparison),
                        ),
                        item_id=figure.item_id,
                        standard_id=s.id,
                    )
                )
    key, title = (
        (f"prompts-{standard.id}", f"{standard.id} {standard.title}: prompts")
        if standard
        else ("prompts", "Annexe 4: prompts")
    )
    return Table(
        key,
        title,
        PROMPT_COLUMNS,
        tuple(rows),
        (
            "Yes over the applicable answers; not applicable by the framework's rule is never "
            "counted and not applicable by the inspector's choice is left out.",
            "In the data files an empty percentage means no figure: no comparable data "
            "(previous) or no applicable answers (current).",
        ),
        numeric=(
            "Applicable answers",
            "Yes",
            "Not applicable (inspector)",
            "Previous inspection %",
            "Current inspection %",
            "Change (points)",
        ),
    )


def profile_table(scores: Scores) -> Table:
    rows = tuple(
        Row(
            (
                row.characteristic.label,
                row.cases,
                row.count,
                row.percentage,
                row.not_recorded,
            )
        )
        for row in scores.profile
    )
    return Table(
        "profile",
        "Characteristics of inspected domain 2 cases",
        ("Characteristic", "Cases", "With the characteristic", "Share %", "Not recorded"),
        rows,
        ("Shares are of the scored cases that record the attribute.",),
        numeric=("Cases", "With the characteristic", "Share %", "Not recorded"),
    )


def breakdown_table(breakdowns: Sequence[Breakdown]) -> Table:
    """Breakdowns by one attribute (all share it): a group per figure, a row per value."""
    first = breakdowns[0]
    rows = []
    for breakdown in breakdowns:
        figure = breakdown.figure
        rows.append(
            Row(
                (
                    figure.item_id,
                    "all cases",
                    figure.applicable,
                    figure.yes,
                    figure.percentage,
                ),
                item_id=figure.item_id,
                standard_id=figure.standard_id,
                heading=True,
            )
        )
        for row in breakdown.rows:
            rows.append(
                Row(
                    (figure.item_id, row.value, row.applicable, row.yes, row.percentage),
                    item_id=figure.item_id,
                    standard_id=figure.standard_id,
                    attribute=breakdown.attribute,
                    value=row.attribute_value,
                )
            )
    return Table(
        f"breakdown-{first.attribute}",
        f"Key questions by {first.attribute_label.lower()}",
        ("Id", first.attribute_label, "Applicable", "Satisfactory", "%"),
        tuple(rows),
        ("The rows of each key question add up to its 'all cases' row.",),
        numeric=("Applicable", "Satisfactory", "%"),
    )


def breakdown_tables(scores: Scores) -> list[Table]:
    by_attribute: dict[str, list[Breakdown]] = {}
    for breakdown in scores.breakdowns:
        by_attribute.setdefault(breakdown.attribute, []).append(breakdown)
    return [breakdown_table(b) for b in by_attribute.values()]


def panel_table(scores: Scores) -> Table:
    rows = []
    for s in scores.standards:
        if s.assessed != "case" or not (s.flagged or s.decision):
            continue
        lowest = s.lowest
        decision = s.decision
        rows.append(
            Row(
                (
                    f"{s.id} {s.title}",
                    s.provisional.value if s.provisional else None,
                    f"{lowest.item_id} {lowest.percentage}%" if lowest else None,
                    "; ".join(f.text for f in s.flags) or "not flagged",
                    decision.final.value if decision else "awaiting the panel",
                    decision.reasons if decision else None,
                    decision.decided_by if decision else None,
                    when(decision.decided_at) if decision else None,
                ),
                item_id=lowest.item_id if lowest else None,
                standard_id=s.id,
            )
        )
    return Table(
        "panel",
        "Ratings panel",
        (
            "Standard",
            "Provisional rating",
            "Lowest key question",
            "Why flagged",
            "Final rating",
            "Reasons",
            "Decided by",
            "Decided at",
        ),
        tuple(rows),
    )


def domain1_table(scores: Scores) -> Table:
    rows = tuple(
        Row(
            (
                f"{s.id} {s.title}",
                s.domain1.rating.value if s.domain1 else "No rating yet",
                s.domain1.evidence if s.domain1 else None,
                s.domain1.entered_by if s.domain1 else None,
                when(s.domain1.entered_at) if s.domain1 else None,
            ),
            standard_id=s.id,
        )
        for s in scores.standards
        if s.assessed == "inspection"
    )
    return Table(
        "domain-1",
        "Domain 1: organisational delivery",
        ("Standard", "Rating", "Evidence", "Entered by", "Entered at"),
        rows,
    )


def samples_table(scores: Scores) -> Table:
    scope = "complete cases only" if scores.only_complete else "every case, answered items only"
    return Table(
        "samples",
        "Cases scored",
        ("Sample", "Cases", "Scored", "Not scored"),
        tuple(Row((s.title, s.cases, s.scored, s.cases - s.scored)) for s in scores.samples),
        (f"Scored: {scope}.",),
        numeric=("Cases", "Scored", "Not scored"),
    )


def all_tables(scores: Scores) -> list[Table]:
    """Every table, in the order the exports list them."""
    return [
        ratings_table(scores),
        samples_table(scores),
        key_questions_table(scores),
        prompts_table(scores),
        panel_table(scores),
        domain1_table(scores),
        profile_table(scores),
        *breakdown_tables(scores),
    ]


def as_text(table: Table, *, widths: dict[str, int] | None = None, indent: str = "") -> str:
    """A table as aligned plain text for the terminal; long cells wrap within ``widths``."""
    widths = widths or {}
    cells = [[("" if c is None else str(c)) for c in row.cells] for row in table.rows]
    sizes = []
    for n, name in enumerate(table.columns):
        natural = max([len(name)] + [len(r[n]) for r in cells])
        sizes.append(min(natural, widths.get(name, natural)))
    lines = [indent + table.title, ""]

    def emit(values: list[str]) -> None:
        wrapped = [textwrap.wrap(v, s) or [""] for v, s in zip(values, sizes, strict=True)]
        for line in range(max(len(w) for w in wrapped)):
            parts = [
                (w[line] if line < len(w) else "").ljust(s)
                for w, s in zip(wrapped, sizes, strict=True)
            ]
            lines.append((indent + "  ".join(parts)).rstrip())

    emit(list(table.columns))
    lines.append(indent + "  ".join("-" * s for s in sizes))
    for row in cells:
        emit(row)
    if table.notes:
        lines.append("")
    lines += [indent + line for note in table.notes for line in textwrap.wrap(note, 100)]
    return "\n".join(lines)
