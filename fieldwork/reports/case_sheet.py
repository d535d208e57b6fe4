"""Case summary sheets (design section 7): what a case holds, on paper.

``case_sheet`` reads a case from the service into a ``CaseSheet``; ``case_sheet_flowables``
turns one into flowables (a pure function: no service, no clock); ``write_case_sheets``
puts any number of them into one PDF, each case on new pages with its own bookmark.
The tables and text are drawn by ``fieldwork.reports.drawn``, not by platypus tables.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer

from fieldwork.applicability import CaseItem, ItemKind, ItemState
from fieldwork.errors import FieldworkError, MissingItem
from fieldwork.framework import AttributeValue, Framework, Sample
from fieldwork.reports.document import (
    Built,
    Furniture,
    Progress,
    SheetDocument,
    SheetStart,
    write_whole,
)
from fieldwork.reports.drawn import Block, Grid, Look, Row, Run, Text, cell
from fieldwork.reports.styles import BOLD, FONT, ITALIC, register_fonts
from fieldwork.service import CaseDetail, Service


@dataclass(frozen=True)
class KeyQuestionPart:
    """One key question of a case: its judgement, the prompts that apply and those that don't."""

    id: str
    text: str
    judgement: CaseItem
    prompts: tuple[CaseItem, ...]
    not_applicable: tuple[CaseItem, ...]  # prompts left out by the framework's rules


@dataclass(frozen=True)
class StandardPart:
    id: str
    title: str
    key_questions: tuple[KeyQuestionPart, ...]
    not_applicable: tuple[CaseItem, ...]  # key-question judgements left out by rule


@dataclass(frozen=True)
class CaseSheet:
    """Everything a case summary sheet shows, read from the workspace at one moment."""

    inspection: str
    sample: str
    reference_label: str
    reference: str
    inspector: str
    status: str
    done: int
    total: int
    attributes: tuple[tuple[str, str], ...]  # (label, value as shown)
    standards: tuple[StandardPart, ...]
    missing: tuple[MissingItem, ...]

    @property
    def case(self) -> str:
        return f"{self.reference_label} {self.reference}"


# -- reading a case ---------------------------------------------------------------------
def shown(value: AttributeValue, kind: str = "text") -> str:
    """An attribute value as words on paper; text a person typed is left exactly as typed."""
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if kind == "date":
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(value)
            return f"{day.day} {day:%B %Y}"
    if kind == "choice":
        return value[:1].upper() + value[1:]
    return value


def _attributes(
    sample: Sample, values: Mapping[str, AttributeValue]
) -> tuple[tuple[str, str], ...]:
    known = [(a.label, shown(values.get(a.id), a.type)) for a in sample.attributes]
    # Anything stored that the framework no longer names is still shown: nothing is hidden.
    named = {a.id for a in sample.attributes}
    extra = [(key, shown(value)) for key, value in values.items() if key not in named]
    return tuple(known + extra)


def _standards(
    framework: Framework, sample: str, items: Sequence[CaseItem]
) -> tuple[StandardPart, ...]:
    by_question: dict[str, list[CaseItem]] = {}
    for item in items:
        by_question.setdefault(item.key_question_id, []).append(item)
    parts = []
    for standard in framework.case_standards(sample):
        questions, left_out = [], []
        for kq in standard.key_questions:
            mine = by_question.get(kq.id, [])
            judgement = next(i for i in mine if i.kind is ItemKind.JUDGEMENT)
            if not judgement.applies:
                left_out.append(judgement)
                continue
            prompts = [i for i in mine if i.kind is ItemKind.PROMPT]
            questions.append(
                KeyQuestionPart(
                    kq.id,
                    kq.text,
                    judgement,
                    tuple(p for p in prompts if p.applies),
                    tuple(p for p in prompts if not p.applies),
                )
            )
        parts.append(StandardPart(standard.id, standard.title, tuple(questions), tuple(left_out)))
    return tuple(parts)


def sheet_of(detail: CaseDetail, framework: Framework, inspection: str) -> CaseSheet:
    """A case's sheet from what the service returned for it."""
    summary = detail.summary
    sample = framework.sample(summary.sample)
    return CaseSheet(
        inspection=inspection,
        sample=sample.title,
        reference_label=sample.reference_label,
        reference=summary.reference,
        inspector=summary.inspector_name or "",
        status=summary.status,
        done=summary.done,
        total=summary.total,
        attributes=_attributes(sample, summary.attributes),
        standards=_standards(framework, summary.sample, detail.items),
        missing=tuple(detail.missing),
    )


def case_sheet(service: Service, case_id: str) -> CaseSheet:
    """Read one case's sheet from the workspace."""
    inspection = service.inspection()
    return sheet_of(service.case(case_id), service.framework, inspection.name if inspection else "")


# -- the sheet as flowables -------------------------------------------------------------
ANSWERS = {
    ItemState.YES: "Yes",
    ItemState.NO: "No",
    ItemState.NA_CHOICE: "Not applicable",
    ItemState.UNANSWERED: "Not answered",
    ItemState.NA_RULE: "Does not apply",
}
JUDGEMENTS = {
    ItemState.YES: "Satisfactory",
    ItemState.NO: "Not satisfactory",
    ItemState.NA_CHOICE: "Not applicable",
    ItemState.UNANSWERED: "Not yet judged",
    ItemState.NA_RULE: "Does not apply",
}
MISSING = {
    "answer": "Answer",
    "judgement": "Judgement",
    "rationale": "Rationale",
    "reason for not applicable": "Reason for not applicable",
}

_WIDTH = 210 * mm - 2 * 18 * mm
_ITEM_COLUMNS = (21 * mm, _WIDTH - 21 * mm - 31 * mm, 31 * mm)
_ITEM_HEADER = ("Item", "Wording, notes and rationale", "Answer")

# The sheet's type: sizes and line spacing, as the reports' paragraph styles have them.
CELL = Look(8.5, 11)
KEY_QUESTION = Look(9.5, 12)
SMALL = Look(8, 10.5)
TITLE = Look(15, 19)
SUBTITLE = Look(10, 13)
HEADING = Look(12, 15)
BODY = Look(9, 12)
# A note hangs under its label ("Note:", "Rationale:", "Reason:"), set in the left margin.
NOTE_INDENT, LABEL_AT, NOTE_SPACE = 20 * mm, 2 * mm, 2.0


def _plain(value: str, font: str = FONT, look: Look = CELL) -> Block:
    return Block(((font, value),), look)


def _row(values: Sequence[str], columns: Sequence[float], font: str = FONT, **kwargs: Any) -> Row:
    """A row of plain text, one value per column."""
    return Row(
        tuple(cell((_plain(v, font),), c) for v, c in zip(values, columns, strict=True)), **kwargs
    )


def _answer(item: CaseItem) -> str:
    return (JUDGEMENTS if item.kind is ItemKind.JUDGEMENT else ANSWERS)[item.state]


def _notes(value: str, label: str) -> list[Block]:
    """A note as blocks (a paragraph per run of lines between blank lines), the
    first under ``label``."""
    parts = [p.strip("\n") for p in _PARAGRAPHS.split(value.replace("\r\n", "\n"))]
    parts = [p for p in parts if p.strip()] or [""]
    return [
        Block(
            ((FONT, part),),
            CELL,
            NOTE_INDENT,
            (BOLD, label) if n == 0 else None,
            LABEL_AT,
            NOTE_SPACE,
        )
        for n, part in enumerate(parts)
    ]


_PARAGRAPHS = re.compile(r"\n[ \t]*\n")


def _wording(item: CaseItem, wording: Block) -> tuple[Block, ...]:
    blocks: list[Block] = [wording]
    if item.state is ItemState.NA_CHOICE:
        blocks += _notes(item.na_reason.strip() or "(no reason given yet)", "Reason:")
    if item.note.strip():
        blocks += _notes(item.note, "Rationale:" if item.kind is ItemKind.JUDGEMENT else "Note:")
    elif item.kind is ItemKind.JUDGEMENT and item.state is not ItemState.NA_CHOICE:
        none = ((ITALIC, "none recorded yet"),)
        blocks.append(Block(none, CELL, NOTE_INDENT, (BOLD, "Rationale:"), LABEL_AT, NOTE_SPACE))
    return tuple(blocks)


def _key_question(kq: KeyQuestionPart) -> Grid:
    """One table per key question: its title and the column headings (repeated on each page
    the table runs onto), the judgement, the prompts, and the prompts left out by rule."""
    item, wording, answer = _ITEM_COLUMNS
    title = Block(((BOLD, f"{kq.id}\u00a0\u00a0{kq.text}"),), KEY_QUESTION)
    judgement = kq.judgement
    rows = [
        Row((cell((title,), _WIDTH),), spans=True, shaded=True),
        _row(_ITEM_HEADER, _ITEM_COLUMNS, BOLD, shaded=True),
        # The judgement row is bold and ruled off: the inspector's verdict, then the prompts.
        Row(
            (
                cell((_plain("Judgement", BOLD),), item),
                cell(_wording(judgement, _plain("Is the work satisfactory?", BOLD)), wording),
                cell((_plain(_answer(judgement), BOLD),), answer),
            ),
            rule_below=1.5,
        ),
    ]
    rows += [
        Row(
            (
                cell((_plain(p.item_id),), item),
                cell(_wording(p, _plain(p.text)), wording),
                # Anything not yet answered stands out in bold type, not in colour.
                cell(
                    (_plain(_answer(p), BOLD if p.state is ItemState.UNANSWERED else FONT),), answer
                ),
            )
        )
        for p in kq.prompts
    ]
    if kq.not_applicable:
        left_out = _left_out("Prompts that do not apply to this case", kq.not_applicable)
        rows.append(Row((cell((Block(left_out, SMALL),), _WIDTH),), spans=True))
    return Grid(_ITEM_COLUMNS, rows, header_rows=2, space_before=9)


def _left_out(heading: str, items: Sequence[CaseItem]) -> tuple[Run, ...]:
    listed = "; ".join(i.item_id + (f" ({i.rule_note})" if i.rule_note else "") for i in items)
    return ((BOLD, heading), (FONT, f"(by the framework's rules): {listed}."))


def _attributes_table(sheet: CaseSheet) -> Grid:
    pairs = [(sheet.reference_label, sheet.reference), *sheet.attributes]
    half = (len(pairs) + 1) // 2
    left, right = pairs[:half], pairs[half:] + [("", "")] * (2 * half - len(pairs))
    quarter = _WIDTH / 4
    widths = (quarter * 1.3, quarter * 0.7, quarter * 1.3, quarter * 0.7)
    rows = [_row(("Case attribute", "Value", "Case attribute", "Value"), widths, BOLD, shaded=True)]
    rows += [_row((a, b, c, d), widths) for (a, b), (c, d) in zip(left, right, strict=True)]
    return Grid(widths, rows)


def _still_to_do(sheet: CaseSheet) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(40 * mm), _heading("Still to do")]
    if not sheet.missing:
        out.append(Text(((FONT, "Nothing: every item that applies to this case is done."),), BODY))
        return out
    count = len(sheet.missing)
    items = f"{count} item{'s' if count != 1 else ''}"
    todo = f"{items} still to do before the case can be marked complete."
    out.append(Text(((FONT, todo),), BODY))
    out.append(Spacer(0, 3))
    widths = (21 * mm, 36 * mm, _WIDTH - 57 * mm)
    rows = [_row(("Item", "What is missing", "Wording"), widths, BOLD, shaded=True)]
    rows += [_row((m.item_id, MISSING.get(m.what, m.what), m.text), widths) for m in sheet.missing]
    out.append(Grid(widths, rows))
    return out


def _heading(value: str) -> Text:
    return Text(((BOLD, value),), HEADING, space_before=10, space_after=3)


def _status(sheet: CaseSheet) -> str:
    left = len(sheet.missing)
    todo = f"{left} still to do (listed at the end)" if left else "nothing still to do"
    return (
        f"{sheet.sample} · status: {sheet.status} · {sheet.done} of {sheet.total} "
        f"items done, {todo}"
    )


def case_sheet_flowables(sheet: CaseSheet) -> list[Flowable]:
    """The body of one case's sheet, in reading order (the page furniture is the document's)."""
    register_fonts()
    out: list[Flowable] = [
        Text(((BOLD, f"Case summary sheet: {sheet.case}"),), TITLE, space_after=2),
        Text(((FONT, _status(sheet)),), SUBTITLE, space_after=8),
        _heading("Case attributes"),
        _attributes_table(sheet),
    ]
    for standard in sheet.standards:
        out.append(CondPageBreak(45 * mm))
        out.append(_heading(f"{standard.id}\u00a0\u00a0{standard.title}"))
        out += [_key_question(kq) for kq in standard.key_questions]
        if standard.not_applicable:
            heading = "Key questions that do not apply to this case"
            out.append(Text(_left_out(heading, standard.not_applicable), SMALL, space_before=3))
    out += _still_to_do(sheet)
    return out


# -- one PDF of many sheets -------------------------------------------------------------
@dataclass(frozen=True)
class SheetsWritten:
    """What ``write_case_sheets`` put in the PDF."""

    cases: int
    pages: int
    sheet_pages: tuple[int, ...]


def furniture(sheet: CaseSheet, printed_at: datetime) -> Furniture:
    return Furniture(sheet.inspection, sheet.case, sheet.sample, sheet.inspector, printed_at)


def build_sheets(
    sheets: Sequence[CaseSheet],
    out: str | IO[bytes],
    *,
    printed_at: datetime,
    invariant: bool = False,
    progress: Progress | None = None,
) -> Built:
    """Lay out sheets into one PDF written to ``out``, each case from a new page."""
    if not sheets:
        raise FieldworkError("there are no cases to print")
    with _BUILDING:  # one build at a time: reportlab's fonts are not for two at once
        return _build(sheets, out, printed_at, invariant, progress)


#: Two windows may print at once, each on its own worker thread.
_BUILDING = threading.Lock()


def _build(
    sheets: Sequence[CaseSheet],
    out: str | IO[bytes],
    printed_at: datetime,
    invariant: bool,
    progress: Progress | None,
) -> Built:
    story: list[Flowable] = []
    for n, sheet in enumerate(sheets):
        if n:
            story.append(PageBreak())
        story.append(SheetStart(furniture(sheet, printed_at), f"{sheet.case} ({sheet.sample})"))
        story += case_sheet_flowables(sheet)
    title = (
        f"Case summary sheet: {sheets[0].case}"
        if len(sheets) == 1
        else f"Case summary sheets: {sheets[0].inspection} ({len(sheets)} cases)"
    )
    document = SheetDocument(
        out, title=title, invariant=invariant, progress=progress, sheets=len(sheets)
    )
    return document.build_story(story)


def read_sheets(
    service: Service, case_ids: Sequence[str], progress: Progress | None = None
) -> list[CaseSheet]:
    """Read the sheets of these cases, in this order."""
    inspection = service.inspection()
    name = inspection.name if inspection else ""
    sheets = []
    for n, case_id in enumerate(case_ids):
        sheets.append(sheet_of(service.case(case_id), service.framework, name))
        if progress is not None:
            progress(n + 1, len(case_ids))
    return sheets


def case_sheets_pdf(
    service: Service,
    case_ids: Sequence[str],
    *,
    printed_at: datetime,
    invariant: bool = False,
    progress: Progress | None = None,
) -> tuple[bytes, SheetsWritten]:
    """The sheets of these cases as one PDF, in memory (for printing: no file left behind)."""
    buffer = io.BytesIO()
    written = _write(service, case_ids, buffer, printed_at, invariant, progress)
    return buffer.getvalue(), written


def write_case_sheets(
    service: Service,
    case_ids: Sequence[str],
    path: str | Path,
    *,
    printed_at: datetime,
    invariant: bool = False,
    progress: Progress | None = None,
) -> SheetsWritten:
    """Write the sheets of these cases to one PDF file.

    The file appears whole or not at all: the PDF is built beside it and moved into place.
    """
    return write_whole(
        Path(path),
        lambda stream: _write(service, case_ids, stream, printed_at, invariant, progress),
    )


def _write(
    service: Service,
    case_ids: Sequence[str],
    out: IO[bytes],
    printed_at: datetime,
    invariant: bool,
    progress: Progress | None,
) -> SheetsWritten:
    # One run of steps for the whole job: reading each case, then two layout passes over it.
    n = len(case_ids)
    step: Callable[[int, int], None] | None = None
    if progress is not None:
        report = progress

        def reading(done: int, total: int) -> None:
            report(done, 3 * n)

        def building(done: int, total: int) -> None:
            report(n + done, 3 * n)

        step = reading
    sheets = read_sheets(service, case_ids, step)
    built = build_sheets(
        sheets,
        out,
        printed_at=printed_at,
        invariant=invariant,
        progress=building if progress is not None else None,
    )
    if progress is not None:
        progress(3 * n, 3 * n)
    return SheetsWritten(len(sheets), built.pages, built.sheet_pages)
