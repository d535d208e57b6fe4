"""Bad bundles: each is refused with a clear error and leaves the receiving workspace byte for
byte as it was."""

from __future__ import annotations

import io
import json
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork.answers import Answer
from fieldwork.bundles import container, crypto
from fieldwork.bundles.importer import apply_import, plan_import
from fieldwork.errors import FieldworkError
from tests import test_bundles_support as support
from tests.test_bundles_support import BUNDLE_PASS, World, file_hash, table

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)


def refused_at_central(world: World, bundle: Path, match: str) -> FieldworkError:
    """Import must fail with ``match`` in the message and leave central's file unchanged."""
    before = file_hash(world.central)
    with world.open_central() as central, pytest.raises(FieldworkError, match=match) as caught:
        apply_import(central, plan_import(central, bundle, world.central_keys()))
    assert file_hash(world.central) == before
    assert str(bundle) in caught.value.message
    return caught.value


def flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def member_offset(bundle: Path, name: str) -> tuple[int, int]:
    """Where a member's stored bytes start in the zip file, and how many there are."""
    data = bundle.read_bytes()
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo(name)
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    return info.header_offset + 30 + name_len + extra_len, info.compress_size


def test_not_a_zip(world: World):
    bundle = world.folder / "notes.fwb"
    bundle.write_text("Dear data team, here are my cases.")
    refused_at_central(world, bundle, "not a zip")


def test_an_empty_file(world: World):
    bundle = world.folder / "empty.fwb"
    bundle.write_bytes(b"")
    refused_at_central(world, bundle, "not a zip")


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.999])
def test_a_truncated_zip(world: World, keep: float):
    data = world.returned.read_bytes()
    bundle = world.folder / "truncated.fwb"
    bundle.write_bytes(data[: int(len(data) * keep)])
    refused_at_central(world, bundle, "not a zip|damaged|truncated")


def test_a_missing_file(world: World):
    refused_at_central(world, world.folder / "nowhere.fwb", "no bundle file")


@pytest.mark.parametrize(
    "entry",
    ["manifest.json", "manifest.sig", "cases.json", "responses.json", "history.json", "keys.json"],
)
def test_a_flipped_byte_in_any_entry(world: World, entry: str):
    start, size = member_offset(world.returned, entry)
    bundle = world.folder / "flipped.fwb"
    bundle.write_bytes(flip(world.returned.read_bytes(), start + size // 2))
    refused_at_central(world, bundle, "damaged|altered|Bad CRC|signature|JSON|format")


def test_manifest_hashes_that_do_not_match_the_entries(world: World):
    def wrong_hash(manifest):
        entries = [dict(e) for e in manifest["entries"]]
        entries[1]["sha256"] = "0" * 64
        return {**manifest, "entries": entries}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", manifest=wrong_hash)
    error = refused_at_central(world, bundle, "does not match its SHA-256")
    assert error.place == "responses.json"


def test_a_bad_signature(world: World):
    impostor = crypto.new_signing_key()
    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", signer=impostor)
    refused_at_central(world, bundle, "signature does not match")


def test_a_signature_by_an_unregistered_key(world: World):
    impostor = crypto.new_signing_key()

    def claim(manifest):
        key_id = crypto.fingerprint(impostor.public_key())
        return {**manifest, "signature": {"algorithm": "ed25519", "key_id": key_id}}

    bundle = world.rewrite_return(
        world.returned, world.folder / "b.fwb", manifest=claim, signer=impostor
    )
    refused_at_central(world, bundle, "not signed by Helen's registered key")


def test_an_unknown_inspector(world: World):
    def stranger(manifest):
        return {**manifest, "inspector_id": "00000000-0000-4000-8000-000000000000"}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", manifest=stranger)
    refused_at_central(world, bundle, "not an inspector of this inspection")


def test_a_bundle_for_another_inspection(world: World):
    def elsewhere(manifest):
        return {**manifest, "inspection_id": "00000000-0000-4000-8000-000000000001"}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", manifest=elsewhere)
    refused_at_central(world, bundle, "another inspection")


def test_a_bundle_made_under_another_framework_version(world: World):
    def other_version(manifest):
        framework = {**manifest["framework"], "version": "2021", "hash": "a" * 64}
        return {**manifest, "framework": framework}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", manifest=other_version)
    refused_at_central(world, bundle, "version 2021")


def test_a_case_sent_to_someone_else(world: World):
    with world.open_central() as central:
        tom_case = central.find_case("E000009")
        tom_record = {
            "id": tom_case.id,
            "sample": "case-supervision",
            "reference": "E000009",
            "inspector_id": tom_case.inspector_id,
            "attributes": {},
            "status": "not started",
            "completed_at": None,
            "revision": 1,
            "updated_at": "2020-01-13T09:00:00+00:00",
            "done": 0,
            "total": 1,
        }

    def add_case(plain):
        cases = json.loads(plain["cases.json"]) + [tom_record]
        return {**plain, "cases.json": json.dumps(cases).encode()}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", contents=add_case)
    refused_at_central(world, bundle, "never assigned to Helen")


@pytest.mark.parametrize(
    ("entry", "text", "match"),
    [
        ("responses.json", b'[{"id": ', "not valid JSON"),
        ("cases.json", b"\xff\xfe not text", "not UTF-8"),
        ("history.json", b"{}", "does not follow the bundle format"),
    ],
)
def test_malformed_json(world: World, entry: str, text: bytes, match: str):
    bundle = world.rewrite_return(
        world.returned, world.folder / "b.fwb", contents=lambda plain: {**plain, entry: text}
    )
    error = refused_at_central(world, bundle, match)
    assert entry in (error.place or "")


def edit_table(entry: str, change: Callable[[list], object]) -> Callable:
    """A ``contents`` editor that changes the rows of a table entry (responses, history)."""

    def edit(plain: dict[str, bytes]) -> dict[str, bytes]:
        table = json.loads(plain[entry])
        change(table["rows"])
        return {**plain, entry: json.dumps(table).encode()}

    return edit


def _set(column: int, value: object) -> Callable[[list], object]:
    return lambda rows: rows[0].__setitem__(column, value)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (_set(4, "maybe"), "rows[0][4]"),  # value
        (_set(8, "not-a-uuid"), "rows[0][8]"),  # rev
        (lambda rows: rows[0].pop(), "rows[0]"),  # a column missing
        (lambda rows: rows[0].append(1), "rows[0]"),  # a column too many
        (_set(7, "2"), "rows[0][7]"),  # revision as text
        (lambda rows: rows.append({"id": "x"}), "rows[3]"),  # an object, not a row
    ],
)
def test_json_that_breaks_the_schema(world: World, change: Callable, where: str):
    bundle = world.rewrite_return(
        world.returned, world.folder / "b.fwb", contents=edit_table("responses.json", change)
    )
    error = refused_at_central(world, bundle, "does not follow the bundle format")
    assert error.place == f"responses.json, {where}"


def test_a_table_with_other_columns(world: World):
    def rename(plain):
        table = json.loads(plain["history.json"])
        table["fields"][0] = "uuid"
        return {**plain, "history.json": json.dumps(table).encode()}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", contents=rename)
    error = refused_at_central(world, bundle, "does not follow the bundle format")
    assert error.place == "history.json, fields"


def test_a_response_to_an_item_the_framework_does_not_have(world: World):
    bundle = world.rewrite_return(
        world.returned,
        world.folder / "b.fwb",
        contents=edit_table("responses.json", _set(2, "9.9.9.9")),
    )
    refused_at_central(world, bundle, "9.9.9.9 is not part of the case-supervision sample")


@pytest.mark.parametrize("name", ["../cases.json", "/etc/passwd", "dir/cases.json", "..", "C:x"])
def test_entry_names_with_paths(world: World, name: str):
    def add(members):
        return [*members, (name, b"x")]

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", members=add)
    refused_at_central(world, bundle, "unsafe entry name")
    assert not (world.folder.parent / "cases.json").exists()


def test_an_entry_not_listed_in_the_manifest(world: World):
    bundle = world.rewrite_return(
        world.returned, world.folder / "b.fwb", members=lambda m: [*m, ("extra.json", b"[]")]
    )
    refused_at_central(world, bundle, "not listed in the manifest: extra.json")


def test_an_entry_missing(world: World):
    bundle = world.rewrite_return(
        world.returned,
        world.folder / "b.fwb",
        members=lambda m: [p for p in m if p[0] != "history.json"],
    )
    refused_at_central(world, bundle, "missing: history.json")


def test_a_zip_bomb_inside_an_entry(world: World):
    """An entry whose content expands far beyond the size the manifest states."""
    bomb = b"[" + b" " * 50_000_000 + b"]"

    def inflate(plain):
        return {**plain, "history.json": bomb}

    def understate(manifest):
        entries = [dict(e) for e in manifest["entries"]]
        for e in entries:
            if e["name"] == "history.json":
                e["content_size"] = 1000
        return {**manifest, "entries": entries}

    bundle = world.rewrite_return(
        world.returned, world.folder / "b.fwb", contents=inflate, manifest=understate
    )
    assert bundle.stat().st_size < 1_000_000
    refused_at_central(world, bundle, "expands beyond its stated size")


def test_a_zip_bomb_in_the_zip_itself(world: World):
    """A zip member, deflated, whose headers understate what it expands to."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{" + b" " * 20_000_000 + b"}")
        archive.writestr("manifest.sig", b"x" * 64)
    data = bytearray(buffer.getvalue())
    # Rewrite the stated uncompressed size of manifest.json (local header and directory) to 100.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("manifest.json")
    struct.pack_into("<I", data, info.header_offset + 22, 100)
    central_dir = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x01\x02"))
    struct.pack_into("<I", data, central_dir + 24, 100)
    bundle = world.folder / "bomb.fwb"
    bundle.write_bytes(bytes(data))
    refused_at_central(world, bundle, "zip bomb|damaged|Bad CRC|manifest")


def test_a_bundle_older_than_one_already_imported(world: World):
    with world.open(world.helen, "Helen") as laptop:
        laptop.answer(laptop.find_case("E000002").id, "2.1.1.1", Answer.NO)
    newer = world.export_return(name="return-2.fwb")
    with world.open_central() as central:
        apply_import(central, plan_import(central, newer, world.central_keys()))
    refused_at_central(
        world, world.returned, "older than bundle 2 from the same laptop already imported"
    )


def test_a_bundle_reusing_an_imported_bundle_id_changes_nothing(world: World):
    """Re-import is recognised by the signed bundle id: a bundle with the id of one already
    imported (re-signed by the same inspector with other bytes) is "already imported"."""
    with world.open_central() as central:
        apply_import(central, plan_import(central, world.returned, world.central_keys()))

    def tweak(plain):
        return {**plain, "keys.json": plain["keys.json"] + b" "}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", contents=tweak)
    before = file_hash(world.central)
    with world.open_central() as central:
        plan = plan_import(central, bundle, world.central_keys())
        assert plan.already_imported
        apply_import(central, plan)
    assert file_hash(world.central) == before


def test_a_copy_with_bytes_appended_does_not_shut_out_the_genuine_bundle(world: World):
    """The red team's attack: a copy with 40 bytes appended went in first, and the genuine
    bundle was then refused. Both are the same signed bundle: the second is a no-op."""
    copy = world.folder / "copy.fwb"
    copy.write_bytes(world.returned.read_bytes() + b"x" * 40)
    with world.open_central() as central:
        apply_import(central, plan_import(central, copy, world.central_keys()))
        plan = plan_import(central, world.returned, world.central_keys())
        assert plan.already_imported


def test_the_wrong_central_passphrase(world: World):
    before = file_hash(world.central)
    with world.open_central() as central, pytest.raises(FieldworkError, match="wrong passphrase"):
        plan_import(central, world.returned, world.central_keys("not the passphrase"))
    assert file_hash(world.central) == before


def test_a_bundle_encrypted_to_another_inspectorate(world: World):
    other = crypto.new_signing_key()  # any key id central does not hold

    def elsewhere(manifest):
        encryption = {
            **manifest["encryption"],
            "recipient_key_id": crypto.fingerprint(other.public_key()),
        }
        return {**manifest, "encryption": encryption}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", manifest=elsewhere)
    refused_at_central(world, bundle, "not one of this inspectorate's keys")


def test_a_wrapped_key_central_cannot_unwrap(world: World):
    stranger = crypto.new_encryption_key()

    def rewrap(manifest):
        wrapped = crypto.b64(crypto.wrap_key(stranger.public_key(), crypto.new_key()))
        return {**manifest, "encryption": {**manifest["encryption"], "wrapped_key": wrapped}}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", manifest=rewrap)
    refused_at_central(world, bundle, "cannot be unwrapped")


def test_an_assignment_bundle_at_the_centre(world: World):
    refused_at_central(world, world.assignment, "assignment bundle")


# -- on the laptop ------------------------------------------------------------------------------
def test_the_wrong_bundle_passphrase_creates_no_workspace(world: World):
    target = world.folder / "new-laptop.fieldwork"
    from fieldwork.bundles.assignment import open_assignment

    with pytest.raises(FieldworkError, match="wrong passphrase"):
        open_assignment(world.assignment, target, passphrase="guess", keyring=world.helen_keys())
    assert not target.exists()


def test_the_wrong_bundle_passphrase_leaves_the_laptop_unchanged(world: World):
    second = world.export_assignment("Helen")
    before = file_hash(world.helen)
    from fieldwork.bundles.assignment import open_assignment

    with pytest.raises(FieldworkError, match="wrong passphrase"):
        open_assignment(second, world.helen, passphrase="guess", keyring=world.helen_keys())
    assert file_hash(world.helen) == before


def test_an_assignment_for_someone_else_leaves_the_laptop_unchanged(world: World):
    before = file_hash(world.helen)
    from fieldwork.bundles.assignment import open_assignment

    with pytest.raises(FieldworkError, match="for Tom"):
        open_assignment(
            world.tom_assignment,
            world.helen,
            passphrase=support.TOM_BUNDLE_PASS,
            keyring=world.helen_keys(),
        )
    assert file_hash(world.helen) == before


def test_an_older_assignment_is_refused_on_the_laptop(world: World):
    newer = world.export_assignment("Helen")
    world.open_assignment(newer)
    with world.open(world.helen) as laptop:
        laptop.db.execute("DELETE FROM bundles WHERE sequence = 1")  # forget it was opened
    before = file_hash(world.helen)
    with pytest.raises(FieldworkError, match="older than assignment 2"):
        world.open_assignment(world.assignment)
    assert file_hash(world.helen) == before


def test_a_flipped_byte_in_an_assignment_leaves_the_laptop_unchanged(world: World):
    second = world.export_assignment("Helen")
    start, size = member_offset(second, "cases.json")
    second.write_bytes(flip(second.read_bytes(), start + size // 3))
    before = file_hash(world.helen)
    with pytest.raises(FieldworkError, match="cases.json: the entry is damaged"):
        world.open_assignment(second)
    assert file_hash(world.helen) == before


def test_an_assignment_signed_by_a_stranger_is_refused_by_a_laptop(world: World):
    """Someone who learnt the passphrase cannot pass off their own bundle as central's."""
    from fieldwork.bundles.keystore import CENTRAL, SIGNING, PublicKeyRecord, record_for

    second = world.export_assignment("Helen")
    sealed = container.read_sealed(second)
    key = container.passphrase_key(sealed, BUNDLE_PASS)
    plain = {n: sealed.open_entry(n, key) for n in sealed.manifest.entry_names()}
    impostor = crypto.new_signing_key()
    fake = record_for(impostor, owner=CENTRAL, purpose=SIGNING, created_at="2020-01-13")
    keys = [PublicKeyRecord(**k) for k in json.loads(plain["keys.json"])] + [fake]
    plain["keys.json"] = json.dumps([k.as_json() for k in keys]).encode()
    fields = {k: v for k, v in sealed.manifest.data.items() if k not in ("entries", "compression")}
    fields["signature"] = {"algorithm": "ed25519", "key_id": fake.id}
    forged = world.folder / "forged.fwb"
    container.write_bundle(forged, fields, plain, key=key, signing_key=impostor)
    before = file_hash(world.helen)
    with pytest.raises(FieldworkError, match="not signed by the inspectorate's registered key"):
        world.open_assignment(forged)
    assert file_hash(world.helen) == before


# -- property: any mutation is refused cleanly or imported identically --------------------------
def _dump(world: World) -> list:
    with world.open_central() as central:
        return [
            table(
                central,
                "SELECT case_id, item_id, value, na_reason, note, revision, rev "
                "FROM responses ORDER BY case_id, item_id",
            ),
            table(central, "SELECT id, attributes, status, done, total FROM cases ORDER BY id"),
            table(
                central,
                "SELECT id, case_id, field, old, new FROM history "
                "WHERE case_id IS NOT NULL ORDER BY id",
            ),
            table(central, "SELECT case_id, item_id FROM conflicts ORDER BY case_id, item_id"),
        ]


_REFERENCE: dict[Path, tuple[list, list]] = {}


def _central_only(template: Path, folder: Path) -> World:
    """What one import needs, copied: central, its keys and Helen's bundle (not the laptops),
    so that 300 examples stay cheap."""
    source = World(template)
    here = World(folder)
    for path in (source.central, source.returned):
        shutil.copy2(path, folder / path.name)
    keys = source.central.with_name(source.central.name + ".keys")
    shutil.copytree(keys, folder / keys.name)
    return here


def _reference_dumps(template: Path, factory: pytest.TempPathFactory) -> tuple[list, list]:
    """Central's tables before and after importing the unmutated bundle (computed once)."""
    if template not in _REFERENCE:
        reference = support.copy_world(template, factory.mktemp("reference"))
        before = _dump(reference)
        with reference.open_central() as central:
            apply_import(
                central, plan_import(central, reference.returned, reference.central_keys())
            )
        _REFERENCE[template] = (before, _dump(reference))
    return _REFERENCE[template]


mutations = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1, exclude_max=True), st.integers(0, 7)),
    st.tuples(st.just("truncate"), st.floats(0, 1, exclude_max=True), st.just(0)),
    st.tuples(st.just("drop"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("append"), st.binary(min_size=1, max_size=64), st.just(0)),
)


@settings(
    max_examples=300,  # issue 13: at least 300 in CI
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutation=mutations)
def test_every_mutation_is_refused_cleanly_or_imported_identically(
    world_template: Path, tmp_path_factory: pytest.TempPathFactory, mutation: tuple
):
    folder = tmp_path_factory.mktemp("mutation")
    here = _central_only(world_template, folder)
    original, expected = _reference_dumps(world_template, tmp_path_factory)

    data = here.returned.read_bytes()
    kind, a, b = mutation
    if kind == "flip":
        offset = int(a * len(data))
        data = data[:offset] + bytes([data[offset] ^ (1 << b)]) + data[offset + 1 :]
    elif kind == "truncate":
        data = data[: int(a * len(data))]
    elif kind == "append":
        data = data + a
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            kept = [(n, archive.read(n)) for i, n in enumerate(names) if i != a % len(names)]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            for name, content in kept:
                out.writestr(name, content)
        data = buffer.getvalue()
    mutated = folder / "mutated.fwb"
    mutated.write_bytes(data)
    before = file_hash(here.central)
    try:
        with here.open_central() as central:
            apply_import(central, plan_import(central, mutated, here.central_keys()))
    except FieldworkError:
        assert file_hash(here.central) == before
        assert _dump(here) == original
    else:
        assert _dump(here) == expected
    shutil.rmtree(folder)


def test_zlib_bombs_are_caught_by_the_stated_size_cap():
    """The cap works on the raw primitive, independent of any bundle."""
    payload = zlib.compress(b"\0" * 10_000_000)
    inflater = zlib.decompressobj()
    assert len(inflater.decompress(payload, 1001)) == 1001


def _copy_last(rows: list, **columns: object) -> None:
    rows.append([*rows[-1]])
    for column, value in columns.items():
        rows[-1][int(column.removeprefix("c"))] = value


OTHER_CASE = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("entry", "change", "problem", "place"),
    [
        (
            "responses.json",
            lambda rows: _copy_last(rows, c0="00000000-0000-4000-8000-000000000001"),
            "is listed twice",
            "responses.json, [3]",
        ),
        (
            "responses.json",
            lambda rows: _copy_last(rows, c2="2.1.1.3"),  # the same response id again
            "is listed twice",
            "responses.json, [3]",
        ),
        (
            "responses.json",
            lambda rows: rows[1].__setitem__(1, OTHER_CASE),
            "which the bundle does not hold",
            "responses.json, [1]",
        ),
        (
            "history.json",
            lambda rows: rows[2].__setitem__(3, OTHER_CASE),
            "which the bundle does not hold",
            "history.json, rows[2]",
        ),
        ("history.json", lambda rows: _copy_last(rows), "listed twice", "history.json, rows["),
    ],
)
def test_records_that_refer_wrongly_are_refused_at_their_place(
    world: World, entry: str, change: Callable[[list], object], problem: str, place: str
):
    """What a schema cannot see (twice-listed records, records of a case the bundle does not
    carry) is refused, naming the record, whether the whole-column check or the loop finds it."""
    bundle = world.rewrite_return(
        world.returned, world.folder / "b.fwb", contents=edit_table(entry, change)
    )
    error = refused_at_central(world, bundle, problem)
    assert error.place is not None and error.place.startswith(place), error.place


def test_a_response_id_central_holds_for_another_item_is_refused(world: World):
    """Caught by the responses table's key at the insert (not looked up record by record),
    named, and nothing of the bundle is kept: alone or in a run of imports."""
    from fieldwork.bundles.batching import import_many

    with world.open(world.tom, "Tom") as laptop:
        laptop.answer(laptop.find_case("E000009").id, "2.1.1.1", Answer.YES)
    tom = world.export_return(world.tom, "return-tom.fwb")
    with world.open_central() as central:
        apply_import(central, plan_import(central, tom, world.central_keys()))
        (taken,) = table(central, "SELECT id FROM responses WHERE item_id = '2.1.1.1'")[0]
    bundle = world.rewrite_return(
        world.returned,
        world.folder / "b.fwb",
        contents=edit_table("responses.json", _set(0, taken)),
    )
    error = refused_at_central(world, bundle, f"response {taken} is already held for another item")
    assert error.place == "responses.json"
    before = file_hash(world.central)
    with world.open_central() as central:
        (result,) = import_many(central, [bundle], world.central_keys())
        assert isinstance(result, FieldworkError) and "already held" in result.message
        assert table(central, "SELECT count(*) FROM bundles WHERE direction = 'imported'") == [(1,)]
    assert file_hash(world.central) == before
