"""Each kind of applicability rule, on cases that do and do not meet it."""

from __future__ import annotations

import pytest

from fieldwork.answers import Answer
from fieldwork.applicability import ItemState, status_after_edit
from fieldwork.errors import InvalidChange


def states(service, case_id):
    return {i.item_id: i.state for i in service.case(case_id).items}


def test_post_custody_only(service, make_case):
    community = make_case(disposal="community sentence")
    licence = make_case(disposal="post-release licence")
    assert states(service, community.id)["2.3.1.4"] is ItemState.NA_RULE
    assert states(service, licence.id)["2.3.1.4"] is ItemState.UNANSWERED


def test_keeping_safe_key_questions_need_risk_of_harm_factors(service, make_case):
    low = make_case(rosh="low", risk_of_harm_factors=False)
    risky = make_case(rosh="high", risk_of_harm_factors=True)
    for kq in ("2.1.3", "2.2.3", "2.3.3", "2.4.3"):
        assert states(service, low.id)[kq] is ItemState.NA_RULE
        assert states(service, risky.id)[kq] is ItemState.UNANSWERED
    # the key question's prompts follow it, except the one "expected in all cases"
    assert states(service, low.id)["2.1.3.1"] is ItemState.NA_RULE
    assert states(service, low.id)["2.2.3.4"] is ItemState.NA_RULE


def test_expected_in_all_cases(service, make_case):
    low = make_case(rosh="low", risk_of_harm_factors=False, children=False)
    assert states(service, low.id)["2.1.3.4"] is ItemState.UNANSWERED


def test_children_rule(service, make_case):
    without = make_case(children=False)
    with_children = make_case(children=True)
    assert states(service, without.id)["2.1.3.5"] is ItemState.NA_RULE
    assert states(service, with_children.id)["2.1.3.5"] is ItemState.UNANSWERED


def test_allocation_key_question_needs_sentenced_and_allocated(service, make_case):
    allocated = make_case("court-reports", sentenced=True, allocated_to="CRC")
    unsentenced = make_case("court-reports", sentenced=False, allocated_to="not allocated")
    sentenced_only = make_case("court-reports", sentenced=True, allocated_to="not allocated")
    assert states(service, allocated.id)["3.1.2"] is ItemState.UNANSWERED
    assert states(service, allocated.id)["3.1.2.2"] is ItemState.UNANSWERED
    for case in (unsentenced, sentenced_only):
        assert states(service, case.id)["3.1.2"] is ItemState.NA_RULE
        assert states(service, case.id)["3.1.2.1"] is ItemState.NA_RULE
    assert states(service, unsentenced.id)["3.1.1"] is ItemState.UNANSWERED


def test_victim_work_sub_samples(service, make_case):
    post = make_case("victim", stage="post-sentence")
    pre = make_case("victim", stage="pre-release")
    assert states(service, post.id)["3.2.1"] is ItemState.UNANSWERED
    assert states(service, post.id)["3.2.3"] is ItemState.NA_RULE
    assert states(service, pre.id)["3.2.1"] is ItemState.NA_RULE
    assert states(service, pre.id)["3.2.2"] is ItemState.UNANSWERED
    assert states(service, pre.id)["3.2.3.1"] is ItemState.UNANSWERED


def test_only_the_case_s_own_sample_is_asked(service, make_case):
    case = make_case("victim", stage="pre-release")
    assert {i.item_id[:3] for i in service.case(case.id).items} == {"3.2"}


def test_where_needed_items_take_not_applicable_with_a_reason(service, make_case):
    case = make_case()
    service.answer(case.id, "2.4.1.1", Answer.NOT_APPLICABLE)
    item = service.case(case.id).item("2.4.1.1")
    assert item.state is ItemState.NA_CHOICE
    assert item.missing == "reason for not applicable"
    service.set_na_reason(case.id, "2.4.1.1", "No compliance issues arose in the period.")
    assert service.case(case.id).item("2.4.1.1").missing is None


def test_other_items_refuse_not_applicable(service, make_case):
    case = make_case()
    with pytest.raises(InvalidChange, match="must be answered Yes or No"):
        service.answer(case.id, "2.1.1.1", Answer.NOT_APPLICABLE, na_reason="not needed")
    assert service.case(case.id).item("2.1.1.1").state is ItemState.UNANSWERED


def test_three_states_are_kept_apart(service, make_case):
    case = make_case(disposal="community sentence")
    service.answer(
        case.id, "2.4.1.2", Answer.NOT_APPLICABLE, na_reason="No barriers to engagement."
    )
    found = states(service, case.id)
    assert found["2.3.1.4"] is ItemState.NA_RULE
    assert found["2.4.1.2"] is ItemState.NA_CHOICE
    assert found["2.4.1.1"] is ItemState.UNANSWERED


def test_attribute_change_reevaluates_and_keeps_answers(service, make_case):
    case = make_case(disposal="post-release licence")
    service.answer(case.id, "2.3.1.4", Answer.YES)
    change = service.set_attribute(case.id, "disposal", "community sentence")
    assert change.applicability_changed and "2.3.1.4" in change.item_ids
    assert states(service, case.id)["2.3.1.4"] is ItemState.NA_RULE
    # the answer is kept, not lost: it is back when the rule holds again
    service.set_attribute(case.id, "disposal", "post-release licence")
    assert states(service, case.id)["2.3.1.4"] is ItemState.YES


def test_status_after_an_edit(service, make_case):
    """One rule for the service's edits and a bundle's answers: an edit starts a case and
    reopens a complete one it leaves incomplete; it never completes a case."""
    case = make_case()
    items = service.case(case.id).items
    assert items and any(i.missing for i in items)
    assert status_after_edit("not started", items, started=True) == "in progress"
    assert status_after_edit("not started", items, started=False) == "not started"
    assert status_after_edit("complete", items, started=True) == "in progress"
    assert status_after_edit("in progress", items, started=True) == "in progress"
    done = [i for i in items if i.missing is None]
    assert status_after_edit("complete", done, started=True) == "complete"
    assert status_after_edit("in progress", done, started=True) == "in progress"
