"""The QA and consistency report: agreement tables (CSV and one Excel workbook, through the
scoring export) and the PDF, in the furniture and styles of Fieldwork's other reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from fieldwork.agreement import Agreement, Estimate
from fieldwork.qa import double, register, threads
from fieldwork.scoring.export import export_tables
from fieldwork.scoring.tables import Cell, Row, Table
from fieldwork.service import Service

AGREEMENT_COLUMNS = (
    "Group",
    "Breakdown",
    "Items marked twice",
    "Agreed",
    "Agreement %",
    "Agreement % low",
    "Agreement % high",
    "Cohen's kappa",
    "Kappa low",
    "Kappa high",
    "Gwet's AC1",
    "AC1 low",
    "AC1 high",
)
GROUPS = (
    ("all", "All items"),
    ("kind", "Prompts or key questions"),
    ("standard", "Standard"),
    ("pair", "Inspector pair"),
    ("key question", "Key question with its prompts"),
    ("item", "Prompt or key question"),
)


def _f(value: float | None, scale: float = 1) -> Cell:
    """A coefficient to 3 decimals; a percentage (``scale`` 100) to 1."""
    if value is None:
        return None
    return f"{value * scale:.{1 if scale == 100 else 3}f}"


def _estimate(estimate: Estimate | None, scale: float = 1) -> list[Cell]:
    if estimate is None:
        return [None, None, None]
    return [_f(estimate.value, scale), _f(estimate.low, scale), _f(estimate.high, scale)]


def agreement_cells(group: str, key: str, figures: Agreement | None) -> tuple[Cell, ...]:
    if figures is None:
        return (group, key, 0, 0, *([None] * 9))
    return (
        group,
        key,
        figures.cases,
        figures.agreed,
        *_estimate(figures.percentage, 100),
        *_estimate(figures.kappa),
        *_estimate(figures.ac1),
    )


def agreement_table(service: Service) -> Table:
    pairs = double.pairs(service)
    names = {i.id: i.name for i in service.inspectors()}
    named = [
        replace(
            p,
            first_inspector=names.get(p.first_inspector, "?"),
            second_inspector=names.get(p.second_inspector, "?"),
        )
        for p in pairs
    ]
    rows = [Row(agreement_cells("All items", "all", double.figures(named)), emphasis=True)]
    for key, label in GROUPS[1:]:
        for name, figures in double.by(named, key).items():
            rows.append(Row(agreement_cells(label, name, figures)))
    return Table(
        "qa-agreement",
        "Agreement between first and second markings",
        AGREEMENT_COLUMNS,
        tuple(rows),
        notes=(
            "Percentage agreement with a Wilson score interval; Cohen's kappa and Gwet's AC1 "
            "with Gwet (2008) standard errors and Student's t intervals (95%). AC1 stays "
            "meaningful where nearly every answer is the same and kappa collapses.",
        ),
        numeric=AGREEMENT_COLUMNS[2:],
    )


def flags_table(service: Service) -> Table:
    refs = {c.id: c.reference for c in service.cases()}
    rows = [
        Row(
            (
                refs.get(f.case_id, f.case_id),
                f.item_id,
                f.standard_id,
                f.counted,
                f.other,
                f.band_now,
                f.band_other,
                f.rating_now,
                f.rating_other,
            ),
            item_id=f.item_id,
            value=f.case_id,  # what the dashboard adjudicates
        )
        for f in double.flags(service)
    ]
    return Table(
        "qa-flags",
        "Disagreements that would change a band or a rating if adjudicated the other way",
        (
            "Case",
            "Key question",
            "Standard",
            "Counted answer",
            "Other answer",
            "Band now",
            "Band the other way",
            "Rating now",
            "Rating the other way",
        ),
        tuple(rows),
    )


def register_table(service: Service) -> Table:
    return Table(
        "qa-register",
        "Dip-sample register",
        ("Case", "Inspector", "Status", "Review", "Open threads", "Threads", "Draw number"),
        tuple(
            Row(
                (
                    e.reference,
                    e.inspector,
                    e.status,
                    e.review,
                    e.open_threads,
                    e.threads,
                    e.draw_number,
                ),
                value=e.case_id,  # what the dashboard accepts or returns
            )
            for e in register.register(service)
        ),
        numeric=("Open threads", "Threads"),
    )


def inspectors_table(service: Service, today: date) -> Table:
    return Table(
        "qa-inspectors",
        "Quality assurance per inspector",
        (
            "Inspector",
            "Complete cases",
            "In the QA sample",
            "Last return bundle",
            "Days since last return",
        ),
        tuple(
            Row(
                (
                    line.inspector,
                    line.complete,
                    line.sampled,
                    line.last_return,
                    line.days_since_return,
                )
            )
            for line in register.inspectors(service, today)
        ),
        numeric=("Complete cases", "In the QA sample", "Days since last return"),
    )


def threads_table(service: Service) -> Table:
    refs = {c.id: c.reference for c in service.cases()}
    return Table(
        "qa-threads",
        "Review threads",
        ("Case", "Item", "Comment", "By", "State", "Steps", "Last step"),
        tuple(
            Row(
                (
                    refs.get(t.case_id, t.case_id),
                    t.item_id or "whole case",
                    t.comment,
                    t.author,
                    "open" if t.is_open else "resolved",
                    len(t.steps),
                    t.steps[-1].action if t.steps else None,
                ),
                value=t.id,  # what the dashboard resolves or reopens
            )
            for t in threads.threads(service)
        ),
        numeric=("Steps",),
    )


def tables(service: Service, today: date) -> list[Table]:
    return [
        agreement_table(service),
        flags_table(service),
        register_table(service),
        inspectors_table(service, today),
        threads_table(service),
    ]


def export(service: Service, folder: str | Path, *, today: date, excel: bool = False) -> list[Path]:
    """Every QA table as CSV and one workbook (``ratings-tables.xlsx``'s writer)."""
    return export_tables(tables(service, today), folder, excel=excel)


def write_pdf(service: Service, path: str | Path, *, printed_at: datetime) -> int:
    """The QA and consistency report as a PDF; returns its page count."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer
    from reportlab.platypus import Table as PdfTable

    from fieldwork.reports.furniture import MARGIN, MARKING, numbered_canvas
    from fieldwork.reports.styles import TABLE_STYLE, Para, register_fonts, styles, text

    register_fonts()
    s = styles()
    width, height = landscape(A4)
    document = BaseDocTemplate(
        str(path),
        pagesize=landscape(A4),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=26 * mm,
        bottomMargin=24 * mm,
        title="QA and consistency report",
        subject=MARKING,
        creator="Fieldwork",
        author="",
    )
    frame = Frame(
        MARGIN,
        24 * mm,
        width - 2 * MARGIN,
        height - 50 * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document.addPageTemplates([PageTemplate("page", [frame])])
    inspection = service.inspection()
    title = inspection.name if inspection else "Inspection"
    story: list[object] = [
        Paragraph("Quality assurance and consistency of judgements", s.title),
        Paragraph(text(title), s.subtitle),
    ]
    for table in tables(service, printed_at.date()):
        story.append(Paragraph(text(table.title), s.heading))
        if not table.rows:
            story.append(Paragraph("None.", s.body))
            continue
        data: list[Sequence[object]] = [[Para(text(c), s.cell_bold) for c in table.columns]]
        data += [
            [Para(text("" if c is None else str(c)), s.cell) for c in row.cells]
            for row in table.rows
        ]
        pdf = PdfTable(
            data,
            repeatRows=1,
            colWidths=[(width - 2 * MARGIN) / len(table.columns)] * len(table.columns),
        )
        pdf.setStyle(TABLE_STYLE)
        story.append(pdf)
        for note in table.notes:
            story.append(Paragraph(text(note), s.small))
        story.append(Spacer(0, 4 * mm))
    printed = f"Printed {printed_at.day} {printed_at:%B %Y, %H:%M}"
    canvas = numbered_canvas(title, "QA and consistency report", printed)
    document.build(story, canvasmaker=canvas)
    return int(canvas.pages)
