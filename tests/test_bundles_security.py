"""The red team's findings (issue 13), each with a test that fails without its fix.

Signer first and cheap first, scrypt costs, series that survive a new laptop,
re-import by the signed bundle id, ownership at import, provenance of imported
history, ``verify`` that does not pass what it could not check, central key
rotation, and bombs measured under a memory limit (``resource.RLIMIT_AS``).
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import textwrap
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fieldwork.allocation import move_case
from fieldwork.answers import Answer
from fieldwork.bundles import container, crypto, schemas, sync
from fieldwork.bundles.assignment import open_assignment, read_assignment
from fieldwork.bundles.conflicts import conflicts
from fieldwork.bundles.importer import apply_import, import_many, plan_import
from fieldwork.bundles.keystore import (
    CENTRAL,
    SIGNING,
    KeyProblem,
    Keyring,
    active_key,
    read_key_file,
    record_for,
    write_key_file,
)
from fieldwork.bundles.schemas import BundleError
from fieldwork.keys import revoke_inspector_keys, rotate_central_keys
from fieldwork.service import Service
from tests import test_bundles_support as support
from tests.conftest import FakeClock
from tests.test_bundles_support import BUNDLE_PASS, HELEN_PASS, KDF_N, World, file_hash

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)


def members_of(bundle: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(bundle) as archive:
        return [(i.filename, archive.read(i)) for i in archive.infolist()]


def resign(
    bundle: Path,
    target: Path,
    signer: Any,
    manifest: Callable[[dict[str, Any]], dict[str, Any]] = lambda m: m,
    stored: dict[str, bytes] | None = None,
) -> Path:
    """The same entries (or ``stored`` ones) under a changed manifest signed by ``signer``."""
    parts = dict(members_of(bundle))
    data = json.loads(parts[container.MANIFEST])
    if stored:
        entries = []
        for entry in data["entries"]:
            if entry["name"] in stored:
                parts[entry["name"]] = stored[entry["name"]]
                entry = {
                    **entry,
                    "size": len(stored[entry["name"]]),
                    "sha256": hashlib.sha256(stored[entry["name"]]).hexdigest(),
                }
            entries.append(entry)
        data["entries"] = entries
    raw = container.manifest_bytes(manifest(data))
    members = [(container.MANIFEST, raw), (container.SIGNATURE, crypto.sign(signer, raw))]
    members += [(n, c) for n, c in parts.items() if n not in (container.MANIFEST, "manifest.sig")]
    container.write_members(target, members)
    return target


def stranger_signs(bundle: Path, target: Path, **kw: Any) -> Path:
    """Re-signed by a key nobody registered, which the manifest carries (as an attacker
    holding only public keys would do)."""
    stranger = crypto.new_signing_key()
    record = record_for(stranger, owner=CENTRAL, purpose=SIGNING, created_at="2026-01-01")
    change = kw.pop("manifest", lambda m: m)

    def sign_as(m: dict[str, Any]) -> dict[str, Any]:
        owner = CENTRAL if m["kind"] == "assignment" else m["inspector_id"]
        carried = {**record.as_json(), "owner": owner}
        m = {**m, "signature": {"algorithm": "ed25519", "key_id": record.id}}
        return change({**m, "signer_keys": [carried]})

    return resign(bundle, target, stranger, manifest=sign_as, **kw)


def helens_signing_key(world: World) -> Any:
    with world.open(world.helen) as laptop:
        inspector = laptop.db.execute("SELECT value FROM meta WHERE key='inspector_id'")
        record = active_key(laptop, inspector.fetchone()[0], SIGNING)
    return world.helen_keys().signing_key(record)


def forbid(monkeypatch: pytest.MonkeyPatch, *targets: tuple[Any, str]) -> None:
    """Make each (owner, name) fail the test if it is called: it must not run yet."""
    for owner, name in targets:

        def too_early(*args: Any, _name: str = name, **kw: Any) -> Any:
            raise AssertionError(f"{_name} ran before the signer was known")

        monkeypatch.setattr(owner, name, too_early)


# -- 1. a replacement laptop ---------------------------------------------------------------------
def test_a_replacement_laptop_starts_a_new_series_that_central_expects(world: World):
    """Revoke, new assignment, new laptop numbering from 1: its bundles go in, at import and
    at sync, and sync reports (and fails on) a bundle from the lost laptop's revoked key."""
    with world.open(world.helen) as laptop:
        laptop.answer(laptop.find_case("E000002").id, "2.1.1.1", Answer.NO)
    second = world.export_return(name="return-helen-2.fwb")
    lost = world.export_return(name="lost-laptop-3.fwb")  # never reached central in time
    with world.open_central() as central:
        import_many(central, [world.returned, second], world.central_keys())
        revoke_inspector_keys(central, central.find_case("E000001").inspector_id)
    assignment = world.export_assignment("Helen", "assignment-helen-new-laptop.fwb")
    new_laptop = world.folder / "helen-new.fieldwork"
    new_keys = Keyring.beside(new_laptop, HELEN_PASS, kdf_n=KDF_N)
    opened = open_assignment(
        assignment, new_laptop, passphrase=BUNDLE_PASS, keyring=new_keys, clock=FakeClock()
    )
    assert opened.created
    from fieldwork.bundles.returns import export_return

    with Service.open(
        new_laptop, user="Helen", clock=FakeClock(), backup=False, passphrase=HELEN_PASS
    ) as laptop:
        laptop.answer(laptop.find_case("E000003").id, "2.1.1.1", Answer.YES)
        first = export_return(laptop, world.folder / "new-1.fwb", keyring=new_keys)
    assert first.sequence == 1
    with world.open_central() as central:
        result = apply_import(central, plan_import(central, first.path, world.central_keys()))
        assert not result.already_imported and result.sequence == 1
        assert central.case(central.find_case("E000003").id).item("2.1.1.1").state == "yes"

    share = world.folder / "share"
    share.mkdir()
    with Service.open(
        new_laptop, user="Helen", clock=FakeClock(), backup=False, passphrase=HELEN_PASS
    ) as laptop:
        laptop.answer(laptop.find_case("E000003").id, "2.1.1.2", Answer.NO)
        export_return(laptop, share / "new-2.fwb", keyring=new_keys)
    lost.rename(share / lost.name)
    with world.open_central() as central:
        report = sync.sync(central, world.central_keys(), folder=share)
        assert [(r.sequence, r.path.name) for r in report.imported] == [(2, "new-2.fwb")]
        assert [p.name for p, _ in report.failed] == ["lost-laptop-3.fwb"]
        assert "retired" in report.failed[0][1]
        assert central.case(central.find_case("E000003").id).item("2.1.1.2").state == "no"


def test_sync_exits_non_zero_when_a_bundle_was_refused(world: World, capsys):
    from fieldwork.cli import main

    share = world.folder / "share"
    share.mkdir()
    (share / "damaged.fwb").write_bytes(b"PK\x03\x04 not a bundle")
    secret = world.folder / "central-pass.txt"
    secret.write_text(support.CENTRAL_PASS)
    code = main(
        ["sync", str(world.central), "--folder", str(share), "--key-passphrase-file", str(secret)]
    )
    out = capsys.readouterr().out
    assert code == 1 and "refused damaged.fwb" in out


# -- 2. signer first, cheap first --------------------------------------------------------------
def test_a_return_from_an_unregistered_signer_is_refused_before_anything_is_decrypted(
    world: World, monkeypatch: pytest.MonkeyPatch
):
    forged = stranger_signs(world.returned, world.folder / "forged.fwb")
    forbid(monkeypatch, (crypto, "unwrap_key"), (container.SealedBundle, "stored"))
    forbid(monkeypatch, (schemas, "validate"))
    before = file_hash(world.central)
    with world.open_central() as central, pytest.raises(BundleError, match="registered key"):
        plan_import(central, forged, world.central_keys())
    assert file_hash(world.central) == before


def test_an_assignment_from_a_stranger_is_refused_before_scrypt_runs(
    world: World, monkeypatch: pytest.MonkeyPatch
):
    forged = stranger_signs(world.assignment, world.folder / "forged.fwb")
    forbid(monkeypatch, (crypto, "derive_key"))
    before = file_hash(world.helen)
    with pytest.raises(BundleError, match="not signed by the inspectorate's registered key"):
        open_assignment(forged, world.helen, passphrase=BUNDLE_PASS, keyring=world.helen_keys())
    assert file_hash(world.helen) == before


def test_schema_checking_stops_after_the_first_few_errors(monkeypatch: pytest.MonkeyPatch):
    import jsonschema

    seen: list[int] = []
    real = jsonschema.exceptions.best_match

    def counting(errors: Any, *args: Any, **kw: Any) -> Any:
        errors = list(errors)
        seen.append(len(errors))
        return real(iter(errors), *args, **kw)

    monkeypatch.setattr(jsonschema.exceptions, "best_match", counting)
    hostile = [{"not": "a case"}] * 100_000
    with pytest.raises(BundleError, match="does not follow the bundle format"):
        schemas.validate("bundle-cases", hostile, file="hostile.fwb", entry="cases.json")
    assert seen == [schemas.MAX_ERRORS]


def test_a_file_bigger_than_any_bundle_is_refused_unread(tmp_path: Path):
    huge = tmp_path / "huge.fwb"
    with huge.open("wb") as fh:
        fh.truncate(container.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(BundleError, match="more than any bundle holds"):
        container.read_sealed(huge)


def test_two_members_with_the_same_name_are_refused(world: World):
    members = members_of(world.returned)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate it is told to write
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in [*members, members[-1]]:
                archive.writestr(name, content)
    twice = world.folder / "twice.fwb"
    twice.write_bytes(buffer.getvalue())
    with pytest.raises(BundleError, match="two entries with the same name"):
        container.read_sealed(twice)


# -- 3. scrypt costs ---------------------------------------------------------------------------
def test_scrypt_runs_only_at_the_costs_fieldwork_writes(monkeypatch: pytest.MonkeyPatch):
    from cryptography.hazmat.primitives.kdf import scrypt

    def never(*args: Any, **kw: Any) -> Any:
        raise AssertionError("scrypt was run")

    monkeypatch.setattr(scrypt, "Scrypt", never)
    monkeypatch.setattr(crypto, "Scrypt", never)
    for n, r, p in ((2**20, 32, 4), (2**17, 9, 1), (2**14, 8, 2), (3 * 2**14, 8, 1), (2**13, 8, 1)):
        with pytest.raises(ValueError, match="was not run"):
            crypto.derive_key("passphrase", b"s" * 16, n, r, p)


def test_a_first_assignment_asking_for_a_huge_scrypt_cost_is_refused_before_scrypt(
    world: World, monkeypatch: pytest.MonkeyPatch
):
    """The red team's forged assignment (N=2^20, r=32, p=4) on a laptop with no workspace yet:
    self-signed by the key it carries, so only the cost check stands between it and scrypt."""

    def costly(m: dict[str, Any]) -> dict[str, Any]:
        return {**m, "encryption": {**m["encryption"], "n": 2**20, "r": 32, "p": 4}}

    forged = stranger_signs(world.assignment, world.folder / "forged.fwb", manifest=costly)
    called: list[int] = []
    real = crypto.derive_key
    monkeypatch.setattr(crypto, "derive_key", lambda *a, **k: called.append(1) or real(*a, **k))
    with pytest.raises(BundleError) as caught:
        read_assignment(forged, BUNDLE_PASS)
    assert called == [] and "encryption" in caught.value.message
    # The code's own check stands behind the schema's.
    sealed = container.read_sealed(world.assignment)
    block = dict(sealed.manifest.encryption, n=2**20, r=32, p=4)
    hostile = container.SealedBundle(
        sealed.path,
        container.Manifest({**sealed.manifest.data, "encryption": block}, sealed.manifest.raw),
        sealed.signature,
        sealed.members,
    )
    with pytest.raises(BundleError, match="was not run"):
        container.passphrase_key(hostile, BUNDLE_PASS)
    assert called == []


def test_a_key_file_asking_for_a_huge_scrypt_cost_is_refused(tmp_path: Path):
    private = crypto.new_signing_key()
    record = record_for(private, owner=CENTRAL, purpose=SIGNING, created_at="t")
    path = write_key_file(tmp_path, private, record, HELEN_PASS, kdf_n=KDF_N)
    document = json.loads(path.read_text())
    document["kdf"].update(n=2**20, r=32, p=4)
    path.write_text(json.dumps(document))
    with pytest.raises((KeyProblem, BundleError)):
        read_key_file(path, HELEN_PASS)


# -- 4. ownership at import ---------------------------------------------------------------------
def test_answers_to_a_case_moved_away_are_kept_as_conflicts_never_applied(world: World):
    with world.open_central() as central:
        apply_import(central, plan_import(central, world.returned, world.central_keys()))
        case = central.find_case("E000001")
        move_case(central, case.id, "Tom", "Helen is on leave")
        before = central.case(case.id).item("2.1.1.1").state
    with world.open(world.helen) as laptop:  # Helen has not had her next assignment yet
        laptop.answer(
            laptop.find_case("E000001").id, "2.1.1.1", Answer.YES if before != "yes" else Answer.NO
        )
        laptop.answer(laptop.find_case("E000001").id, "2.1.3.1", Answer.NO)
        laptop.answer(laptop.find_case("E000002").id, "2.1.1.2", Answer.NO)
    bundle = world.export_return(name="return-helen-2.fwb")
    with world.open_central() as central:
        plan = plan_import(central, bundle, world.central_keys())
        apply_import(central, plan)
        moved = central.case(case.id)
        assert moved.item("2.1.1.1").state == before
        assert moved.item("2.1.3.1").state == "unanswered"
        kept = {(c.case_reference, c.item_id) for c in conflicts(central)}
        assert {("E000001", "2.1.1.1"), ("E000001", "2.1.3.1")} <= kept
        # Her work on the case she still holds goes in.
        assert central.case(central.find_case("E000002").id).item("2.1.1.2").state == "no"
        assert any("now held by Tom" in change.detail for change in plan.changes)
    # The same bundle again, or the next one holding the same answers, adds nothing new.
    again = world.export_return(name="return-helen-3.fwb")
    with world.open_central() as central:
        assert plan_import(central, again, world.central_keys()).counts["conflicts"] == 0
    # The next assignment withdraws the case from her laptop.
    opened = world.open_assignment(world.export_assignment("Helen"))
    assert case.id in opened.released_cases
    with world.open(world.helen) as laptop:
        assert laptop.find_case("E000001").inspector_id is None


# -- 7. audit, verify, central key rotation ------------------------------------------------------
def test_imported_history_records_its_bundle_and_arrival_and_keeps_claims_as_claims(
    world: World,
):
    def backdate(plain: dict[str, bytes]) -> dict[str, bytes]:
        table = json.loads(plain["history.json"])
        fields = table["fields"]
        row = next(r for r in table["rows"] if r[fields.index("who")] == "Helen")
        row[fields.index("at")], row[fields.index("who")] = "2019-01-01T00:00:00Z", "lead"
        return {**plain, "history.json": json.dumps(table).encode()}

    bundle = world.rewrite_return(world.returned, world.folder / "b.fwb", contents=backdate)
    with world.open_central() as central:
        result = apply_import(central, plan_import(central, bundle, world.central_keys()))
        rows = central.db.execute(
            "SELECT at, who, bundle_id, received_at FROM history WHERE bundle_id IS NOT NULL"
        ).fetchall()
        own = central.db.execute(
            "SELECT COUNT(*) FROM history WHERE bundle_id IS NULL AND field = 'return imported'"
        ).fetchone()[0]
    assert rows and {r[2] for r in rows} == {result.bundle_id}
    assert ("2019-01-01T00:00:00Z", "lead") in {(r[0], r[1]) for r in rows}  # as claimed
    assert all(r[3] and r[3] > "2020" for r in rows)  # when central received them
    assert own == 1


def test_verify_fails_when_it_cannot_check_the_signature(world: World, capsys):
    from fieldwork.cli import main

    code = main(["verify", str(world.returned)])
    captured = capsys.readouterr()
    assert code == 2 and "signature was not checked" in captured.out
    forged = stranger_signs(world.returned, world.folder / "forged.fwb")
    secret = world.folder / "central-pass.txt"
    secret.write_text(support.CENTRAL_PASS)
    code = main(
        [
            "verify",
            str(forged),
            "--workspace",
            str(world.central),
            "--key-passphrase-file",
            str(secret),
        ]
    )
    assert code == 1 and "registered key" in capsys.readouterr().err
    code = main(
        [
            "verify",
            str(world.returned),
            "--workspace",
            str(world.central),
            "--key-passphrase-file",
            str(secret),
        ]
    )
    assert code == 0


def test_a_rotated_central_key_is_shown_by_fingerprint_and_the_old_one_no_longer_signs(
    world: World,
):
    old_assignment = world.export_assignment("Helen", "signed-by-the-old-key.fwb")
    with world.open_central() as central:
        rotate_central_keys(central, world.central_keys())
        new_signing = active_key(central, CENTRAL, SIGNING)
    assert new_signing is not None
    opened = world.open_assignment(world.export_assignment("Helen"))
    assert opened.central_key_changed and opened.central_key == new_signing.short
    with pytest.raises(BundleError, match="retired"):
        world.open_assignment(old_assignment)


# -- 8. bombs under a memory limit ------------------------------------------------------------
LIMITED = """
import resource, sys
sys.path.insert(0, {root!r})
def limit(megabytes):
    size = next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1]
    cap = int(size) * 1024 + (megabytes << 20)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
"""


def run_limited(script: str) -> subprocess.CompletedProcess[str]:
    root = str(Path(__file__).resolve().parents[1])
    code = LIMITED.format(root=root) + textwrap.dedent(script)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_a_zlib_bomb_in_an_entry_stops_at_its_stated_size_under_a_memory_limit(world: World):
    """1 GiB of zeros, compressed to about 1 MB, where the manifest states 1,000 bytes: under
    a limit of 200 MB more than the process holds, only the cap keeps the import alive."""
    sealed, key = world.unwrap(world.returned)
    packer = zlib.compressobj(9)
    chunks = [packer.compress(bytes(1 << 20)) for _ in range(1024)]
    bomb = b"".join(chunks) + packer.flush()
    aad = f"{sealed.manifest.bundle_id}/history.json".encode()
    stored = {"history.json": crypto.seal(key, bomb, aad)}

    def understate(m: dict[str, Any]) -> dict[str, Any]:
        entries = [
            {**e, "content_size": 1000} if e["name"] == "history.json" else e for e in m["entries"]
        ]
        return {**m, "entries": entries}

    bundle = resign(
        world.returned, world.folder / "bomb.fwb", helens_signing_key(world), understate, stored
    )
    result = run_limited(
        f"""
        from tests.test_bundles_support import World
        from fieldwork.bundles.importer import plan_import
        from fieldwork.bundles.keystore import CENTRAL, ENCRYPTION, active_key
        from fieldwork.errors import FieldworkError
        from pathlib import Path
        world = World(Path({str(world.folder)!r}))
        keys = world.central_keys()
        with world.open_central() as central:
            keys.decryption_key(active_key(central, CENTRAL, ENCRYPTION))
            limit(200)
            try:
                plan_import(central, Path({str(bundle)!r}), keys)
            except FieldworkError as exc:
                print(exc.message)
        """
    )
    assert "expands beyond its stated size" in result.stdout, result.stderr[-2000:]


def test_a_two_gigabyte_file_is_refused_within_a_small_memory_limit(tmp_path: Path):
    """The red team's 2 GB sparse file cost 2.15 GB of memory: now it costs a stat."""
    huge = tmp_path / "huge.fwb"
    with huge.open("wb") as fh:
        fh.truncate(2 << 30)
    result = run_limited(
        f"""
        from fieldwork.bundles import container
        from fieldwork.errors import FieldworkError
        limit(100)
        try:
            container.read_sealed({str(huge)!r})
        except FieldworkError as exc:
            print(exc.message)
        """
    )
    assert "more than any bundle holds" in result.stdout, result.stderr[-2000:]


def test_the_command_line_imports_like_sync_a_bad_bundle_does_not_stop_the_good(
    world: World, capsys
):
    """`fieldwork import` and sync share one path (import_many): a refused bundle is reported,
    the others still go in, and the command exits non-zero."""
    from fieldwork.cli import main

    bad = world.folder / "aaa-damaged.fwb"  # sorts (and is read) first
    bad.write_bytes(b"PK\x03\x04 not a bundle")
    secret = world.folder / "central-pass.txt"
    secret.write_text(support.CENTRAL_PASS)
    argv = ["import", str(world.central), str(bad), str(world.returned)]
    code = main([*argv, "--key-passphrase-file", str(secret)])
    captured = capsys.readouterr()
    assert code == 1 and "aaa-damaged.fwb" in captured.err
    assert f"Imported {world.returned.name}" in captured.out
    with world.open_central() as central:
        case = central.find_case("E000001")
        assert central.case(case.id).item("2.1.1.1").state == "yes"
