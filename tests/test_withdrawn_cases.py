"""A case central moves to another inspector is withdrawn from the first laptop by the next
assignment (issue 13, item 5): shown as withdrawn, read-only with a reason that names the
case and when and by whom, and nothing recorded on it is lost (it still goes to central,
which keeps it as a conflict and applies none of it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fieldwork.allocation import move_case
from fieldwork.answers import Answer
from fieldwork.bundles.conflicts import conflicts
from fieldwork.bundles.importer import apply_import, plan_import
from fieldwork.home import WITHDRAWN, home_summary, left_off
from fieldwork.migrations import m0011_withdrawn_cases
from fieldwork.service import Service
from fieldwork.withdrawals import CaseWithdrawn
from tests import test_bundles_support as support
from tests.test_bundles_support import World, table
from ui.home import describe

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)


def responses(service: Service, reference: str) -> list[tuple[Any, ...]]:
    case = service.find_case(reference)
    return table(
        service,
        "SELECT item_id, value, na_reason, note, rev FROM responses WHERE case_id = ? "
        "ORDER BY item_id",
        [case.id],
    )


def move_e000001(world: World) -> Path:
    """Central takes Helen's first return, moves E000001 to Tom and writes Helen's next
    assignment (returned)."""
    with world.open_central() as central:
        apply_import(central, plan_import(central, world.returned, world.central_keys()))
        move_case(central, central.find_case("E000001").id, "Tom", "Helen is on leave")
    return world.export_assignment("Helen")


def withdraw_e000001(world: World) -> str:
    """``move_e000001``; before the assignment arrives Helen records one more answer on
    E000001, then her laptop opens it. Returns the case's id."""
    bundle = move_e000001(world)
    with world.open_central() as central:
        case_id = central.find_case("E000001").id
    with world.open(world.helen, "Helen") as laptop:
        laptop.answer(case_id, "2.1.3.1", Answer.NO)  # not yet returned
    opened = world.open_assignment(bundle)
    assert opened.released_cases == (case_id,)
    return case_id


def test_a_withdrawn_case_refuses_every_edit_and_keeps_what_was_recorded(world: World):
    case_id = withdraw_e000001(world)
    with world.open(world.helen, "Helen") as laptop:
        summary = laptop.find_case("E000001")
        assert summary.withdrawn is not None
        assert summary.withdrawn.by == "data team"  # who wrote the assignment at central
        assert summary.withdrawn.assignment == 2
        before = responses(laptop, "E000001")
        history = len(laptop.history(case_id))
        edits = [
            lambda: laptop.answer(case_id, "2.1.1.1", Answer.NO),
            lambda: laptop.answer(case_id, "2.1.3.1", None),
            lambda: laptop.judge(case_id, "2.1.1", Answer.YES, rationale="Fine."),
            lambda: laptop.set_note(case_id, "2.1.1.2", "Changed my mind."),
            lambda: laptop.set_na_reason(case_id, "2.1.1.2", "No longer relevant."),
            lambda: laptop.set_attribute(case_id, "rosh", "high"),
            lambda: laptop.mark_complete(case_id),
        ]
        for edit in edits:
            with pytest.raises(CaseWithdrawn) as refused:
                edit()
            message = refused.value.message
            assert message.startswith("case E000001: this case cannot be changed here")
            assert "moved to another inspector" in message
            assert "by data team in central's assignment 2" in message
            assert "13/01/2020" in message  # when central wrote the assignment
        # Nothing changed, and everything she recorded is still there to see.
        assert responses(laptop, "E000001") == before
        assert len(laptop.history(case_id)) == history
        assert laptop.case(case_id).item("2.1.3.1").state == "no"
        assert laptop.case(case_id).item("2.1.1.2").note == "No record of the risk assessment."
        # The home view's "continue where I left off" does not offer it.
        resume = left_off(laptop)
        assert resume is not None and resume.reference == "E000002"
        # Nor does it count it as her work in progress: it is counted apart, as withdrawn.
        home = home_summary(laptop)
        assert home.by_status[WITHDRAWN] == 1
        assert home.total == table(laptop, "SELECT COUNT(*) FROM cases")[0][0]
        open_work = "SELECT COUNT(*) FROM cases WHERE status = 'in progress' AND reference != ?"
        assert home.by_status["in progress"] == table(laptop, open_work, ["E000001"])[0][0]
        assert describe(home)["cases"].endswith(" · 1 moved to another inspector (read-only)")
        # The cases she still holds are hers to change.
        other = laptop.find_case("E000002")
        assert other.withdrawn is None
        laptop.answer(other.id, "2.1.1.2", Answer.NO)
    # Closed and opened again, the case is still withdrawn.
    with world.open(world.helen, "Helen") as laptop, pytest.raises(CaseWithdrawn):
        laptop.answer(case_id, "2.1.1.1", Answer.NO)


def test_a_withdrawn_cases_answers_still_go_to_central_which_applies_none(world: World):
    withdraw_e000001(world)
    with world.open_central() as central:
        before = responses(central, "E000001")
    bundle = world.export_return(name="return-helen-2.fwb")
    with world.open_central() as central:
        plan = plan_import(central, bundle, world.central_keys())
        apply_import(central, plan)
        assert responses(central, "E000001") == before  # no answer applied
        kept = {(c.case_reference, c.item_id) for c in conflicts(central)}
        assert ("E000001", "2.1.3.1") in kept  # what she recorded before it was withdrawn
        assert central.find_case("E000002").inspector_name == "Helen"


def test_a_case_given_back_is_editable_again(world: World):
    case_id = withdraw_e000001(world)
    with world.open_central() as central:
        move_case(central, case_id, "Helen", "Helen is back")
    world.open_assignment(world.export_assignment("Helen", name="assignment-helen-3.fwb"))
    with world.open(world.helen, "Helen") as laptop:
        assert laptop.find_case("E000001").withdrawn is None
        laptop.answer(case_id, "2.1.1.1", Answer.NO)
        assert laptop.case(case_id).item("2.1.1.1").state == "no"


def test_the_migration_finds_cases_released_before_it(world: World):
    """A laptop that opened the withdrawing assignment with an older Fieldwork: the release's
    history row tells the migration which cases, and which assignment."""
    case_id = withdraw_e000001(world)
    with world.open(world.helen, "Helen") as laptop:
        with laptop.workspace.write() as db:
            db.execute("DROP TABLE moved_cases")
        m0011_withdrawn_cases(laptop.db)
        withdrawn = table(laptop, "SELECT case_id, assignment FROM moved_cases")
        assert withdrawn == [(case_id, 2)]
    with world.open(world.central, "data team") as central:  # central holds no withdrawals
        with central.workspace.write() as db:
            db.execute("DROP TABLE moved_cases")
        m0011_withdrawn_cases(central.db)
        assert table(central, "SELECT * FROM moved_cases") == []
