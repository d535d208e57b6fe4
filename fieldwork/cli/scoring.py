"""Central scoring commands: ``score``, ``report``, ``tables``, ``panel``, ``domain1``,
``previous`` and ``breakdown``."""

from __future__ import annotations

import argparse
from pathlib import Path

from fieldwork.interviews.figures import interview_figures
from fieldwork.scoring.export import export_tables
from fieldwork.scoring.panel import decide, rate_domain1
from fieldwork.scoring.records import import_previous_figures
from fieldwork.scoring.report import write_report
from fieldwork.scoring.scores import Scores, breakdown, cases_behind, score
from fieldwork.scoring.tables import (
    Row,
    Table,
    all_tables,
    as_text,
    key_questions_table,
    ratings_table,
    when,
)
from fieldwork.service import Service


def _scope(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--include-incomplete",
        action="store_true",
        help="score every case, leaving out unanswered items (default: complete cases only, "
        "as the data team scores once fieldwork is over)",
    )


def _excel(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--excel",
        action="store_true",
        help="write the CSV files with a byte-order mark, as Excel wants UTF-8 "
        "(default: plain UTF-8, as pandas, R and other tools read it)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "score",
        help="print the ratings table of a central workspace",
        description="Score the inspection: each standard's provisional and current rating, the "
        "ratings-panel flags and the overall score out of 30.",
    )
    p.add_argument("workspace", type=Path)
    p.add_argument(
        "--key-questions", action="store_true", help="also print every key question's figures"
    )
    _scope(p)
    p.set_defaults(run=run_score)

    p = subparsers.add_parser("report", help="write the ratings report (PDF)")
    p.add_argument("workspace", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="the PDF file to write")
    _scope(p)
    p.set_defaults(run=run_report)

    p = subparsers.add_parser(
        "tables", help="write every scoring table as CSV and one Excel workbook"
    )
    p.add_argument("workspace", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="the folder to write into")
    _excel(p)
    _scope(p)
    p.set_defaults(run=run_tables)

    p = subparsers.add_parser(
        "export-data",
        help="write every answer and judgement as tidy data for analysts (CSV, codebook, xlsx)",
        description="Write responses.csv (one row per case and item: ids, wording, answer, "
        "kind of not applicable, reason, note, who and when, framework id and hash), "
        "cases.csv (one row per case with its attributes), codebook.json and codebook.csv "
        "(every column and code) and fieldwork-data.xlsx. See docs/data-export.md.",
    )
    p.add_argument("workspace", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="the folder to write into")
    _excel(p)
    p.set_defaults(run=run_export_data)

    p = subparsers.add_parser(
        "panel",
        help="record the ratings panel's decision on a flagged standard",
        description="Record the final rating the ratings panel gave a flagged standard of "
        "domains 2 and 3, with its reasons. The decision is kept in the history.",
    )
    p.add_argument("workspace", type=Path)
    p.add_argument("--standard", required=True, help="e.g. 2.4")
    p.add_argument(
        "--rating", required=True, help="Inadequate, Requires improvement, Good, Outstanding"
    )
    p.add_argument("--reason", required=True, help="why the panel decided so")
    _scope(p)
    p.set_defaults(run=run_panel)

    p = subparsers.add_parser(
        "domain1", help="enter the lead inspector's rating of a domain 1 standard"
    )
    p.add_argument("workspace", type=Path)
    p.add_argument("--standard", required=True, help="e.g. 1.1")
    p.add_argument("--rating", required=True)
    p.add_argument("--evidence", required=True, help="the evidence for the rating")
    p.set_defaults(run=run_domain1)

    p = subparsers.add_parser(
        "previous",
        help="import the previous inspection's figures from CSV",
        description="Columns: item, percentage (empty: no comparable data), and optionally "
        "sample_size and rating (for standards). Replaces any figures imported before.",
    )
    p.add_argument("workspace", type=Path)
    p.add_argument("file", type=Path, help="the CSV file")
    p.set_defaults(run=run_previous)

    p = subparsers.add_parser(
        "breakdown", help="break a key question's or prompt's figure down by a case attribute"
    )
    p.add_argument("workspace", type=Path)
    p.add_argument("item", help="a key question or prompt id, e.g. 2.2.3")
    p.add_argument("--by", required=True, help="a case attribute, e.g. officer_grade, gender")
    p.add_argument(
        "--cases", action="store_true", help="also list the cases behind each row of the figure"
    )
    _scope(p)
    p.set_defaults(run=run_breakdown)


def _open(args: argparse.Namespace, *, writes: bool = False) -> Service:
    return Service.open(args.workspace, user=args.user, backup=writes)


def _score(args: argparse.Namespace, service: Service, **kwargs: object) -> Scores:
    return score(service, only_complete=not args.include_incomplete, **kwargs)  # type: ignore[arg-type]


WIDTHS = {"Standard": 34, "Key question": 44, "Significance": 30, "Ratings panel": 26}


def run_score(args: argparse.Namespace) -> int:
    with _open(args) as service:
        scores = _score(args, service, breakdowns=None)
    print(scores.scope_statement)
    print()
    print(as_text(ratings_table(scores), widths=WIDTHS))
    flagged = [s for s in scores.standards if s.flags]
    if flagged:
        print()
        print("Flagged for the ratings panel:")
        for standard in flagged:
            for flag in standard.flags:
                print(f"  {standard.id}: {flag.text}")
            if standard.decision:
                d = standard.decision
                print(
                    f"  {standard.id}: decided {d.final.value} ({d.decided_by}, "
                    f"{when(d.decided_at)}): {d.reasons}"
                )
    if args.key_questions:
        print()
        columns = (
            "Id",
            "Key question",
            "Applicable cases",
            "Satisfactory",
            "Current inspection %",
            "Band",
            "Not applicable (inspector)",
        )
        full = key_questions_table(scores)
        picked = [full.column(c) for c in columns]
        table = Table(
            full.key,
            full.title,
            columns,
            tuple(Row(tuple(r.cells[i] for i in picked)) for r in full.rows),
            full.notes,
        )
        print(as_text(table, widths=WIDTHS))
    return 0


def run_report(args: argparse.Namespace) -> int:
    with _open(args) as service:
        scores = _score(args, service, breakdowns=None)
        figures = interview_figures(service, only_complete=not args.include_incomplete)
    from fieldwork.interviews.report import key_data_by_standard  # reportlab when used

    write_report(scores, args.output, evidence=key_data_by_standard(figures))
    print(f"Wrote {args.output}. {scores.overall.statement}")
    return 0


def run_tables(args: argparse.Namespace) -> int:
    with _open(args) as service:
        scores = _score(args, service)
        figures = interview_figures(service, only_complete=not args.include_incomplete)
    from fieldwork.interviews.report import interview_tables

    tables = all_tables(scores) + interview_tables(figures)
    written = export_tables(tables, args.output, excel=args.excel)
    print(f"Wrote {len(written) - 1} CSV tables and {written[-1].name} to {args.output}")
    return 0


def run_export_data(args: argparse.Namespace) -> int:
    from fieldwork.scoring.dataset import export_data

    with _open(args) as service:
        done = export_data(service, args.output, excel=args.excel)
    print(
        f"Wrote {done.responses:,} response rows of {done.cases:,} cases, the codebook and "
        f"the workbook to {done.folder}: {', '.join(p.name for p in done.files)}."
    )
    return 0


def run_panel(args: argparse.Namespace) -> int:
    with _open(args, writes=True) as service:
        decision = decide(
            service,
            args.standard,
            args.rating,
            args.reason,
            only_complete=not args.include_incomplete,
        )
    provisional = decision.provisional.value if decision.provisional else "none"
    print(
        f"Recorded: the ratings panel rated {decision.standard_id} {decision.final.value} "
        f"(provisional {provisional}, scored on {decision.case_set}), {decision.decided_by}, "
        f"{when(decision.decided_at)}."
    )
    return 0


def run_domain1(args: argparse.Namespace) -> int:
    with _open(args, writes=True) as service:
        entry = rate_domain1(service, args.standard, args.rating, args.evidence)
    print(f"Recorded: {entry.standard_id} {entry.rating.value} ({entry.entered_by}).")
    return 0


def run_previous(args: argparse.Namespace) -> int:
    with _open(args, writes=True) as service:
        figures = import_previous_figures(service, args.file)
    comparable = sum(1 for f in figures if f.percentage is not None)
    sized = sum(1 for f in figures if f.sample_size)
    ratings = sum(1 for f in figures if f.rating)
    print(
        f"Imported {len(figures)} previous figures from {args.file}: {comparable} percentages "
        f"({sized} with a sample size), {ratings} standard ratings, "
        f"{len(figures) - comparable - ratings} with no comparable data."
    )
    return 0


def run_breakdown(args: argparse.Namespace) -> int:
    only_complete = not args.include_incomplete
    with _open(args) as service:
        result = breakdown(service, args.item, args.by, only_complete=only_complete)
        behind = cases_behind(service, args.item, only_complete=only_complete) if args.cases else []
    figure = result.figure
    rows = [Row(("all cases", figure.applicable, figure.yes, figure.shown))]
    rows += [
        Row((r.value, r.applicable, r.yes, "—" if r.percentage is None else f"{r.percentage}%"))
        for r in result.rows
    ]
    title = f"{figure.item_id} {figure.text} — by {result.attribute_label.lower()}"
    yes_label = "Satisfactory" if figure.kind == "key question" else "Yes"
    print(
        as_text(
            Table(
                "breakdown",
                title,
                (result.attribute_label, "Applicable", yes_label, "%"),
                tuple(rows),
            )
        )
    )
    if behind:
        print()
        for case in behind:
            value = case.attributes.get(args.by)
            print(f"  {case.reference:<14} {case.answer:<15} {value!s:<22} {case.inspector or ''}")
    return 0
