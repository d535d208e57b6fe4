"""Core commands: ``demo``, ``info`` and ``open``.

Each command imports what it needs when it runs: ``fieldwork info`` must start fast.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = subparsers.add_parser(
        "demo",
        help="make a demo inspection workspace",
        description="Make a demo inspection with generated but realistic cases in all three "
        "samples, reproducibly from a seed.",
    )
    demo.add_argument(
        "path",
        type=Path,
        nargs="?",
        help="the workspace file to create (default: a new one in Documents/Fieldwork)",
    )
    demo.add_argument("--seed", type=int, default=2020, help="random seed (default 2020)")
    demo.add_argument(
        "--case-supervision",
        type=int,
        default=24,
        metavar="N",
        help="case supervision cases (default 24)",
    )
    demo.add_argument(
        "--court-reports", type=int, default=12, metavar="N", help="court reports (default 12)"
    )
    demo.add_argument("--victim", type=int, default=6, metavar="N", help="victim cases (default 6)")
    demo.add_argument(
        "--complete",
        type=float,
        default=None,
        metavar="SHARE",
        help="share of cases fully answered and complete, 0 to 1 (default: a "
        "third complete, a third in progress, a third not started)",
    )
    demo.add_argument(
        "--all-complete",
        action="store_const",
        const=1.0,
        dest="complete",
        help="answer every case fully (the benchmark data set)",
    )
    demo.set_defaults(run=run_demo)

    info = subparsers.add_parser("info", help="summarise a workspace")
    info.add_argument("path", type=Path, help="the workspace file")
    info.set_defaults(run=run_info)

    gui = subparsers.add_parser("open", help="open a workspace in the application")
    gui.add_argument("workspace", type=Path, nargs="?", help="the workspace file")


def run_demo(args: argparse.Namespace) -> int:
    from fieldwork import userdirs
    from fieldwork.demo import DemoSizes, make_demo

    sizes = DemoSizes(args.case_supervision, args.court_reports, args.victim)
    if args.path is None:
        args.path = userdirs.default_demo_path()
        userdirs.ensure_dir(args.path.parent)
    service = make_demo(
        args.path, seed=args.seed, sizes=sizes, complete=args.complete, user=args.user or "demo"
    )
    cases = service.cases()
    service.close()
    print(f"Created {args.path} with {len(cases)} cases (seed {args.seed}).")
    return 0


def run_info(args: argparse.Namespace) -> int:
    import sqlite3

    from fieldwork.store import damaged

    try:
        lines = _summary(args.path, args.user)
    except sqlite3.DatabaseError as exc:
        raise damaged(args.path, [f"SQLite: {exc}"]) from None
    print("\n".join(lines))
    return 0


def _summary(path: Path, user: str | None) -> list[str]:
    """The lines ``fieldwork info`` prints, read whole before any is printed."""
    from fieldwork.service import Service

    # A read-only summary: no backup, and no full integrity check (seconds on a national
    # workspace); damage the summary meets is reported as such by run_info.
    with Service.open(path, user=user, backup=False, check=False) as service:
        inspection = service.inspection()
        framework = service.framework
        lines = [
            f"Workspace:  {path}",
            f"Kind:       {service.workspace.meta('kind')}",
            f"Framework:  {framework.title} ({framework.id} {framework.version}, "
            f"hash {framework.content_hash[:12]})",
        ]
        if inspection is None:
            return [*lines, "Inspection: none yet"]
        lines.append(f"Inspection: {inspection.name}")
        if inspection.provider:
            lines.append(f"Provider:   {inspection.provider}")
        if inspection.fieldwork_start:
            lines.append(f"Fieldwork:  {inspection.fieldwork_start} to {inspection.fieldwork_end}")
        lines.append(f"Inspectors: {', '.join(i.name for i in service.inspectors()) or 'none'}")
        lines.append("")
        cases = service.cases()
    heading = f"{'Sample':<36}{'Cases':>6}{'Not started':>13}{'In progress':>13}{'Complete':>10}"
    lines.append(heading)
    for sample in framework.samples:
        mine = [c for c in cases if c.sample == sample.id]
        status = Counter(c.status for c in mine)
        lines.append(
            f"{sample.title:<36}{len(mine):>6}{status['not started']:>13}"
            f"{status['in progress']:>13}{status['complete']:>10}"
        )
    lines.append(f"{'All samples':<36}{len(cases):>6}")
    return lines
