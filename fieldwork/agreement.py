"""Agreement between two people judging the same cases: the figures of double marking.

For one prompt or key question marked twice, blind, the two markings form a q × q
table (rows: first marker, columns: second). From it:

- percentage agreement, with a Wilson score interval;
- Cohen's κ (Cohen 1960), chance agreement from each marker's own margins;
- Gwet's AC1 (Gwet 2008), chance agreement from the pooled category shares, which
  stays meaningful when nearly every case falls in one category and κ collapses
  (Feinstein & Cicchetti's "high agreement but low kappa" paradox).

The standard errors of κ and AC1 are the two-rater variances of Gwet (2008,
*British Journal of Mathematical and Statistical Psychology* 61, 29-48), as
implemented in the irrCAC package's ``kappa2.table`` and ``gwet.ac1.table``; their
confidence intervals use Student's t with n − 1 degrees of freedom, as irrCAC does,
so that figures here can be checked against that reference.

Pure functions over counts: no database, no Qt.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist


class AgreementError(ValueError):
    """A table that no agreement figure can be computed from."""


@dataclass(frozen=True)
class Estimate:
    """A coefficient with its standard error and confidence interval."""

    value: float
    standard_error: float
    low: float
    high: float

    @property
    def interval(self) -> tuple[float, float]:
        return (self.low, self.high)


@dataclass(frozen=True)
class Agreement:
    """The agreement figures of one item marked twice."""

    categories: tuple[str, ...]
    table: tuple[tuple[int, ...], ...]
    cases: int
    agreed: int
    percentage: Estimate
    kappa: Estimate | None  # None where κ is undefined (chance agreement of 1)
    ac1: Estimate | None  # None where fewer than two categories are possible

    @property
    def disagreed(self) -> int:
        return self.cases - self.agreed


def contingency(
    pairs: Iterable[tuple[Hashable, Hashable]], categories: Sequence[str]
) -> list[list[int]]:
    """Count (first, second) pairs into a table over ``categories`` (rows: first)."""
    index = {category: i for i, category in enumerate(categories)}
    size = len(categories)
    table = [[0] * size for _ in range(size)]
    for first, second in pairs:
        if first not in index or second not in index:
            unknown = first if first not in index else second
            raise AgreementError(f"{unknown!r} is not one of the categories {list(categories)}")
        table[index[first]][index[second]] += 1
    return table


def agreement(
    table: Sequence[Sequence[int]],
    categories: Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
) -> Agreement:
    """Percentage agreement, Cohen's κ and Gwet's AC1 of a square table of counts."""
    q = len(table)
    if q < 2 or any(len(row) != q for row in table):
        raise AgreementError("an agreement table must be square, with at least two categories")
    if any(count < 0 for row in table for count in row):
        raise AgreementError("an agreement table cannot hold negative counts")
    if not 0 < confidence < 1:
        raise AgreementError(f"confidence must be between 0 and 1, not {confidence}")
    names = tuple(categories) if categories is not None else tuple(str(i) for i in range(q))
    if len(names) != q:
        raise AgreementError(f"{len(names)} category names for a {q} × {q} table")
    n = sum(sum(row) for row in table)
    if n == 0:
        raise AgreementError("no case was marked twice")

    agreed = sum(table[k][k] for k in range(q))
    p = [[count / n for count in row] for row in table]
    pa = agreed / n
    rows = [sum(p[k]) for k in range(q)]
    cols = [sum(p[k][col] for k in range(q)) for col in range(q)]
    t = _t_quantile(1 - (1 - confidence) / 2, n - 1) if n > 1 else math.inf

    return Agreement(
        categories=names,
        table=tuple(tuple(row) for row in table),
        cases=n,
        agreed=agreed,
        percentage=_wilson(agreed, n, confidence),
        kappa=_kappa(p, pa, rows, cols, n, t),
        ac1=_ac1(p, pa, rows, cols, n, t),
    )


def _kappa(
    p: list[list[float]], pa: float, rows: list[float], cols: list[float], n: int, t: float
) -> Estimate | None:
    q = len(p)
    pe = sum(rows[k] * cols[k] for k in range(q))
    if math.isclose(pe, 1.0):
        return None
    kappa = (pa - pe) / (1 - pe)
    total = sum(
        p[k][m] * ((k == m) - (1 - kappa) * (cols[k] + rows[m])) ** 2
        for k in range(q)
        for m in range(q)
    )
    variance = (total - (pa - 2 * (1 - kappa) * pe) ** 2) / (n * (1 - pe) ** 2)
    return _estimate(kappa, variance, t)


def _ac1(
    p: list[list[float]], pa: float, rows: list[float], cols: list[float], n: int, t: float
) -> Estimate | None:
    q = len(p)
    shares = [(rows[k] + cols[k]) / 2 for k in range(q)]
    pe = sum(share * (1 - share) for share in shares) / (q - 1)
    ac1 = (pa - pe) / (1 - pe)
    total = sum(
        p[k][m] * ((k == m) - 2 * (1 - ac1) * (1 - (shares[k] + shares[m]) / 2) / (q - 1)) ** 2
        for k in range(q)
        for m in range(q)
    )
    variance = (total - (pa - 2 * (1 - ac1) * pe) ** 2) / (n * (1 - pe) ** 2)
    return _estimate(ac1, variance, t)


def _estimate(value: float, variance: float, t: float) -> Estimate:
    # Rounding can leave a perfect table's variance a hair below zero.
    error = math.sqrt(max(variance, 0.0))
    if math.isinf(t):
        return Estimate(value, error, -math.inf, math.inf)
    return Estimate(value, error, value - t * error, min(1.0, value + t * error))


def _wilson(successes: int, n: int, confidence: float) -> Estimate:
    """The share with Wilson's score interval, which stays inside 0-1 at 100 %."""
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    share = successes / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Estimate(share, math.sqrt(share * (1 - share) / n), centre - half, centre + half)


# -- Student's t, for the intervals --------------------------------------------------------
def _t_quantile(probability: float, freedom: int) -> float:
    """The ``probability`` quantile of Student's t with ``freedom`` degrees (bisection)."""
    low, high = 0.0, 1.0
    while _t_cdf(high, freedom) < probability:
        high *= 2
    for _ in range(100):
        middle = (low + high) / 2
        if _t_cdf(middle, freedom) < probability:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _t_cdf(x: float, freedom: int) -> float:
    tail = 0.5 * _incomplete_beta(freedom / 2, 0.5, freedom / (freedom + x * x))
    return 1 - tail if x >= 0 else tail


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) by Lentz's continued fraction."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x > (a + 1) / (a + b + 2):
        return 1 - _incomplete_beta(b, a, 1 - x)
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return front * result / a
