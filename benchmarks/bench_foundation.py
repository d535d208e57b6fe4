"""One answer committed with its history row (the start-up figures are bench_startup's).

The answer and its floor, a bare SQLite commit of one row with the same PRAGMAs, are timed in
turn (``harness.paired``), so that both see the same load on a shared machine.
"""

from __future__ import annotations

import sqlite3
import tempfile
from itertools import count
from pathlib import Path

from benchmarks.harness import BenchData, Figure, paired
from fieldwork.answers import Answer
from fieldwork.service import Service
from fieldwork.store import PRAGMAS


def one_answer(data: BenchData, repeat: int = 300) -> Figure:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answer.fieldwork"
        service = Service.create(path, user="bench")
        service.create_inspection("Bench")
        case = service.add_case("case-supervision", "E1", {"disposal": "community sentence"})
        conn = sqlite3.connect(Path(folder) / "bare.sqlite", isolation_level=None)
        for pragma in PRAGMAS:
            conn.execute(pragma)
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")
        answers, rows = count(), count()

        def answer() -> None:
            service.answer(case.id, "2.1.1.1", Answer.YES if next(answers) % 2 else Answer.NO)

        def commit() -> None:
            conn.execute("BEGIN")
            conn.execute("INSERT INTO t (value) VALUES (?)", [str(next(rows))])
            conn.execute("COMMIT")

        try:
            measured = paired(answer, commit, repeat)
        finally:
            service.close()
            conn.close()
    return measured.figure(
        "one answer committed to disk, history row included", "ms", "≤ 3 × floor", limit=3.0
    )


def run(data: BenchData) -> list[Figure]:
    return [one_answer(data)]
