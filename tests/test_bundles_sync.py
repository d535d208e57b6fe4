"""The sync folder, on a laptop and at the centre."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldwork.answers import Answer
from fieldwork.bundles.sync import log_path, sync
from fieldwork.errors import InvalidChange
from tests import test_bundles_support as support
from tests.test_bundles_support import BUNDLE_PASS, World, file_hash

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)


@pytest.fixture
def share(world: World) -> Path:
    folder = world.folder / "share"
    folder.mkdir()
    return folder


def test_a_laptop_sync_opens_new_assignments_and_writes_its_newest_return(world: World, share):
    with world.open_central() as central:
        central.add_case(
            "victim", "VLU-00002", {"stage": "pre-release"}, central.inspectors()[0].id
        )
        from fieldwork.allocation import assign

        assign(central, central.find_case("VLU-00002").id, "Helen")
    world.export_assignment("Helen", "share/assignment-helen-2.fwb")
    shutil.copy(world.tom_assignment, share / "for-tom.fwb")  # not for Helen: left alone
    (share / "notes.fwb").write_text("not a bundle")  # unreadable files are skipped
    asked = []
    with world.open(world.helen, "Helen") as laptop:
        report = sync(
            laptop,
            world.helen_keys(),
            folder=share,
            passphrase=lambda path: asked.append(path.name) or BUNDLE_PASS,
        )
        assert [c.reference for c in laptop.cases()][-1] == "VLU-00002"
    assert asked == ["assignment-helen-2.fwb"]
    assert [o.new_cases for o in report.opened] == [("VLU-00002",)]
    assert report.written is not None and report.written.parent == share
    first = report.written
    # A second sync with nothing new writes nothing; after a change it replaces the old bundle.
    with world.open(world.helen, "Helen") as laptop:
        again = sync(laptop, world.helen_keys())
        assert again.written is None and "nothing new" in again.log[-1]
        laptop.answer(laptop.find_case("E000002").id, "2.1.1.1", Answer.YES)
        third = sync(laptop, world.helen_keys())
    assert third.written is not None and not first.exists()
    assert sorted(p.name for p in share.glob("return-*")) == [third.written.name]
    assert "wrote return bundle" in log_path(world.helen).read_text()


def test_an_assignment_without_its_passphrase_waits(world: World, share):
    world.export_assignment("Helen", "share/assignment-helen-2.fwb")
    with world.open(world.helen, "Helen") as laptop:
        report = sync(laptop, world.helen_keys(), folder=share, passphrase=lambda path: None)
    assert report.opened == [] and "waiting" in report.log[0]


def test_a_wrong_assignment_passphrase_is_reported_and_the_return_still_written(world, share):
    world.export_assignment("Helen", "share/assignment-helen-2.fwb")
    with world.open(world.helen, "Helen") as laptop:
        report = sync(laptop, world.helen_keys(), folder=share, passphrase=lambda p: "wrong!!!")
    assert "wrong passphrase" in report.failed[0][1]
    assert report.written is not None


def test_central_sync_imports_each_inspectors_newest_bundle_and_reports_bad_ones(world, share):
    shutil.copy(world.returned, share / "return-helen-0001.fwb")
    with world.open(world.helen, "Helen") as laptop:
        laptop.answer(laptop.find_case("E000002").id, "2.1.1.1", Answer.NO)
    world.export_return(name="share/return-helen-0002.fwb")
    tom = world.export_return(world.tom, "share/return-tom-0001.fwb")
    data = tom.read_bytes()
    tom.write_bytes(data[: len(data) // 2])  # damaged in transit
    steps = []
    with world.open_central() as central:
        report = sync(
            central, world.central_keys(), folder=share, progress=lambda *a: steps.append(a)
        )
        assert [(r.inspector_name, r.sequence) for r in report.imported] == [("Helen", 2)]
        assert central.case(central.find_case("E000002").id).item("2.1.1.1").state == "no"
    # A truncated file is reported as refused, never skipped in silence.
    assert [p.name for p, _ in report.failed] == ["return-tom-0001.fwb"]
    assert any("skipped 1 older bundle" in line for line in report.log)
    assert steps[-1][2] == "done"
    before = file_hash(world.central)
    with world.open_central() as central:
        again = sync(central, world.central_keys())
    assert again.imported == [] and "no new return bundles" in again.log
    assert file_hash(world.central) == before  # only the log beside it grows


def test_a_sync_folder_must_exist(world: World):
    with world.open_central() as central, pytest.raises(InvalidChange, match="does not exist"):
        sync(central, world.central_keys(), folder=world.folder / "no such share")
    with world.open_central() as central, pytest.raises(InvalidChange, match="no sync folder"):
        sync(central, world.central_keys())
