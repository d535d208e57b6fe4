"""The benchmark harness records a run and compares two, and keeps Qt's notices out of the
figures. (No figure is timed here: benchmarks are not tests.)"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.harness import (
    QUIET_QT,
    Figure,
    Paired,
    alternate,
    compare,
    load_run,
    paired,
    paired_measured,
    rounds,
    save_run,
)


def figures(answer: float, sheets: float) -> list[Figure]:
    return [
        Figure("one answer", answer, "ms", "≤ 3 × floor", floor=0.4, limit=3.0),
        Figure("case sheets", sheets, "s", "≤ 5 s", limit=5),
    ]


def test_a_run_is_saved_with_every_figure_and_its_verdict(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    save_run(figures(1.6, 4.0), ["foundation", "sheets"], path)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["modules"] == ["foundation", "sheets"]
    answer, sheets = record["figures"]
    assert answer["name"] == "one answer" and answer["floor"] == 0.4
    assert answer["ratio"] == pytest.approx(4.0) and answer["met"] is False
    assert sheets["met"] is True and sheets["ratio"] is None
    _, loaded = load_run(path)
    assert loaded == figures(1.6, 4.0)


def test_two_runs_are_compared_figure_by_figure(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    save_run(figures(1.6, 6.0), ["foundation"], old)
    save_run([*figures(1.0, 4.5), Figure("start-up", 500, "ms", "≤ 1 s", limit=1000)], [], new)
    lines = compare(old, new)
    answer = next(line for line in lines if line.startswith("one answer"))
    assert "4.00×" in answer and "2.50×" in answer and "-38%" in answer  # ratios compared
    assert "MISSES -> meets" in answer
    sheets = next(line for line in lines if line.startswith("case sheets"))
    assert "6.00 s" in sheets and "4.50 s" in sheets and "MISSES -> meets" in sheets
    assert any(line.startswith("start-up") and "(new)" in line for line in lines)


def test_a_missing_or_foreign_file_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="nothing.json: no such run saved"):
        load_run(tmp_path / "nothing.json")
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"figures": [{"value": 1}]}', encoding="utf-8")
    with pytest.raises(SystemExit, match="foreign.json: not a benchmark run"):
        load_run(foreign)


def test_the_benchmark_processes_drop_the_size_hints_notice_and_nothing_else() -> None:
    script = QUIET_QT + (
        "from PySide6.QtCore import qWarning\n"
        "qWarning('This plugin does not support propagateSizeHints()')\n"
        "qWarning('something else went wrong')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "propagateSizeHints" not in result.stderr
    assert "something else went wrong" in result.stderr


def test_a_figure_whose_name_carries_a_measured_detail_is_still_matched(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    save_run(
        [Figure("refuse a hostile bundle, 12.5 MB extra", 400, "ms", "≤ 1 s", limit=1000)], [], old
    )
    save_run(
        [Figure("refuse a hostile bundle, 9.0 MB extra", 300, "ms", "≤ 1 s", limit=1000)], [], new
    )
    lines = compare(old, new)
    [line] = [line for line in lines if line.startswith("refuse")]
    assert "400.00 ms ->" in line and "300.00 ms" in line and "-25%" in line
    assert not any("not measured in the later run" in line for line in lines)


class FakeClock:
    """A clock that moves only when a fake call says it took so long: timings without time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def taking(self, log: list[str], name: str, milliseconds: list[float]) -> Callable[[], None]:
        """A call that logs its name and advances the clock by its next duration."""
        durations = iter(milliseconds)

        def call() -> None:
            log.append(name)
            self.now += next(durations) / 1000

        return call


def test_rounds_alternate_the_calls_and_reverse_every_other_round() -> None:
    log: list[str] = []

    def call(name: str) -> Callable[[], str]:
        return lambda: log.append(name) or f"{name}{len(log)}"

    ours, floor = rounds([call("ours"), call("floor")], 4)
    assert log == ["ours", "floor", "floor", "ours", "ours", "floor", "floor", "ours"]
    assert ours == ["ours1", "ours4", "ours5", "ours8"]  # what each call returned, in order
    assert floor == ["floor2", "floor3", "floor6", "floor7"]


def test_paired_takes_the_medians_of_each_and_of_the_ratio_of_each_pair() -> None:
    clock, log = FakeClock(), []
    # A burst of load in the third pair slows both sides alike: the per-pair ratio ignores it.
    ours = clock.taking(log, "ours", [2.0, 3.0, 30.0, 4.0, 2.0])
    floor = clock.taking(log, "floor", [1.0, 1.0, 10.0, 2.0, 1.0])
    measured = paired(ours, floor, 5, clock=clock, collect=lambda: log.append("collect"))
    assert log.count("ours") == log.count("floor") == 5
    # the garbage is collected before each sample, so that neither side collects the other's
    assert log[:8] == ["collect", "ours", "collect", "floor", "collect", "floor", "collect", "ours"]
    assert measured.ours == pytest.approx([2.0, 3.0, 30.0, 4.0, 2.0])
    assert measured.floor == pytest.approx([1.0, 1.0, 10.0, 2.0, 1.0])
    assert measured.ours_median == pytest.approx(3.0)
    assert measured.floor_median == pytest.approx(1.0)
    assert measured.ratios == pytest.approx([2.0, 3.0, 3.0, 2.0, 2.0])
    assert measured.ratio == pytest.approx(2.0)  # not 3.0 / 1.0, the ratio of the medians
    assert measured.spread == pytest.approx((2.0, 3.0))


def test_a_paired_figure_is_judged_and_printed_by_its_per_pair_ratio() -> None:
    measured = Paired([2.0, 3.0, 30.0, 4.0, 2.0], [1.0, 1.0, 10.0, 2.0, 1.0])
    figure = measured.figure("sheets", "s", "≤ 2.5 × floor", limit=2.5, scale=1 / 1000)
    assert figure.value == pytest.approx(0.003) and figure.floor == pytest.approx(0.001)
    assert figure.ratio == 2.0 and figure.met is True  # 3.0 / 1.0 would miss
    assert "ratio 2.00×, IQR 2.00–3.00×" in figure.line()
    assert "meets" in figure.line()


def test_alternate_times_wall_clock_and_cpu_of_each_call() -> None:
    clock, cpu, log = FakeClock(), FakeClock(), []
    wall_a = clock.taking(log, "a", [5.0, 6.0])
    wall_b = clock.taking(log, "b", [1.0, 1.5])

    def busy(wall: Callable[[], None], cpu_ms: float) -> Callable[[], None]:
        def call() -> None:
            wall()
            cpu.now += cpu_ms / 1000

        return call

    a, b = alternate([busy(wall_a, 4.0), busy(wall_b, 0.5)], 2, clock=clock, cpu_clock=cpu)
    assert log == ["a", "b", "b", "a"]
    assert a.wall == pytest.approx([5.0, 6.0]) and b.wall == pytest.approx([1.0, 1.5])
    assert a.cpu == pytest.approx([4.0, 4.0]) and b.cpu == pytest.approx([0.5, 0.5])


def test_calls_that_measure_themselves_are_paired_by_what_they_return() -> None:
    ours, floor = iter([300.0, 320.0, 900.0]), iter([100.0, 100.0, 300.0])
    measured = paired_measured(lambda: next(ours), lambda: next(floor), 3)
    assert measured.ours_median == 320.0 and measured.floor_median == 100.0
    assert measured.ratio == 3.0 and measured.spread == pytest.approx((3.0, 3.1))


def test_a_paired_figure_keeps_its_ratio_and_spread_in_the_saved_run(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    save_run(figures(1.6, 6.0), ["foundation"], old)  # saved before figures had a spread
    record = json.loads(old.read_text(encoding="utf-8"))
    for figure in record["figures"]:
        del figure["pair_ratio"], figure["spread"]
    old.write_text(json.dumps(record), encoding="utf-8")
    answer = Paired([1.0, 1.2, 1.1], [0.5, 0.4, 0.5]).figure(
        "one answer", "ms", "≤ 3 × floor", limit=3.0
    )
    save_run([answer], ["foundation"], new)
    saved = json.loads(new.read_text(encoding="utf-8"))["figures"][0]
    assert saved["ratio"] == pytest.approx(2.2)
    assert saved["spread"] == pytest.approx([2.1, 2.6])
    _, [loaded] = load_run(new)
    assert loaded == answer
    [line] = [line for line in compare(old, new) if line.startswith("one answer")]
    assert "4.00×" in line and "2.20× (IQR 2.10–2.60×)" in line and "MISSES -> meets" in line
