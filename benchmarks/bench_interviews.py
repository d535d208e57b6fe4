"""Interviews: the central interview figures and one answer in an interview.

targets.md has no interview row; these are held to the targets of their case
counterparts. The figures of the standard inspection's 130 interviews (105 officers, 25
service users, as the report held), every figure with its breakdowns, against one SQL
aggregate over the same answers (agreed and applicable per item), ≤ 3 × the floor and
≤ 1 s as scoring is. One answer (key to commit, history row included) against a bare
SQLite commit of one row with the same PRAGMAs, ≤ 3 × the floor as a case answer is. Each
figure and its floor are timed in turn (``harness.paired``), so that both see the same load.
"""

from __future__ import annotations

import shutil

from benchmarks.harness import BenchData, Figure, paired
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
        measured = paired(
            lambda: interview_figures(service),
            lambda: service.db.execute(FLOOR_SQL).fetchall(),
            repeat=31,
        )
        figures.append(
            measured.figure(
                f"interview figures of {n} interviews (all, with breakdowns)",
                "ms",
                "≤ 3 × the floor, ≤ 1 s",
                limit=3.0,
                absolute_limit=1000.0,
            )
        )
        store = Interviews(service)
        interview = store.summaries()[0]
        values = iter(["agree", "disagree"] * 1000)
        store.answer(interview.id, "ro-wellbeing", "agree", edit_reason="benchmark")
        answers = paired(
            lambda: store.answer(
                interview.id, "ro-wellbeing", next(values), edit_reason="benchmark"
            ),
            commit,
            repeat=201,
        )
    bare.close()
    figures.append(
        answers.figure(
            "one interview answer committed, history row included",
            "ms",
            "≤ 3 × the floor",
            limit=3.0,
        )
    )
    return figures
