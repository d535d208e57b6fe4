"""Sample size for a confidence level and margin of error, and the margin a sample achieves.

Annexe 2 of the report sets the size of the case-supervision and court-report samples
"to achieve a confidence level of 80 per cent (with a margin of error of 5)":

    n0 = z² p (1 − p) / e²          with p = 0.5 (the most cautious proportion)
    n  = n0 / (1 + (n0 − 1) / N)     the finite population correction, rounded up

z is the two-sided normal quantile for the confidence level, taken from
``statistics.NormalDist`` and rounded to four decimals as statistical tables and the
inspectorate's methodology print it (80% → 1.2816). The arithmetic is then done in
exact fractions, so a size that is a whole number is never pushed up by a rounding
error. Worked values: N = 1,000 → 142 and N = 3,000 → 156 at 80% and ±5 (the
unrounded z, 1.28155…, gives the same sizes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist

from fieldwork.errors import InvalidChange

P = Fraction(1, 2)
DEFAULT_CONFIDENCE = 80.0
DEFAULT_MARGIN = 5.0


def z_value(confidence: float) -> Fraction:
    """The two-sided normal quantile for a confidence level in per cent, to four decimals."""
    if not 0 < confidence < 100:
        raise InvalidChange(
            f"the confidence level must be between 0 and 100 per cent, not {confidence}"
        )
    z = NormalDist().inv_cdf(1 - (1 - confidence / 100) / 2)
    return Fraction(Decimal(str(round(z, 4))))


def _margin(margin: float) -> Fraction:
    if not 0 < margin < 100:
        raise InvalidChange(f"the margin of error must be between 0 and 100 points, not {margin}")
    return Fraction(Decimal(str(margin))) / 100


@dataclass(frozen=True)
class SampleSize:
    """A sample size and how it was worked out."""

    population: int
    confidence: float
    margin: float
    z: float
    n0: float  # the size for an unlimited population
    n: int  # after the finite population correction, rounded up

    def working(self) -> str:
        return (
            f"n0 = z² p(1 − p) / e² = {self.z:.4f}² × 0.25 / {self.margin / 100:g}² = "
            f"{self.n0:.2f}; n = n0 / (1 + (n0 − 1) / N) = {self.n0:.2f} / (1 + "
            f"{self.n0 - 1:.2f} / {self.population:,}) = {self.exact():.2f}, rounded up to {self.n}"
        )

    def exact(self) -> float:
        return self.n0 / (1 + (self.n0 - 1) / self.population) if self.population else 0.0


def sample_size(
    population: int, confidence: float = DEFAULT_CONFIDENCE, margin: float = DEFAULT_MARGIN
) -> SampleSize:
    """The sample size for a population of ``population`` cases (margin in points, e.g. 5)."""
    if population < 0:
        raise InvalidChange(f"the population cannot be negative ({population})")
    z = z_value(confidence)
    e = _margin(margin)
    n0 = z * z * P * (1 - P) / (e * e)
    n = math.ceil(n0 / (1 + (n0 - 1) / population)) if population else 0
    return SampleSize(population, confidence, margin, float(z), float(n0), min(n, population))


def margin_achieved(sample: int, population: int, confidence: float = DEFAULT_CONFIDENCE) -> float:
    """The margin of error, in points, of a proportion from ``sample`` of ``population`` cases.

    e = z √(p(1 − p) / n × (N − n) / (N − 1)) with p = 0.5: the inverse of the size formula,
    so a sample of the size ``sample_size`` gives has at most the margin asked for.
    None of the population sampled is no information (infinite margin); all of it is exact.
    """
    if sample <= 0:
        return math.inf
    if sample >= population:
        return 0.0
    z = float(z_value(confidence))
    fpc = (population - sample) / (population - 1)
    return 100 * z * math.sqrt(0.25 / sample * fpc)
