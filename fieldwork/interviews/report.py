"""Interviews on paper and in tables: the ratings report's key data, CSV/Excel tables and the
interview summary sheet.

``key_data_flowables`` gives, for a domain-one standard, the report's "Key data" tables (as
the published report prints them: label, previous inspection, current inspection) and every
other interview figure that informs it. ``interview_tables`` gives the same figures, with
their breakdowns by grade and cluster, as the scoring's plain tables for CSV and Excel.
``write_interview_sheets`` prints interviews in the case summary sheet's style.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer, Table

from fieldwork.errors import FieldworkError, MissingItem
from fieldwork.interviews.figures import InterviewFigure, InterviewFigures
from fieldwork.interviews.questionnaire import AnswerType, answer_label
from fieldwork.interviews.store import InterviewDetail, Interviews
from fieldwork.reports.document import Furniture, SheetDocument, SheetStart, write_whole
from fieldwork.reports.furniture import WIDTH
from fieldwork.reports.styles import TABLE_STYLE, Para, paragraphs, styles, text
from fieldwork.scoring.tables import Row
from fieldwork.scoring.tables import Table as OutputTable

PREVIOUS, CURRENT = "Previous inspection", "Current inspection"


def _table(rows: list[list[Any]], widths: Sequence[float]) -> Table:
    """A table in the reports' one style; string cells become wrapping paragraphs."""
    s = styles()
    cells = [
        [Para(text(c), s.cell_bold if n == 0 else s.cell) if isinstance(c, str) else c for c in row]
        for n, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TABLE_STYLE)
    return table


def _current(figure: InterviewFigure) -> str:
    return figure.count.shown


# -- the ratings report --------------------------------------------------------------------
def key_data_flowables(figures: InterviewFigures, standard_id: str) -> list[Flowable]:
    """The interview evidence of one standard: its key-data tables, then its other figures."""
    s = styles()
    mine = figures.for_standard(standard_id)
    if not mine:
        return []
    story: list[Flowable] = []
    label_w = WIDTH - 60 * mm
    for title, rows in figures.key_data().items():
        rows = [f for f in rows if f.spec.standard == standard_id]
        if not rows:
            continue
        table: list[list[Any]] = [[title, PREVIOUS, CURRENT]]
        table += [[f.label, f.previous_shown, _current(f)] for f in rows]
        story += [Spacer(0, 2 * mm), _table(table, (label_w, 30 * mm, 30 * mm))]
    others = [f for f in mine if not f.spec.table]
    if others:
        n = ", ".join(f"{k.replace('-', ' ')}s: {v}" for k, v in figures.interviews.items())
        story.append(Spacer(0, 2 * mm))
        story.append(Para(f"Interview evidence ({text(n)} interviews counted)", s.cell_bold))
        rows_: list[list[Any]] = [["Interview figure", "Agreed of applicable", CURRENT]]
        rows_ += [
            [f.label, f"{f.count.counted} of {f.count.applicable}", _current(f)] for f in others
        ]
        story.append(_table(rows_, (label_w, 30 * mm, 30 * mm)))
    changes = [f"{f.label}: {f.note}" for f in mine if f.spec.previous is not None]
    for line in changes:
        story.append(Para(text(line), s.small))
    return story


def key_data_by_standard(figures: InterviewFigures) -> dict[str, list[Flowable]]:
    """Standard id → its interview flowables, for the ratings report's standard sections."""
    standards = dict.fromkeys(f.spec.standard for f in figures.figures)
    return {sid: key_data_flowables(figures, sid) for sid in standards}


# -- CSV and Excel -------------------------------------------------------------------------
def interview_tables(figures: InterviewFigures) -> list[OutputTable]:
    """Every interview figure, and its breakdowns, as plain output tables."""
    columns = (
        "Figure",
        "Standard",
        "Questionnaire",
        "Key data table",
        "Counted",
        "Applicable",
        "Not applicable",
        "Unanswered",
        "Current %",
        "Previous %",
        "Change and significance",
        "Published %",
    )
    rows = tuple(
        Row(
            (
                f.label,
                f.spec.standard,
                f.questionnaire,
                f.spec.table,
                f.count.counted,
                f.count.applicable,
                f.count.not_applicable,
                f.count.unanswered,
                f.count.percentage,
                None if f.spec.previous is None else f"{f.spec.previous:g}",
                f.note,
                f.spec.published,
            ),
            item_id=f.id,
            standard_id=f.spec.standard,
        )
        for f in figures.figures
    )
    breakdown_columns = ("Figure", "Standard", "By", "Group", "Counted", "Applicable", "%")
    breakdown_rows = tuple(
        Row(
            (
                f.label,
                f.spec.standard,
                r.attribute,
                r.value,
                r.count.counted,
                r.count.applicable,
                r.count.percentage,
            ),
            item_id=f.id,
            standard_id=f.spec.standard,
            attribute=r.attribute,
            value=r.value,
        )
        for f in figures.figures
        for r in f.breakdowns
    )
    scope = "complete interviews only" if figures.only_complete else "all interviews"
    return [
        OutputTable("interviews", "Interview figures", columns, rows, (scope,)),
        OutputTable(
            "interviews-breakdown",
            "Interview figures by grade and cluster",
            breakdown_columns,
            breakdown_rows,
            (scope,),
        ),
    ]


# -- interview summary sheets ----------------------------------------------------------------
@dataclass(frozen=True)
class InterviewSheet:
    inspection: str
    detail: InterviewDetail
    inspector: str

    @property
    def heading(self) -> str:
        return f"{self.detail.questionnaire.title}: {self.detail.summary.reference}"


MISSING = {"answer": "Answer", "reason for not applicable": "Reason for not applicable"}


def interview_sheet_flowables(sheet: InterviewSheet) -> list[Flowable]:
    """The body of one interview's summary sheet, in reading order."""
    s = styles()
    d = sheet.detail
    summary = d.summary
    status = (
        f"{text(d.questionnaire.interviewee)} · status: {text(summary.status)} · "
        f"{summary.done} of {summary.total} items done"
    )
    out: list[Flowable] = [
        Para(f"Interview summary sheet: {text(summary.reference)}", s.title),
        Para(status, s.subtitle),
        Para("Interview attributes", s.heading),
    ]
    pairs: list[list[Any]] = [["Attribute", "Value"]]
    pairs += [
        [a.label, summary.attributes.get(a.id, "") or "—"] for a in d.questionnaire.attributes
    ]
    pairs.append(["Cases", ", ".join(summary.case_references) or "—"])
    if summary.planned_for:
        pairs.append(["Planned for", summary.planned_for])
    out.append(_table(pairs, (60 * mm, WIDTH - 60 * mm)))
    out.append(Para("Answers", s.heading))
    rows: list[list[Any]] = [["Item", "Wording", "Answer"]]
    for entry in d.items:
        wording: list[Flowable] = [Para(text(entry.item.text), s.cell)]
        record = entry.answer
        if record.value == "na":
            wording += paragraphs(record.na_reason or "(no reason given yet)", s.note, "Reason:")
        if record.note.strip():
            wording += paragraphs(record.note, s.note, "Note:")
        if entry.item.answer is AnswerType.TEXT:
            if record.value:
                wording += paragraphs(record.value, s.note, "Said:")
            shown = "recorded" if record.value else "—"
        else:
            shown = answer_label(record.value) or "—"
        rows.append([entry.item.id, wording, shown])
    out.append(_table(rows, (42 * mm, WIDTH - 42 * mm - 26 * mm, 26 * mm)))
    if summary.notes.strip():
        out.append(CondPageBreak(30 * mm))
        out.append(Para("Notes", s.heading))
        out += paragraphs(summary.notes, s.body)
    out += _still_to_do(d.missing)
    return out


def _still_to_do(missing: Sequence[MissingItem]) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = [CondPageBreak(30 * mm), Para("Still to do", s.heading)]
    if not missing:
        out.append(Para("Nothing: every item this interview needs is done.", s.body))
        return out
    rows: list[list[Any]] = [["Item", "What is missing", "Wording"]]
    rows += [[m.item_id, MISSING.get(m.what, m.what.capitalize()), m.text] for m in missing]
    out.append(_table(rows, (42 * mm, 36 * mm, WIDTH - 78 * mm)))
    return out


def read_interview_sheets(
    service_interviews: Interviews, ids: Sequence[str]
) -> list[InterviewSheet]:
    service = service_interviews.service
    inspection = service.inspection()
    names = {i.id: i.name for i in service.inspectors()}
    sheets = []
    for interview_id in ids:
        detail = service_interviews.detail(interview_id)
        who = names.get(detail.summary.inspector_id or "", "unassigned")
        sheets.append(InterviewSheet(inspection.name if inspection else "", detail, who))
    return sheets


def build_interview_sheets(
    sheets: Sequence[InterviewSheet],
    out: str | IO[bytes],
    *,
    printed_at: datetime,
    invariant: bool = False,
) -> int:
    """Lay out interview sheets into one PDF; returns the number of pages."""
    if not sheets:
        raise FieldworkError("there are no interviews to print")
    story: list[Flowable] = []
    for n, sheet in enumerate(sheets):
        if n:
            story.append(PageBreak())
        furniture = Furniture(
            sheet.inspection,
            f"Interview {sheet.detail.summary.reference}",
            sheet.detail.questionnaire.title,
            sheet.inspector,
            printed_at,
        )
        story.append(SheetStart(furniture, sheet.heading))
        story += interview_sheet_flowables(sheet)
    title = sheets[0].heading if len(sheets) == 1 else f"Interview summary sheets ({len(sheets)})"
    return SheetDocument(out, title=title, invariant=invariant).build_story(story).pages


def interview_sheets_pdf(
    interviews: Interviews, ids: Sequence[str], *, printed_at: datetime, invariant: bool = False
) -> bytes:
    buffer = io.BytesIO()
    build_interview_sheets(
        read_interview_sheets(interviews, ids), buffer, printed_at=printed_at, invariant=invariant
    )
    return buffer.getvalue()


def write_interview_sheets(
    interviews: Interviews,
    ids: Sequence[str],
    path: str | Path,
    *,
    printed_at: datetime,
    invariant: bool = False,
) -> Path:
    """Write interview sheets to one PDF file, whole or not at all."""
    path = Path(path)
    write_whole(
        path,
        lambda stream: stream.write(
            interview_sheets_pdf(interviews, ids, printed_at=printed_at, invariant=invariant)
        ),
    )
    return path


def evidence_text(figures: InterviewFigures, standard_id: str) -> Mapping[str, str]:
    """Figure label → current figure, for showing beside a domain-one rating."""
    return {f.label: _current(f) for f in figures.for_standard(standard_id)}
