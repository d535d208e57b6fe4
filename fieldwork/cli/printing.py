"""``fieldwork print``: case summary sheets as one PDF."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fieldwork.errors import FieldworkError
from fieldwork.reports import write_case_sheets
from fieldwork.service import CaseSummary, Service


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command = subparsers.add_parser(
        "print",
        help="print case summary sheets to a PDF",
        description="Write the case summary sheets of some cases, all cases or one inspector's "
        "cases to one PDF: each case from a new page, with a bookmark per case.",
    )
    command.add_argument("workspace", type=Path, help="the workspace file")
    which = command.add_mutually_exclusive_group()
    which.add_argument(
        "--case",
        action="append",
        metavar="REF",
        dest="cases",
        help="a case (or report) reference; give --case again for more cases",
    )
    which.add_argument("--all", action="store_true", help="every case in the workspace")
    command.add_argument(
        "--inspector", metavar="NAME", help="every case allocated to NAME (or only those)"
    )
    command.add_argument(
        "--sample",
        metavar="ID",
        help="only cases of this sample (case-supervision, court-reports or victim)",
    )
    command.add_argument("-o", "--output", type=Path, required=True, help="the PDF to write")
    command.add_argument(
        "--printed-at",
        type=_moment,
        metavar="YYYY-MM-DDTHH:MM",
        help="the date and time to print on the sheets (default: now)",
    )
    command.set_defaults(run=run_print)


def _moment(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date and time") from None


def chosen_cases(
    service: Service,
    *,
    references: Sequence[str] = (),
    inspector: str | None = None,
    sample: str | None = None,
) -> list[CaseSummary]:
    """The cases named by reference (in the order given), or all cases of an inspector or
    sample (in case-list order). Raises ``FieldworkError`` naming every reference not found."""
    where = str(service.workspace.path)
    if sample is not None and sample not in {s.id for s in service.framework.samples}:
        known = ", ".join(s.id for s in service.framework.samples)
        raise FieldworkError(f"there is no sample {sample!r}; the samples are {known}", file=where)
    cases = [c for c in service.cases() if sample is None or c.sample == sample]
    if inspector is not None:
        names = {i.name for i in service.inspectors()}
        if inspector not in names:
            known = ", ".join(sorted(names)) or "none"
            raise FieldworkError(
                f"there is no inspector {inspector!r} (inspectors: {known})", file=where
            )
        cases = [c for c in cases if c.inspector_name == inspector]
        if not cases:
            raise FieldworkError(f"{inspector} has no cases to print", file=where)
    if not references:
        if not cases:
            raise FieldworkError("there are no cases to print", file=where)
        return cases
    by_reference: dict[str, list[CaseSummary]] = defaultdict(list)
    for case in cases:
        by_reference[case.reference].append(case)
    unknown = [r for r in references if r not in by_reference]
    if unknown:
        listed = ("reference " if len(unknown) == 1 else "references ") + ", ".join(
            repr(r) for r in unknown
        )
        scope = "".join(
            [
                f" in sample {sample}" if sample else "",
                f" allocated to {inspector}" if inspector else "",
            ]
        )
        raise FieldworkError(
            f"there is no case with the {listed}{scope}; nothing was printed", file=where
        )
    chosen = []
    for reference in dict.fromkeys(references):  # each case once, in the order given
        found = by_reference[reference]
        if len(found) > 1:
            samples = " and ".join(c.sample for c in found)
            raise FieldworkError(
                f"{reference!r} is in samples {samples}: name one with --sample", file=where
            )
        chosen.append(found[0])
    return chosen


def run_print(args: argparse.Namespace) -> int:
    if not (args.cases or args.all or args.inspector):
        raise FieldworkError("say which cases to print: --case REF, --all or --inspector NAME")
    printed_at = args.printed_at or datetime.now().astimezone()
    with Service.open(args.workspace, user=args.user, backup=False) as service:
        cases = chosen_cases(
            service, references=args.cases or (), inspector=args.inspector, sample=args.sample
        )
        show = sys.stderr.isatty() and len(cases) > 1

        def progress(done: int, total: int) -> None:
            print(f"\rPrinting {len(cases)} cases: {100 * done // total}%", end="", file=sys.stderr)

        written = write_case_sheets(
            service,
            [c.id for c in cases],
            args.output,
            printed_at=printed_at,
            progress=progress if show else None,
        )
        if show:
            print(file=sys.stderr)
    sheets = "sheet" if written.cases == 1 else "sheets"
    pages = "page" if written.pages == 1 else "pages"
    print(
        f"Wrote {written.cases} case summary {sheets} ({written.pages} {pages}) to {args.output}."
    )
    return 0
