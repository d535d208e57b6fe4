"""Passphrase strength and generation, applied to workspace, key and assignment passphrases,
and the ``encrypt`` and ``passphrase`` commands."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fieldwork import passphrases
from fieldwork.bundles import crypto
from fieldwork.bundles.assignment import export_assignment
from fieldwork.bundles.keystore import KeyProblem, record_for, write_key_file
from fieldwork.cli import main
from fieldwork.errors import InvalidChange
from fieldwork.service import Service
from fieldwork.store import PASSPHRASE_ENV, is_encrypted, list_backups
from tests import test_bundles_support as support
from tests.test_bundles_support import KDF_N, World

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)

STRONG = "lantern orbit mossy tundra"


@pytest.mark.parametrize(
    "weak", ["", "a", "12345678", "password1", "Password123!", "qwertyuiop", "helen2020"]
)
def test_weak_passphrases_are_refused_with_a_hint(weak: str) -> None:
    strength = passphrases.assess(weak)
    assert not strength.acceptable and strength.score < passphrases.MIN_SCORE
    assert strength.hint  # says what to do


def test_strong_passphrases_pass() -> None:
    for phrase in (STRONG, passphrases.generate(), "the blue heron nests by Kendal mill"):
        strength = passphrases.assess(phrase)
        assert strength.acceptable and strength.score == 4, phrase


def test_the_users_own_details_count_as_guessable() -> None:
    for phrase in ("Adeyemi Northwest", "helenadeyemi2020"):
        assert passphrases.assess(phrase).acceptable  # a stranger's name is not known...
        mine = passphrases.assess(phrase, user_inputs=["Helen Adeyemi", "Northwest"])
        assert not mine.acceptable  # ...but one's own is


def test_generate_takes_words_from_the_eff_list_with_secrets(monkeypatch) -> None:
    words = passphrases.wordlist()
    assert len(words) == 7776 and words[0] == "abacus" and words[-1] == "zoom"
    phrase = passphrases.generate()
    assert len(phrase.split()) == 6 and set(phrase.split()) <= set(words)
    assert passphrases.generate(8) != passphrases.generate(8)
    chosen: list[int] = []

    def choice(seq):  # the generator must draw from ``secrets``, not ``random``
        chosen.append(len(seq))
        return seq[0]

    monkeypatch.setattr(passphrases.secrets, "choice", choice)
    assert passphrases.generate(4) == "abacus abacus abacus abacus"
    assert chosen == [7776] * 4
    with pytest.raises(ValueError):
        passphrases.generate(0)


def test_a_weak_key_passphrase_is_refused(tmp_path: Path) -> None:
    private = crypto.new_signing_key()
    record = record_for(private, owner="central", purpose="signing", created_at="2020-01-13")
    with pytest.raises(KeyProblem, match="key passphrase is refused: Too easy to guess"):
        write_key_file(tmp_path / "keys", private, record, "x", kdf_n=KDF_N)
    assert not (tmp_path / "keys").exists() or not any((tmp_path / "keys").iterdir())


def test_a_weak_assignment_passphrase_is_refused(world: World) -> None:
    target = world.folder / "weak.fwb"
    with world.open_central() as service:
        for weak in ("12345678", "Helen2020"):
            with pytest.raises(InvalidChange, match="bundle passphrase is refused"):
                export_assignment(
                    service,
                    "Helen",
                    target,
                    passphrase=weak,
                    keyring=world.central_keys(),
                    kdf_n=KDF_N,
                )
    assert not target.exists()


def test_a_laptop_made_from_an_assignment_is_encrypted(world: World) -> None:
    assert is_encrypted(world.helen) and is_encrypted(world.tom)
    assert not is_encrypted(world.central)


# -- the command line -----------------------------------------------------------------------------
def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_passphrase_command(capsys) -> None:
    code, out, _ = run(capsys, "passphrase")
    assert code == 0 and len(out.split()) == 6
    assert set(out.split()) <= set(passphrases.wordlist())
    code, out, _ = run(capsys, "passphrase", "--words", "9")
    assert code == 0 and len(out.split()) == 9
    code, _, err = run(capsys, "passphrase", "--words", "2")
    assert code == 1 and "between 4 and 20" in err


def test_encrypt_command_and_opening_with_the_environment(tmp_path, capsys, monkeypatch) -> None:
    path = tmp_path / "inspection.fieldwork"
    with Service.create(path, user="Helen") as service:
        service.create_inspection("North West")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setenv(PASSPHRASE_ENV, "password1")
    code, _, err = run(capsys, "encrypt", path)
    assert code == 1 and "passphrase refused: Too easy to guess" in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    monkeypatch.setenv(PASSPHRASE_ENV, STRONG)
    code, out, _ = run(capsys, "encrypt", path)
    assert code == 0 and "Encrypted" in out
    assert is_encrypted(path) and all(is_encrypted(b) for b in list_backups(path))
    code, out, _ = run(capsys, "info", path)
    assert code == 0 and "Inspection: North West" in out
    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.delenv("FIELDWORK_KEY_PASSPHRASE", raising=False)
    code, _, err = run(capsys, "info", path)  # no terminal here, and no passphrase given
    assert code == 1 and str(path) in err and PASSPHRASE_ENV in err
    monkeypatch.setenv(PASSPHRASE_ENV, STRONG + "!")
    code, _, err = run(capsys, "info", path)
    assert code == 1 and "passphrase is wrong" in err and str(path) in err
