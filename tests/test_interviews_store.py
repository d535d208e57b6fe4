"""Interviews in the workspace: links to cases, typed answers, undo, history, completion."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from fieldwork.errors import EditReasonRequired, InvalidChange
from fieldwork.interviews import store as store_module
from fieldwork.interviews.questionnaire import OFFICER, SERVICE_USER
from fieldwork.interviews.store import (
    InterviewDetail,
    InterviewIncomplete,
    Interviews,
    interview_items,
)
from fieldwork.service import CaseSummary, Service
from tests.conftest import FakeClock
from tests.interviews_support import answer_all


@pytest.fixture
def interviews(service: Service) -> Interviews:
    return Interviews(service)


def test_one_officer_interview_serves_several_cases(
    interviews: Interviews, make_case: Callable[..., CaseSummary]
) -> None:
    first = make_case(officer_grade="PSO", cluster="Cumbria and Lancashire")
    second = make_case(officer_grade="PSO")
    created = interviews.create(OFFICER, "Officer A", case_ids=[first.id])
    linked = interviews.link_case(created.id, second.id)
    assert set(linked.case_ids) == {first.id, second.id}
    # Grade and cluster come from the first case, as the provider recorded them.
    assert created.grade == "PSO"
    assert created.cluster == "Cumbria and Lancashire"
    assert [i.id for i in interviews.summaries(case_id=second.id)] == [created.id]
    unlinked = interviews.unlink_case(created.id, first.id)
    assert unlinked.case_ids == (second.id,)
    fields = [(h[2], h[4], h[5], h[6]) for h in interviews.history(created.id)]
    assert ("case", "linked", None, second.reference) in fields
    assert ("case", "linked", first.reference, None) in fields


def test_a_service_user_interview_belongs_to_one_case(
    interviews: Interviews, make_case: Callable[..., CaseSummary]
) -> None:
    case, other = make_case(), make_case()
    with pytest.raises(InvalidChange, match="exactly one case"):
        interviews.create(SERVICE_USER, "SU 1", case_ids=[case.id, other.id])
    created = interviews.create(SERVICE_USER, "SU 1", case_ids=[case.id])
    with pytest.raises(InvalidChange, match="exactly one case"):
        interviews.link_case(created.id, other.id)
    with pytest.raises(InvalidChange, match="already has a service-user interview"):
        interviews.create(SERVICE_USER, "SU 2", case_ids=[case.id])


def test_answers_are_typed_by_item(interviews: Interviews) -> None:
    created = interviews.create(OFFICER, "Officer B")
    with pytest.raises(InvalidChange, match="not an answer to this item") as caught:
        interviews.answer(created.id, "ro-quality-prioritised", "yes")
    assert caught.value.place == "interview Officer B, item ro-quality-prioritised"
    with pytest.raises(InvalidChange, match="not an answer"):
        interviews.answer(created.id, "ro-in-service-training", "na")  # no NA on this one
    with pytest.raises(InvalidChange, match="has no item"):
        interviews.answer(created.id, "no-such-item", "agree")
    with pytest.raises(InvalidChange, match="not a responsible officer grade"):
        interviews.set_attribute(created.id, "grade", "SPO")
    assert interviews.answers(created.id) == {}
    interviews.answer(created.id, "ro-workload-measure", "over 110 per cent")
    interviews.answer(created.id, "ro-comments", "Caseload of 45, two court duties a week.")
    stored = interviews.answers(created.id)
    assert stored["ro-workload-measure"].value == "over 110 per cent"
    assert stored["ro-comments"].value.startswith("Caseload of 45")


def test_an_answer_undone_is_restored_with_its_history(interviews: Interviews) -> None:
    created = interviews.create(OFFICER, "Officer C", attributes={"grade": "PO"})
    first = interviews.answer(created.id, "ro-quality-prioritised", "agree")
    assert first.status == "in progress"
    second = interviews.answer(created.id, "ro-quality-prioritised", "disagree")
    assert second.old["value"] == "agree"
    interviews.set_fields(created.id, "ro-quality-prioritised", second.old)
    record = interviews.answers(created.id)["ro-quality-prioritised"]
    assert record.value == "agree"
    assert record.revision == 3
    assert record.replaces is not None
    values = [(h[5], h[6]) for h in interviews.history(created.id) if h[4] == "value"]
    assert values == [(None, "agree"), ("agree", "disagree"), ("disagree", "agree")]


def test_history_cannot_be_rewritten(interviews: Interviews, service: Service) -> None:
    created = interviews.create(OFFICER, "Officer D")
    interviews.answer(created.id, "ro-quality-prioritised", "agree")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        service.db.execute("DELETE FROM interview_history")


def test_completion_lists_what_is_missing(interviews: Interviews) -> None:
    created = interviews.create(OFFICER, "Officer E")
    with pytest.raises(InterviewIncomplete) as caught:
        interviews.mark_complete(created.id)
    whats = {(m.item_id, m.what) for m in caught.value.missing}
    assert ("grade", "attribute") in whats
    assert ("ro-quality-prioritised", "answer") in whats
    assert not any(m.item_id == "ro-comments" for m in caught.value.missing)  # optional
    interviews.set_attribute(created.id, "grade", "PQiP")
    answer_all(interviews, created.id)
    interviews.answer(created.id, "ro-reasonable-adjustments", "na")
    assert [(m.item_id, m.what) for m in interviews.missing(created.id)] == [
        ("ro-reasonable-adjustments", "reason for not applicable")
    ]
    interviews.set_na_reason(created.id, "ro-reasonable-adjustments", "None needed")
    change = interviews.mark_complete(created.id)
    assert change.status == "complete"
    summary = interviews.summary(created.id)
    assert (summary.status, summary.done, summary.total) == ("complete", 13, 13)


def test_a_complete_interview_changes_only_with_a_reason(interviews: Interviews) -> None:
    created = interviews.create(OFFICER, "Officer F", attributes={"grade": "PO"})
    answer_all(interviews, created.id)
    interviews.mark_complete(created.id)
    with pytest.raises(EditReasonRequired):
        interviews.answer(created.id, "ro-quality-prioritised", "disagree")
    assert interviews.answers(created.id)["ro-quality-prioritised"].value == "agree"
    change = interviews.answer(
        created.id, "ro-quality-prioritised", None, edit_reason="misheard on the phone"
    )
    assert change.status == "in progress"  # cleared: the interview is open again
    reasons = [h[7] for h in interviews.history(created.id) if h[4] == "value"]
    assert reasons[-1] == "misheard on the phone"


def test_interviews_survive_closing_and_reopening(
    service: Service, workspace_path: Path, make_case: Callable[..., CaseSummary]
) -> None:
    case = make_case()
    created = Interviews(service).create(OFFICER, "Officer G", case_ids=[case.id])
    Interviews(service).set_notes(created.id, "Held by phone; 40 minutes.")
    service.close()
    with Service.open(workspace_path, user="Helen") as reopened:
        again = Interviews(reopened).find("Officer G")
        assert again.case_references == (case.reference,)
        assert again.notes == "Held by phone; 40 minutes."


def test_interviews_in_an_encrypted_workspace(tmp_path: Path, clock: FakeClock) -> None:
    from tests.test_encryption import COST, PASS

    path = tmp_path / "secret.fieldwork"
    with Service.create(path, user="Helen", clock=clock, passphrase=PASS, kdf_log2_n=COST) as s:
        s.create_inspection("North West")
        store = Interviews(s)
        made = store.create(OFFICER, "Officer Q", attributes={"grade": "PSO"})
        store.answer(made.id, "ro-workload-manageable", "agree")
    assert b"Officer Q" not in path.read_bytes()
    with Service.open(path, user="Helen", passphrase=PASS) as s:
        assert Interviews(s).answers(made.id)["ro-workload-manageable"].value == "agree"


def _as_stored(store: Interviews, interview_id: str) -> InterviewDetail:
    """The interview read from the store's tables, nothing kept."""
    summary = store.summary(interview_id)
    questionnaire = store.questionnaire(summary.questionnaire)
    items = interview_items(questionnaire, store.answers(interview_id))
    return InterviewDetail(summary, questionnaire, items)


def test_the_interview_kept_after_each_change_is_what_the_store_holds(
    interviews: Interviews,
) -> None:
    """Every change keeps the interview it leaves, so the next answer (and the form's
    reload) reads nothing; what is kept must be exactly what a fresh read gives."""
    created = interviews.create(OFFICER, "Officer K", attributes={"grade": "PO"})
    item = "ro-reasonable-adjustments"
    changes: list[Callable[[], object]] = [
        lambda: interviews.answer(created.id, item, "agree"),  # a row inserted
        lambda: interviews.answer(created.id, item, "na"),  # updated; now missing a reason
        lambda: interviews.set_na_reason(created.id, item, "None needed"),
        lambda: interviews.set_note(created.id, item, "asked twice"),
        lambda: interviews.set_attribute(created.id, "cluster", "Cheshire"),
        lambda: interviews.set_notes(created.id, "Held by phone."),
        lambda: answer_all(interviews, created.id),
        lambda: interviews.answer(created.id, item, "na"),
        lambda: interviews.mark_complete(created.id),
        lambda: interviews.answer(created.id, item, None, edit_reason="misheard"),  # reopened
    ]
    for change in changes:
        change()
        kept = interviews.detail(created.id)
        assert Interviews(interviews.service).detail(created.id) is kept  # kept, not read
        assert kept == _as_stored(interviews, created.id)
    assert kept.summary.status == "in progress"


def test_an_answer_reads_nothing_back_and_writes_one_statement_per_table(
    interviews: Interviews,
) -> None:
    created = interviews.create(OFFICER, "Officer L", attributes={"grade": "PO"})
    interviews.answer(created.id, "ro-wellbeing", "agree")
    statements: list[str] = []
    interviews.db.conn.set_trace_callback(statements.append)
    try:
        change = interviews.answer(created.id, "ro-wellbeing", "disagree")
    finally:
        interviews.db.conn.set_trace_callback(None)
    # SQLite reports a trigger's work (the answer's lineage) again under the statement that
    # fired it: count each statement once.
    statements = [s for n, s in enumerate(statements) if n == 0 or statements[n - 1] != s]
    reads_and_writes = [
        " ".join(s.split()[:3])
        for s in statements
        if s.split()[0] in ("SELECT", "INSERT", "UPDATE")
    ]
    assert reads_and_writes == [
        "UPDATE interview_answers SET",
        "INSERT INTO interview_history",
        "UPDATE interviews SET",
    ]
    assert statements.count("COMMIT") == 1
    assert change.old["value"] == "agree"
    assert interviews.answers(created.id)["ro-wellbeing"].value == "disagree"


def test_an_interview_kept_is_read_again_after_any_other_write(
    interviews: Interviews, service: Service, workspace_path: Path
) -> None:
    created = interviews.create(OFFICER, "Officer M", attributes={"grade": "PO"})
    interviews.answer(created.id, "ro-wellbeing", "agree")
    # a free function writing through the same connection (as bundles do)
    with service.workspace.write() as db:
        db.execute("UPDATE interview_answers SET note = 'same connection'")
    assert interviews.detail(created.id).item("ro-wellbeing").answer.note == "same connection"
    # another connection to the same file
    other = sqlite3.connect(workspace_path)
    with other:
        other.execute("UPDATE interview_answers SET note = 'from elsewhere'")
    other.close()
    assert interviews.detail(created.id).item("ro-wellbeing").answer.note == "from elsewhere"
    # an answer inside a larger transaction that is rolled back leaves nothing kept
    with pytest.raises(RuntimeError), service.workspace.write():
        interviews.answer(created.id, "ro-wellbeing", "disagree")
        raise RuntimeError("the import failed half way")
    assert interviews.detail(created.id).item("ro-wellbeing").answer.value == "agree"
    # and the next answer starts from what the store holds
    change = interviews.answer(created.id, "ro-wellbeing", "disagree")
    assert change.old == {"value": "agree", "na_reason": "", "note": "from elsewhere"}


def test_a_commit_by_another_connection_during_an_answer_is_not_missed(
    interviews: Interviews, service: Service, workspace_path: Path
) -> None:
    """Another connection commits after the interview was read and before the answer is
    written: the interview the answer leaves is not kept, and is read afresh."""
    created = interviews.create(OFFICER, "Officer N", attributes={"grade": "PO"})
    interviews.answer(created.id, "ro-wellbeing", "agree")
    clock = service.workspace.clock
    armed = [True]

    def meanwhile() -> datetime:
        if armed and armed.pop():  # once: the answer's first reading of the clock
            with sqlite3.connect(workspace_path) as other:
                other.execute(
                    "UPDATE interview_answers SET note = 'meanwhile' WHERE item_id = 'ro-wellbeing'"
                )
            other.close()
        return clock()

    service.workspace.clock = meanwhile
    interviews.answer(created.id, "ro-workload-manageable", "agree")
    assert not armed
    assert interviews.detail(created.id).item("ro-wellbeing").answer.note == "meanwhile"


def test_the_questionnaire_is_built_once_for_an_open_workspace(
    interviews: Interviews, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = interviews.create(OFFICER, "Officer O")
    interviews.answer(created.id, "ro-wellbeing", "agree")

    def refused(*args: object) -> None:
        raise AssertionError("the questionnaire was looked up again")

    monkeypatch.setattr(store_module, "questionnaire_for", refused)
    for value in ("disagree", "agree"):
        with interviews.service.workspace.write() as db:  # the interview kept is stale
            db.execute("UPDATE interviews SET notes = ?", [value])
        Interviews(interviews.service).answer(created.id, "ro-wellbeing", value)
        assert Interviews(interviews.service).detail(created.id).summary.notes == value
    with pytest.raises(InvalidChange, match="has no item"):
        Interviews(interviews.service).answer(created.id, "no-such-item", "agree")
