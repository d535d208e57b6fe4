"""Shared pieces of the benchmarks: figures, timing and the standard data set."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from fieldwork.demo import DemoSizes, make_demo

#: The standard data set of targets.md: 200 case-supervision cases, 120 court reports,
#: 30 victim cases, fully answered.
STANDARD = DemoSizes(case_supervision=200, court_reports=120, victim=30)


@dataclass(frozen=True)
class Figure:
    """One measured figure, with its target as targets.md states it."""

    name: str
    value: float
    unit: str
    target: str
    floor: float | None = None  # the floor measured in the same run, if the target is a ratio
    limit: float | None = None  # the number the value (or ratio) must not exceed
    absolute_limit: float | None = None  # a bound on the value itself, beside a ratio limit

    @property
    def ratio(self) -> float | None:
        return self.value / self.floor if self.floor else None

    @property
    def met(self) -> bool | None:
        if self.limit is None:
            return None
        measured = self.ratio if self.floor else self.value
        within = measured is not None and measured <= self.limit
        return within and (self.absolute_limit is None or self.value <= self.absolute_limit)

    def line(self) -> str:
        measured = f"{self.value:,.2f} {self.unit}"
        if self.floor:
            measured += f" (floor {self.floor:,.2f} {self.unit}, ratio {self.ratio:.2f}×)"
        verdict = {True: "meets", False: "MISSES", None: ""}[self.met]
        return f"{self.name:<58} {measured:<48} target {self.target:<22} {verdict}"


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class BenchData:
    """Data sets made on first use in a scratch folder and shared by all benchmarks."""

    def __init__(self, folder: Path):
        self.folder = folder

    @cached_property
    def standard_workspace(self) -> Path:
        """The 200/120/30 fully answered inspection."""
        path = self.folder / "standard.fieldwork"
        make_demo(path, seed=1, sizes=STANDARD, complete=1.0).close()
        return path

    @cached_property
    def national_workspace(self) -> Path:
        """A 10,000-case workspace (fully answered), for the case list and memory figures."""
        path = self.folder / "national.fieldwork"
        make_demo(path, seed=2, sizes=DemoSizes(7000, 2400, 600), complete=1.0).close()
        return path
