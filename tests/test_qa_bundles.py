"""Review threads and blind second marking travel in real bundles (issue 17)."""

from __future__ import annotations

import pytest

from fieldwork.answers import Answer
from fieldwork.bundles.conflicts import add_qa_comment
from fieldwork.bundles.importer import apply_import, plan_import
from fieldwork.qa import threads
from fieldwork.service import Service
from tests import test_bundles_support as support
from tests.test_bundles_support import World, table

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)


def _import(world: World, bundle: object) -> None:
    with world.open_central() as central:
        apply_import(central, plan_import(central, bundle, world.central_keys()))  # type: ignore[arg-type]


def _thread_state(service: Service, case_ref: str) -> list[tuple[object, ...]]:
    case = service.find_case(case_ref)
    return [
        (t.id, t.item_id, t.comment, t.resolved_at is None, [(s.action, s.text) for s in t.steps])
        for t in threads.threads(service, case.id)
    ]


def _history(service: Service, case_ref: str) -> list[tuple[object, ...]]:
    case = service.find_case(case_ref)
    return table(
        service,
        "SELECT id, who, field, old, new, reason FROM history WHERE case_id = ?"
        " AND entity = 'qa thread' ORDER BY id",
        [case.id],
    )


def test_full_review_round_trip_across_two_bundles_each_way(world: World) -> None:
    _import(world, world.returned)  # Helen's first return: E000001's 2.1.1.2 answered No
    with world.open_central() as central:
        case = central.find_case("E000001")
        thread = add_qa_comment(central, case.id, "2.1.1.2", "Was there no risk assessment?")
    # 1st assignment: the comment reaches the laptop, open
    world.open_assignment(world.export_assignment(name="a2.fwb"), "Helen")
    with world.open(world.helen, "Helen") as laptop:
        assert threads.open_counts(laptop) == {laptop.find_case("E000001").id: 1}
        threads.reply(laptop, thread, "Found it in the OASys record", answer=Answer.YES)
    # 1st return: the reply and the changed answer reach central
    _import(world, world.export_return(name="r2.fwb"))
    with world.open_central() as central:
        case = central.find_case("E000001")
        assert central.case(case.id).item("2.1.1.2").state == "yes"
        [found] = threads.threads(central, case.id)
        assert [s.action for s in found.steps] == ["open", "reply"]
        assert (found.steps[1].answer_old, found.steps[1].answer_new) == ("no", "yes")
        threads.resolve(central, thread, "Thank you")
        threads.reopen(central, thread, "And the date of it?")
    # 2nd assignment: reopened on the laptop
    world.open_assignment(world.export_assignment(name="a3.fwb"), "Helen")
    with world.open(world.helen, "Helen") as laptop:
        [found] = threads.threads(laptop, laptop.find_case("E000001").id)
        assert found.is_open
        assert [s.action for s in found.steps] == ["open", "reply", "resolve", "reopen"]
        threads.reply(laptop, thread, "Dated 3 March, within the window")
    # 2nd return: central resolves for good
    _import(world, world.export_return(name="r3.fwb"))
    with world.open_central() as central:
        threads.resolve(central, thread, "Resolved")
        central_threads = _thread_state(central, "E000001")
        central_history = _history(central, "E000001")
    world.open_assignment(world.export_assignment(name="a4.fwb"), "Helen")
    with world.open(world.helen, "Helen") as laptop:
        laptop_threads = _thread_state(laptop, "E000001")
        laptop_history = _history(laptop, "E000001")
    actions = ["open", "reply", "resolve", "reopen", "reply", "resolve"]
    assert [a for a, _ in central_threads[0][4]] == actions  # type: ignore[union-attr]
    assert central_threads[0][3] is False  # resolved
    assert laptop_threads == central_threads
    assert laptop_history == central_history and len(central_history) == len(actions)


def test_concurrent_steps_are_both_kept_and_the_later_sets_the_state(world: World) -> None:
    _import(world, world.returned)
    with world.open_central() as central:
        thread = add_qa_comment(
            central, central.find_case("E000001").id, "", "Recording is thin throughout"
        )
    world.open_assignment(world.export_assignment(name="a2.fwb"), "Helen")
    with world.open_central() as central:
        threads.resolve(central, thread, "Seen in the moderation meeting")  # step 2 at central
    with world.open(world.helen, "Helen") as laptop:
        threads.reply(laptop, thread, "I will add the missing contacts")  # step 2 on the laptop
    _import(world, world.export_return(name="r2.fwb"))
    with world.open_central() as central:
        [found] = threads.threads(central, central.find_case("E000001").id)
        assert sorted(s.action for s in found.steps) == ["open", "reply", "resolve"]
        # both are the thread's second step: the later one (by time, then id) decides
        later = max(found.steps[1:], key=lambda s: (s.at, s.id))
        assert found.is_open == (later.action == "reply")


def _every_row(service: Service) -> str:
    """Every value of every table of a workspace, as text (the file itself is encrypted)."""
    names = [r[0] for r in table(service, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return "\n".join(
        repr(row) for name in names for row in table(service, f'SELECT * FROM "{name}"')
    )


def _plain_entries(path: object, passphrase: str) -> bytes:
    from fieldwork.bundles import container

    sealed = container.read_sealed(path)  # type: ignore[arg-type]
    key = container.passphrase_key(sealed, passphrase)
    return b"".join(sealed.open_entry(name, key) for name in sealed.manifest.entry_names())


def test_blind_second_marking_carries_none_of_the_first_markers_answers(world: World) -> None:
    from fieldwork.qa import double

    _import(world, world.returned)  # Helen's marking of E000001 is at central
    with world.open_central() as central:
        case = central.find_case("E000001")
        helens = table(central, "SELECT id, rev, note FROM responses WHERE case_id = ?", [case.id])
        secrets = {value for row in helens for value in row if value}
        assert "No record of the risk assessment." in secrets and len(secrets) > 4
        double.choose(central, case.id, "Tom")
    bundle = world.export_assignment("Tom", name="tom-blind.fwb")
    plain = _plain_entries(bundle, support.TOM_BUNDLE_PASS)
    assert case.id.encode() in plain  # the case travels ...
    for secret in secrets:  # ... without any of Helen's responses, revisions or notes
        assert secret.encode() not in plain, secret
    assert b"Key risks were missed." not in plain
    world.open_assignment(bundle, "Tom")
    with world.open(world.tom, "Tom") as laptop:
        dump = _every_row(laptop)
        copy = laptop.find_case("E000001")
        assert copy.status == "not started" and copy.done == 0
        laptop.answer(copy.id, "2.1.1.1", Answer.YES)
        laptop.answer(copy.id, "2.1.1.2", Answer.YES)
        laptop.judge(copy.id, "2.1.1", Answer.YES, rationale="Sound")
    assert "E000001" in dump
    for secret in secrets | {"Key risks were missed."}:
        assert secret not in dump, secret
    # Tom's marking comes back as a second marking; Helen's stays what scoring uses
    _import(world, world.export_return(world.tom, "return-tom.fwb"))
    with world.open_central() as central:
        case = central.find_case("E000001")
        assert (
            table(central, "SELECT id, rev, note FROM responses WHERE case_id = ?", [case.id])
            == helens
        )
        marked = {(p.item_id, p.first, p.second) for p in double.pairs(central)}
        assert marked == {
            ("2.1.1.1", "yes", "yes"),
            ("2.1.1.2", "no", "yes"),
            ("2.1.1", "no", "yes"),
        }
        assert not [
            h for h in central.history(case.id) if h.who == "Tom" and h.entity == "response"
        ]


def _force_state(service: Service, case_id: str, state: str) -> None:
    with service.workspace.write() as db:
        db.execute("UPDATE case_reviews SET state = ? WHERE case_id = ?", [state, case_id])


def test_returned_case_reaches_the_laptop_and_comes_back_resubmitted(world: World) -> None:
    from fieldwork.errors import InvalidChange
    from fieldwork.qa import review
    from tests.conftest import answer_everything

    with world.open(world.helen, "Helen") as laptop:
        case = laptop.find_case("E000002")
        answer_everything(laptop, case.id)
        laptop.mark_complete(case.id)
        review.move(laptop, case.id, "submit")
    _import(world, world.export_return(name="r1.fwb"))
    with world.open_central() as central:
        case = central.find_case("E000002")
        assert review.state(central, case.id) == "submitted"
        thread = add_qa_comment(central, case.id, "", "Add the last home visit")
        review.move(central, case.id, "return", "see the review thread")
    world.open_assignment(world.export_assignment(name="a2.fwb"), "Helen")
    with world.open(world.helen, "Helen") as laptop:
        case = laptop.find_case("E000002")
        assert review.state(laptop, case.id) == "returned"
        assert [t.id for t in threads.threads(laptop, case.id, open_only=True)] == [thread]
        with pytest.raises(InvalidChange, match="only quality assurance"):
            review.move(laptop, case.id, "reopen", "to edit it")
        _force_state(laptop, case.id, "accepted")  # a hostile laptop accepts its own case ...
    _import(world, world.export_return(name="r2.fwb"))
    with world.open_central() as central:
        assert review.state(central, central.find_case("E000002").id) == "returned"  # ... no
    with world.open(world.helen, "Helen") as laptop:
        case = laptop.find_case("E000002")
        _force_state(laptop, case.id, "returned")
        threads.reply(laptop, thread, "Added the visit of 4 May")
        laptop.set_note(case.id, "2.1.1", "Home visit 4 May", edit_reason="returned for changes")
        review.move(laptop, case.id, "resubmit")
    _import(world, world.export_return(name="r3.fwb"))
    with world.open_central() as central:
        case = central.find_case("E000002")
        assert review.state(central, case.id) == "resubmitted"
        threads.resolve(central, thread)
        review.move(central, case.id, "accept")
    world.open_assignment(world.export_assignment(name="a3.fwb"), "Helen")
    with world.open(world.helen, "Helen") as laptop:
        case = laptop.find_case("E000002")
        assert review.state(laptop, case.id) == "accepted"
        with pytest.raises(InvalidChange, match="locked"):
            laptop.set_note(case.id, "2.1.1", "more", edit_reason="late")


def test_practice_work_is_refused_at_import_into_a_live_central_workspace(world: World) -> None:
    from fieldwork.bundles.schemas import BundleError
    from fieldwork.qa import practice
    from tests.test_bundles_support import file_hash

    with world.open_central() as central:
        practice.mark_practice(central)  # a training inspection's central workspace
    world.open_assignment(world.export_assignment(name="practice.fwb"), "Helen")
    with world.open(world.helen, "Helen") as laptop:
        assert practice.is_practice(laptop)  # the laptop of a practice inspection is practice
    bundle = world.export_return(name="practice-return.fwb")
    with world.open_central() as central, central.workspace.write() as db:
        db.execute("DELETE FROM meta WHERE key = 'practice'")  # now a live workspace
    before = file_hash(world.central)
    with world.open_central() as central, pytest.raises(BundleError, match="practice work") as no:
        plan_import(central, bundle, world.central_keys())
    assert "practice-return.fwb" in str(no.value)
    assert file_hash(world.central) == before  # nothing changed
    with world.open_central() as central:
        practice.mark_practice(central)
        apply_import(central, plan_import(central, bundle, world.central_keys()))


def test_a_thread_on_a_case_the_bundle_does_not_carry_is_refused(world: World) -> None:
    import json

    from fieldwork.bundles.schemas import BundleError
    from tests.test_bundles_support import file_hash

    with world.open(world.helen, "Helen") as laptop:
        case = laptop.find_case("E000001")
        threads.open_thread(laptop, case.id, "", "a thread the laptop should not hold")
    bundle = world.export_return(name="r-threads.fwb")

    def elsewhere(plain: dict[str, bytes]) -> dict[str, bytes]:
        data = json.loads(plain[threads.ENTRY])
        data["threads"][0]["case_id"] = "00000000-0000-4000-8000-000000000000"
        return {**plain, threads.ENTRY: json.dumps(data).encode()}

    forged = world.rewrite_return(bundle, world.folder / "forged.fwb", contents=elsewhere)
    before = file_hash(world.central)
    with world.open_central() as central, pytest.raises(BundleError) as refused:
        plan_import(central, forged, world.central_keys())
    message = str(refused.value)
    assert "forged.fwb" in message and "qa-threads.json, threads[0]" in message
    assert "does not carry" in message
    assert file_hash(world.central) == before


def test_a_case_handed_in_complete_is_submitted_for_review(world: World) -> None:
    from fieldwork.qa import review
    from tests.conftest import answer_everything

    with world.open(world.helen, "Helen") as laptop:
        case = laptop.find_case("E000003")
        answer_everything(laptop, case.id)
        laptop.mark_complete(case.id)
        assert review.state(laptop, case.id) is None
    _import(world, world.export_return(name="r-complete.fwb"))
    with world.open_central() as central:
        assert review.state(central, central.find_case("E000003").id) == "submitted"
        assert review.state(central, central.find_case("E000001").id) is None  # in progress
        [row] = [h for h in central.history(central.find_case("E000003").id) if h.field == "review"]
        assert (row.old, row.new, row.reason) == (None, "submitted", "handed in complete")


def test_an_accepted_case_stays_locked_against_a_bundle_written_before_the_laptop_knew(
    world: World,
) -> None:
    from fieldwork.bundles.conflicts import conflicts
    from fieldwork.qa import review
    from tests.conftest import answer_everything

    with world.open(world.helen, "Helen") as laptop:
        case = laptop.find_case("E000002")
        answer_everything(laptop, case.id)
        laptop.mark_complete(case.id)
    _import(world, world.export_return(name="r1.fwb"))
    with world.open_central() as central:
        case = central.find_case("E000002")
        review.move(central, case.id, "accept")
        before = table(central, "SELECT item_id, value, rev FROM responses WHERE case_id = ?",
                       [case.id])  # fmt: skip
    with world.open(world.helen, "Helen") as laptop:  # not yet told of the acceptance
        laptop.judge(laptop.find_case("E000002").id, "2.1.1", Answer.NO, edit_reason="second look")
    _import(world, world.export_return(name="r2.fwb"))
    with world.open_central() as central:
        case = central.find_case("E000002")
        after = table(central, "SELECT item_id, value, rev FROM responses WHERE case_id = ?",
                      [case.id])  # fmt: skip
        assert after == before  # nothing applied to the locked case
        [kept] = [c for c in conflicts(central) if c.case_id == case.id]
        assert (kept.item_id, kept.incoming["value"]) == ("2.1.1", "no")


def test_register_counts_days_since_each_inspectors_last_return(world: World) -> None:
    from datetime import date, timedelta

    from fieldwork.qa import register

    DAYS_3 = timedelta(days=3)  # noqa: N806

    _import(world, world.returned)
    with world.open_central() as central:
        [recorded] = [
            r[0]
            for r in table(
                central,
                "SELECT recorded_at FROM bundles WHERE direction = 'imported' AND kind = 'return'",
            )
        ]
        day = date.fromisoformat(recorded[:10])
        lines = {line.inspector: line for line in register.inspectors(central, day + DAYS_3)}
    assert lines["Helen"].days_since_return == 3 and lines["Helen"].last_return == recorded
    assert lines["Tom"].days_since_return is None
