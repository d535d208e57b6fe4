"""Passphrase strength and generation, for workspace, key and assignment passphrases.

Strength is estimated by zxcvbn (Dropbox's estimator: dictionaries, common passwords,
names, keyboard patterns, dates, l33t substitutions), not by counting character classes,
which passes "Password1!" and fails a long sentence. A passphrase is acceptable at
``MIN_SCORE`` (4: an estimated 10^10 guesses or more). Anything the user's own details
suggest (their name, the inspection's name) can be passed as ``user_inputs`` and counts
as guessable.

``generate`` picks words from the EFF large wordlist (7,776 words, published by the
Electronic Frontier Foundation for passphrases; resources/wordlists/) with ``secrets``:
six words carry about 77 bits.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from fieldwork.paths import resources_dir

#: zxcvbn's score from 0 (too guessable) to 4 (very unguessable); 4 is needed.
MIN_SCORE: int = 4
#: zxcvbn is quadratic in the length; past this only the first characters are estimated
#: (a longer passphrase is never weaker than its beginning).
ESTIMATE_CHARS = 100
WORDLIST_SIZE = 7776


@dataclass(frozen=True)
class Strength:
    acceptable: bool
    score: int  # 0..4
    hint: str


def assess(passphrase: str, *, user_inputs: Sequence[str] = ()) -> Strength:
    """How guessable ``passphrase`` is; ``hint`` says what to do when it is not acceptable."""
    from zxcvbn import zxcvbn  # loads its dictionaries (about 0.2 s) when first needed

    if not passphrase:
        return Strength(False, 0, "Enter a passphrase: several words are easier than symbols.")
    inputs = [word for text in user_inputs for word in text.split() if word]
    result = zxcvbn(passphrase[:ESTIMATE_CHARS], user_inputs=inputs)
    score = int(result["score"])
    acceptable = score >= MIN_SCORE
    if acceptable:
        return Strength(True, score, "Strong enough.")
    feedback = result.get("feedback") or {}
    parts = [str(feedback.get("warning") or "").strip()]
    parts += [str(s).strip() for s in feedback.get("suggestions") or []]
    advice = " ".join(p if p.endswith(".") else p + "." for p in parts if p)
    hint = (
        f"Too easy to guess (strength {score} of 4, {MIN_SCORE} needed). "
        + (advice + " " if advice else "")
        + "Four or more uncommon words, or a generated passphrase, are strong enough."
    )
    return Strength(False, score, hint)


def generate(words: int = 6) -> str:
    """``words`` words from the EFF large wordlist, chosen with ``secrets``, joined by spaces."""
    if words < 1:
        raise ValueError("a passphrase needs at least one word")
    choices = wordlist()
    return " ".join(secrets.choice(choices) for _ in range(words))


@cache
def wordlist() -> tuple[str, ...]:
    """The EFF large wordlist, one word a line."""
    path = resources_dir() / "wordlists" / "eff_large_wordlist.txt"
    words = tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    words = tuple(w for w in words if w)
    if len(words) != WORDLIST_SIZE or len(set(words)) != WORDLIST_SIZE:
        raise RuntimeError(f"{path} should hold {WORDLIST_SIZE} distinct words")
    return words
