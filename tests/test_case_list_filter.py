"""The case list's filter is incremental and its rows are made when shown: the results must
be exactly those of filtering every row afresh, whatever was typed before, and a change to
a case must be seen by the next search."""

from __future__ import annotations

import dataclasses
import random

import pytest
from PySide6.QtCore import Qt

from fieldwork.service import CaseSummary
from ui.case_list import INDEX_SLICE, CaseFilterProxy, CaseListModel, CaseListPage, Column

pytestmark = pytest.mark.usefixtures("qapp")

TITLES = {"case-supervision": "Case supervision", "victim": "Victim work"}
STATUSES = ("not started", "in progress", "complete")


def cases(count: int, seed: int = 3) -> list[CaseSummary]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        total = rng.randint(20, 60)
        done = rng.randint(0, total)
        rows.append(
            CaseSummary(
                id=f"id-{n}",
                sample=rng.choice(list(TITLES)),
                reference=f"E{rng.randint(100, 999)}{n:03d}",
                status=rng.choice(STATUSES),
                done=done,
                total=total,
                inspector_id=None,
                inspector_name=rng.choice(["Helen", "Ravi", None]),
                attributes={
                    "rosh": rng.choice(["low", "medium", "high", "very high"]),
                    "officer_grade": rng.choice(["PO", "PSO"]),
                },
            )
        )
    return rows


def shown(proxy: CaseFilterProxy) -> list[str]:
    return [proxy.index(r, Column.REFERENCE).data() for r in range(proxy.rowCount())]


def fresh(rows: list[CaseSummary], text: str, column: int, order: Qt.SortOrder) -> list[str]:
    """The same filter and sort applied by a new proxy that has seen nothing before."""
    model = CaseListModel(TITLES)
    model.set_cases(rows)
    proxy = CaseFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(column, order)
    proxy.set_filter_text(text)
    return shown(proxy)


def test_typing_forward_and_back_gives_what_a_fresh_filter_gives() -> None:
    rows = cases(400)
    model = CaseListModel(TITLES)
    model.set_cases(rows)
    proxy = CaseFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.COMPLETENESS, Qt.SortOrder.DescendingOrder)
    typed = ["e", "e1", "e12", "e1", "e", "", "p", "ps", "pso", "pso ", "pso h", "pso hi"]
    typed += ["pso h", "pso ", "pso", "ps", "p", "", "high pso", "high", "hig", "complete"]
    for text in typed:
        proxy.set_filter_text(text)
        expected = fresh(rows, text, Column.COMPLETENESS, Qt.SortOrder.DescendingOrder)
        assert shown(proxy) == expected, text
    assert 0 < proxy.rowCount() < len(rows)


def test_a_new_sort_keeps_the_filter_and_reorders_what_it_found() -> None:
    rows = cases(300)
    model = CaseListModel(TITLES)
    model.set_cases(rows)
    proxy = CaseFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter_text("victim")
    proxy.sort(Column.ROSH, Qt.SortOrder.AscendingOrder)
    assert shown(proxy) == fresh(rows, "victim", Column.ROSH, Qt.SortOrder.AscendingOrder)
    proxy.set_filter_text("victim h")  # narrows the result sorted just now
    assert shown(proxy) == fresh(rows, "victim h", Column.ROSH, Qt.SortOrder.AscendingOrder)
    proxy.set_filter_text("")
    assert shown(proxy) == fresh(rows, "", Column.ROSH, Qt.SortOrder.AscendingOrder)


def test_a_changed_case_is_found_by_the_next_search_even_one_typed_before() -> None:
    rows = cases(50)
    model = CaseListModel(TITLES)
    model.set_cases(rows)
    proxy = CaseFilterProxy()
    proxy.setSourceModel(model)
    target = next(c for c in rows if c.status != "complete")
    proxy.set_filter_text("complete")
    before = shown(proxy)
    assert target.reference not in before
    proxy.set_filter_text("")
    model.update_case(dataclasses.replace(target, status="complete", done=target.total))
    proxy.set_filter_text("complete")  # typed before: its kept result is now out of date
    assert target.reference in shown(proxy)
    assert len(shown(proxy)) == len(before) + 1


def test_rows_are_made_when_shown_and_searched_once_indexed(qtbot) -> None:
    rows = cases(3 * INDEX_SLICE + 10)
    page = CaseListPage()
    qtbot.addWidget(page)
    page.resize(900, 400)
    page.show()
    page.set_cases(TITLES, rows)
    model = page.model
    assert not model.search_ready()  # the list is shown before the search texts are made
    qtbot.waitUntil(model.search_ready, timeout=5000)  # made while the event loop is idle
    page.filter_edit.setText(rows[-1].reference.lower())
    assert page.visible_case_ids() == [rows[-1].id]
    assert page.summary.text() == f"1 of {len(rows)} cases"


def test_a_filter_typed_before_the_index_is_ready_still_searches_every_row(qtbot) -> None:
    rows = cases(2 * INDEX_SLICE + 5)
    page = CaseListPage()
    qtbot.addWidget(page)
    page.set_cases(TITLES, rows)
    assert not page.model.search_ready()
    page.filter_edit.setText(rows[-1].reference)
    assert page.visible_case_ids() == [rows[-1].id]
    assert page.model.search_ready()
