"""Encryption at rest: one answer in an encrypted workspace against the same answer in a plain
one (≤ 1.5×), and the plain answer against a bare SQLite commit (≤ 3×), all in one run.

The three are measured in turn, round after round (``harness.alternate``), so that each sees
the same machine load; each answer is committed to disk (WAL, synchronous=FULL), history row
included. Beside the wall-clock figures, which a loaded disk's fsync can swamp, the same
answers' CPU time (the work encryption adds: an AES and an HMAC pass per page written) and
the pages one answer writes are reported, without a target of their own.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from benchmarks.harness import BenchData, Figure, Paired, alternate
from fieldwork.answers import Answer
from fieldwork.service import Service
from fieldwork.store import PRAGMAS

PASSPHRASE = "benchmark workspace passphrase"


def _workspace(path: Path, passphrase: str | None) -> tuple[Service, str]:
    service = Service.create(path, user="bench", passphrase=passphrase)
    service.create_inspection("Bench")
    case = service.add_case("case-supervision", "E1", {"disposal": "community sentence"})
    return service, case.id


@dataclass(frozen=True)
class Answers:
    """The encrypted answer against the plain one, the plain answer against the bare commit
    (wall-clock), the encrypted answer's CPU time against the plain one's, and the pages one
    answer writes."""

    encrypted: Paired
    plain: Paired
    cpu: Paired
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

        def answering(service: Service, case: str) -> Callable[[], object]:
            answers = count()
            return lambda: service.answer(
                case, "2.1.1.1", Answer.YES if next(answers) % 2 else Answer.NO
            )

        rows = count()
        try:
            encrypted, unencrypted, floor = alternate(
                [
                    answering(sealed, sealed_case),
                    answering(plain, plain_case),
                    lambda: commit(next(rows)),
                ],
                repeat,
            )
            pages = _pages(sealed, sealed_case)
        finally:
            plain.close()
            sealed.close()
            bare.close()
    return Answers(
        Paired(encrypted.wall, unencrypted.wall),
        Paired(unencrypted.wall, floor.wall),
        Paired(encrypted.cpu, unencrypted.cpu),
        pages,
    )


def run(data: BenchData) -> list[Figure]:
    measured = answers()
    return [
        measured.encrypted.figure(
            "one answer in an encrypted workspace (against the plain answer)",
            "ms",
            "≤ 1.5 × plain answer",
            limit=1.5,
        ),
        measured.plain.figure(
            "one answer in a plain workspace (same run, against a bare commit)",
            "ms",
            "≤ 3 × floor",
            limit=3.0,
        ),
        measured.cpu.figure(
            "  the same answers' CPU time, encrypted against plain", "ms", "(no target)"
        ),
        Figure("  pages one answer writes (each an AES + HMAC pass)", measured.pages, "pages", "—"),
    ]
