"""The sampling report as a PDF: the working of each draw, for the file and for the provider.

``sampling_report_flowables`` is a pure function from summaries to flowables (tables in
the shared report style); the page template draws the marking, the inspection, the date
printed and "Page X of Y". ``write_sampling_report`` reads the summaries from the
workspace and writes the file whole or not at all.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from fieldwork.errors import FieldworkError
from fieldwork.reports.document import write_whole
from fieldwork.reports.furniture import MARGIN, MARKING, PAGE_HEIGHT, WIDTH, numbered_canvas
from fieldwork.reports.styles import BOLD, TABLE_STYLE, Para, register_fonts, styles, text
from fieldwork.sampling.draw import drawn_samples
from fieldwork.sampling.summary import SamplingSummary, points, sampling_summary
from fieldwork.service import Service


@dataclass(frozen=True)
class ReportWritten:
    path: str
    samples: tuple[str, ...]
    pages: int


def per_cent(value: float) -> str:
    return f"{value:.1f}%"


@cache
def _number_style() -> ParagraphStyle:
    return ParagraphStyle("number", parent=styles().cell, alignment=TA_RIGHT)


def _table(
    rows: list[list[Any]],
    widths: Sequence[float],
    *,
    total_row: bool = False,
    numbers_from: int | None = None,
) -> Table:
    """A table in the shared style; columns from ``numbers_from`` on are figures, set right."""
    s = styles()

    def cell(value: Any, column: int, row: int) -> Flowable:
        if isinstance(value, Flowable):
            return value
        figure = numbers_from is not None and column >= numbers_from and row > 0
        style = _number_style() if figure else (s.cell_bold if row == 0 else s.cell)
        return Para(text(str(value)), style)

    cells = [[cell(c, x, y) for x, c in enumerate(row)] for y, row in enumerate(rows)]
    table = Table(cells, colWidths=[w * WIDTH for w in widths], repeatRows=1, hAlign="LEFT")
    extra: list[tuple[Any, ...]] = []
    if total_row:
        extra.append(("FONTNAME", (0, -1), (-1, -1), BOLD))
    table.setStyle(TABLE_STYLE)
    table.setStyle(TableStyle(extra))
    return table


def _cell(value: str, *, bold: bool = False) -> Para:
    s = styles()
    return Para(text(value), s.cell_bold if bold else s.cell)


def summary_flowables(summary: SamplingSummary, inspection: str) -> list[Flowable]:
    """One sample's working, as flowables."""
    s = styles()
    story: list[Flowable] = [
        Para(text(f"Sampling report: {summary.title}"), s.title),
        Para(text(inspection), s.subtitle),
    ]
    if not summary.drawn:
        story.append(Para("<b>Preview</b>: this sample has not been drawn yet.", s.body))

    story.append(Para("The population", s.heading))
    rows: list[list[Any]] = [["Step", "Cases removed", "Cases left"]]
    rows.append(
        [f"Imported from {summary.source or 'the provider'}", "", f"{summary.population:,}"]
    )
    for step in summary.filters:
        rows.append([step.description, f"{step.removed:,}", f"{step.remaining:,}"])
    rows.append([_cell("Eligible population (N)", bold=True), "", f"{summary.eligible:,}"])
    story.append(_table(rows, (0.62, 0.19, 0.19), total_row=True, numbers_from=1))
    for step in summary.filters:
        if step.not_found:
            story.append(
                Para(
                    text(
                        f"{len(step.not_found)} listed exclusion(s) not in the population: "
                        + ", ".join(step.not_found)
                    ),
                    s.small,
                )
            )

    story.append(Para("Sample size", s.heading))
    size = summary.size
    if summary.size_rule == "given":
        story.append(
            Para(
                text(
                    f"The size was set by hand: {summary.n} cases of {summary.eligible:,}. "
                    f"At {size.confidence:g}% confidence that gives a margin of error of "
                    f"{points(summary.achieved_margin)} points."
                ),
                s.body,
            )
        )
    else:
        story.append(
            Para(
                text(
                    f"Confidence level {size.confidence:g}% (z = {size.z:.4f}), margin of error "
                    f"{size.margin:g} points, p = 0.5. {size.working()}."
                ),
                s.body,
            )
        )
    if summary.estimated:
        story.append(
            Para(
                "Published data is insufficient to calculate accurate margins of error for this "
                "work, so the size of this sample is an estimate based on overall workload and "
                "previous inspection data (Annexe 2).",
                s.small,
            )
        )

    story.append(Para("Strata", s.heading))
    story.append(
        Para(
            text(
                "Proportional allocation over "
                + " × ".join(summary.strata_attributes or ("the whole population",))
                + ": each stratum's exact share of the sample, rounded by largest remainders."
            ),
            s.small,
        )
    )
    attributes = list(summary.strata_attributes) or ["Stratum"]
    head = [*attributes, "Population", "% of N", "Exact share", "Sample", "% of n", "Reserve left"]
    rows = [head]
    for st in summary.strata:
        rows.append(
            [
                *(st.labels or ("all",)),
                f"{st.population:,}",
                per_cent(st.population_share),
                f"{st.exact:.2f}",
                str(st.sample),
                per_cent(st.sample_share),
                str(st.reserve),
            ]
        )
    rows.append(
        [
            _cell("Total", bold=True),
            *[""] * (len(attributes) - 1),
            f"{summary.eligible:,}",
            "100.0%",
            f"{summary.size.n:.2f}",
            str(summary.n),
            "100.0%",
            str(sum(st.reserve for st in summary.strata)),
        ]
    )
    label_width = 0.44 / len(attributes)
    story.append(
        _table(
            rows,
            [label_width] * len(attributes) + [0.125, 0.085, 0.075, 0.09, 0.085, 0.1],
            total_row=True,
            numbers_from=len(attributes),
        )
    )

    story.append(CondPageBreak(60 * mm))
    story.append(Para("Achieved ratios", s.heading))
    rows = [["Attribute", "Value", "Population", "% of N", "Sample", "% of n", "Difference"]]
    for share in summary.shares:
        rows.append(
            [
                share.attribute,
                share.value,
                f"{share.population:,}",
                per_cent(share.population_share),
                str(share.sample),
                per_cent(share.sample_share),
                f"{share.difference:+.1f} pts",
            ]
        )
    story.append(_table(rows, (0.19, 0.2, 0.13, 0.11, 0.11, 0.12, 0.14), numbers_from=2))

    story.append(Para("Margin of error achieved", s.heading))
    story.append(
        Para(
            text(
                f"The sample of {summary.n} from {summary.eligible:,} eligible cases gives a "
                f"margin of error of {points(summary.achieved_margin)} points at "
                f"{size.confidence:g}% confidence, for a proportion of 50% (the widest). "
                "Sub-samples have wider margins:"
            ),
            s.body,
        )
    )
    rows = [["Sub-sample", "Population", "Sample", "Margin of error (points)"]]
    rows.append(
        [
            _cell("Whole sample", bold=True),
            f"{summary.eligible:,}",
            str(summary.n),
            points(summary.achieved_margin),
        ]
    )
    for sub in summary.sub_samples:
        rows.append([sub.label, f"{sub.population:,}", str(sub.sample), points(sub.margin)])
    story.append(_table(rows, (0.46, 0.18, 0.14, 0.22), numbers_from=1))

    story.append(Para("Seed: re-drawing this sample", s.heading))
    verified = {
        True: "Re-drawn from the stored population with this seed: the same sample.",
        False: "WARNING: re-drawn from the stored population with this seed, the sample differs.",
        None: "",
    }[summary.verified]
    story.append(
        Para(
            text(
                f"Seed {summary.seed}. Within each stratum, cases are taken in order of their "
                "draw number, the first 16 hexadecimal digits of SHA-256 of the text "
                f"“{summary.seed}:REFERENCE”, lowest first; the cases not taken, in the same "
                f"order, are the stratum's reserve list. {verified}"
            ),
            s.body,
        )
    )
    story.append(Para(text(summary.redraw), s.small))
    if summary.drawn:
        story.append(
            Para(text(f"Drawn by {summary.drawn_by} on {summary.drawn_at[:10]}."), s.small)
        )

    if summary.replacements:
        story.append(Para("Replacements from the reserve", s.heading))
        rows = [["Withdrawn", "Replaced by", "Stratum", "Reason"]]
        for r in summary.replacements:
            rows.append([r.withdrawn, r.replaced_by, " / ".join(r.stratum), r.reason])
        story.append(_table(rows, (0.16, 0.16, 0.3, 0.38)))

    story.append(CondPageBreak(50 * mm))
    story.append(Para("Cases in the sample", s.heading))
    rows = [["Stratum", "Cases in the sample", "Next on the reserve list"]]
    for st in summary.strata:
        rows.append(
            [
                " / ".join(st.labels) or "all",
                ", ".join(st.references) or "none",
                ", ".join(st.next_reserve) or "none left",
            ]
        )
    story.append(_table(rows, (0.25, 0.5, 0.25)))
    return story


def sampling_report_flowables(
    summaries: Sequence[SamplingSummary], inspection: str
) -> list[Flowable]:
    story: list[Flowable] = []
    for n, summary in enumerate(summaries):
        if n:
            story.append(PageBreak())
        story.extend(summary_flowables(summary, inspection))
        story.append(Spacer(0, 0))
    return story


def _build(
    summaries: Sequence[SamplingSummary],
    out: str | IO[bytes],
    *,
    inspection: str,
    printed_at: datetime,
    invariant: bool,
) -> int:
    register_fonts()
    document = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=26 * mm,
        bottomMargin=24 * mm,
        title="Sampling report",
        subject=MARKING,
        creator="Fieldwork",
        author="",
        invariant=1 if invariant else 0,
    )
    frame = Frame(
        MARGIN,
        24 * mm,
        WIDTH,
        PAGE_HEIGHT - 50 * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document.addPageTemplates([PageTemplate("page", [frame])])
    printed = f"Printed {printed_at.day} {printed_at:%B %Y, %H:%M}"
    canvas = numbered_canvas(inspection, "Sampling report", printed)
    document.build(sampling_report_flowables(summaries, inspection), canvasmaker=canvas)
    return int(canvas.pages)


def _summaries(service: Service, samples: Sequence[str] | None) -> list[SamplingSummary]:
    wanted = list(samples) if samples else drawn_samples(service)
    if not wanted:
        raise FieldworkError(
            "no sample has been drawn yet: there is nothing to report",
            file=str(service.workspace.path),
        )
    order = [s.id for s in service.framework.samples]
    return [sampling_summary(service, s) for s in sorted(wanted, key=order.index)]


def _inspection(service: Service) -> str:
    inspection = service.inspection()
    if inspection is None:
        return ""
    return f"{inspection.name} — {inspection.provider}" if inspection.provider else inspection.name


def sampling_report_pdf(
    service: Service,
    samples: Sequence[str] | None = None,
    *,
    printed_at: datetime,
    invariant: bool = False,
) -> bytes:
    """The sampling report of the drawn samples (or of ``samples``), as PDF bytes."""
    buffer = io.BytesIO()
    _build(
        _summaries(service, samples),
        buffer,
        inspection=_inspection(service),
        printed_at=printed_at,
        invariant=invariant,
    )
    return buffer.getvalue()


def write_sampling_report(
    service: Service,
    path: str | Path,
    samples: Sequence[str] | None = None,
    *,
    printed_at: datetime,
    invariant: bool = False,
) -> ReportWritten:
    """Write the sampling report to ``path``: built beside it, then moved into place."""
    path = Path(path)
    summaries = _summaries(service, samples)
    pages = write_whole(
        path,
        lambda out: _build(
            summaries,
            out,
            inspection=_inspection(service),
            printed_at=printed_at,
            invariant=invariant,
        ),
        what="the report",
    )
    return ReportWritten(str(path), tuple(s.sample_id for s in summaries), pages)
