"""Quality-assurance commands: ``fieldwork qa ...`` (issue 17, docs/quality-assurance.md)."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

from fieldwork.answers import Answer
from fieldwork.errors import InvalidChange
from fieldwork.service import Service


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    qa = subparsers.add_parser(
        "qa",
        help="quality assurance: threads, reviews, QA sample, "
        "double marking, agreement, practice, reports",
    )
    commands = qa.add_subparsers(dest="qa_command", required=True)

    p = commands.add_parser("comment", help="open a review thread on an item or a whole case")
    p.add_argument("workspace", type=Path)
    p.add_argument("case", help="the case reference")
    p.add_argument("text")
    p.add_argument("--item", default="", help="a prompt, key question or attribute id")
    p.set_defaults(run=run_comment)

    p = commands.add_parser("threads", help="list review threads with their steps")
    p.add_argument("workspace", type=Path)
    p.add_argument("--case", help="one case's (reference)")
    p.add_argument("--open", action="store_true", help="open threads only")
    p.set_defaults(run=run_threads)

    for name, help_text in (
        ("reply", "reply to a thread (optionally changing the answer)"),
        ("resolve", "resolve a thread"),
        ("reopen", "reopen a resolved thread"),
    ):
        p = commands.add_parser(name, help=help_text)
        p.add_argument("workspace", type=Path)
        p.add_argument("thread", help="the thread id (or its first characters)")
        p.add_argument("text", nargs="?" if name != "reply" else None, default="")
        if name == "reply":
            p.add_argument("--answer", choices=[a.value for a in Answer])
        p.set_defaults(run=run_step, step=name)

    p = commands.add_parser("review", help="move a case's review state")
    p.add_argument("workspace", type=Path)
    p.add_argument("case", help="the case reference")
    p.add_argument("move", choices=["submit", "return", "resubmit", "accept", "reopen"])
    p.add_argument("--reason", default="")
    p.set_defaults(run=run_review)

    p = commands.add_parser("draw", help="draw the QA dip sample: a share per inspector")
    p.add_argument("workspace", type=Path)
    p.add_argument("--share", type=float, required=True, help="e.g. 0.1 for a tenth")
    p.add_argument("--seed", type=int, required=True)
    p.set_defaults(run=run_draw)

    p = commands.add_parser("register", help="show the dip-sample register")
    p.add_argument("workspace", type=Path)
    p.set_defaults(run=run_register)

    p = commands.add_parser("double", help="choose a case for a blind second marking")
    p.add_argument("workspace", type=Path)
    p.add_argument("case", nargs="?", help="the case reference (or --draw)")
    p.add_argument("--by", help="the second inspector (with a case)")
    p.add_argument("--draw", type=float, help="draw this share per inspector instead")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run_double)

    p = commands.add_parser("agreement", help="agreement figures and rating flags")
    p.add_argument("workspace", type=Path)
    p.add_argument(
        "--by", choices=["all", "kind", "standard", "pair", "key question", "item"], default="all"
    )
    p.set_defaults(run=run_agreement)

    p = commands.add_parser("adjudicate", help="record the agreed answer of a double-marked item")
    p.add_argument("workspace", type=Path)
    p.add_argument("case", help="the case reference")
    p.add_argument("item")
    p.add_argument("answer", choices=[a.value for a in Answer])
    p.add_argument("--reason", required=True)
    p.set_defaults(run=run_adjudicate)

    p = commands.add_parser("practice", help="mark this workspace as practice (never scored)")
    p.add_argument("workspace", type=Path)
    p.set_defaults(run=run_practice)

    p = commands.add_parser("trainee", help="score a trainee's workspace against the reference")
    p.add_argument("workspace", type=Path, help="the assessor's reference workspace")
    p.add_argument("trainee", type=Path)
    p.set_defaults(run=run_trainee)

    p = commands.add_parser("report", help="write the QA and consistency report (PDF)")
    p.add_argument("workspace", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(run=run_report)

    p = commands.add_parser("tables", help="write the QA tables as CSV and one Excel workbook")
    p.add_argument("workspace", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--excel", action="store_true", help="CSV with a byte-order mark for Excel")
    p.set_defaults(run=run_tables)


def _open(args: argparse.Namespace, *, writes: bool = True) -> Service:
    return Service.open(args.workspace, user=args.user, backup=writes)


def _thread_id(service: Service, prefix: str) -> str:
    found = [
        r[0]
        for r in service.db.execute(
            "SELECT id FROM qa_comments WHERE id LIKE ? || '%'", [prefix.lower()]
        )
    ]
    if len(found) != 1:
        raise InvalidChange(
            f"{prefix!r} names {'no' if not found else 'more than one'} review thread"
        )
    return str(found[0])


def run_comment(args: argparse.Namespace) -> int:
    from fieldwork.qa import threads

    with _open(args) as service:
        case = service.find_case(args.case)
        thread = threads.open_thread(service, case.id, args.item, args.text)
    print(f"Opened review thread {thread[:8]} on case {case.reference}.")
    return 0


def run_threads(args: argparse.Namespace) -> int:
    from fieldwork.qa import threads

    with _open(args, writes=False) as service:
        case_id = service.find_case(args.case).id if args.case else None
        refs = {c.id: c.reference for c in service.cases()}
        found = threads.threads(service, case_id, open_only=args.open)
    if not found:
        print("No review threads.")
    for t in found:
        state = "open" if t.is_open else "resolved"
        print(f"{t.id[:8]}  {refs.get(t.case_id, '?')}  {t.item_id or 'whole case'}  ({state})")
        for s in t.steps:
            change = f" [answer {s.answer_old} → {s.answer_new}]" if s.answer_new else ""
            print(f"    {s.at}  {s.author}: {s.action}  {s.text}{change}")
    return 0


def run_step(args: argparse.Namespace) -> int:
    from fieldwork.qa import threads

    with _open(args) as service:
        thread = _thread_id(service, args.thread)
        if args.step == "reply":
            answer = Answer(args.answer) if args.answer else None
            threads.reply(service, thread, args.text, answer=answer)
        elif args.step == "resolve":
            threads.resolve(service, thread, args.text)
        else:
            threads.reopen(service, thread, args.text)
    print(f"Review thread {thread[:8]}: {args.step} recorded.")
    return 0


def run_review(args: argparse.Namespace) -> int:
    from fieldwork.qa import review

    with _open(args) as service:
        case = service.find_case(args.case)
        state = review.move(service, case.id, args.move, args.reason)
    print(f"Case {case.reference} is now {review.LABELS[state]}.")
    return 0


def run_draw(args: argparse.Namespace) -> int:
    from fieldwork.qa import register

    with _open(args) as service:
        drawn = register.draw(service, args.share, args.seed)
    print(f"Drew {len(drawn)} case(s) into the QA register (seed {args.seed}).")
    return 0


def run_register(args: argparse.Namespace) -> int:
    from fieldwork.qa import register

    with _open(args, writes=False) as service:
        entries = register.register(service)
        lines = register.inspectors(service, datetime.now(UTC).date())
    for e in entries:
        print(
            f"{e.reference:<14} {e.inspector:<20} {e.status:<12} {e.review:<22} "
            f"open threads {e.open_threads}"
        )
    for line in lines:
        days = (
            "no return yet"
            if line.days_since_return is None
            else (f"{line.days_since_return} day(s) since last return")
        )
        print(
            f"{line.inspector}: {line.sampled} of {line.complete} complete case(s) sampled; {days}"
        )
    return 0


def run_double(args: argparse.Namespace) -> int:
    from fieldwork.qa import double

    with _open(args) as service:
        if args.draw is not None:
            chosen = double.draw(service, args.draw, args.seed)
            print(f"Chose {len(chosen)} case(s) for a blind second marking.")
            return 0
        if not args.case or not args.by:
            raise InvalidChange("name a case and --by the second inspector, or use --draw")
        case = service.find_case(args.case)
        double.choose(service, case.id, args.by)
    print(f"Case {case.reference} will be marked a second time, blind, by {args.by}.")
    return 0


def run_agreement(args: argparse.Namespace) -> int:
    from fieldwork.qa import double, report

    with _open(args, writes=False) as service:
        table = report.agreement_table(service)
        flags = double.flags(service)
        refs = {c.id: c.reference for c in service.cases()}
    group = dict(report.GROUPS)[args.by]
    for row in table.rows:
        if row.cells[0] == group:
            print("  ".join("" if c is None else str(c) for c in row.cells[1:]))
    for f in flags:
        print(
            f"FLAG {refs.get(f.case_id)} {f.item_id}: counted {f.counted}, the other way "
            f"{f.other} would move the band {f.band_now} → {f.band_other}, the rating "
            f"{f.rating_now} → {f.rating_other}"
        )
    return 0


def run_adjudicate(args: argparse.Namespace) -> int:
    from fieldwork.qa import double

    with _open(args) as service:
        case = service.find_case(args.case)
        double.adjudicate(service, case.id, args.item, Answer(args.answer), args.reason)
    print(f"Adjudicated {args.item} of case {case.reference}: {args.answer}.")
    return 0


def run_practice(args: argparse.Namespace) -> int:
    from fieldwork.qa import practice

    with _open(args) as service:
        practice.mark_practice(service)
    print("This workspace is now a practice workspace: it is never scored.")
    return 0


def run_trainee(args: argparse.Namespace) -> int:
    from fieldwork.qa import practice

    with (
        _open(args, writes=False) as reference,
        Service.open(args.trainee, user=args.user, backup=False) as trainee,
    ):
        result = practice.score_trainee(reference, trainee, args.trainee.stem)
    print(
        f"{result.trainee}: {result.agreed} of {result.items} answers agree with the "
        f"reference ({result.percentage:.1f}%)."
    )
    for label, figures in (("Prompts", result.prompts), ("Key questions", result.judgements)):
        if figures is not None and figures.ac1 is not None:
            print(f"  {label}: AC1 {figures.ac1.value:.3f}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from fieldwork.qa import report

    with _open(args, writes=False) as service:
        pages = report.write_pdf(service, args.output, printed_at=datetime.now(UTC))
    print(f"Wrote the QA and consistency report ({pages} page(s)) to {args.output}.")
    return 0


def run_tables(args: argparse.Namespace) -> int:
    from fieldwork.qa import report

    with _open(args, writes=False) as service:
        written = report.export(service, args.output, today=date.today(), excel=args.excel)
    print(f"Wrote {len(written)} file(s) to {args.output}.")
    return 0
