"""``fieldwork interviews``: the interviews of a workspace, their figures and summary sheets."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from fieldwork.errors import InvalidChange
from fieldwork.service import Service


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command = subparsers.add_parser(
        "interviews",
        help="list interviews, print their figures or their summary sheets",
        description="List the workspace's interviews with their status; with --figures, the "
        "interview figures (key data, breakdowns by grade and cluster); with --sheets, write "
        "interview summary sheets to a PDF.",
    )
    command.add_argument("workspace", type=Path, help="the workspace file")
    command.add_argument(
        "--figures", action="store_true", help="print every interview figure and its breakdowns"
    )
    command.add_argument(
        "--include-incomplete",
        action="store_true",
        help="count interviews not yet complete (default: complete interviews only)",
    )
    command.add_argument(
        "--sheets", type=Path, metavar="PDF", help="write summary sheets to this PDF"
    )
    command.add_argument(
        "--interview",
        action="append",
        metavar="REF",
        dest="references",
        help="with --sheets: only this interview (give it again for more; default: all)",
    )
    command.add_argument(
        "--plan",
        choices=("responsible-officer", "service-user"),
        help="plan an interview (central): with --reference and one or more --case",
    )
    command.add_argument("--reference", help="with --plan: who is interviewed")
    command.add_argument(
        "--case",
        action="append",
        metavar="REF",
        dest="cases",
        help="with --plan: a case the interview serves (give it again for more)",
    )
    command.add_argument(
        "--conflicts", action="store_true", help="list interview conflicts not yet resolved"
    )
    command.add_argument("--resolve", metavar="ID", help="resolve an interview conflict")
    command.add_argument(
        "--keep", choices=("current", "incoming"), help="with --resolve: which version to keep"
    )
    command.set_defaults(run=run_interviews)


def run_interviews(args: argparse.Namespace) -> int:
    from fieldwork.interviews.figures import interview_figures
    from fieldwork.interviews.store import Interviews
    from fieldwork.scoring.tables import as_text

    with Service.open(args.workspace, user=args.user, backup=False) as service:
        store = Interviews(service)
        if args.conflicts or args.resolve:
            return _conflicts(service, args)
        if args.plan:
            if not args.reference or not args.cases:
                raise InvalidChange("--plan needs --reference and at least one --case")
            case_ids = [service.find_case(ref).id for ref in args.cases]
            planned = store.create(args.plan, args.reference, case_ids=case_ids)
            print(f"Planned {planned.questionnaire} interview {planned.reference} for "
                  f"{', '.join(planned.case_references)}")  # fmt: skip
            return 0
        summaries = store.summaries()
        if args.sheets is not None:
            from fieldwork.interviews.report import write_interview_sheets

            wanted = args.references or [s.reference for s in summaries]
            by_ref = {s.reference: s.id for s in summaries}
            missing = [r for r in wanted if r not in by_ref]
            if missing:
                raise InvalidChange(f"no interview {missing[0]!r} in this workspace")
            write_interview_sheets(
                store, [by_ref[r] for r in wanted], args.sheets, printed_at=datetime.now(UTC)
            )
            print(f"Wrote {len(wanted)} interview summary sheet(s) to {args.sheets}")
            return 0
        if args.figures:
            from fieldwork.interviews.report import interview_tables

            figures = interview_figures(service, only_complete=not args.include_incomplete)
            for table in interview_tables(figures):
                print(as_text(table, widths={"Figure": 60, "Change and significance": 30}))
                print()
            return 0
        for s in summaries:
            cases = ", ".join(s.case_references) or "no case"
            grade = f" {s.grade}" if s.grade else ""
            print(
                f"{s.reference}  {s.questionnaire}{grade}  {s.status} ({s.done}/{s.total})  "
                f"cases: {cases}"
            )
        print(f"{len(summaries)} interview(s)")
    return 0


def _conflicts(service: Service, args: argparse.Namespace) -> int:
    from fieldwork.interviews.records import conflicts, resolve

    if args.resolve:
        if not args.keep:
            raise InvalidChange("--resolve needs --keep current or --keep incoming")
        done = resolve(service, args.resolve, args.keep)
        print(f"Resolved {done.id[:8]}: kept the {args.keep} version of {done.shown}")
        return 0
    found = conflicts(service)
    for conflict in found:
        print(f"{conflict.id}  {conflict.shown}  (bundle {conflict.bundle_id[:8]})")
    print(f"{len(found)} open interview conflict(s)")
    return 0
