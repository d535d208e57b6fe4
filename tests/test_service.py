"""The service facade: answers, judgements, notes, completion and the history."""

from __future__ import annotations

import sqlite3

import pytest

from fieldwork.answers import Answer
from fieldwork.errors import CaseIncomplete, EditReasonRequired, InvalidChange
from fieldwork.service import Service
from tests.conftest import answer_everything


def test_answer_is_stored_with_history(service, make_case):
    case = make_case()
    change = service.answer(case.id, "2.1.1.1", Answer.YES)
    assert change.item_ids == ("2.1.1.1",) and change.status == "in progress"
    assert change.done == 1
    history = service.history(case.id)
    assert [(h.entity, h.item_id, h.field, h.old, h.new, h.who) for h in history[-2:]] == [
        ("answer", "2.1.1.1", "value", None, "yes", "Helen"),
        ("case", "", "status", "not started", "in progress", "Helen"),
    ]


def test_revision_chain(service, make_case):
    case = make_case()
    service.answer(case.id, "2.1.1.1", Answer.YES)
    first = service.db.execute("SELECT rev, revision FROM responses").fetchone()
    service.answer(case.id, "2.1.1.1", Answer.NO)
    row = service.db.execute("SELECT rev, revision, replaces, value FROM responses").fetchone()
    assert row[1] == 2 and row[2] == first[0] and row[0] != first[0] and row[3] == "no"


def test_unchanged_answer_writes_nothing(service, make_case):
    case = make_case()
    service.answer(case.id, "2.1.1.1", Answer.YES)
    before = len(service.history())
    service.answer(case.id, "2.1.1.1", Answer.YES)
    assert len(service.history()) == before


def test_unknown_and_inapplicable_items_are_refused(service, make_case):
    case = make_case(disposal="community sentence")
    with pytest.raises(InvalidChange, match="there is no prompt 9.9.9.9 in the framework"):
        service.answer(case.id, "9.9.9.9", Answer.YES)
    with pytest.raises(InvalidChange, match=r"prompt 3\.2\.1\.1 is not part of the "):
        service.answer(case.id, "3.2.1.1", Answer.YES)
    with pytest.raises(InvalidChange, match="does not apply to this case.*Post-custody"):
        service.answer(case.id, "2.3.1.4", Answer.YES)
    with pytest.raises(InvalidChange, match="'maybe' is not an answer"):
        service.answer(case.id, "2.1.1.1", "maybe")  # type: ignore[arg-type]
    assert service.db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def test_bad_attributes_are_refused(service, make_case):
    case = make_case()
    with pytest.raises(InvalidChange, match="'licence' is not one of"):
        service.set_attribute(case.id, "disposal", "licence")
    with pytest.raises(InvalidChange, match="unknown attribute 'shoe_size'"):
        service.set_attribute(case.id, "shoe_size", "9")
    with pytest.raises(InvalidChange, match="is not a date"):
        service.set_attribute(case.id, "sentence_date", "13/01/2020")
    with pytest.raises(InvalidChange, match="already in sample"):
        service.add_case("case-supervision", case.reference, {})
    assert service.case_summary(case.id).attributes == case.attributes


def test_mark_complete_refused_with_missing_items(service, make_case):
    case = make_case()
    service.answer(case.id, "2.1.1.1", Answer.YES)
    service.judge(case.id, "2.1.1", Answer.YES)  # no rationale yet
    with pytest.raises(CaseIncomplete) as refused:
        service.mark_complete(case.id)
    missing = {(m.item_id, m.what) for m in refused.value.missing}
    assert ("2.1.1", "rationale") in missing
    assert ("2.1.1.2", "answer") in missing
    assert ("2.1.1.1", "answer") not in missing
    assert ("2.3.1.4", "answer") not in missing  # not applicable by rule
    assert set(refused.value.missing) == set(service.missing(case.id))
    assert service.case_summary(case.id).status == "in progress"


def test_complete_case_and_edit_with_reason(service, make_case):
    case = make_case()
    answer_everything(service, case.id)
    assert service.mark_complete(case.id).status == "complete"
    with pytest.raises(EditReasonRequired):
        service.answer(case.id, "2.1.1.1", Answer.NO)
    assert service.case(case.id).item("2.1.1.1").state == "yes"
    change = service.answer(case.id, "2.1.1.1", Answer.NO, edit_reason="Re-read the OASys")
    assert change.status == "complete"
    last = service.history(case.id)[-1]
    assert (last.field, last.old, last.new, last.reason) == (
        "value",
        "yes",
        "no",
        "Re-read the OASys",
    )


def test_edit_that_leaves_something_missing_reopens_the_case(service, make_case):
    case = make_case(children=False)
    answer_everything(service, case.id)
    service.mark_complete(case.id)
    change = service.set_attribute(case.id, "children", True, edit_reason="Learned at interview")
    assert change.status == "in progress"
    assert [m.item_id for m in service.missing(case.id)] == ["2.1.3.5"]


def test_history_is_append_only(service, make_case):
    make_case()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        service.db.execute("UPDATE history SET who = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        service.db.execute("DELETE FROM history")


def test_reopened_workspace_holds_everything(workspace_path, service, make_case, clock):
    case = make_case()
    service.answer(case.id, "2.1.1.1", Answer.NO)
    service.set_note(case.id, "2.1.1.1", "Nothing on motivation <b>at all</b> & no plan")
    service.judge(case.id, "2.1.1", Answer.NO, rationale="Engagement not analysed.")
    service.close()
    with Service.open(workspace_path, clock=clock) as reopened:
        detail = reopened.case(case.id)
        assert detail.item("2.1.1.1").note == "Nothing on motivation <b>at all</b> & no plan"
        assert detail.item("2.1.1").state == "no"
        assert detail.item("2.1.1").note == "Engagement not analysed."
    service.workspace = Service.open(workspace_path, clock=clock).workspace  # for the fixture
