"""Case summary sheets: one case, and all 200 case-supervision cases in one PDF.

Targets (targets.md): one case ≤ 1.5× its floor and ≤ 100 ms, all 200 cases ≤ 1.5× and ≤ 5 s;
the floor is reportlab building the same rows as bare tables (strings, the default table
style, no page furniture) in the same run. Ours is timed end to end: reading the cases from the
workspace, laying them out and writing the PDF (in memory); the floor starts from rows
already read. Ours and the floor are timed in turn (``harness.paired``), so that a burst of
load on a shared machine falls on both.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate, Table

from benchmarks.harness import BenchData, Figure, paired
from fieldwork.reports import CaseSheet, case_sheets_pdf, read_sheets
from fieldwork.service import Service

PRINTED = datetime(2020, 1, 20, 14, 5)


def bare_tables(sheets: Sequence[CaseSheet]) -> bytes:
    """The floor: the rows of each sheet as plain tables, one case after another."""
    story: list[Flowable] = []
    for n, sheet in enumerate(sheets):
        if n:
            story.append(PageBreak())
        story.append(Table([list(pair) for pair in sheet.attributes]))
        for standard in sheet.standards:
            for kq in standard.key_questions:
                judgement = kq.judgement
                rows = [["Item", "Wording", "Answer", "Note"]]
                rows.append([kq.id, kq.text, judgement.state.value, judgement.note])
                rows += [[p.item_id, p.text, p.state.value, p.note] for p in kq.prompts]
                story.append(Table(rows, repeatRows=1))
        missing = [[m.item_id, m.what, m.text] for m in sheet.missing]
        story.append(Table([["Item", "What is missing", "Wording"], *missing], repeatRows=1))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, invariant=1).build(story)
    return buffer.getvalue()


def run(data: BenchData) -> list[Figure]:
    with Service.open(data.standard_workspace, backup=False) as service:
        ids = [c.id for c in service.cases() if c.sample == "case-supervision"]
        sheets = read_sheets(service, ids)

        def ours(case_ids: list[str]) -> None:
            case_sheets_pdf(service, case_ids, printed_at=PRINTED)

        ours(ids[:1])  # a first run loads the fonts and warms the page cache
        pdf, written = case_sheets_pdf(service, ids, printed_at=PRINTED)
        one = paired(lambda: ours(ids[:1]), lambda: bare_tables(sheets[:1]), repeat=9)
        every = paired(lambda: ours(ids), lambda: bare_tables(sheets), repeat=3)
    pages = f"{written.pages:,} pages"  # no size here: the name must stay the same run to run
    return [
        one.figure(
            "case sheet: one case (floor: bare tables)",
            "ms",
            "≤ 1.5 × floor and ≤ 100 ms",
            limit=1.5,
            absolute_limit=100,
        ),
        every.figure(
            f"case sheets: all {len(ids)} cases in one PDF ({pages})",
            "s",
            "≤ 1.5 × floor and ≤ 5 s",
            limit=1.5,
            absolute_limit=5,
            scale=1 / 1000,
        ),
    ]
