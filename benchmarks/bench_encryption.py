"""Encryption at rest: one answer in an encrypted workspace against the same answer in a plain
one (≤ 1.5×), and the plain answer against a bare SQLite commit (≤ 3×), all in one run.

The three are measured in turn, round after round, so that each sees the same machine load;
each answer is committed to disk (WAL, synchronous=FULL), history row included. Beside the
wall-clock figures, which a loaded disk's fsync can swamp, the same answers' CPU time (the
work encryption adds: an AES and an HMAC pass per page written) and the pages one answer
writes are reported, without a target of their own.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass
class Timings:
    """Wall-clock and CPU milliseconds of each call."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def time(self, fn: Callable[..., object], *args: object) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        fn(*args)
        self.cpu.append((time.thread_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)


@dataclass(frozen=True)
class Answers:
    """Medians of the encrypted answer, the plain answer and the bare commit."""

    encrypted: float
    plain: float
    bare: float
    encrypted_cpu: float
    plain_cpu: float
    pages: int


def _pages(service: Service, case: str, answers: int = 21) -> int:
    """Pages one more answer writes (the median: a b-tree page that splits adds some): the
    WAL's frames after it, from an empty WAL. Measured after the timed answers."""
    counts = []
    for n in range(answers):
        service.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        service.answer(case, "2.1.1.1", Answer.YES if n % 2 else Answer.NO)
        counts.append(int(service.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]))
    return int(statistics.median(counts))


def answers(repeat: int = 300) -> Answers:
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

        encrypted, unencrypted, floor = Timings(), Timings(), Timings()
        try:
            for n in range(repeat):
                value = Answer.YES if n % 2 else Answer.NO
                encrypted.time(sealed.answer, sealed_case, "2.1.1.1", value)
                unencrypted.time(plain.answer, plain_case, "2.1.1.1", value)
                floor.time(commit, n)
            pages = _pages(sealed, sealed_case)
        finally:
            plain.close()
            sealed.close()
            bare.close()
    return Answers(
        statistics.median(encrypted.wall),
        statistics.median(unencrypted.wall),
        statistics.median(floor.wall),
        statistics.median(encrypted.cpu),
        statistics.median(unencrypted.cpu),
        pages,
    )


def run(data: BenchData) -> list[Figure]:
    measured = answers()
    return [
        Figure(
            "one answer in an encrypted workspace (against the plain answer)",
            measured.encrypted,
            "ms",
            "≤ 1.5 × plain answer",
            floor=measured.plain,
            limit=1.5,
        ),
        Figure(
            "one answer in a plain workspace (same run, against a bare commit)",
            measured.plain,
            "ms",
            "≤ 3 × floor",
            floor=measured.bare,
            limit=3.0,
        ),
        Figure(
            "  the same answers' CPU time, encrypted against plain",
            measured.encrypted_cpu,
            "ms",
            "(no target)",
            floor=measured.plain_cpu,
        ),
        Figure("  pages one answer writes (each an AES + HMAC pass)", measured.pages, "pages", "—"),
    ]
