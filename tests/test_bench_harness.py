"""The benchmark harness records a run and compares two, and keeps Qt's notices out of the
figures. (No figure is timed here: benchmarks are not tests.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.harness import QUIET_QT, Figure, compare, load_run, save_run


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
