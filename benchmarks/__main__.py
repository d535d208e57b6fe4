"""Run the benchmarks: ``python -m benchmarks [name ...]``; compare two runs:
``python -m benchmarks --compare [OLD.json [NEW.json]]``.

A run prints only figures (each beside its target, and its floor when it has one, with the
ratio and, where ours and the floor were timed in pairs, the per-pair ratios' interquartile
range) and writes them to ``benchmarks/last.json``; the run that was there becomes
``benchmarks/previous.json``. ``--compare`` with no files compares those two.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
from pathlib import Path

import benchmarks
from benchmarks.harness import LAST, PREVIOUS, BenchData, Figure, compare, save_run


def main(argv: list[str]) -> int:
    if argv[:1] == ["--compare"]:
        files = [Path(a) for a in argv[1:]]
        if len(files) > 2:
            print("usage: python -m benchmarks --compare [OLD.json [NEW.json]]", file=sys.stderr)
            return 2
        old, new = {0: (PREVIOUS, LAST), 1: (*files, LAST)}.get(len(files), files)
        print("\n".join(compare(old, new)))
        return 0
    names = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    wanted = [n for n in names if not argv or n.removeprefix("bench_") in argv]
    unknown = sorted(set(argv) - {n.removeprefix("bench_") for n in names})
    if unknown:
        known = ", ".join(n.removeprefix("bench_") for n in names)
        print(f"no benchmark named {', '.join(unknown)}; there are: {known}", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from benchmarks.harness import silence_qt_notices

    silence_qt_notices()
    print("Fieldwork benchmarks: each figure beside its target in shared/targets.md")
    print("(machines are shared and noisy; ratios are measured against a floor in the same run,")
    print(" in pairs where they can be: the median of the pairs' ratios, and their IQR)")
    print()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as folder:
        data = BenchData(Path(folder))
        for name in wanted:
            module = importlib.import_module(f"benchmarks.{name}")
            for figure in module.run(data):
                print(figure.line(), flush=True)
                figures.append(figure)
    save_run(figures, [n.removeprefix("bench_") for n in wanted])
    print(f"\n(saved to {LAST}; `make bench-compare` compares it with the run before)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
