"""Quality assurance (issue 17): review threads, review states, the dip-sample register,
double marking with adjudication and rating flags, practice workspaces."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from fieldwork.answers import Answer
from fieldwork.errors import InvalidChange
from fieldwork.qa import double, practice, register, review, threads
from fieldwork.service import CaseSummary, Service
from tests.conftest import CASE_SUPERVISION, answer_everything


def _first(service: Service, case_id: str, kind: str) -> str:
    return next(i.item_id for i in service.case(case_id).items if i.applies and i.kind == kind)


def _value(service: Service, case_id: str, item_id: str) -> str | None:
    row = service.db.execute(
        "SELECT value FROM responses WHERE case_id = ? AND item_id = ?", [case_id, item_id]
    ).fetchone()
    return None if row is None else row[0]  # type: ignore[no-any-return]


def _complete_cases(service: Service, n: int, inspector: str, start: int = 1) -> list[str]:
    who = next(i.id for i in service.inspectors() if i.name == inspector)
    ids = []
    for k in range(start, start + n):
        case = service.add_case(
            "case-supervision", f"{inspector[:3]}{k:03d}", CASE_SUPERVISION, who
        )
        answer_everything(service, case.id)
        service.mark_complete(case.id)
        ids.append(case.id)
    return ids


def test_thread_reply_with_changed_answer_resolve_reopen(
    service: Service, make_case: Callable[..., CaseSummary]
) -> None:
    case = make_case()
    answer_everything(service, case.id)
    prompt = _first(service, case.id, "prompt")
    thread = threads.open_thread(service, case.id, prompt, "Was the plan really sufficient?")
    assert threads.open_counts(service) == {case.id: 1}
    threads.reply(service, thread, "No: the plan omitted contact with the victim", answer=Answer.NO)
    assert _value(service, case.id, prompt) == "no"
    threads.resolve(service, thread, "Agreed")
    assert threads.open_counts(service) == {}
    with pytest.raises(InvalidChange, match="resolved"):
        threads.reply(service, thread, "late")
    threads.reopen(service, thread, "Check the victim letter too")
    [found] = threads.threads(service, case.id, open_only=True)
    assert [s.action for s in found.steps] == ["open", "reply", "resolve", "reopen"]
    assert (found.steps[1].answer_old, found.steps[1].answer_new) == ("yes", "no")
    rows = [h for h in service.history(case.id) if h.entity == "qa thread"]
    assert [h.field for h in rows] == ["open", "reply", "resolve", "reopen"]
    # the answer changed through the edit path, the reply recorded as its reason
    answer_rows = [
        h for h in service.history(case.id) if h.item_id == prompt and h.field == "value"
    ]
    assert answer_rows[-1].reason == "No: the plan omitted contact with the victim"


def test_thread_refuses_unknown_items_and_empty_text(
    service: Service, make_case: Callable[..., CaseSummary]
) -> None:
    case = make_case()
    with pytest.raises(InvalidChange, match="not a prompt"):
        threads.open_thread(service, case.id, "no-such-item", "text")
    with pytest.raises(InvalidChange, match="needs text"):
        threads.open_thread(service, case.id, "", "  ")
    assert threads.threads(service) == []
    whole = threads.open_thread(service, case.id, "", "Whole case: recording is thin")
    with pytest.raises(InvalidChange, match="no answer to change"):
        threads.reply(service, whole, "ok", answer=Answer.YES)


def test_returned_resubmitted_accepted_and_accepted_refuses_edits(
    service: Service, make_case: Callable[..., CaseSummary]
) -> None:
    case = make_case()
    with pytest.raises(InvalidChange, match="not started"):
        review.move(service, case.id, "submit")
    answer_everything(service, case.id)
    service.mark_complete(case.id)
    assert review.move(service, case.id, "submit") == "submitted"
    with pytest.raises(InvalidChange, match="reason"):
        review.move(service, case.id, "return")
    thread = threads.open_thread(service, case.id, "", "Add the review date")
    assert review.move(service, case.id, "return", "see the thread") == "returned"
    with pytest.raises(InvalidChange, match="cannot accept"):
        review.move(service, case.id, "accept")
    assert review.move(service, case.id, "resubmit") == "resubmitted"
    with pytest.raises(InvalidChange, match="still open"):
        review.move(service, case.id, "accept")
    threads.resolve(service, thread)
    assert review.move(service, case.id, "accept") == "accepted"
    prompt = _first(service, case.id, "prompt")
    with pytest.raises(InvalidChange, match="accepted by quality assurance"):
        service.answer(case.id, prompt, Answer.NO, edit_reason="second thoughts")
    assert _value(service, case.id, prompt) == "yes"
    assert review.accepted_cases(service) == {case.id}
    assert review.move(service, case.id, "reopen", "new evidence") == "returned"
    service.answer(case.id, prompt, Answer.NO, edit_reason="new evidence")
    assert _value(service, case.id, prompt) == "no"
    moves = [(h.old, h.new) for h in service.history(case.id) if h.field == "review"]
    assert moves == [
        (None, "submitted"),
        ("submitted", "returned"),
        ("returned", "resubmitted"),
        ("resubmitted", "accepted"),
        ("accepted", "returned"),
    ]


def test_qa_draw_is_reproducible_from_its_seed(service: Service) -> None:
    service.add_inspector("Ravi")
    helen = _complete_cases(service, 4, "Helen")
    ravi = _complete_cases(service, 2, "Ravi")
    first = register.draw_per_inspector(service, 0.5, seed=20260101)
    again = register.draw_per_inspector(service, 0.5, seed=20260101)
    assert first == again
    assert sorted(len(v) for v in first.values()) == [1, 2]  # half of each, at least one
    assert set(first[service.case_summary(helen[0]).inspector_id or ""]) <= set(helen)
    others = {
        tuple(sorted(c for v in register.draw_per_inspector(service, 0.5, s).values() for c in v))
        for s in range(1, 30)
    }
    assert len(others) > 1  # another seed draws other cases
    drawn = register.draw(service, 0.5, seed=20260101)
    entries = register.register(service)
    assert sorted(e.case_id for e in entries) == drawn
    assert {e.review for e in entries} == {"not submitted"}
    review.move(service, entries[0].case_id, "submit")
    assert register.register(service)[0].review == "submitted"
    lines = {line.inspector: line for line in register.inspectors(service, date(2020, 2, 1))}
    assert (lines["Helen"].complete, lines["Helen"].sampled) == (4, 2)
    assert lines["Ravi"].days_since_return is None
    assert set(ravi) >= set(first[service.case_summary(ravi[0]).inspector_id or ""])


def _double_marked(service: Service, n: int) -> tuple[str, str]:
    """n complete cases by Helen, all Yes; the first marked again by Ravi with No on a key
    question. Returns (case id, key question id)."""
    service.add_inspector("Ravi")
    cases = _complete_cases(service, n, "Helen")
    kq = _first(service, cases[0], "judgement")
    double.choose(service, cases[0], "Ravi")
    answers = {i.item_id: "yes" for i in service.case(cases[0]).items if i.applies}
    answers[kq] = "no"
    double.record_second(service, cases[0], answers)
    return cases[0], kq


def test_agreement_figures_by_item_pair_and_standard(service: Service) -> None:
    case_id, kq = _double_marked(service, 1)
    pairs = double.pairs(service)
    assert len(pairs) == len(service.case(case_id).items) - sum(
        not i.applies for i in service.case(case_id).items
    )
    [disagreement] = [p for p in pairs if not p.agrees]
    assert (disagreement.item_id, disagreement.first, disagreement.second) == (kq, "yes", "no")
    overall = double.figures(pairs)
    assert overall is not None
    assert overall.cases == len(pairs) and overall.agreed == len(pairs) - 1
    by_pair = double.by(pairs, "pair")
    assert len(by_pair) == 1
    by_standard = double.by(pairs, "standard")
    assert disagreement.standard_id in by_standard
    by_kq = double.by(pairs, "key question")
    grouped = by_kq[kq]
    assert grouped is not None
    prompts = [
        p
        for p in pairs
        if p.kind == "prompt" and service.framework.prompt(p.item_id).key_question_id == kq
    ]
    assert grouped.cases == 1 + len(prompts) and grouped.agreed == len(prompts)


def test_adjudication_changes_the_scored_figure(service: Service) -> None:
    from fieldwork.scoring.scores import score

    case_id, kq = _double_marked(service, 4)
    before = score(service, breakdowns=None).figure(kq)
    assert (before.yes, before.no) == (4, 0)
    with pytest.raises(InvalidChange, match="reason"):
        double.adjudicate(service, case_id, kq, Answer.NO, " ")
    double.adjudicate(service, case_id, kq, Answer.NO, "the risk plan was never reviewed")
    after = score(service, breakdowns=None).figure(kq)
    assert (after.yes, after.no) == (3, 1)
    [pair] = [p for p in double.pairs(service) if p.item_id == kq]
    assert (pair.first, pair.second, pair.adjudicated) == ("yes", "no", "no")
    assert any(h.entity == "adjudication" for h in service.history(case_id))


def test_flag_fires_when_the_other_answer_changes_the_band(service: Service) -> None:
    # 4 cases: 100% (80%+) now; adjudicated No it would be 75% (65-79%): flagged
    case_id, kq = _double_marked(service, 4)
    [flag] = double.flags(service)
    assert (flag.case_id, flag.item_id, flag.counted, flag.other) == (case_id, kq, "yes", "no")
    assert flag.changes_band and flag.band_now != flag.band_other
    # adjudicated the other way, the flag still stands, seen from the other side
    double.adjudicate(service, case_id, kq, Answer.NO, "agreed at moderation")
    [flag] = double.flags(service)
    assert (flag.counted, flag.other) == ("no", "yes")


def test_flag_stays_quiet_when_the_band_and_rating_hold(service: Service) -> None:
    # 5 cases: 100% now, 80% the other way: both in the 80%+ band, the rating unchanged
    _double_marked(service, 5)
    assert double.flags(service) == []


def test_blind_second_marker_must_differ_and_be_known(service: Service) -> None:
    service.add_inspector("Ravi")
    [case_id] = _complete_cases(service, 1, "Helen")
    with pytest.raises(InvalidChange, match="another inspector"):
        double.choose(service, case_id, "Helen")
    with pytest.raises(InvalidChange, match="no inspector"):
        double.choose(service, case_id, "Nobody")
    with pytest.raises(InvalidChange, match="not chosen"):
        double.record_second(service, case_id, {})
    double.choose(service, case_id, "Ravi")
    double.record_second(service, case_id, {_first(service, case_id, "judgement"): "yes"})
    service.add_inspector("Tom")
    with pytest.raises(InvalidChange, match="marked a second time already"):
        double.choose(service, case_id, "Tom")


def test_practice_scores_trainees_against_the_reference(tmp_path: object, service: Service) -> None:
    from pathlib import Path

    assert not practice.is_practice(service)
    practice.mark_practice(service)
    assert practice.is_practice(service)
    [case_id] = _complete_cases(service, 1, "Helen")
    base = Path(str(tmp_path))
    with Service.create(base / "trainee.fieldwork", user="Tom") as trainee:
        trainee.create_inspection("North West", provider="NPS North West")
        trainee.add_inspector("Helen")
        who = trainee.inspectors()[0].id
        copy = trainee.add_case("case-supervision", "Hel001", CASE_SUPERVISION, who)
        answer_everything(trainee, copy.id)
        kq = _first(trainee, copy.id, "judgement")
        trainee.judge(copy.id, kq, Answer.NO)
        result = practice.score_trainee(service, trainee, "Tom")
        assert result.items > 1 and result.agreed == result.items - 1
        with pytest.raises(InvalidChange, match="practice work"):
            practice.refuse_practice(trainee, practice_source=True, source="x.fwb")
    practice.refuse_practice(service, practice_source=True, source="x.fwb")  # both practice
    assert case_id


def test_scoring_can_be_limited_to_accepted_cases(service: Service) -> None:
    from fieldwork.scoring.scores import score

    cases = _complete_cases(service, 3, "Helen")
    kq = _first(service, cases[0], "judgement")
    for case_id in cases[:2]:
        review.move(service, case_id, "submit")
    review.move(service, cases[0], "accept")
    assert score(service, breakdowns=None).figure(kq).applicable == 3
    accepted = score(service, breakdowns=None, accepted_only=True)
    assert accepted.figure(kq).applicable == 1
    assert any("Only the 1 case(s) quality assurance has accepted" in w for w in accepted.warnings)
    assert not any("quality assurance" in w for w in score(service, breakdowns=None).warnings)
    assert not any("not yet marked complete" in w for w in accepted.warnings)
    assert accepted.scope_statement == (
        "Scored the 1 case(s) of 3 that quality assurance has accepted; the 2 not yet accepted "
        "are left out."
    )


def test_practice_data_never_reaches_scoring(service: Service) -> None:
    from fieldwork.scoring.scores import score

    _complete_cases(service, 1, "Helen")
    score(service, breakdowns=None)
    practice.mark_practice(service)
    with pytest.raises(InvalidChange, match="practice workspace"):
        score(service, breakdowns=None)


def test_report_pdf_and_tables_read_back(service: Service, tmp_path: object) -> None:
    import csv
    from datetime import UTC, datetime
    from pathlib import Path

    import openpyxl
    import pypdf

    from fieldwork.qa import report

    case_id, kq = _double_marked(service, 4)
    register.draw(service, 0.5, seed=7)
    threads.open_thread(service, case_id, kq, "Check the risk plan")
    folder = Path(str(tmp_path))
    pages = report.write_pdf(
        service, folder / "qa.pdf", printed_at=datetime(2020, 2, 1, 9, tzinfo=UTC)
    )
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(folder / "qa.pdf").pages)
    assert pages >= 1
    assert "Quality assurance and consistency of judgements" in text
    assert "Gwet's AC1" in text and "Dip-sample register" in text
    assert "Check the risk plan" in text
    written = report.export(service, folder / "tables", today=date(2020, 2, 1))
    with (folder / "tables" / "qa-agreement.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    overall = rows[0]
    pairs = double.pairs(service)
    assert overall["Group"] == "All items" and int(overall["Items marked twice"]) == len(pairs)
    assert int(overall["Agreed"]) == len(pairs) - 1
    with (folder / "tables" / "qa-flags.csv").open(encoding="utf-8") as fh:
        [flag] = list(csv.DictReader(fh))
    assert flag["Key question"] == kq
    book = openpyxl.load_workbook(next(p for p in written if p.suffix == ".xlsx"))
    assert "qa-agreement" in book.sheetnames and "qa-register" in book.sheetnames


def test_cli_runs_a_review_round(service: Service, capsys: pytest.CaptureFixture[str]) -> None:
    from fieldwork.cli import main

    [case_id] = _complete_cases(service, 1, "Helen")
    reference = service.case_summary(case_id).reference
    path = str(service.workspace.path)
    service.close()
    assert main(["--user", "Lead", "qa", "comment", path, reference, "Look again at 2.1"]) == 0
    thread = capsys.readouterr().out.split()[3]
    assert main(["qa", "review", path, reference, "submit"]) == 0
    assert main(["qa", "review", path, reference, "accept"]) == 1  # a thread is open
    assert "still open" in capsys.readouterr().err
    assert main(["qa", "reply", path, thread, "Done, see the note"]) == 0
    assert main(["qa", "resolve", path, thread]) == 0
    assert main(["qa", "review", path, reference, "accept"]) == 0
    out = capsys.readouterr().out
    assert f"Case {reference} is now accepted." in out
    assert main(["score", path, "--accepted-only"]) == 0
    assert "quality assurance has accepted" in capsys.readouterr().out
    assert main(["qa", "threads", path]) == 0
    assert "(resolved)" in capsys.readouterr().out


def test_cli_double_marking_agreement_adjudication_and_outputs(
    service: Service, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    from fieldwork.cli import main

    case_id, kq = _double_marked(service, 4)
    reference = service.case_summary(case_id).reference
    path = str(service.workspace.path)
    service.close()
    folder = Path(str(tmp_path))
    assert main(["qa", "agreement", path, "--by", "pair"]) == 0
    out = capsys.readouterr().out
    assert "Helen & Ravi" in out and f"FLAG {reference} {kq}" in out
    assert main(["qa", "adjudicate", path, reference, kq, "no", "--reason", "moderated"]) == 0
    assert main(["qa", "draw", path, "--share", "0.5", "--seed", "3"]) == 0
    assert main(["qa", "register", path]) == 0
    assert "complete case(s) sampled" in capsys.readouterr().out
    assert main(["qa", "report", path, "-o", str(folder / "qa.pdf")]) == 0
    assert main(["qa", "tables", path, "-o", str(folder / "t"), "--excel"]) == 0
    assert (folder / "qa.pdf").stat().st_size > 0
    assert (folder / "t" / "qa-agreement.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with Service.open(Path(path), user="x") as again:
        assert _value(again, case_id, kq) == "no"


def test_a_panel_decision_keeps_the_accepted_only_case_set(service: Service) -> None:
    from fieldwork.scoring.records import record_panel_decision
    from fieldwork.scoring.scores import score

    [case_id] = _complete_cases(service, 1, "Helen")
    review.move(service, case_id, "submit")
    review.move(service, case_id, "accept")
    decision = record_panel_decision(
        service,
        "2.1",
        "Good",
        "Close to the boundary; the other key questions are high.",
        provisional=None,
        lowest_item=None,
        lowest_percentage=None,
        accepted_only=True,
    )
    assert decision.case_set == "accepted cases only"
    on_accepted = score(service, breakdowns=None, accepted_only=True).standard("2.1")
    assert on_accepted.decision is not None and on_accepted.decision.accepted_only
    assert not on_accepted.decision_on_other_cases
    on_complete = score(service, breakdowns=None).standard("2.1")
    assert on_complete.decision_on_other_cases
    assert "It decided on accepted cases only" in on_complete.statement


def test_comments_from_before_threads_become_open_threads(tmp_path: object) -> None:
    from pathlib import Path

    from sqlite_utils import Database

    from fieldwork import migrations

    db = Database(Path(str(tmp_path)) / "old.db")
    steps = dict(migrations._steps)
    for name, step in migrations._steps:
        if name == "0009_quality_assurance":
            break
        step(db)
    db.execute(
        "INSERT INTO inspections (id, name, framework_id, framework_hash, created_at) "
        "VALUES ('i', 'North West', 'f', 'h', '2020-01-01')"
    )
    db.execute(
        "INSERT INTO cases (id, inspection_id, sample, reference, updated_at) "
        "VALUES ('c', 'i', 'case-supervision', 'E1', '2020-01-01')"
    )
    for cid, resolved in (("open-one", None), ("closed-one", "2020-01-03")):
        db.execute(
            "INSERT INTO qa_comments (id, case_id, item_id, comment, author, created_at, "
            "resolved_at) VALUES (?, 'c', '2.1.1', 'Check it', 'Lead', '2020-01-02', ?)",
            [cid, resolved],
        )
    steps["0009_quality_assurance"](db)
    rows = db.execute(
        "SELECT id, thread_id, seq, action, text, author, at FROM qa_thread_steps"
    ).fetchall()
    db.close()
    assert rows == [("open-one", "open-one", 1, "open", "Check it", "Lead", "2020-01-02")]
