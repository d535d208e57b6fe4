"""The ratings report as a PDF: a ratings page like the published report's, each standard's
key questions with previous and current figures and a chart against the band thresholds, the
profile of inspected cases and the Annexe 4 prompt tables.

``report_flowables`` is a function from ``Scores`` to flowables; ``write_report`` lays them
out on A4 pages marked OFFICIAL-SENSITIVE, with "Page X of Y" in the footer.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from fieldwork.errors import FieldworkError
from fieldwork.reports.document import write_whole
from fieldwork.reports.furniture import MARGIN, WIDTH, numbered_canvas
from fieldwork.reports.styles import BOLD, FONT, TABLE_STYLE, styles, text
from fieldwork.scoring.scores import Figure, Scores, StandardScore
from fieldwork.scoring.tables import rating_text, when


class ReportError(FieldworkError):
    """The report could not be written."""


def _p(markup: str, style: str = "cell") -> Paragraph:
    return Paragraph(markup, getattr(styles(), style))


def _table(rows: list[list[Any]], widths: Sequence[float], extra: Sequence[Any] = ()) -> Table:
    """A report table in the shared style; plain-text cells wrap within their column."""
    cells = [
        [
            _p(text(cell), "cell_bold" if n == 0 else "cell") if isinstance(cell, str) else cell
            for cell in row
        ]
        for n, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=list(widths), repeatRows=1)
    table.setStyle(TABLE_STYLE)
    if extra:
        table.setStyle(TableStyle(list(extra)))
    return table


def _pct(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value}%" if isinstance(value, int | float) or str(value).isdigit() else str(value)


# -- the ratings page ---------------------------------------------------------------------------
def ratings_page(scores: Scores) -> list[Flowable]:
    s = styles()
    inspection = scores.inspection
    story: list[Flowable] = [Paragraph("Ratings", s.title)]
    if inspection:
        lines = [text(inspection.name)]
        if inspection.provider:
            lines.append(text(inspection.provider))
        if inspection.fieldwork_start:
            lines.append(
                f"Fieldwork {text(inspection.fieldwork_start)} to "
                f"{text(inspection.fieldwork_end or '')}"
            )
        story.append(Paragraph("<br/>".join(lines), s.subtitle))
    overall = scores.overall
    if overall.score is not None and overall.rating is not None:
        story.append(Paragraph(f"Score <b>{overall.score}/{overall.maximum}</b>", s.heading))
        story.append(Paragraph(f"Overall rating: <b>{overall.rating.value}</b>", s.heading))
    else:
        story.append(Paragraph(text(overall.statement), s.heading))
    rows: list[list[Any]] = [
        ["Standard", "Previous inspection", "Provisional", "Current inspection", "Score"]
    ]
    extra: list[Any] = []
    current_domain = None
    for standard in scores.standards:
        if standard.domain_id != current_domain:
            current_domain = standard.domain_id
            title = f"{standard.domain_id}. {scores.domains.get(standard.domain_id, '')}"
            rows.append([_p(f"<b>{text(title)}</b>"), "", "", "", ""])
            extra += [
                ("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), colors.whitesmoke),
            ]
        final = standard.final
        current = rating_text(standard)
        if standard.decision is not None:
            current += " (ratings panel)"
        rows.append(
            [
                _p(f"{standard.id} {text(standard.title)}"),
                standard.previous.value if standard.previous else "—",
                standard.provisional.value if standard.provisional else "—",
                _p(text(current)),
                str(standard.points) if final else "—",
            ]
        )
    story.append(_table(rows, [64 * mm, 30 * mm, 30 * mm, 36 * mm, WIDTH - 160 * mm], extra))
    story.append(Spacer(0, 3 * mm))
    notes = [
        "Domain 1 ratings are the lead inspector's single judgements. Domain 2 and 3 "
        "ratings are provisional ratings from the lowest key question, unless the ratings "
        "panel decided otherwise.",
        _points_note(scores),
    ]
    notes += list(scores.warnings)
    notes += [f"{s_.id}: {s_.statement}" for s_ in scores.standards if s_.final is None]
    scope = "complete cases" if scores.only_complete else "all cases, answered items only"
    counts = "; ".join(f"{c.title} {c.scored} of {c.cases}" for c in scores.samples)
    notes.append(f"Cases scored ({scope}): {counts}.")
    story += [Paragraph(text(n), s.small) for n in notes]
    return story


# -- a standard's key questions -------------------------------------------------------------------
def band_chart(standard: StandardScore, width: float = WIDTH) -> Drawing:
    """The standard's key questions as bars against the band thresholds (50, 65, 80%).

    Black and white: the bands are shades of grey with their names written in, the bars are
    outlined, and each bar carries its percentage.
    """
    figures = standard.key_questions
    label_width = 18 * mm
    bar_height = 6 * mm
    gap = 3 * mm
    top = 10 * mm
    bottom = 7 * mm
    height = top + bottom + len(figures) * (bar_height + gap)
    plot = width - label_width - 4 * mm
    drawing = Drawing(width, height)

    def x(pct: float) -> float:
        return float(label_width + plot * pct / 100)

    bands = standard.rules.bands if standard.rules else ()
    for n, band in enumerate(bands):
        shade = 0.93 if n % 2 == 0 else 0.86
        upper = band.next.lowest if band.next else 100
        drawing.add(
            Rect(
                x(band.lowest),
                bottom,
                x(upper) - x(band.lowest),
                height - top - bottom,
                fillColor=colors.Color(shade, shade, shade),
                strokeColor=None,
            )
        )
        words = band.rating.value.split()
        lines = [" ".join(words)] if len(words) == 1 else [words[0], " ".join(words[1:])]
        for n, line in enumerate(lines):
            drawing.add(
                String(
                    (x(band.lowest) + x(upper)) / 2,
                    height - top + (1.2 + 2.6 * (len(lines) - 1 - n)) * mm,
                    line,
                    fontName=FONT,
                    fontSize=6.5,
                    textAnchor="middle",
                )
            )
        if band.lowest:
            drawing.add(
                Line(
                    x(band.lowest),
                    bottom - 1.5 * mm,
                    x(band.lowest),
                    height - top,
                    strokeColor=colors.black,
                    strokeWidth=0.6,
                    strokeDashArray=[2, 2],
                )
            )
    for tick in sorted({0, 100, *(band.lowest for band in bands)}):
        drawing.add(
            String(x(tick), 1.5 * mm, f"{tick}%", fontName=FONT, fontSize=6.5, textAnchor="middle")
        )
    lowest = standard.lowest
    for n, figure in enumerate(figures):
        y = height - top - (n + 1) * (bar_height + gap) + gap / 2
        drawing.add(String(0, y + bar_height / 2 - 2.5, figure.item_id, fontName=BOLD, fontSize=8))
        pct = figure.percentage
        if pct is None:
            drawing.add(
                String(
                    x(1), y + bar_height / 2 - 2.5, "no applicable cases", fontName=FONT, fontSize=7
                )
            )
            continue
        is_lowest = lowest is not None and figure.item_id == lowest.item_id
        drawing.add(
            Rect(
                x(0),
                y,
                x(pct) - x(0),
                bar_height,
                fillColor=colors.Color(0.25, 0.25, 0.25) if is_lowest else colors.white,
                strokeColor=colors.black,
                strokeWidth=0.8,
            )
        )
        label = f"{pct}% ({figure.yes}/{figure.applicable})"
        inside = pct > 40
        drawing.add(
            String(
                x(pct) - 1.5 * mm if inside else x(pct) + 1.5 * mm,
                y + bar_height / 2 - 2.5,
                label,
                fontName=BOLD,
                fontSize=7.5,
                textAnchor="end" if inside else "start",
                fillColor=colors.white if (inside and is_lowest) else colors.black,
            )
        )
    return drawing


def _not_applicable(figure: Figure) -> str:
    """The cases the inspector judged not applicable, left out of the figure."""
    return f" ({figure.not_applicable} n/a)" if figure.not_applicable else ""


def key_question_table(scores: Scores, standard: StandardScore) -> Table:
    rows: list[list[Any]] = [
        ["Key question", "Previous inspection", "Current inspection", "Cases", "Band"]
    ]
    lowest = standard.lowest
    extra: list[Any] = []
    for figure in standard.key_questions:
        comparison = scores.comparisons.get(figure.item_id)
        bold = lowest is not None and figure.item_id == lowest.item_id
        band = figure.band
        style = "cell_bold" if bold else "cell"
        rows.append(
            [
                _p(f"{figure.item_id} {text(figure.text)}", style),
                _p(text(comparison.previous_shown if comparison else "—")),
                _p(text(figure.shown), style),
                _p(f"{figure.yes}/{figure.applicable}{_not_applicable(figure)}", style),
                _p(text(band.label if band else "—"), style),
            ]
        )
    return _table(rows, [78 * mm, 26 * mm, 22 * mm, 20 * mm, WIDTH - 146 * mm], extra)


def standard_section(
    scores: Scores, standard: StandardScore, evidence: Sequence[Flowable] = ()
) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [
        CondPageBreak(80 * mm),
        Paragraph(f"{standard.id} {text(standard.title)}", s.heading),
    ]
    if standard.assessed == "inspection":
        story.append(Paragraph(text(standard.statement), s.body))
        story += evidence  # e.g. the interviews' key data (fieldwork.interviews.report)
        if standard.domain1:
            entry = standard.domain1
            story.append(
                Paragraph(
                    f"<b>Evidence</b> ({text(entry.entered_by)}, {text(when(entry.entered_at))}): "
                    f"{text(entry.evidence)}",
                    s.body,
                )
            )
        return story
    previous = standard.previous.value if standard.previous else "no previous rating"
    story.append(
        Paragraph(
            f"Previous inspection: {text(previous)}. "
            f"Current: <b>{text(rating_text(standard))}</b>.",
            s.body,
        )
    )
    story.append(Spacer(0, 2 * mm))
    story.append(key_question_table(scores, standard))
    story.append(Spacer(0, 2 * mm))
    changes = _changes(scores, standard)
    if changes:
        story.append(Paragraph(text(changes), s.small))
    story.append(Paragraph(text(standard.statement), s.body))
    for flag in standard.flags:
        story.append(Paragraph(f"• Flagged for the ratings panel: {text(flag.text)}.", s.small))
    if standard.decision:
        d = standard.decision
        story.append(
            Paragraph(
                f"<b>Ratings panel</b> ({text(d.decided_by)}, {text(when(d.decided_at))}): "
                f"{text(d.final.value)}. {text(d.reasons)}",
                s.body,
            )
        )
    story.append(Spacer(0, 2 * mm))
    story.append(KeepTogether([band_chart(standard)]))
    return story


def _changes(scores: Scores, standard: StandardScore) -> str:
    """The changes since the previous inspection, in a sentence: which are significant, or
    why significance could not be tested."""
    comparisons = [
        c
        for f in standard.key_questions
        if (c := scores.comparisons.get(f.item_id)) is not None and c.change is not None
    ]
    if not comparisons:
        return ""
    tested = [c for c in comparisons if c.significance is not None]
    untested = [c.item_id for c in comparisons if c.significance is None]
    parts = []
    significant = [c for c in tested if c.significant]
    if tested:
        listed = ", ".join(f"{c.item_id} ({c.change:+} points)" for c in significant)
        parts.append(
            f"Significant changes since the previous inspection (z-test, 0.1): {listed}."
            if significant
            else "No change since the previous inspection is significant (z-test, 0.1)."
        )
    if untested:
        parts.append(
            f"Not tested for significance (previous sample size unknown): {', '.join(untested)}."
        )
    return " ".join(parts)


# -- profile and Annexe 4 ----------------------------------------------------------------------
def profile_section(scores: Scores) -> list[Flowable]:
    s = styles()
    rows: list[list[Any]] = [["Characteristics of inspected domain 2 cases", "This inspection"]]
    for row in scores.profile:
        pct = row.percentage
        rows.append(
            [
                _p(text(row.characteristic.label)),
                "—" if pct is None else f"{pct}% ({row.count}/{row.cases})",
            ]
        )
    return [
        CondPageBreak(60 * mm),
        Paragraph("Profile of inspected cases", s.heading),
        _table(rows, [WIDTH - 40 * mm, 40 * mm]),
    ]


def prompt_tables(scores: Scores) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [
        PageBreak(),
        Paragraph("Annexe 4: Inspection data", s.title),
        Paragraph(
            "The proportions of the case sample with a satisfactory ‘yes’ response to each "
            "prompt: yes over the applicable answers (not applicable by the framework's rule, "
            "or by the inspector's choice, is left out).",
            s.body,
        ),
    ]
    for standard in scores.standards:
        if standard.assessed != "case":
            continue
        rows: list[list[Any]] = [["Prompt", "Previous inspection", "Current inspection", "Yes/n"]]
        extra: list[Any] = []
        for kq in standard.key_questions:
            rows.append([_p(f"<b>{kq.item_id} {text(kq.text)}</b>"), "", "", ""])
            extra += [
                ("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), colors.whitesmoke),
            ]
            for figure in _prompts_of(scores, kq):
                comparison = scores.comparisons.get(figure.item_id)
                rows.append(
                    [
                        _p(f"{figure.item_id} {text(figure.text)}"),
                        _p(text(comparison.previous_shown if comparison else "—")),
                        figure.shown,
                        f"{figure.yes}/{figure.applicable}",
                    ]
                )
        story.append(CondPageBreak(50 * mm))
        story.append(Paragraph(f"{standard.id} {text(standard.title)}", s.heading))
        story.append(_table(rows, [WIDTH - 78 * mm, 26 * mm, 30 * mm, 22 * mm], extra))
    return story


def _prompts_of(scores: Scores, kq: Figure) -> list[Figure]:
    return [p for p in scores.prompts.values() if p.key_question_id == kq.item_id]


def _points_note(scores: Scores) -> str:
    """How standards score and add up, by the framework's rules."""
    overall = scores.overall
    rules = overall.rules
    points = ", ".join(f"{p} ({r.value})" for r, p in rules.points.items())
    bands = ", ".join(f"{low}–{high} {rating.value}" for low, high, rating in rules.overall_bands)
    standards = len(overall.points) + len(overall.missing)
    return (
        f"Each standard scores {points}; the {standards} scores add to 0–{overall.maximum}: "
        f"{bands}."
    )


def method_section(scores: Scores) -> list[Flowable]:
    s = styles()
    rules = scores.overall.rules
    bands = "; ".join(f"{b.range_text} {b.label} ({b.rating.value})" for b in rules.bands)
    lines = [
        "Each key question's figure is the share of its sub-sample (the scored cases it "
        "applies to by the framework's rules, less any the inspector marked not applicable) "
        "judged satisfactory. Prompts: yes over applicable answers.",
        "Percentages are rounded half up to a whole number and bands are taken on the rounded "
        f"figure: {bands}.",
        "A standard's provisional rating is the band of its lowest key question. It is flagged "
        f"for the ratings panel when that key question is within {rules.discretion_window} "
        "percentage points below the next band's boundary, or when a different judgement in "
        "one case would change the rating.",
        _points_note(scores),
        "A change since the previous inspection is significant when a pooled two-proportion "
        f"z-test is significant at {rules.significance_level:g}; where the previous sample size "
        "is unknown the test is not made, and where the question changed the table says "
        "“No comparable data available”.",
    ]
    return [
        CondPageBreak(50 * mm),
        Paragraph("How the figures are computed", s.heading),
        *[Paragraph(text(line), s.body) for line in lines],
    ]


def report_flowables(
    scores: Scores, evidence: Mapping[str, Sequence[Flowable]] | None = None
) -> list[Flowable]:
    """``evidence``: standard id → flowables printed in that domain-one standard's section."""
    story = ratings_page(scores)
    story += method_section(scores)
    story.append(PageBreak())
    for standard in scores.standards:
        story += standard_section(scores, standard, (evidence or {}).get(standard.id, ()))
    story += profile_section(scores)
    story += prompt_tables(scores)
    return story


# -- the document -----------------------------------------------------------------------------
def report_pdf(
    scores: Scores,
    *,
    invariant: bool = False,
    evidence: Mapping[str, Sequence[Flowable]] | None = None,
) -> bytes:
    """The ratings report as PDF bytes (``invariant``: byte-stable, for tests)."""
    styles()
    buffer = io.BytesIO()
    title = scores.inspection.name if scores.inspection else "Inspection"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=f"Ratings report: {title}",
        author="Fieldwork",
        invariant=1 if invariant else 0,
    )
    doc.build(
        report_flowables(scores, evidence),
        canvasmaker=numbered_canvas(
            title, "Ratings report", f"Produced {when(scores.produced_at)}"
        ),
    )
    return buffer.getvalue()


def write_report(
    scores: Scores,
    path: str | Path,
    *,
    invariant: bool = False,
    evidence: Mapping[str, Sequence[Flowable]] | None = None,
) -> Path:
    """Write the ratings report; the file appears whole or not at all."""
    path = Path(path)
    data = report_pdf(scores, invariant=invariant, evidence=evidence)
    write_whole(path, lambda stream: stream.write(data), what="the report", error=ReportError)
    return path
