"""Encryption at rest: one answer in an encrypted workspace against the same answer in a plain
one (≤ 1.5×), and the plain answer against a bare SQLite commit (≤ 3×), all in one run.

The three are measured in turn, round after round, so that each sees the same machine load;
each answer is committed to disk (WAL, synchronous=FULL), history row included.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.harness import BenchData, Figure
from fieldwork.answers import Answer
from fieldwork.service import Service
from fieldwork.store import PRAGMAS

PASSPHRASE = "benchmark workspace passphrase"


def _workspace(path: Path, passphrase: str | None) -> tuple[Service, str]:
    service = Service.create(path, user="bench", passphrase=passphrase)
    service.create_inspection("Bench")
    case = service.add_case("case-supervision", "E1", {"disposal": "community sentence"})
    return service, case.id


def _ms(fn: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def answers(repeat: int = 300) -> tuple[float, float, float]:
    """Median milliseconds of (encrypted answer, plain answer, bare commit)."""
    with tempfile.TemporaryDirectory() as folder:
        plain, plain_case = _workspace(Path(folder) / "plain.fieldwork", None)
        sealed, sealed_case = _workspace(Path(folder) / "sealed.fieldwork", PASSPHRASE)
        assert sealed.workspace.encrypted and not plain.workspace.encrypted
        bare = sqlite3.connect(Path(folder) / "bare.sqlite", isolation_level=None)
        for pragma in PRAGMAS:
            bare.execute(pragma)
        bare.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")

        def commit(n: int) -> None:
            bare.execute("BEGIN")
            bare.execute("INSERT INTO t (value) VALUES (?)", [str(n)])
            bare.execute("COMMIT")

        encrypted_ms, plain_ms, bare_ms = [], [], []
        try:
            for n in range(repeat):
                value = Answer.YES if n % 2 else Answer.NO
                encrypted_ms.append(_ms(sealed.answer, sealed_case, "2.1.1.1", value))
                plain_ms.append(_ms(plain.answer, plain_case, "2.1.1.1", value))
                bare_ms.append(_ms(commit, n))
        finally:
            plain.close()
            sealed.close()
            bare.close()
    return statistics.median(encrypted_ms), statistics.median(plain_ms), statistics.median(bare_ms)


def run(data: BenchData) -> list[Figure]:
    encrypted, plain, bare = answers()
    return [
        Figure(
            "one answer in an encrypted workspace (against the plain answer)",
            encrypted,
            "ms",
            "≤ 1.5 × plain answer",
            floor=plain,
            limit=1.5,
        ),
        Figure(
            "one answer in a plain workspace (same run, against a bare commit)",
            plain,
            "ms",
            "≤ 3 × floor",
            floor=bare,
            limit=3.0,
        ),
    ]
