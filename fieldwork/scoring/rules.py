"""The scoring rules of Annexe 2, as plain functions of counts.

Every rule here is quoted, with the sentence of the report it comes from, in
``docs/scoring.md``. The numbers of the rules (bands, points, overall bands, the
discretion window, the significance level) are data of the framework file's
``scoring`` section, applied by ``ScoringRules``. Nothing here touches the store:
the functions take counts and return figures, so each rule can be tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from types import MappingProxyType

from fieldwork.framework import ScoringSpec


class Rating(StrEnum):
    """A standard's rating, and the whole inspection's, in the report's words."""

    INADEQUATE = "Inadequate"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    GOOD = "Good"
    OUTSTANDING = "Outstanding"

    @classmethod
    def parse(cls, text: str) -> Rating:
        """A rating from its name, case and spacing ignored; 'RI' for Requires improvement."""
        wanted = " ".join(text.split()).casefold()
        if wanted == "ri":
            return cls.REQUIRES_IMPROVEMENT
        for rating in cls:
            if rating.value.casefold() == wanted:
                return rating
        raise ValueError(f"{text!r} is not a rating; use one of: {', '.join(r.value for r in cls)}")


_ORDER = (Rating.INADEQUATE, Rating.REQUIRES_IMPROVEMENT, Rating.GOOD, Rating.OUTSTANDING)


@dataclass(frozen=True)
class Band:
    """A band of a key question's rounded percentage: its label, lowest percentage, the
    standard rating it gives, and the band above it (None for the top band)."""

    label: str
    lowest: int
    rating: Rating
    next: Band | None = None

    @property
    def range_text(self) -> str:
        """The band's percentages as Annexe 2 writes them: <50%, 50–64%, 65–79%, 80%+."""
        following = self.next
        if self.lowest == 0:
            return f"<{following.lowest}%" if following else "0–100%"
        if following is None:
            return f"{self.lowest}%+"
        return f"{self.lowest}–{following.lowest - 1}%"


@dataclass(frozen=True)
class ScoringRules:
    """The scoring rules of one framework (its file's ``scoring`` section), applied.

    The bands, the points per rating, the overall bands, the panel's discretion window and
    the significance level are data of the framework, never constants of the code.
    """

    bands: tuple[Band, ...]
    points: Mapping[Rating, int]
    overall_bands: tuple[tuple[int, int, Rating], ...]
    discretion_window: int
    significance_level: float

    @classmethod
    def of(cls, spec: ScoringSpec) -> ScoringRules:
        return _rules_of(spec)

    @property
    def top_points(self) -> int:
        return max(self.points.values())

    @property
    def maximum(self) -> int:
        """The highest possible overall total."""
        return self.overall_bands[-1][1]

    def band_of(self, rounded: int) -> Band:
        """The band of a rounded percentage (bands are taken on the rounded figure)."""
        found = self.bands[0]
        for band in self.bands:
            if rounded >= band.lowest:
                found = band
        return found

    def rating_of_lowest(self, percentages: Sequence[int | None]) -> Rating | None:
        """A standard's provisional rating: the band of its lowest key question.

        Key questions with no applicable case (None) have no figure and are left out; a
        standard none of whose key questions has a case has no rating.
        """
        figures = [p for p in percentages if p is not None]
        return self.band_of(min(figures)).rating if figures else None

    def overall_rating(self, total: int) -> Rating:
        """The overall rating of a total of the standards' points."""
        for low, high, rating in self.overall_bands:
            if low <= total <= high:
                return rating
        raise ValueError(f"{total} is not a total of 0 to {self.maximum}")

    def significant(self, p_value: float) -> bool:
        return p_value < self.significance_level


@cache
def _rules_of(spec: ScoringSpec) -> ScoringRules:
    bands: list[Band] = []
    following: Band | None = None
    for band in reversed(spec.key_question_bands):
        following = Band(band.label, band.lowest, Rating(band.rating), following)
        bands.insert(0, following)
    return ScoringRules(
        tuple(bands),
        MappingProxyType({Rating(r): p for r, p in spec.points}),
        tuple((b.lowest, b.highest, Rating(b.rating)) for b in spec.overall_bands),
        spec.discretion_window,
        spec.significance_level,
    )


def default_rules() -> ScoringRules:
    """The rules of the bundled framework (the report's Annexe 2)."""
    from fieldwork.framework import DEFAULT_FRAMEWORK, framework_by_id

    return ScoringRules.of(framework_by_id(DEFAULT_FRAMEWORK).scoring)


def percentage(yes: int, applicable: int) -> int | None:
    """``yes`` of ``applicable`` as a whole percentage, rounded half up; None for no cases.

    Decimal arithmetic, so 99 of 200 (49.5%) is 50 and 129 of 200 (64.5%) is 65: Python's
    ``round`` would round both halves to even, and binary floats misplace some halves.
    """
    if applicable <= 0:
        return None
    if not 0 <= yes <= applicable:
        raise ValueError(f"{yes} of {applicable} is not a proportion")
    exact = Decimal(100 * yes) / Decimal(applicable)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class KeyQuestionCount:
    """What the panel rules need of a key question: its id and its counts."""

    item_id: str
    yes: int
    applicable: int

    @property
    def percentage(self) -> int | None:
        return percentage(self.yes, self.applicable)


@dataclass(frozen=True)
class PanelFlag:
    """One reason a standard goes to the ratings panel, in words a reader can check."""

    rule: str  # "margin", "one case" or "no cases"
    item_id: str
    text: str


def panel_flags(counts: Sequence[KeyQuestionCount], rules: ScoringRules) -> list[PanelFlag]:
    """Why a standard should go to the ratings panel (design section 6, rule 4); [] if not.

    - margin: its lowest key question is within the discretion window (5 percentage points in
      the report) below the boundary of the next band up (e.g. 60–64% for the 65% boundary);
    - one case: a different judgement in one case, satisfactory to not or not to
      satisfactory, on any one key question would change the standard's rating (each is
      recomputed, rounding and all);
    - no cases: a key question has no applicable case, so the rating rests on the others.
    """
    flags: list[PanelFlag] = []
    rated = [c for c in counts if c.applicable > 0]
    for count in counts:
        if count.applicable == 0:
            flags.append(
                PanelFlag(
                    "no cases",
                    count.item_id,
                    f"{count.item_id} has no applicable cases, so the rating rests on the "
                    "other key questions",
                )
            )
    if not rated:
        return flags
    current = rules.rating_of_lowest([c.percentage for c in counts])
    lowest = min(rated, key=lambda c: (c.percentage, c.item_id))
    lowest_pct = lowest.percentage
    assert lowest_pct is not None
    following = rules.band_of(lowest_pct).next
    window = rules.discretion_window
    if following is not None and following.lowest - window <= lowest_pct:
        flags.append(
            PanelFlag(
                "margin",
                lowest.item_id,
                f"the lowest key question, {lowest.item_id} at {lowest_pct}%, is within "
                f"{window} percentage points of the {following.lowest}% boundary "
                f"of {following.rating.value}",
            )
        )
    for n, count in enumerate(counts):
        for change in (-1, +1):
            yes = count.yes + change
            if count.applicable == 0 or not 0 <= yes <= count.applicable:
                continue
            changed = [c.percentage for c in counts]
            changed[n] = percentage(yes, count.applicable)
            other = rules.rating_of_lowest(changed)
            if other != current:
                judged = "not satisfactory" if change < 0 else "satisfactory"
                flags.append(
                    PanelFlag(
                        "one case",
                        count.item_id,
                        f"one more case judged {judged} on {count.item_id} ({yes} of "
                        f"{count.applicable}, {changed[n]}%) would make the rating "
                        f"{other.value if other else 'none'}",
                    )
                )
    return flags


@dataclass(frozen=True)
class Significance:
    """A two-proportion z-test of a change between inspections."""

    z: float
    p_value: float
    significant: bool


def two_proportion_z(
    previous: float, previous_n: int, current: float, current_n: int, *, level: float
) -> Significance:
    """Pooled two-proportion z-test, two-sided, significant when p < ``level`` (0.1 in the
    report).

    ``previous`` and ``current`` are proportions (0–1) of samples of ``previous_n`` and
    ``current_n`` cases. With the pooled proportion p = (p1 n1 + p2 n2) / (n1 + n2),
    z = (p2 − p1) / sqrt(p (1 − p) (1/n1 + 1/n2)) and the p-value is erfc(|z| / √2).
    """
    if previous_n <= 0 or current_n <= 0:
        raise ValueError("both samples need at least one case")
    pooled = (previous * previous_n + current * current_n) / (previous_n + current_n)
    variance = pooled * (1 - pooled) * (1 / previous_n + 1 / current_n)
    if variance <= 0:
        # Every case in both samples gave the same answer: there is no change to test.
        return Significance(0.0, 1.0, False)
    z = (current - previous) / math.sqrt(variance)
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return Significance(z, p_value, p_value < level)
