"""The bundle commands, run as a user would, end to end, with real key costs."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldwork.answers import Answer
from fieldwork.cli import main
from fieldwork.service import Service
from tests.conftest import CASE_SUPERVISION
from tests.test_bundles_support import file_hash


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    files = {}
    for name, text in (
        ("central", "central passphrase"),
        ("helen", "helen's passphrase"),
        ("bundle", "bundle passphrase 1"),
    ):
        files[name] = tmp_path / f"{name}.txt"
        files[name].write_text(text + "\n")
    monkeypatch.delenv("FIELDWORK_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("FIELDWORK_BUNDLE_PASSPHRASE", raising=False)
    return files


def test_central_to_laptop_and_back_through_the_command_line(tmp_path, capsys, secrets):
    central = tmp_path / "central.fieldwork"
    laptop = tmp_path / "laptop" / "helen.fieldwork"
    laptop.parent.mkdir()
    share = tmp_path / "share"
    share.mkdir()
    key_c = ("--key-passphrase-file", secrets["central"])
    key_h = ("--key-passphrase-file", secrets["helen"])
    bundle_p = ("--bundle-passphrase-file", secrets["bundle"])

    assert (
        run(
            capsys,
            "setup",
            "create",
            central,
            "--name",
            "North West",
            "--start",
            "2020-01-13",
            "--end",
            "2020-01-24",
        )[0]
        == 0
    )
    assert run(capsys, "setup", "inspector", central, "Helen")[0] == 0
    with Service.open(central) as service:
        service.add_case("case-supervision", "E000001", CASE_SUPERVISION)
    assert run(capsys, "allocate", central, "--case", "E000001", "--to", "Helen")[0] == 0
    code, out, _ = run(capsys, "keys", "init", central, *key_c)
    assert code == 0 and "encryption key" in out
    assignment = tmp_path / "helen.fwb"
    code, out, _ = run(
        capsys, "export", central, "--inspector", "Helen", "-o", assignment, *key_c, *bundle_p
    )
    assert code == 0 and "carries Helen's new signing key" in out

    # Without a workspace that knows the inspectorate's key the signer is not established:
    # the fingerprint is shown and verify does not pass.
    code, out, err = run(capsys, "verify", assignment, *bundle_p)
    assert code == 2 and "matches the key the bundle carries" in out and "1 cases" in out
    assert "not verified" in err
    code, out, _ = run(capsys, "verify", assignment, "--workspace", central, *key_c, *bundle_p)
    assert code == 0 and "a key this workspace trusts" in out and "1 cases" in out

    code, out, _ = run(capsys, "import", laptop, assignment, *key_h, *bundle_p)
    assert code == 0 and "Created" in out and "inspectorate's key is" in out
    # The laptop's workspace is encrypted with Helen's key passphrase.
    helen_pass = secrets["helen"].read_text().strip()
    with Service.open(laptop, user="Helen", passphrase=helen_pass) as service:
        case = service.find_case("E000001")
        service.answer(case.id, "2.1.1.1", Answer.NO)

    code, out, err = run(capsys, "sync", laptop, "--folder", share, *key_h, *bundle_p)
    assert code == 0, err
    assert "wrote return bundle 1" in out
    [returned] = share.glob("return-*.fwb")

    before = file_hash(central)
    code, out, _ = run(capsys, "import", central, returned, "--preview", *key_c)
    assert code == 0 and "1 new" in out and "Preview only" in out
    assert file_hash(central) == before

    code, out, err = run(capsys, "sync", central, "--folder", share, *key_c)
    assert code == 0, err
    assert "imported return-helen-0001.fwb" in out
    assert "[1/1] done" in err
    with Service.open(central) as service:
        assert service.case(service.find_case("E000001").id).item("2.1.1.1").state == "no"
    log = (tmp_path / "central.fieldwork.sync.log").read_text()
    assert "imported return-helen-0001.fwb" in log

    code, out, _ = run(capsys, "sync", central, *key_c)
    assert "no new return bundles" in out
    code, out, _ = run(capsys, "keys", "list", central)
    assert out.count("active") == 3
    code, out, _ = run(capsys, "conflicts", central)
    assert out.strip() == "No conflicts."


def test_a_bad_bundle_is_an_error_on_the_command_line(tmp_path, capsys, secrets):
    central = tmp_path / "central.fieldwork"
    assert run(capsys, "setup", "create", central, "--name", "North West")[0] == 0
    bad = tmp_path / "bad.fwb"
    bad.write_bytes(b"PK\x03\x04 not really")
    before = file_hash(central)
    code, _, err = run(capsys, "import", central, bad, "--key-passphrase-file", secrets["central"])
    assert code == 1
    assert err.startswith("fieldwork: error: ") and str(bad) in err and "not a zip" in err
    assert file_hash(central) == before
    code, _, err = run(capsys, "verify", bad)
    assert code == 1 and "not a zip" in err


def test_a_passphrase_is_never_taken_from_a_missing_file(tmp_path, capsys, secrets):
    central = tmp_path / "central.fieldwork"
    run(capsys, "setup", "create", central, "--name", "North West")
    code, _, err = run(
        capsys, "keys", "init", central, "--key-passphrase-file", tmp_path / "nowhere.txt"
    )
    assert code == 1 and "cannot read the passphrase file" in err
    assert not (tmp_path / "central.fieldwork.keys").exists() or not list(
        (tmp_path / "central.fieldwork.keys").iterdir()
    )
