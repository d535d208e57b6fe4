"""Run the benchmarks: ``python -m benchmarks [name ...]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import tempfile
from pathlib import Path

import benchmarks
from benchmarks.harness import BenchData


def main(argv: list[str]) -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    wanted = [n for n in names if not argv or n.removeprefix("bench_") in argv]
    print("Fieldwork benchmarks: each figure beside its target in shared/targets.md")
    print("(machines are shared and noisy; ratios are measured against a floor in the same run)")
    print()
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as folder:
        data = BenchData(Path(folder))
        for name in wanted:
            module = importlib.import_module(f"benchmarks.{name}")
            for figure in module.run(data):
                print(figure.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
