"""Encryption commands: ``encrypt`` (a plain workspace, in place) and ``passphrase`` (generate
one), and how the command line asks for a workspace's passphrase.

A workspace passphrase is never given on the command line (it would land in the shell's
history): it is read from ``FIELDWORK_PASSPHRASE`` (for scripts) or asked at the terminal.
On an inspector's laptop the workspace is encrypted with the inspector's key passphrase,
so ``FIELDWORK_KEY_PASSPHRASE`` is tried after it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fieldwork.errors import InvalidChange
from fieldwork.store import PASSPHRASE_ENV, encrypt_workspace, set_passphrase_prompt

KEY_ENV = "FIELDWORK_KEY_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    encrypt = subparsers.add_parser(
        "encrypt",
        help="encrypt a plain workspace in place",
        description="Encrypt a plain workspace and its backups with a passphrase. The encrypted "
        "copy is read back and compared before it replaces the plain file; a backup is kept. "
        f"The new passphrase is read from {PASSPHRASE_ENV} or asked for twice.",
    )
    encrypt.add_argument("workspace", type=Path, help="the workspace file")
    encrypt.set_defaults(run=run_encrypt)

    phrase = subparsers.add_parser(
        "passphrase",
        help="generate a strong passphrase",
        description="Print a passphrase of words chosen at random from the EFF large wordlist.",
    )
    phrase.add_argument(
        "--words", type=int, default=6, metavar="N", help="number of words (default 6)"
    )
    phrase.set_defaults(run=run_passphrase)


@contextmanager
def asking_passphrases() -> Iterator[None]:
    """While a command runs, an encrypted workspace it opens asks for its passphrase."""
    set_passphrase_prompt(ask_workspace_passphrase)
    try:
        yield
    finally:
        set_passphrase_prompt(None)


def ask_workspace_passphrase(path: Path) -> str:
    for name in (PASSPHRASE_ENV, KEY_ENV):
        if os.environ.get(name):
            return os.environ[name]
    if not sys.stdin.isatty():
        raise InvalidChange(
            f"this workspace is encrypted: set {PASSPHRASE_ENV} or run the command at a terminal",
            file=str(path),
        )
    return getpass.getpass(f"Passphrase of {path.name}: ")


def new_passphrase(user_inputs: list[str]) -> str:
    """A new passphrase from the environment or the terminal (twice), refused if weak."""
    from fieldwork import passphrases  # its word list and estimator load on first use

    if os.environ.get(PASSPHRASE_ENV):
        chosen = os.environ[PASSPHRASE_ENV]
    elif sys.stdin.isatty():
        print(f"Choose a passphrase (or use this generated one: {passphrases.generate()})")
        chosen = getpass.getpass("New passphrase: ")
        if getpass.getpass("Again: ") != chosen:
            raise InvalidChange("the two passphrases differ; nothing was changed")
    else:
        raise InvalidChange(f"a new passphrase is needed: set {PASSPHRASE_ENV}")
    strength = passphrases.assess(chosen, user_inputs=user_inputs)
    if not strength.acceptable:
        raise InvalidChange(f"passphrase refused: {strength.hint}")
    return chosen


def run_encrypt(args: argparse.Namespace) -> int:
    path: Path = args.workspace
    chosen = new_passphrase([path.stem, args.user or ""])
    encrypt_workspace(path, chosen)
    print(f"Encrypted {path}. Its passphrase is needed to open it from now on; keep it safe.")
    return 0


def run_passphrase(args: argparse.Namespace) -> int:
    if not 4 <= args.words <= 20:
        raise InvalidChange("--words must be between 4 and 20")
    from fieldwork import passphrases

    print(passphrases.generate(args.words))
    return 0
