"""Stand-in for ``fieldwork.passphrases`` until engineer enc's module is on main (same
interface: Strength, assess, generate, MIN_SCORE). Deleted at the merge."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

MIN_SCORE: int = 4
_WORDS = ("harbour", "lantern", "meadow", "copper", "thistle", "orbit", "velvet", "quarry")


@dataclass(frozen=True)
class Strength:
    acceptable: bool
    score: int
    hint: str


def assess(passphrase: str, *, user_inputs: Sequence[str] = ()) -> Strength:
    if not passphrase:
        return Strength(False, 0, "Enter a passphrase: several words are easier than symbols.")
    score = min(4, len(passphrase) // 5)
    if any(word and word.lower() in passphrase.lower() for word in user_inputs):
        score = min(score, 1)
    if score >= MIN_SCORE:
        return Strength(True, score, "Strong enough.")
    return Strength(False, score, f"Too easy to guess (strength {score} of 4, 4 needed).")


def generate(words: int = 6) -> str:
    return " ".join(secrets.choice(_WORDS) for _ in range(words))
