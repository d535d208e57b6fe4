"""One answer committed with its history row (the start-up figures are bench_startup's)."""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.harness import BenchData, Figure
from fieldwork.answers import Answer
from fieldwork.service import Service
from fieldwork.store import PRAGMAS


def one_answer(data: BenchData, repeat: int = 300) -> Figure:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answer.fieldwork"
        service = Service.create(path, user="bench")
        service.create_inspection("Bench")
        case = service.add_case("case-supervision", "E1", {"disposal": "community sentence"})
        timings = []
        for n in range(repeat):
            start = time.perf_counter()
            service.answer(case.id, "2.1.1.1", Answer.YES if n % 2 else Answer.NO)
            timings.append((time.perf_counter() - start) * 1000)
        service.close()

        conn = sqlite3.connect(Path(folder) / "bare.sqlite", isolation_level=None)
        for pragma in PRAGMAS:
            conn.execute(pragma)
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")
        floor = []
        for n in range(repeat):
            start = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute("INSERT INTO t (value) VALUES (?)", [str(n)])
            conn.execute("COMMIT")
            floor.append((time.perf_counter() - start) * 1000)
        conn.close()
    return Figure(
        "one answer committed to disk, history row included",
        statistics.median(timings),
        "ms",
        "≤ 3 × floor",
        floor=statistics.median(floor),
        limit=3.0,
    )


def run(data: BenchData) -> list[Figure]:
    return [one_answer(data)]
