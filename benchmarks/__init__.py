"""Performance figures of ``../shared/targets.md``, printed beside their targets.

Each ``benchmarks/bench_*.py`` module defines ``run(data: BenchData) -> list[Figure]``.
Run them all with ``make bench`` (``python -m benchmarks``) or some with
``python -m benchmarks startup answer``.
"""
