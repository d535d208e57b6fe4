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
    print("\n".join(_summary(args.path)))
    return 0


def _summary(path: Path) -> list[str]:
    """The lines ``fieldwork info`` prints, read whole before any is printed. A look, not
    work: the workspace is read as it is (``store.reading``), so that the command starts fast
    and a workspace open in the application can still be summarised."""
    from fieldwork.errors import WorkspaceError
    from fieldwork.framework import framework_by_id
    from fieldwork.store import reading

    with reading(path) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        inspection = conn.execute(
            "SELECT id, name, provider, fieldwork_start, fieldwork_end FROM inspections"
        ).fetchone()
        inspectors = [row[0] for row in conn.execute("SELECT name FROM inspectors ORDER BY name")]
        counts = Counter(
            {
                (sample, status): n
                for sample, status, n in conn.execute(
                    "SELECT sample, status, count(*) FROM cases GROUP BY sample, status"
                )
            }
        )
    # The recorded framework was validated when the workspace was made.
    framework = framework_by_id(meta["framework_id"], validated_hash=meta["framework_hash"])
    if framework.content_hash != meta["framework_hash"]:
        raise WorkspaceError(
            f"this workspace was made with framework {framework.id!r} version "
            f"{meta.get('framework_version')} (hash {meta['framework_hash'][:12]}), but the "
            f"installed framework is version {framework.version}; update Fieldwork to read it",
            file=str(path),
        )
    lines = [
        f"Workspace:  {path}",
        f"Kind:       {meta.get('kind', 'central')}",
        f"Framework:  {framework.title} ({framework.id} {framework.version}, "
        f"hash {meta['framework_hash'][:12]})",
    ]
    if inspection is None:
        return [*lines, "Inspection: none yet"]
    _, name, provider, start, end = inspection
    lines.append(f"Inspection: {name}")
    if provider:
        lines.append(f"Provider:   {provider}")
    if start:
        lines.append(f"Fieldwork:  {start} to {end}")
    lines.append(f"Inspectors: {', '.join(inspectors) or 'none'}")
    lines.append("")
    lines.append(
        f"{'Sample':<36}{'Cases':>6}{'Not started':>13}{'In progress':>13}{'Complete':>10}"
    )
    for sample in framework.samples:
        status = {s: n for (sid, s), n in counts.items() if sid == sample.id}
        lines.append(
            f"{sample.title:<36}{sum(status.values()):>6}{status.get('not started', 0):>13}"
            f"{status.get('in progress', 0):>13}{status.get('complete', 0):>10}"
        )
    lines.append(f"{'All samples':<36}{sum(counts.values()):>6}")
    return lines
