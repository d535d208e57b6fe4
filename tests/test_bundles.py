"""Bundle format, keys, assignment and return: the round trip between central and a laptop."""

from __future__ import annotations

import hashlib
import json
import zipfile

import jsonschema
import pytest

from fieldwork.answers import Answer
from fieldwork.bundles import assignment as _assignment
from fieldwork.bundles import container, crypto, records
from fieldwork.bundles import returns as _returns
from fieldwork.bundles.conflicts import add_qa_comment
from fieldwork.bundles.importer import apply_import, plan_import
from fieldwork.bundles.keystore import (
    KeyProblem,
    Keyring,
    PublicKeyRecord,
    read_key_file,
    record_for,
    write_key_file,
)
from fieldwork.bundles.schemas import BundleError, schema
from fieldwork.paths import schema_path
from tests import test_bundles_support as support
from tests.test_bundles_support import BUNDLE_PASS, KDF_N, World, file_hash, table

# The shared fixtures, by name.
encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)

BUNDLE_SCHEMAS = sorted(p.name for p in schema_path("x").parent.glob("bundle-*.schema.json"))

# Every entry a bundle of this build writes, the review threads' included (issue 17).
ASSIGNMENT_ENTRIES = {**_assignment.ENTRIES, **_assignment.OPTIONAL_ENTRIES}
RETURN_ENTRIES = {**_returns.ENTRIES, **_returns.OPTIONAL_ENTRIES}


@pytest.mark.parametrize("name", BUNDLE_SCHEMAS)
def test_every_bundle_schema_is_a_valid_draft_7_schema(name):
    document = json.loads((schema_path("x").parent / name).read_text())
    jsonschema.Draft7Validator.check_schema(document)
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"


def _validate_with_reference(schema_name: str, data: object) -> None:
    """The reference implementation agrees with the fast one on real bundles."""
    document = schema(schema_name)
    jsonschema.validators.validator_for(document)(document).validate(data)


def test_every_json_file_in_a_real_return_bundle_follows_its_schema(world: World):
    sealed, key = world.unwrap(world.returned)
    _validate_with_reference("bundle-manifest", json.loads(sealed.manifest.raw))
    for name, schema_name in RETURN_ENTRIES.items():
        data = json.loads(sealed.open_entry(name, key))
        _validate_with_reference(schema_name, data)
    responses = records.from_entry(
        "responses.json", json.loads(sealed.open_entry("responses.json", key))
    )
    assert {r["item_id"] for r in responses} >= {"2.1.1.1", "2.1.1.2", "2.1.1"}


def test_every_json_file_in_a_real_assignment_bundle_follows_its_schema(world: World):
    sealed = container.read_sealed(world.assignment)
    key = container.passphrase_key(sealed, BUNDLE_PASS)
    _validate_with_reference("bundle-manifest", json.loads(sealed.manifest.raw))
    for name, schema_name in ASSIGNMENT_ENTRIES.items():
        data = json.loads(sealed.open_entry(name, key))
        _validate_with_reference(schema_name, data)
    inspector = json.loads(sealed.open_entry("inspector.json", key))
    assert inspector["name"] == "Helen"
    assert inspector["issued_key"]["key_id"] == inspector["signing_key_id"]


def test_a_bundle_is_a_zip_of_a_manifest_a_signature_and_sealed_entries(world: World):
    with zipfile.ZipFile(world.returned) as archive:
        names = archive.namelist()
        raw = archive.read("manifest.json")
        body = b"".join(archive.read(n) for n in names)
    assert names[:2] == ["manifest.json", "manifest.sig"]
    assert sorted(names[2:]) == sorted(RETURN_ENTRIES)
    manifest = json.loads(raw)
    assert manifest["kind"] == "return" and manifest["sequence"] == 1
    assert manifest["encryption"]["scheme"] == "rsa-oaep-sha256+aes-256-gcm"
    assert {e["name"] for e in manifest["entries"]} == set(RETURN_ENTRIES)
    # Nothing personal is readable: not the case references, not the notes.
    assert b"E000001" not in body and b"risk assessment" not in body


def test_manifest_hashes_and_sizes_describe_the_stored_entries(world: World):
    sealed = container.read_sealed(world.returned)
    for entry in sealed.manifest.entries:
        stored = sealed.stored(entry.name)
        assert entry.size == len(stored)
        assert entry.sha256 == hashlib.sha256(stored).hexdigest()


def test_key_file_round_trip_and_wrong_passphrase(tmp_path):
    private = crypto.new_signing_key()
    record = record_for(private, owner="central", purpose="signing", created_at="2020-01-13")
    path = write_key_file(
        tmp_path / "keys", private, record, "correct horse battery staple", kdf_n=KDF_N
    )
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert b"PRIVATE" not in path.read_bytes()
    loaded = read_key_file(path, "correct horse battery staple")
    assert crypto.fingerprint(loaded.public_key()) == record.id
    with pytest.raises(KeyProblem, match="wrong passphrase") as caught:
        read_key_file(path, "wrong horse")
    assert caught.value.file == str(path)


def test_a_keyring_asks_for_its_passphrase_once(tmp_path):
    asked = []
    keyring = Keyring(tmp_path, lambda: asked.append(1) or "keyring passphrase test", kdf_n=KDF_N)
    private = crypto.new_signing_key()
    record = record_for(private, owner="central", purpose="signing", created_at="now")
    keyring.store(private, record)
    fresh = Keyring(tmp_path, lambda: asked.append(1) or "keyring passphrase test", kdf_n=KDF_N)
    fresh.private(record)
    fresh.private(record)
    assert len(asked) == 2


def test_opening_an_assignment_creates_the_inspectors_workspace(world: World):
    with world.open(world.helen) as laptop:
        kind = laptop.db.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()[0]
        assert kind == "fieldwork"
        assert [c.reference for c in laptop.cases()] == [
            "E000001",
            "E000002",
            "E000003",
            "VLU-00001",
        ]
        assert {c.inspector_name for c in laptop.cases()} == {"Helen"}
        assert laptop.inspection().name == "North West"
        owners = table(laptop, "SELECT owner, purpose FROM keys ORDER BY owner, purpose")
    [helen_id] = [owner for owner, _ in owners if owner != "central"]
    assert sorted(owners) == sorted(
        [("central", "encryption"), ("central", "signing"), (helen_id, "signing")]
    )
    assert len(list((world.folder / "helen.fieldwork.keys").glob("*.key"))) == 1


def test_opening_the_same_assignment_again_changes_nothing(world: World):
    before = file_hash(world.helen)
    result = world.open_assignment(world.assignment)
    assert result.already_opened
    assert file_hash(world.helen) == before


def test_import_previews_then_commits_and_a_second_import_changes_nothing(world: World):
    before = file_hash(world.central)
    with world.open_central() as central:
        plan = plan_import(central, world.returned, world.central_keys())
    assert file_hash(world.central) == before  # the preview wrote nothing
    assert plan.counts["new"] == 3 and plan.counts["conflicts"] == 0
    assert any("E000001" in line and "3 answers and judgements" in line for line in plan.describe())
    with world.open_central() as central:
        result = apply_import(central, plan_import(central, world.returned, world.central_keys()))
        assert result.counts["new"] == 3
        case = central.find_case("E000001")
        assert central.case(case.id).item("2.1.1.2").note == "No record of the risk assessment."
        assert case.status == "in progress" and case.done == 3
    after = file_hash(world.central)
    with world.open_central() as central:
        again = plan_import(central, world.returned, world.central_keys())
        assert again.already_imported
        assert apply_import(central, again).already_imported
    assert file_hash(world.central) == after


def test_a_later_bundle_supersedes_earlier_records_by_revision(world: World):
    with world.open_central() as central:
        apply_import(central, plan_import(central, world.returned, world.central_keys()))
    with world.open(world.helen, "Helen") as laptop:
        case = laptop.find_case("E000001")
        laptop.answer(case.id, "2.1.1.2", Answer.YES)
        laptop.answer(case.id, "2.1.1.3", Answer.YES)
    second = world.export_return(name="return-2.fwb")
    with world.open_central() as central:
        plan = plan_import(central, second, world.central_keys())
        assert (plan.counts["new"], plan.counts["updated"], plan.counts["conflicts"]) == (1, 1, 0)
        apply_import(central, plan)
        case = central.find_case("E000001")
        row = table(
            central,
            "SELECT value, revision FROM responses WHERE case_id = ? AND item_id = '2.1.1.2'",
            [case.id],
        )
        assert row == [("yes", 3)]  # answered no, noted, then yes: revision 3
        history = [h for h in central.history(case.id) if h.item_id == "2.1.1.2"]
        assert [(h.field, h.new) for h in history] == [
            ("value", "no"),
            ("note", "No record of the risk assessment."),
            ("value", "yes"),
        ]


def test_bundles_from_two_inspectors_on_one_case_keep_a_conflict(world: World):
    """Helen answers, the case moves to Tom before her bundle arrives, Tom answers differently."""
    from fieldwork.allocation import move_case
    from fieldwork.bundles.conflicts import conflicts, resolve

    with world.open_central() as central:
        case = central.find_case("E000001")
        move_case(central, case.id, "Tom", "Helen is on leave")
    world.open_assignment(world.export_assignment("Tom"), "Tom")
    with world.open(world.tom, "Tom") as laptop:
        laptop.answer(laptop.find_case("E000001").id, "2.1.1.2", Answer.YES)
    tom_bundle = world.export_return(world.tom, "return-tom.fwb")
    with world.open_central() as central:
        apply_import(central, plan_import(central, tom_bundle, world.central_keys()))
        plan = plan_import(central, world.returned, world.central_keys())
        # The case is Tom's now: none of Helen's answers to it is applied; each is kept.
        helens = {r["item_id"] for r in plan.contents.responses if r["case_id"] == case.id}
        assert plan.counts["conflicts"] == len(helens) > 1
        applied = plan.new_responses + plan.updated_responses
        assert not [r for r in applied if r["case_id"] == case.id]
        apply_import(central, plan)
        case = central.find_case("E000001")
        assert central.case(case.id).item("2.1.1.2").state == "yes"  # not overwritten
        [conflict] = [c for c in conflicts(central) if c.item_id == "2.1.1.2"]
        assert (conflict.item_id, conflict.current["value"], conflict.incoming["value"]) == (
            "2.1.1.2",
            "yes",
            "no",
        )
        resolved = resolve(central, conflict.short_id, "incoming", reason="Helen saw the file")
        assert resolved.resolution == "incoming"
        item = central.case(case.id).item("2.1.1.2")
        assert (item.state, item.note) == ("no", "No record of the risk assessment.")
        assert central.history(case.id)[-1].field == "resolved"
        assert len(conflicts(central)) == len(helens) - 1
    # Helen's next bundle still holds her version: it is not raised as a conflict again.
    again = world.export_return(name="return-helen-2.fwb")
    with world.open_central() as central:
        plan = plan_import(central, again, world.central_keys())
        assert plan.counts["conflicts"] == 0


def test_attribute_changes_merge_three_ways(world: World):
    from fieldwork.bundles.conflicts import conflicts

    with world.open(world.helen, "Helen") as laptop:
        case = laptop.find_case("E000002")
        laptop.set_attribute(case.id, "domestic_abuse", True)
        laptop.set_attribute(case.id, "substance_misuse", True)
    bundle = world.export_return(name="return-2.fwb")
    with world.open_central() as central:
        case = central.find_case("E000002")
        central.set_attribute(case.id, "substance_misuse", False)
        plan = plan_import(central, bundle, world.central_keys())
        apply_import(central, plan)
        attributes = central.case_summary(case.id).attributes
        assert attributes["domestic_abuse"] is True  # only Helen changed it
        assert attributes["substance_misuse"] is False  # both changed it: kept, and a conflict
        [conflict] = conflicts(central)
        assert (conflict.entity, conflict.item_id) == ("attribute", "substance_misuse")


def test_a_new_assignment_adds_cases_releases_moved_ones_and_keeps_work_done(world: World):
    from fieldwork.allocation import assign, move_case

    with world.open_central() as central:
        new = central.add_case("court-reports", "PSR-00001", {"sentenced": True})
        assign(central, new.id, "Helen")
        move_case(central, central.find_case("E000003").id, "Tom", "rebalancing")
        add_qa_comment(central, central.find_case("E000002").id, "2.1.1.1", "Check the OASys date")
    second = world.export_assignment("Helen")
    result = world.open_assignment(second)
    assert result.new_cases == ("PSR-00001",) and len(result.released_cases) == 1
    assert result.new_comments == 1
    with world.open(world.helen) as laptop:
        first = laptop.find_case("E000001")
        assert laptop.case(first.id).item("2.1.1.2").note == "No record of the risk assessment."
        assert laptop.find_case("E000003").inspector_id is None
        comments = table(laptop, "SELECT item_id, comment FROM qa_comments")
        assert comments == [("2.1.1.1", "Check the OASys date")]


def test_an_inspector_key_rotation_reaches_central_through_the_next_bundle(world: World):
    from fieldwork.bundles.keystore import SIGNING, public_keys
    from fieldwork.keys import rotate_inspector_key

    with world.open(world.helen, "Helen") as laptop:
        helen_id = laptop.db.execute("SELECT value FROM meta WHERE key='inspector_id'").fetchone()[
            0
        ]
        old = [k.id for k in public_keys(laptop, helen_id, SIGNING)]
        rotate_inspector_key(laptop, world.helen_keys())
    bundle = world.export_return(name="return-rotated.fwb")
    with world.open_central() as central:
        apply_import(central, plan_import(central, world.returned, world.central_keys()))
    with world.open_central() as central:
        apply_import(central, plan_import(central, bundle, world.central_keys()))
        keys = {k.id: k for k in public_keys(central, helen_id, SIGNING)}
    assert keys[old[0]].retired_at is not None
    assert [k for k in keys.values() if k.retired_at is None][0].endorsed_by == old[0]


def test_a_central_key_rotation_is_trusted_by_laptops_through_the_endorsement(world: World):
    from fieldwork.bundles.keystore import CENTRAL, SIGNING, active_key
    from fieldwork.keys import rotate_central_keys

    with world.open_central() as central:
        apply_import(central, plan_import(central, world.returned, world.central_keys()))
        rotate_central_keys(central, world.central_keys())
        new_signing = active_key(central, CENTRAL, SIGNING)
    world.open_assignment(world.export_assignment("Helen"))
    with world.open(world.helen) as laptop:
        assert active_key(laptop, CENTRAL, SIGNING) == new_signing
    # A return encrypted to the new key imports; so would one still encrypted to the old key.
    bundle = world.export_return(name="return-2.fwb")
    with world.open_central() as central:
        assert apply_import(central, plan_import(central, bundle, world.central_keys()))


def test_public_key_record_statement_binds_owner_and_key():
    private = crypto.new_signing_key()
    record = record_for(private, owner="central", purpose="signing", created_at="t")
    other = PublicKeyRecord(**{**record.as_json(), "owner": "someone"})
    assert record.statement() != other.statement()


def test_the_bundle_writer_makes_folders_and_reports_what_it_cannot_write(tmp_path):
    target = tmp_path / "new folder" / "b.fwb"
    container.write_members(target, [("manifest.json", b"{}")])
    assert target.exists()
    assert not list(target.parent.glob(".*partial"))
    with pytest.raises(BundleError, match="cannot write the bundle"):
        container.write_members(target / "inside-a-file.fwb", [])


def test_a_run_of_imports_takes_bundles_oldest_first_and_survives_a_failed_write(
    world: World, monkeypatch: pytest.MonkeyPatch
):
    """A bundle that passes its checks but cannot be written is left out; the rest go in."""
    import sqlite3

    from fieldwork.bundles import batching

    with world.open(world.helen, "Helen") as laptop:
        laptop.answer(laptop.find_case("E000002").id, "2.1.1.1", Answer.NO)
    newer = world.export_return(name="return-2.fwb")
    with world.open(world.tom, "Tom") as laptop:
        laptop.answer(laptop.find_case("E000009").id, "2.1.1.1", Answer.YES)
    tom = world.export_return(world.tom, "return-tom.fwb")
    real = batching.apply_import

    def failing(service, plan, **kw):
        if plan.path == tom:
            raise sqlite3.IntegrityError("simulated")
        return real(service, plan, **kw)

    monkeypatch.setattr(batching, "apply_import", failing)
    steps = []
    with world.open_central() as central:
        results = batching.import_many(
            central,
            [newer, tom, world.returned],  # given newest first: imported oldest first
            world.central_keys(),
            progress=lambda *step: steps.append(step),
        )
        assert [getattr(r, "sequence", None) for r in results] == [2, None, 1]
        assert "simulated" in results[1].message
        assert central.case(central.find_case("E000002").id).item("2.1.1.1").state == "no"
        assert central.case(central.find_case("E000009").id).item("2.1.1.1").state == ("unanswered")
    assert steps[-1] == (2, 2, "done")


def test_a_run_of_imports_keeps_each_plans_preview_but_not_its_records(world: World):
    """After the commit a plan keeps what the preview shows (counts, lines) and lets go of the
    bundle's records: a national run would otherwise hold every record to its end."""
    from fieldwork.bundles import batching

    seen = []
    with world.open_central() as central:
        batching.import_many(central, [world.returned], world.central_keys(), on_plan=seen.append)
        held = table(central, "SELECT count(*) FROM history WHERE bundle_id IS NOT NULL")[0][0]
    (plan,) = seen
    assert plan.contents is None and not plan.new_history and not plan.new_responses
    assert plan.counts["history"] == held > 0
    assert plan.counts["new"] > 0
    assert f"{held} new history rows" in "\n".join(plan.describe())


def test_a_run_of_imports_gives_back_the_collectors_thresholds(world: World):
    """The run's collector thresholds (fewer collections) are the run's only, even when the
    run fails."""
    import gc

    from fieldwork.bundles import batching

    before = gc.get_threshold()
    seen = []
    with world.open_central() as central:
        batching.import_many(
            central,
            [world.returned],
            world.central_keys(),
            progress=lambda *step: seen.append(gc.get_threshold()),
        )
        assert seen[0] == batching.GC_THRESHOLD  # while the bundle is read and written
        assert seen[-1] == before  # "done", after the run
        assert gc.get_threshold() == before
        with pytest.raises(KeyError):
            batching.import_many(
                central, [world.returned], world.central_keys(), progress=lambda *s: {}["x"]
            )
    assert gc.get_threshold() == before
