"""Interviews as bundle records: exported, checked against the schema and the workspace,
and merged (new, updated, kept, in conflict) with the many-cases link intact."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from fieldwork.interviews.questionnaire import OFFICER, SERVICE_USER
from fieldwork.interviews.records import (
    InterviewRecordError,
    check_records,
    conflicts,
    export_records,
    resolve,
    take_in,
)
from fieldwork.interviews.store import Interviews
from fieldwork.paths import schema_path
from fieldwork.service import Service
from tests.conftest import CASE_SUPERVISION, FakeClock
from tests.interviews_support import answer_all

INSPECTOR = "00000000-0000-4000-8000-000000000001"
BUNDLE = "00000000-0000-4000-8000-000000000002"


@pytest.fixture
def pair(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Service, Service, list[str]]]:
    """A central workspace and a laptop copy of it: same inspection, same cases."""
    central_path = tmp_path / "central.fieldwork"
    with Service.create(central_path, user="Data team", clock=clock) as central:
        central.create_inspection("North West", provider="NPS North West")
        central.add_inspector("Helen")
        cases = [
            central.add_case("case-supervision", ref, dict(CASE_SUPERVISION, officer_grade="PSO"))
            for ref in ("E1", "E2", "E3")
        ]
    laptop_path = tmp_path / "laptop.fieldwork"
    shutil.copy(central_path, laptop_path)
    central = Service.open(central_path, user="Data team", clock=clock)
    laptop = Service.open(laptop_path, user="Helen", clock=clock)
    yield central, laptop, [c.id for c in cases]
    central.close()
    laptop.close()


def bundle_entry(service: Service) -> Any:
    """The entry as it travels: JSON bytes, read back and checked against the schema."""
    data = json.loads(json.dumps(export_records(service)))
    schema = json.loads(schema_path("bundle-interviews").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(data)
    return data


def take(central: Service, data: Any) -> Any:
    return take_in(central, data, file="return.bundle", inspector_id=INSPECTOR, bundle_id=BUNDLE)


def test_a_many_cases_interview_survives_export_and_import(
    pair: tuple[Service, Service, list[str]],
) -> None:
    central, laptop, case_ids = pair
    store = Interviews(laptop)
    officer = store.create(OFFICER, "Officer A", case_ids=case_ids[:2])
    answer_all(store, officer.id)
    store.set_notes(officer.id, "Held by phone.")
    store.mark_complete(officer.id)
    user = store.create(SERVICE_USER, "SU 1", case_ids=[case_ids[2]])
    store.answer(user.id, "su-help-needed", "yes")

    merge = take(central, bundle_entry(laptop))
    assert merge.counts["interviews new"] == 2
    there = Interviews(central)
    got = there.summary(officer.id)
    assert set(got.case_ids) == set(case_ids[:2])  # one interview, two cases
    assert (got.status, got.done, got.total, got.grade) == ("complete", 13, 13, "PSO")
    assert got.notes == "Held by phone."
    assert there.answers(officer.id) == {
        k: v for k, v in Interviews(laptop).answers(officer.id).items()
    }
    assert len(there.history(officer.id)) == len(Interviews(laptop).history(officer.id))
    provenance = central.db.execute(
        "SELECT DISTINCT bundle_id, received_at IS NOT NULL FROM interview_history"
    ).fetchall()
    assert provenance == [(BUNDLE, 1)]  # every row names the bundle it came in
    assert laptop.db.execute(
        "SELECT COUNT(*) FROM interview_history WHERE bundle_id IS NOT NULL"
    ).fetchone() == (0,)
    assert [i.id for i in there.summaries(case_id=case_ids[1])] == [officer.id]
    assert there.summary(user.id).case_ids == (case_ids[2],)
    # The same bundle again changes nothing.
    again = take(central, bundle_entry(laptop))
    assert again.counts == {k: 0 for k in again.counts}


def test_a_later_edit_updates_and_an_edit_on_both_sides_is_a_conflict(
    pair: tuple[Service, Service, list[str]],
) -> None:
    central, laptop, case_ids = pair
    store = Interviews(laptop)
    officer = store.create(OFFICER, "Officer A", case_ids=case_ids[:1])
    store.answer(officer.id, "ro-quality-prioritised", "agree")
    store.answer(officer.id, "ro-skills-knowledge", "agree")
    first = bundle_entry(laptop)
    take(central, first)
    store.answer(officer.id, "ro-quality-prioritised", "disagree")  # the laptop, later
    store.link_case(officer.id, case_ids[1])
    merge = take(central, bundle_entry(laptop))
    assert [(c[0], c[2]) for c in merge.changes] == [
        ("updated", "interview"),
        ("updated", "ro-quality-prioritised"),
    ]
    there = Interviews(central)
    assert there.answers(officer.id)["ro-quality-prioritised"].value == "disagree"
    assert set(there.summary(officer.id).case_ids) == set(case_ids[:2])
    # An older bundle arriving late is kept out: central's answer descends from it.
    late = take(central, first)
    assert ("kept", "Officer A", "ro-quality-prioritised", "ours is newer") in late.changes
    assert there.answers(officer.id)["ro-quality-prioritised"].value == "disagree"
    # Both sides change the same answer: central keeps its own, both are recorded.
    there.answer(officer.id, "ro-skills-knowledge", "disagree")
    store.answer(officer.id, "ro-skills-knowledge", None)
    conflicted = take(central, bundle_entry(laptop))
    assert conflicted.counts["interview conflicts"] == 1
    assert there.answers(officer.id)["ro-skills-knowledge"].value == "disagree"
    row = central.db.execute(
        "SELECT entity, item_id, json_extract(current, '$.value'), "
        "json_extract(incoming, '$.value'), bundle_id FROM interview_conflicts"
    ).fetchone()
    assert row == ("answer", "ro-skills-knowledge", "disagree", None, BUNDLE)
    # Kept once: the same bundle again does not record it twice.
    take(central, bundle_entry(laptop))
    assert central.db.execute("SELECT COUNT(*) FROM interview_conflicts").fetchone()[0] == 1
    # The data team takes the laptop's version.
    (conflict,) = conflicts(central)
    assert conflict.shown == "Officer A ro-skills-knowledge: central 'disagree', incoming None"
    resolve(central, conflict.id, "incoming")
    assert there.answers(officer.id)["ro-skills-knowledge"].value is None
    assert conflicts(central) == []
    assert conflicts(central, open_only=False)[0].resolution == "incoming"
    last = there.history(officer.id)[-1]
    assert (last[2], last[4], last[6]) == ("conflict", "resolved", "incoming")
    # The laptop's next edit of that answer is an update, not a new conflict.
    store.answer(officer.id, "ro-skills-knowledge", "agree")
    after = take(central, bundle_entry(laptop))
    assert after.counts["interview conflicts"] == 0
    assert there.answers(officer.id)["ro-skills-knowledge"].value == "agree"
    with pytest.raises(InterviewRecordError, match="no open interview conflict"):
        resolve(central, conflict.id, "current")


def test_conflicts_listed_and_resolved_from_the_command_line(
    pair: tuple[Service, Service, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    from fieldwork.cli import main

    central, laptop, case_ids = pair
    store = Interviews(laptop)
    officer = store.create(OFFICER, "Officer B", case_ids=case_ids[:1])
    store.answer(officer.id, "ro-wellbeing", "agree")
    take(central, bundle_entry(laptop))
    Interviews(central).answer(officer.id, "ro-wellbeing", "disagree")
    store.answer(officer.id, "ro-wellbeing", None)
    take(central, bundle_entry(laptop))
    path = str(central.workspace.path)
    central.close()
    assert main(["interviews", path, "--conflicts"]) == 0
    out = capsys.readouterr().out
    assert "Officer B ro-wellbeing: central 'disagree', incoming None" in out
    conflict_id = out.split()[0]
    assert main(["interviews", path, "--resolve", conflict_id]) == 1
    assert "--keep current or --keep incoming" in capsys.readouterr().err
    assert main(["interviews", path, "--resolve", conflict_id, "--keep", "current"]) == 0
    assert "kept the current version" in capsys.readouterr().out
    assert main(["interviews", path, "--conflicts"]) == 0
    assert "0 open interview conflict(s)" in capsys.readouterr().out


def _broken(laptop: Service, case_ids: list[str]) -> Any:
    store = Interviews(laptop)
    officer = store.create(OFFICER, "Officer A", case_ids=case_ids[:2])
    store.answer(officer.id, "ro-quality-prioritised", "agree")
    return bundle_entry(laptop)


@pytest.mark.parametrize(
    ("spoil", "problem", "place"),
    [
        (
            lambda d: d["answers"]["rows"][0].__setitem__(3, "strongly agree"),
            "'strongly agree' is not an answer to ro-quality-prioritised",
            "answers[0]",
        ),
        (
            lambda d: d["answers"]["rows"][0].__setitem__(2, "ro-made-up"),
            "no item 'ro-made-up'",
            "answers[0]",
        ),
        (
            lambda d: d["interviews"][0].update(questionnaire=SERVICE_USER, attributes={}),
            "exactly one case",
            "interviews[0]",
        ),
        (
            lambda d: d["interviews"][0]["case_ids"].append("00000000-0000-4000-8000-00000000ffff"),
            "is not one of this bundle's cases",
            "interviews[0]",
        ),
        (
            lambda d: d["interviews"][0]["attributes"].__setitem__("grade", "SPO"),
            "'SPO' is not a responsible officer grade",
            "interviews[0]",
        ),
    ],
)
def test_bad_records_are_refused_and_change_nothing(
    pair: tuple[Service, Service, list[str]], spoil: Any, problem: str, place: str
) -> None:
    central, laptop, case_ids = pair
    data = _broken(laptop, case_ids)
    spoil(data)
    with pytest.raises(InterviewRecordError, match=problem) as caught:
        take(central, data)
    assert caught.value.file == "return.bundle"
    assert caught.value.place == f"interviews.json, {place}"
    assert central.db.execute("SELECT COUNT(*) FROM interviews").fetchone()[0] == 0


def test_an_interview_for_a_case_outside_the_bundle_is_refused(
    pair: tuple[Service, Service, list[str]],
) -> None:
    central, laptop, case_ids = pair
    data = _broken(laptop, case_ids)
    with pytest.raises(InterviewRecordError, match="not one of this bundle's cases"):
        check_records(central.framework, data, file="return.bundle", case_ids=case_ids[:1])
