"""Shared pieces of the benchmarks: figures, timing, the standard data set, and the record
of a run (``benchmarks/last.json``) that ``make bench-compare`` compares with an earlier one."""

from __future__ import annotations

import gc
import json
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

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
    #: Timed in pairs (``paired``): the median of the per-pair ratios, which is the figure's
    #: ratio, and their interquartile range, its spread.
    pair_ratio: float | None = None
    spread: tuple[float, float] | None = None

    @property
    def ratio(self) -> float | None:
        if self.pair_ratio is not None:
            return self.pair_ratio
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
            measured += f" (floor {self.floor:,.2f} {self.unit}, ratio {self.ratio:.2f}×"
            measured += f", IQR {iqr_text(self.spread)})" if self.spread else ")"
        verdict = {True: "meets", False: "MISSES", None: ""}[self.met]
        return f"{self.name:<58} {measured:<64} target {self.target:<22} {verdict}"

    def record(self) -> dict[str, Any]:
        """The figure as ``last.json`` keeps it: what was measured, and its verdict."""
        return {**asdict(self), "ratio": self.ratio, "met": self.met}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Figure:
        needed: dict[str, Any] = {key: record[key] for key in ("name", "value", "unit", "target")}
        optional: dict[str, Any] = {
            key: record.get(key) for key in ("floor", "limit", "absolute_limit", "pair_ratio")
        }
        low_high = record.get("spread")  # a list in JSON; absent from runs saved before it
        return cls(**needed, **optional, spread=(low_high[0], low_high[1]) if low_high else None)


def iqr_text(low_high: tuple[float, float]) -> str:
    """A ratio's interquartile range as printed: ``1.42–1.61×``."""
    return f"{low_high[0]:.2f}–{low_high[1]:.2f}×"


# -- the record of a run, and comparing two ---------------------------------------------------
BENCHMARKS = Path(__file__).resolve().parent
LAST = BENCHMARKS / "last.json"  # gitignored, like previous.json
PREVIOUS = BENCHMARKS / "previous.json"


def save_run(figures: Iterable[Figure], modules: list[str], path: Path = LAST) -> None:
    """Write a run's figures to ``path``; the run that was there becomes ``previous.json``."""
    if path == LAST and LAST.is_file():
        LAST.replace(PREVIOUS)
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} ({sys.platform})",
        "python": platform.python_version(),
        "modules": modules,
        "figures": [figure.record() for figure in figures],
    }
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_run(path: Path) -> tuple[dict[str, Any], list[Figure]]:
    """A saved run: its header (when, machine, modules) and its figures."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        figures = [Figure.from_record(f) for f in record["figures"]]
    except FileNotFoundError:
        raise SystemExit(f"{path}: no such run saved (run `make bench` first)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"{path}: not a benchmark run saved by `make bench` ({exc})") from None
    return record, figures


def _measured(figure: Figure) -> tuple[float, str]:
    """What a comparison compares: the ratio to the floor when there is one, else the value;
    and as printed, with the ratio's spread if it has one."""
    ratio = figure.ratio
    now, unit = (ratio, "×") if ratio is not None else (figure.value, f" {figure.unit}")
    spread = f" (IQR {iqr_text(figure.spread)})" if figure.spread else ""
    return now, f"{now:,.2f}{unit}{spread}"


def _shape(name: str) -> str:
    """A figure's name without its numbers ("…, 12.5 MB extra memory"), to match it when a
    name carries a measured detail that changes from run to run."""
    return re.sub(r"\d[\d,.]*", "#", name)


def compare(old: Path, new: Path) -> list[str]:
    """Figure by figure (matched by name, else by its name without numbers), the earlier run
    beside the later one."""
    old_run, old_figures = load_run(old)
    new_run, new_figures = load_run(new)
    before = {f.name: f for f in old_figures}
    shapes = {_shape(f.name): f.name for f in old_figures}
    lines = [
        f"before: {old} ({old_run.get('when', '?')}, {old_run.get('machine', '?')})",
        f"after:  {new} ({new_run.get('when', '?')}, {new_run.get('machine', '?')})",
        "(ratios are compared where a figure has a floor: they travel between machines)",
        "",
    ]
    verdict = {True: "meets", False: "MISSES", None: ""}
    for figure in new_figures:
        earlier = before.pop(figure.name, None) or before.pop(
            shapes.get(_shape(figure.name), ""), None
        )
        now, printed = _measured(figure)
        if earlier is None:
            lines.append(f"{figure.name:<58} {'(new)':>32} -> {printed}")
            continue
        then, printed_then = _measured(earlier)
        change = f"{(now - then) / then:+.0%}" if then else ""
        lines.append(
            f"{figure.name:<58} {printed_then:>32} -> {printed:<32} {change:>6}  "
            f"{verdict[earlier.met]:>6} -> {verdict[figure.met]}"
        )
    lines += [f"{name:<58} (not measured in the later run)" for name in before]
    return lines


# -- Qt's notices -------------------------------------------------------------------------------
#: Qt notices that say nothing about Fieldwork: the offscreen platform cannot pass a window's
#: size hints on, and says so each time a window is shown. Figures are printed without them.
QT_NOTICES = ("This plugin does not support propagateSizeHints()",)

#: The same filter as source, for the benchmark scripts run as separate processes.
QUIET_QT = f"""
from PySide6.QtCore import qInstallMessageHandler as _handler
_NOTICES = {QT_NOTICES!r}
def _quiet(mode, context, message):
    if not message.startswith(_NOTICES):
        print(message, file=__import__("sys").stderr)
_handler(_quiet)
"""


def silence_qt_notices() -> None:
    """Drop ``QT_NOTICES`` from this process's Qt messages; any other message still prints."""
    exec(QUIET_QT, {})  # one definition of the filter, in-process and in the scripts


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# -- ours against a floor, sample by sample -----------------------------------------------------
Clock = Callable[[], float]
T = TypeVar("T")


@dataclass
class Samples:
    """Milliseconds of each call of one callable: wall-clock, and the calling thread's CPU."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def rounds(calls: Sequence[Callable[[], T]], repeat: int) -> list[list[T]]:
    """Each of ``calls`` made once a round, for ``repeat`` rounds: what each call returned.

    A burst of load on a shared machine then falls on every call of the round alike, where
    making all of one and then all of the other lets it fall on one side only. Odd rounds
    make the calls in reverse order (A B, B A, A B, ...), so that no call is always the one
    that runs first, or after another call's work."""
    results: list[list[T]] = [[] for _ in calls]
    for round_ in range(repeat):
        order = list(zip(calls, results, strict=True))
        for call, returned in reversed(order) if round_ % 2 else order:
            returned.append(call())
    return results


def alternate(
    calls: Sequence[Callable[[], object]],
    repeat: int,
    clock: Clock = time.perf_counter,
    cpu_clock: Clock = time.thread_time,
    collect: Callable[[], object] = gc.collect,
) -> list[Samples]:
    """Each of ``calls`` timed once a round, in turn (``rounds``): the samples of each call.

    Python's garbage is collected (``collect``) before each sample, outside its timing:
    otherwise the garbage one call leaves is collected on the clock of the next, the other
    side's (seen: the interview figures' pairs ranged 0.4× to 18× by which side paid).
    Each call still pays for the collections its own allocations set off. The clocks are
    parameters so that tests can drive them."""

    def timing(call: Callable[[], object]) -> Callable[[], tuple[float, float]]:
        def timed_call() -> tuple[float, float]:
            collect()
            wall, cpu = clock(), cpu_clock()
            call()
            cpu_ms = (cpu_clock() - cpu) * 1000
            return (clock() - wall) * 1000, cpu_ms

        return timed_call

    return [
        Samples([wall for wall, _ in taken], [cpu for _, cpu in taken])
        for taken in rounds([timing(call) for call in calls], repeat)
    ]


@dataclass(frozen=True)
class Paired:
    """Ours against its floor, timed in pairs: the medians of each, and of each pair's ratio,
    whose interquartile range is the figure's spread."""

    ours: list[float]
    floor: list[float]

    @property
    def ours_median(self) -> float:
        return statistics.median(self.ours)

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor)

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.ours, self.floor, strict=True) if b > 0]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def spread(self) -> tuple[float, float]:
        """The per-pair ratios' interquartile range (the one ratio twice, from one pair)."""
        ratios = self.ratios
        if len(ratios) < 2:
            return (ratios[0], ratios[0])
        low, _, high = statistics.quantiles(ratios, n=4, method="inclusive")
        return (low, high)

    def figure(
        self,
        name: str,
        unit: str,
        target: str,
        *,
        limit: float | None = None,
        absolute_limit: float | None = None,
        scale: float = 1.0,
    ) -> Figure:
        """The figure these pairs measure; ``scale`` turns milliseconds into ``unit``
        (1/1000 for seconds). The ratio and its spread do not depend on it."""
        return Figure(
            name,
            self.ours_median * scale,
            unit,
            target,
            floor=self.floor_median * scale,
            limit=limit,
            absolute_limit=absolute_limit,
            pair_ratio=self.ratio,
            spread=self.spread,
        )


def paired(
    ours: Callable[[], object],
    floor: Callable[[], object],
    repeat: int,
    clock: Clock = time.perf_counter,
    collect: Callable[[], object] = gc.collect,
) -> Paired:
    """``ours`` and its ``floor`` timed in turn, ``repeat`` pairs (``alternate``)."""
    mine, bare = alternate([ours, floor], repeat, clock=clock, collect=collect)
    return Paired(mine.wall, bare.wall)


def paired_measured(ours: Callable[[], float], floor: Callable[[], float], repeat: int) -> Paired:
    """As ``paired``, for calls that measure themselves and return their milliseconds (a
    process timed from its start to the line that says it is ready, not to its exit)."""
    mine, bare = rounds([ours, floor], repeat)
    return Paired(mine, bare)


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
