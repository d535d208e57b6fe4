"""Sampling and allocation commands: ``population``, ``sample`` and ``allocate``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from fieldwork.allocation import (
    AllocationResult,
    InspectorLoad,
    allocate_balanced,
    allocation,
    assign,
    move_case,
    unallocated,
)
from fieldwork.errors import FieldworkError, InvalidChange
from fieldwork.sampling.draw import (
    Eligibility,
    draw_sample,
    plan_draw,
    read_exclusions,
    replace_case,
    supervision_window,
)
from fieldwork.sampling.plans import plan_for
from fieldwork.sampling.population import import_population, saved_mappings
from fieldwork.sampling.reader import PopulationError, mapping_from_text, pairs
from fieldwork.sampling.report import write_sampling_report
from fieldwork.sampling.size import sample_size
from fieldwork.sampling.summary import SamplingSummary, points, preview, sampling_summary
from fieldwork.service import Service

SAMPLES = ("case-supervision", "court-reports", "victim")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    population = subparsers.add_parser(
        "population",
        help="import a provider's eligible population",
        description="Import and inspect the eligible populations that samples are drawn from.",
    )
    pop = population.add_subparsers(dest="population_command", metavar="ACTION", required=True)
    imp = pop.add_parser(
        "import",
        help="import a population from CSV or Excel",
        description="Import a sample's eligible population from the provider's CSV or Excel "
        "(.xlsx) export, one row per case. Columns headed with an attribute's id or label are "
        "found by themselves; map the others with --map or a saved --mapping. Every problem in "
        "the file is listed; nothing is stored unless the file is clean.",
    )
    imp.add_argument("workspace", type=Path, help="the workspace file")
    imp.add_argument("file", type=Path, help="the CSV or .xlsx file")
    imp.add_argument("--sample", required=True, choices=SAMPLES, help="which sample")
    imp.add_argument("--mapping", metavar="NAME", help="start from this saved column mapping")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=ATTRIBUTE",
        help="the column headed COLUMN holds ATTRIBUTE (an id or label, or 'reference'); "
        "may be repeated",
    )
    imp.add_argument(
        "--value",
        action="append",
        default=[],
        metavar="ATTRIBUTE:TEXT=CHOICE",
        help="the provider writes CHOICE as TEXT, e.g. gender:M=male; may be repeated",
    )
    imp.add_argument("--save-mapping", metavar="NAME", help="save the mapping used under NAME")
    imp.add_argument("--sheet", help="the Excel sheet to read (default: the first)")
    imp.add_argument(
        "--encoding", default="utf-8", help="text encoding of a CSV file (default utf-8)"
    )
    imp.set_defaults(run=run_population_import)
    maps = pop.add_parser("mappings", help="list the saved column mappings")
    maps.add_argument("workspace", type=Path, help="the workspace file")
    maps.set_defaults(run=run_population_mappings)

    sample = subparsers.add_parser(
        "sample",
        help="sample sizes, draws, reports and replacements",
        description="Work out sample sizes and draw, report and maintain the samples.",
    )
    smp = sample.add_subparsers(dest="sample_command", metavar="ACTION", required=True)
    size = smp.add_parser(
        "size",
        help="the sample size for a population",
        description="n0 = z² p(1 − p) / e² with p = 0.5; n = n0 / (1 + (n0 − 1) / N), rounded up.",
    )
    size.add_argument("--population", type=int, required=True, metavar="N", help="population")
    _size_options(size)
    size.set_defaults(run=run_sample_size)

    draw = smp.add_parser(
        "draw",
        help="draw a stratified random sample from the imported population",
        description="Draw a sample in proportion to its strata, reproducibly from --seed, and "
        "add the drawn cases to the workspace. The rest of each stratum is its reserve list.",
    )
    draw.add_argument("workspace", type=Path, help="the workspace file")
    draw.add_argument("--sample", required=True, choices=SAMPLES, help="which sample")
    draw.add_argument("--seed", type=int, required=True, help="random seed (record it)")
    draw.add_argument("--eligible-from", type=_date, metavar="DATE", help="first date eligible")
    draw.add_argument("--eligible-to", type=_date, metavar="DATE", help="last date eligible")
    draw.add_argument(
        "--supervised-months",
        metavar="FROM-TO",
        help="cases under supervision FROM to TO months at the start of fieldwork, e.g. 6-7",
    )
    draw.add_argument("--exclude", type=Path, metavar="FILE", help="references to leave out")
    draw.add_argument("--size", type=int, metavar="N", help="draw N cases instead")
    draw.add_argument("--strata", help="stratify by these attributes, comma-separated")
    draw.add_argument("--dry-run", action="store_true", help="show the draw; store nothing")
    _size_options(draw)
    draw.set_defaults(run=run_sample_draw)

    report = smp.add_parser("report", help="the sampling report (the working of each draw)")
    report.add_argument("workspace", type=Path, help="the workspace file")
    report.add_argument("-o", "--output", type=Path, help="write the report as a PDF here")
    report.add_argument("--sample", choices=SAMPLES, action="append", help="only this sample")
    report.set_defaults(run=run_sample_report)

    replace = smp.add_parser(
        "replace", help="replace a drawn case with the next case of its stratum's reserve list"
    )
    replace.add_argument("workspace", type=Path, help="the workspace file")
    replace.add_argument("--case", required=True, metavar="REF", help="the case to replace")
    replace.add_argument("--reason", required=True, help="why it cannot be inspected")
    replace.add_argument("--sample", choices=SAMPLES, help="the case's sample, if ambiguous")
    replace.set_defaults(run=run_sample_replace)

    alloc = subparsers.add_parser(
        "allocate",
        help="allocate cases to inspectors",
        description="With no option, show who holds what. --balanced gives every unallocated "
        "case an owner, balancing loads within clusters and by capacity; --case REF --to NAME "
        "gives one case to an inspector (moving it needs --reason).",
    )
    alloc.add_argument("workspace", type=Path, help="the workspace file")
    alloc.add_argument("--balanced", action="store_true", help="allocate every unallocated case")
    alloc.add_argument(
        "--capacity",
        action="append",
        default=[],
        metavar="NAME=N",
        help="inspector NAME can hold N cases; only inspectors named take part (repeat)",
    )
    alloc.add_argument(
        "--no-cluster", action="store_true", help="deal cases out in turn, ignoring clusters"
    )
    alloc.add_argument("--sample", choices=SAMPLES, action="append", help="only this sample")
    alloc.add_argument("--case", metavar="REF", help="the case to allocate or move")
    alloc.add_argument("--to", metavar="NAME", help="the inspector to give it to")
    alloc.add_argument("--reason", default="", help="why (needed to move an allocated case)")
    alloc.set_defaults(run=run_allocate)


def _size_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--confidence", type=float, default=80.0, help="confidence level in per cent (80)"
    )
    parser.add_argument("--margin", type=float, default=5.0, help="margin of error in points (5)")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


# -- population -----------------------------------------------------------------------------
def report_population_error(exc: PopulationError) -> int:
    """Every problem of a refused file, one a line, on stderr; the exit status."""
    print(
        f"fieldwork: error: {exc.file}: {len(exc.problems)} problem(s); nothing was imported:",
        file=sys.stderr,
    )
    for line in exc.lines():
        print(f"  {line}", file=sys.stderr)
    return 1


def print_columns(columns: Mapping[str, str]) -> None:
    print("Columns used:")
    for column, target in columns.items():
        print(f"  {column!r} → {target}")


def run_population_import(args: argparse.Namespace) -> int:
    with Service.open(args.workspace, user=args.user) as service:
        sample = service.sample(args.sample)
        plan = plan_for(service.framework, sample.id)
        mapping = mapping_from_text(sample, plan, args.map, args.value)
        try:
            done = import_population(
                service,
                args.file,
                args.sample,
                mapping=mapping,
                mapping_name=args.mapping,
                save_as=args.save_mapping,
                encoding=args.encoding,
                sheet=args.sheet,
            )
        except PopulationError as exc:
            return report_population_error(exc)
    print(f"Imported {done.rows:,} cases into the {sample.title} population from {done.file}.")
    if done.replaced:
        print(f"(This replaces the {done.replaced:,} cases imported before.)")
    print_columns(done.columns)
    if done.mapping_saved:
        print(f"Saved the column mapping as {done.mapping_saved!r}.")
    return 0


def run_population_mappings(args: argparse.Namespace) -> int:
    with Service.open(args.workspace, user=args.user, backup=False) as service:
        found = saved_mappings(service)
    if not found:
        print("No column mappings saved yet.")
    for (sample, name), mapping in found.items():
        print(f"{name} ({sample}):")
        for column, target in mapping.columns.items():
            print(f"  {column!r} → {target}")
        for attribute, aliases in mapping.values.items():
            for text, choice in aliases.items():
                print(f"  {attribute}: {text!r} means {choice!r}")
    return 0


# -- sample -----------------------------------------------------------------------------------
def run_sample_size(args: argparse.Namespace) -> int:
    size = sample_size(args.population, args.confidence, args.margin)
    print(f"Sample size: {size.n}")
    print(size.working())
    return 0


def _eligibility(service: Service, args: argparse.Namespace) -> Eligibility:
    date_from, date_to = args.eligible_from, args.eligible_to
    if args.supervised_months:
        if date_from or date_to:
            raise InvalidChange("give either --supervised-months or --eligible-from/--eligible-to")
        low, sep, high = args.supervised_months.partition("-")
        if not (low.strip().isdigit() and high.strip().isdigit()) or not sep:
            raise InvalidChange(
                f"--supervised-months {args.supervised_months!r}: write FROM-TO, e.g. 6-7"
            )
        inspection = service.inspection()
        if inspection is None or not inspection.fieldwork_start:
            raise InvalidChange(
                "the inspection has no fieldwork start date; give --eligible-from and "
                "--eligible-to instead"
            )
        date_from, date_to = supervision_window(
            date.fromisoformat(inspection.fieldwork_start), int(low), int(high)
        )
    exclude: tuple[str, ...] = ()
    if args.exclude:
        try:
            exclude = read_exclusions(args.exclude.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise FieldworkError(
                f"cannot read the exclusion list ({exc})", file=str(args.exclude)
            ) from None
    return Eligibility(date_from, date_to, exclude)


def run_sample_draw(args: argparse.Namespace) -> int:
    with Service.open(args.workspace, user=args.user) as service:
        options = {
            "eligibility": _eligibility(service, args),
            "confidence": args.confidence,
            "margin": args.margin,
            "size": args.size,
            "strata": [s.strip() for s in args.strata.split(",")] if args.strata else None,
        }
        if args.dry_run:
            summary = preview(service, plan_draw(service, args.sample, args.seed, **options))
        else:
            draw = draw_sample(service, args.sample, args.seed, **options)
            summary = sampling_summary(service, args.sample, verify=False)
            print(f"Drew {len(draw.case_ids)} cases into the workspace.")
    print(summary_text(summary))
    return 0


def run_sample_report(args: argparse.Namespace) -> int:
    with Service.open(args.workspace, user=args.user, backup=False) as service:
        if args.output:
            written = write_sampling_report(
                service, args.output, args.sample, printed_at=datetime.now().astimezone()
            )
            print(f"Wrote the sampling report ({written.pages} pages) to {written.path}.")
            return 0
        samples = args.sample or [
            r[0] for r in service.db.execute("SELECT sample FROM sample_draws ORDER BY drawn_at")
        ]
        if not samples:
            print("No sample has been drawn yet.")
        for n, sample in enumerate(samples):
            if n:
                print()
            print(summary_text(sampling_summary(service, sample)))
    return 0


def run_sample_replace(args: argparse.Namespace) -> int:
    with Service.open(args.workspace, user=args.user) as service:
        case = service.find_case(args.case, args.sample)
        done = replace_case(service, case.id, args.reason)
    print(
        f"Replaced {done.withdrawn_reference} with {done.case.reference} "
        f"(stratum {' / '.join(str(v) for v in done.stratum)}"
        + (f"; allocated to {done.case.inspector_name}" if done.case.inspector_name else "")
        + ")."
    )
    return 0


def summary_text(summary: SamplingSummary) -> str:
    lines = [
        f"{summary.title}: {'sample drawn' if summary.drawn else 'draw preview (nothing stored)'}"
        f", seed {summary.seed}",
        f"  Population {summary.population:,}"
        + "".join(f"; {s.description}: −{s.removed:,}" for s in summary.filters)
        + f"; eligible N = {summary.eligible:,}",
    ]
    for step in summary.filters:
        if step.not_found:
            lines.append(f"  Not in the population: {', '.join(step.not_found)}")
    if summary.size_rule == "given":
        lines.append(f"  Size given: n = {summary.n}")
    else:
        lines.append(f"  {summary.size.working()}")
    lines.append(
        f"  Margin of error achieved: {points(summary.achieved_margin)} points at "
        f"{summary.size.confidence:g}% confidence"
    )
    labels = summary.strata_attributes or ("Stratum",)
    lines.append("")
    width = max([len(" / ".join(s.labels)) for s in summary.strata] + [len(" / ".join(labels))])
    lines.append(f"  {' / '.join(labels):<{width}}  {'N':>7} {'exact':>7} {'n':>5} {'reserve':>8}")
    for s in summary.strata:
        lines.append(
            f"  {' / '.join(s.labels):<{width}}  {s.population:>7,} {s.exact:>7.2f} "
            f"{s.sample:>5} {s.reserve:>8}"
        )
    lines.append(
        f"  {'Total':<{width}}  {summary.eligible:>7,} {summary.size.n:>7.2f} {summary.n:>5}"
    )
    lines.append("")
    for sub in summary.sub_samples:
        lines.append(
            f"  {sub.label:<34} n = {sub.sample:>4} of {sub.population:>6,}  "
            f"margin {points(sub.margin)}"
        )
    if summary.replacements:
        lines.append("")
        for r in summary.replacements:
            lines.append(f"  Replaced {r.withdrawn} with {r.replaced_by}: {r.reason}")
    if summary.verified is not None:
        lines.append(
            "  Re-drawn from the population with the seed: "
            + ("the same sample." if summary.verified else "DIFFERENT: check the population.")
        )
    lines.append(f"  Re-draw with: {summary.redraw}")
    return "\n".join(lines)


# -- allocate ---------------------------------------------------------------------------------
def _print_loads(loads: tuple[InspectorLoad, ...]) -> None:
    for load in loads:
        room = f" of {load.capacity}" if load.capacity is not None else ""
        where = ", ".join(f"{place} {count}" for place, count in load.locations.items())
        print(f"  {load.name:<24} {load.cases:>4}{room:<8} {where}")


def run_allocate(args: argparse.Namespace) -> int:
    with Service.open(args.workspace, user=args.user) as service:
        if args.case or args.to:
            if not (args.case and args.to):
                raise InvalidChange("give both --case REF and --to NAME")
            case = service.find_case(args.case)
            if case.inspector_id is None:
                done = assign(service, case.id, args.to, args.reason)
                print(f"Allocated {done.reference} to {done.inspector_name}.")
            else:
                done = move_case(service, case.id, args.to, args.reason)
                print(
                    f"Moved {done.reference} from {done.previous_inspector_name} to "
                    f"{done.inspector_name}."
                )
            return 0
        if args.balanced:
            capacity = (
                {name: _count(n, name) for name, n in pairs(args.capacity, "NAME=N")}
                if args.capacity
                else None
            )
            result: AllocationResult = allocate_balanced(
                service, capacity, by_cluster=not args.no_cluster, samples=args.sample
            )
            print(f"Allocated {len(result.assignments)} cases.")
            _print_loads(result.loads)
            if result.unallocated:
                print(
                    f"{len(result.unallocated)} cases are still unallocated (no capacity left): "
                    + ", ".join(result.unallocated[:20])
                    + (" …" if len(result.unallocated) > 20 else "")
                )
                return 1
            return 0
        if args.capacity or args.no_cluster:
            raise InvalidChange("--capacity and --no-cluster go with --balanced")
        print("Allocation:")
        _print_loads(allocation(service))
        left = unallocated(service)
        print(f"Unallocated: {len(left)}")
    return 0


def _count(text: str, name: str) -> int:
    if not text.isdigit():
        raise InvalidChange(f"the capacity of {name} must be a whole number, not {text!r}")
    return int(text)
