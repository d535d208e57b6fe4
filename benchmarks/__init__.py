"""Performance figures of ``../shared/targets.md``, printed beside their targets.

Each ``benchmarks/bench_*.py`` module defines ``run(data: BenchData) -> list[Figure]``.
Run them all with ``make bench`` (``python -m benchmarks``), or some by module name with
``python -m benchmarks sheets workbench`` (``make bench BENCH="sheets workbench"``). Each run
is saved to ``benchmarks/last.json``; ``python -m benchmarks --compare`` (``make
bench-compare``) compares it with the run before.
"""
