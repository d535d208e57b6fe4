"""Central set-up commands: ``setup create``, ``setup inspector`` and ``setup cases``.

Each calls the functions of ``fieldwork.central``, as the application's Central menu does.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from fieldwork.central import (
    ROLES,
    add_inspector,
    cases_plan,
    create_central_workspace,
    import_cases,
)
from fieldwork.cli.sampling import print_columns, report_population_error
from fieldwork.sampling.reader import PopulationError, mapping_from_text
from fieldwork.service import Service


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    setup = subparsers.add_parser(
        "setup", help="central set-up: a new inspection, inspectors, a sample's cases"
    )
    steps = setup.add_subparsers(dest="step", metavar="STEP", required=True)
    create = steps.add_parser("create", help="create a central workspace with an inspection")
    create.add_argument("workspace", type=Path, help="the workspace file to create")
    create.add_argument("--name", required=True, help="the inspection's name")
    create.add_argument("--provider", default="", help="the provider inspected")
    create.add_argument("--start", type=_date, help="first day of fieldwork (YYYY-MM-DD)")
    create.add_argument("--end", type=_date, help="last day of fieldwork (YYYY-MM-DD)")
    create.add_argument("--framework", default=None, help="framework id (default: the 2018 one)")
    create.set_defaults(run=run_setup_create)

    inspector = steps.add_parser("inspector", help="add an inspector")
    inspector.add_argument("workspace", type=Path, help="the central workspace")
    inspector.add_argument("name", help="the inspector's name")
    inspector.add_argument("--email", default="")
    inspector.add_argument("--role", default="inspector", choices=ROLES)
    inspector.set_defaults(run=run_setup_inspector)

    cases = steps.add_parser(
        "cases",
        help="add a sample's cases from CSV or Excel (no sampling draw)",
        description="Add every row of a CSV or Excel (.xlsx) file as a case of the sample, "
        "unallocated. Columns headed with an attribute's id or label are found by themselves; "
        "map the others with --map or a mapping saved by 'fieldwork population import'. "
        "Every problem in the file is listed as file, row, column and problem; nothing is "
        "added unless the file is clean.",
    )
    cases.add_argument("workspace", type=Path, help="the central workspace")
    cases.add_argument("file", type=Path, help="the CSV or .xlsx file")
    cases.add_argument("--sample", required=True, metavar="ID", help="which sample")
    cases.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=ATTRIBUTE",
        help="the column headed COLUMN holds ATTRIBUTE (an id or label, or 'reference'); "
        "may be repeated",
    )
    cases.add_argument(
        "--value",
        action="append",
        default=[],
        metavar="ATTRIBUTE:TEXT=CHOICE",
        help="the file writes CHOICE as TEXT, e.g. gender:M=male; may be repeated",
    )
    cases.add_argument("--mapping", metavar="NAME", help="start from this saved column mapping")
    cases.add_argument("--sheet", help="the Excel sheet to read (default: the first)")
    cases.add_argument(
        "--encoding", default="utf-8", help="text encoding of a CSV file (default utf-8)"
    )
    cases.set_defaults(run=run_setup_cases)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def run_setup_create(args: argparse.Namespace) -> int:
    kw = {"framework_id": args.framework} if args.framework else {}
    inspection = create_central_workspace(
        args.workspace,
        args.name,
        provider=args.provider,
        fieldwork_start=args.start,
        fieldwork_end=args.end,
        user=args.user,
        **kw,
    )
    print(f"Created {args.workspace} with inspection {inspection.name!r}.")
    print(f"Next: 'fieldwork setup inspector {args.workspace} NAME', then 'fieldwork keys init'.")
    return 0


def run_setup_inspector(args: argparse.Namespace) -> int:
    with Service.open(args.workspace, user=args.user) as service:
        inspector = add_inspector(service, args.name, email=args.email, role=args.role)
    print(f"Added {inspector.name} ({inspector.role}).")
    return 0


def run_setup_cases(args: argparse.Namespace) -> int:
    with Service.open(args.workspace, user=args.user) as service:
        sample = service.sample(args.sample)
        mapping = mapping_from_text(sample, cases_plan(service, sample.id), args.map, args.value)
        try:
            done = import_cases(
                service,
                args.file,
                sample.id,
                mapping=mapping,
                mapping_name=args.mapping,
                encoding=args.encoding,
                sheet=args.sheet,
            )
        except PopulationError as exc:
            return report_population_error(exc)
    print(f"Added {done.rows:,} {sample.title} cases from {done.file} (unallocated).")
    print_columns(done.columns)
    print(f"Next: 'fieldwork allocate {args.workspace} --balanced', or allocate by hand.")
    return 0
