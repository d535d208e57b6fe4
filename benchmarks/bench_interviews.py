"""Interviews: the central interview figures and one answer in an interview.

targets.md has no interview row; these are held to the targets of their case
counterparts. The figures of the standard inspection's 130 interviews (105 officers, 25
service users, as the report held), every figure with its breakdowns, against one SQL
aggregate over the same answers (agreed and applicable per item), ≤ 3 × the floor and
≤ 1 s as scoring is. One answer (key to commit, history row included) against a bare
SQLite commit of one row with the same PRAGMAs, ≤ 3 × the floor as a case answer is. Each
figure and its floor are timed in turn, so that both see the same load.
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable

from benchmarks.harness import BenchData, Figure, timed
from fieldwork.interviews.figures import interview_figures
from fieldwork.interviews.store import Interviews
from fieldwork.service import Service
from fieldwork.store import connect

FLOOR_SQL = (
    "SELECT i.questionnaire, a.item_id, "
    "SUM(a.value IN ('agree', 'yes')), SUM(a.value IN ('agree', 'disagree', 'yes', 'no')) "
    "FROM interview_answers a JOIN interviews i ON i.id = a.interview_id "
    "WHERE i.status = 'complete' GROUP BY i.questionnaire, a.item_id"
)


def paired(
    ours: Callable[[], object], floor: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median milliseconds of ``ours`` and of its ``floor``, run in turn so that both see the
    same load on a shared machine (a disk busy for one and idle for the other is no ratio)."""
    pairs = [(timed(ours, repeat=1), timed(floor, repeat=1)) for _ in range(repeat)]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def run(data: BenchData) -> list[Figure]:
    path = data.folder / "interviews.fieldwork"
    shutil.copy(data.standard_workspace, path)
    bare = connect(data.folder / "interviews-floor.sqlite")
    bare.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")
    counter = iter(range(1_000_000))

    def commit() -> None:
        bare.execute("BEGIN")
        bare.execute("INSERT INTO t (value) VALUES (?)", [str(next(counter))])
        bare.execute("COMMIT")

    figures: list[Figure] = []
    with Service.open(path, backup=False) as service:
        counted = interview_figures(service)  # warms the questionnaire cache
        n = sum(counted.interviews.values())
        ours, floor = paired(
            lambda: interview_figures(service),
            lambda: service.db.execute(FLOOR_SQL).fetchall(),
            repeat=31,
        )
        figures.append(
            Figure(
                f"interview figures of {n} interviews (all, with breakdowns)",
                ours,
                "ms",
                "≤ 3 × the floor, ≤ 1 s",
                floor=floor,
                limit=3.0,
                absolute_limit=1000.0,
            )
        )
        store = Interviews(service)
        interview = store.summaries()[0]
        values = iter(["agree", "disagree"] * 1000)
        store.answer(interview.id, "ro-wellbeing", "agree", edit_reason="benchmark")
        answer, commit_ms = paired(
            lambda: store.answer(
                interview.id, "ro-wellbeing", next(values), edit_reason="benchmark"
            ),
            commit,
            repeat=201,
        )
    bare.close()
    figures.append(
        Figure(
            "one interview answer committed, history row included",
            answer,
            "ms",
            "≤ 3 × the floor",
            floor=commit_ms,
            limit=3.0,
        )
    )
    return figures
