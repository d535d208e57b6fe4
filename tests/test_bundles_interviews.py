"""Interviews in real bundles: planned interviews go out in assignment bundles, worked ones
come back in return bundles, with the many-cases-to-one-interview link, revisions, history
and schemas intact; a hostile interviews entry is refused and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from fieldwork.bundles import container
from fieldwork.bundles.importer import apply_import, plan_import
from fieldwork.bundles.schemas import BundleError, schema
from fieldwork.errors import FieldworkError
from fieldwork.interviews import records as interview_records
from fieldwork.interviews.questionnaire import OFFICER, SERVICE_USER
from fieldwork.interviews.store import Interviews
from tests import test_bundles_support as support
from tests.interviews_support import answer_all
from tests.test_bundles_support import BUNDLE_PASS, World

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)


def plan_interviews(world: World) -> tuple[str, str]:
    """Central plans an officer interview for two of Helen's cases and a service-user
    interview for a third, and sends Helen her next assignment."""
    with world.open_central() as central:
        store = Interviews(central)
        cases = [central.find_case(ref).id for ref in ("E000001", "E000002", "E000003")]
        officer = store.create(OFFICER, "Officer A", case_ids=cases[:2])
        user = store.create(SERVICE_USER, "SU-001", case_ids=[cases[2]])
    world.open_assignment(world.export_assignment("Helen"), "Helen")
    return officer.id, user.id


def entry(world: World, bundle: Any, name: str = "interviews.json") -> Any:
    sealed, key = world.unwrap(bundle)
    return json.loads(sealed.open_entry(name, key))


def validate(data: Any) -> None:
    document = schema("bundle-interviews")
    jsonschema.validators.validator_for(document)(document).validate(data)


def test_planned_interviews_go_out_in_the_assignment(world: World) -> None:
    officer_id, user_id = plan_interviews(world)
    bundle = world.folder / "assignment-helen-next.fwb"
    sealed = container.read_sealed(bundle)
    data = json.loads(
        sealed.open_entry("interviews.json", container.passphrase_key(sealed, BUNDLE_PASS))
    )
    validate(data)
    assert {i["reference"] for i in data["interviews"]} == {"Officer A", "SU-001"}
    with world.open(world.helen, "Helen") as laptop:
        store = Interviews(laptop)
        planned = store.summary(officer_id)
        assert planned.case_references == ("E000001", "E000002")
        assert planned.status == "not started"
        assert store.summary(user_id).case_references == ("E000003",)


def test_a_many_cases_interview_survives_export_and_import(world: World) -> None:
    officer_id, user_id = plan_interviews(world)
    with world.open(world.helen, "Helen") as laptop:
        store = Interviews(laptop)
        store.set_attribute(officer_id, "grade", "PO")
        answer_all(store, officer_id)
        store.answer(officer_id, "ro-workload-manageable", "disagree")
        store.set_notes(officer_id, "Held by phone, 35 minutes.")
        store.mark_complete(officer_id)
        store.answer(user_id, "su-help-needed", "yes")
        sent_answers = store.answers(officer_id)
        sent_history = store.history(officer_id)
    returned = world.export_return(name="return-helen-2.fwb")
    data = entry(world, returned)
    validate(data)
    officer = next(i for i in data["interviews"] if i["id"] == officer_id)
    assert len(officer["case_ids"]) == 2

    with world.open_central() as central:
        plan = plan_import(central, returned, world.central_keys())
        assert ("updated", "Officer A", "interview", "") in [
            (c.action, c.case_reference, c.item, c.detail) for c in plan.changes
        ]
        apply_import(central, plan)
        store = Interviews(central)
        got = store.summary(officer_id)
        assert got.case_references == ("E000001", "E000002")
        assert (got.status, got.grade, got.done, got.total) == ("complete", "PO", 13, 13)
        assert got.notes == "Held by phone, 35 minutes."
        assert store.answers(officer_id) == sent_answers
        assert store.history(officer_id) == sent_history
        assert store.answers(user_id)["su-help-needed"].value == "yes"
        # The central figures count it.
        from fieldwork.interviews.figures import interview_figures

        figure = interview_figures(central).figure("ro-workload-unmanageable-po")
        assert (figure.count.counted, figure.count.applicable) == (1, 1)


def test_an_interview_of_cases_moved_away_is_kept_as_a_conflict(world: World) -> None:
    """Helen works the interview; both its cases move to Tom before her bundle arrives."""
    from fieldwork.allocation import move_case

    officer_id, _user_id = plan_interviews(world)
    with world.open(world.helen, "Helen") as laptop:
        store = Interviews(laptop)
        store.set_attribute(officer_id, "grade", "PO")
        store.answer(officer_id, "ro-quality-prioritised", "disagree")
    returned = world.export_return(name="return-helen-2.fwb")
    with world.open_central() as central:
        for ref in ("E000001", "E000002"):
            move_case(central, central.find_case(ref).id, "Tom", "Helen is on leave")
        plan = plan_import(central, returned, world.central_keys())
        actions = {
            (c.action, c.item, c.detail) for c in plan.changes if c.case_reference == "Officer A"
        }
        assert (
            "conflict",
            "ro-quality-prioritised",
            "its cases are held by someone else",
        ) in actions
        assert ("conflict", "interview", "its cases are held by someone else") in actions
        apply_import(central, plan)
        store = Interviews(central)
        assert store.answers(officer_id) == {}  # nothing of Helen's applied
        assert store.summary(officer_id).grade == ""  # as planned: Helen's "PO" not applied
        kept = {(c.entity, c.item_id) for c in interview_records.conflicts(central)}
        assert kept == {("interview", ""), ("answer", "ro-quality-prioritised")}


def _spoiled(world: World, spoil: Any) -> Any:
    plan_interviews(world)
    source = world.export_return(name="return-helen-2.fwb")

    def change(plain: dict[str, bytes]) -> dict[str, bytes]:
        data = json.loads(plain["interviews.json"])
        spoil(data)
        return {**plain, "interviews.json": json.dumps(data).encode()}

    return world.rewrite_return(source, world.folder / "bad.fwb", contents=change)


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (
            lambda d: d["interviews"][1]["case_ids"].append(d["interviews"][0]["case_ids"][0]),
            "a service-user interview belongs to exactly one case",
        ),
        (
            lambda d: d["interviews"][0].update(status="finished"),
            "does not follow the bundle format",
        ),
        (
            lambda d: d["answers"]["rows"].append(
                [d["interviews"][0]["id"]] * 2 + ["ro-quality-prioritised", "yes"] + [""] * 8
            ),
            "does not follow the bundle format",
        ),
    ],
)
def test_a_hostile_interviews_entry_is_refused(world: World, spoil: Any, problem: str) -> None:
    bad = _spoiled(world, spoil)
    with world.open_central() as central:
        before = central.db.execute("SELECT COUNT(*), MAX(revision) FROM interviews").fetchone()
        with pytest.raises(FieldworkError, match=problem) as caught:
            plan_import(central, bad, world.central_keys())
        assert caught.value.file is not None and "bad.fwb" in caught.value.file
        assert "interviews.json" in (caught.value.place or "")
        after = central.db.execute("SELECT COUNT(*), MAX(revision) FROM interviews").fetchone()
        assert before == after


def test_bundle_error_is_the_kind_the_import_reports(world: World) -> None:
    bad = _spoiled(
        world, lambda d: d["interviews"][1]["case_ids"].append(d["interviews"][0]["case_ids"][0])
    )
    with world.open_central() as central, pytest.raises(BundleError):
        plan_import(central, bad, world.central_keys())
