"""Every Qt model of the workbench passes pytest-qt's model tester, empty, filled, filtered,
sorted and after changes."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt

from fieldwork.answers import Answer
from fieldwork.applicability import ItemKind
from fieldwork.service import Service
from tests.conftest import CASE_SUPERVISION, answer_everything
from ui.case.completion import MissingItemsModel
from ui.case.navigator import ITEM_ID_ROLE, NavigatorModel
from ui.case.prompt import PromptAnswersModel
from ui.case_list import CaseFilterProxy, CaseListModel, Column

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def filled(service: Service, make_case) -> Service:
    for n in range(6):
        make_case(rosh=("low", "high", "medium")[n % 3], officer_grade=("PO", "PSO")[n % 2])
    make_case("court-reports", sentenced=True, allocated_to="CRC")
    make_case("victim", stage="pre-release")
    answer_everything(service, service.cases()[0].id)
    return service


def test_case_list_model(qtmodeltester, filled: Service):
    model = CaseListModel({s.id: s.title for s in filled.framework.samples})
    qtmodeltester.check(model)
    model.set_cases(filled.cases())
    qtmodeltester.check(model)
    assert model.rowCount() == 8
    assert model.index(0, Column.COMPLETENESS).data() == "100%"


def test_case_filter_proxy(qtmodeltester, filled: Service):
    model = CaseListModel({s.id: s.title for s in filled.framework.samples})
    proxy = CaseFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    model.set_cases(filled.cases())
    qtmodeltester.check(proxy)
    proxy.set_filter_text("case supervision high")
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 2
    proxy.set_filter_text("")
    proxy.sort(Column.ROSH, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    ordered = [proxy.index(r, Column.ROSH).data() for r in range(proxy.rowCount())]
    assert ordered[:2] == ["high", "high"] and ordered[-2:] == ["", ""]
    proxy.sort(Column.COMPLETENESS, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, Column.COMPLETENESS).data() == "100%"
    # a change on the source row is signalled on the proxy's row
    case = filled.cases()[3]
    row = proxy.mapFromSource(model.index(model.row_of(case.id), 0)).row()
    with qtmodeltester_signals(proxy) as changed:
        model.update_case(dataclasses.replace(case, status="complete"))
    assert changed == [row]
    assert proxy.index(row, Column.STATUS).data() == "complete"
    qtmodeltester.check(proxy)


class qtmodeltester_signals:  # noqa: N801  (a context manager read as a phrase)
    """Collect the proxy rows that dataChanged names."""

    def __init__(self, proxy: CaseFilterProxy):
        self.proxy = proxy
        self.rows: list[int] = []

    def __enter__(self) -> list[int]:
        self.proxy.dataChanged.connect(self._changed)
        return self.rows

    def _changed(self, top, bottom, roles) -> None:
        self.rows.extend(range(top.row(), bottom.row() + 1))

    def __exit__(self, *exc: object) -> None:
        self.proxy.dataChanged.disconnect(self._changed)


def test_navigator_model(qtmodeltester, filled: Service, make_case):
    model = NavigatorModel()
    qtmodeltester.check(model)
    case = make_case(**{**CASE_SUPERVISION, "children": True})
    detail = filled.case(case.id)
    model.set_case(filled.framework, detail)
    qtmodeltester.check(model)
    standards = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert standards == [
        "2.1 Assessment",
        "2.2 Planning",
        "2.3 Implementation and delivery",
        "2.4 Reviewing",
    ]
    standard, key_question = model.index(0, 1), model.index(0, 1, model.index(0, 0))
    before = standard.data(), key_question.data()
    assert before[0].startswith("0 of ") and before[1].startswith("0 of ")
    filled.answer(case.id, "2.1.1.1", Answer.YES)
    filled.set_attribute(case.id, "children", False)
    model.set_case(filled.framework, filled.case(case.id))  # the same case: rows only change
    qtmodeltester.check(model)
    # the progress of the item's key question and standard is counted again
    assert standard.data().startswith("1 of ") and key_question.data().startswith("1 of ")
    index = model.index_of("2.1.1.1")
    assert index.siblingAtColumn(1).data() == "Yes"
    assert model.index_of("2.1.3.5").siblingAtColumn(1).data() == "Does not apply"
    assert index.data(ITEM_ID_ROLE) == "2.1.1.1"
    other = filled.cases()[-1]  # a victim case: another tree
    model.set_case(filled.framework, filled.case(other.id))
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "3.2 Statutory victim work"
    ]


def test_prompt_answers_and_missing_items_models(qtmodeltester, filled: Service, make_case):
    case = make_case()
    detail = filled.case(case.id)
    prompts = PromptAnswersModel()
    qtmodeltester.check(prompts)
    in_kq = [i for i in detail.items if i.key_question_id == "2.1.1" and i.kind is ItemKind.PROMPT]
    prompts.set_items(in_kq)
    qtmodeltester.check(prompts)
    filled.answer(case.id, "2.1.1.2", Answer.NO)
    detail = filled.case(case.id)
    prompts.set_items(
        [i for i in detail.items if i.key_question_id == "2.1.1" and i.kind is ItemKind.PROMPT]
    )
    qtmodeltester.check(prompts)
    assert prompts.index(1, 0).data().startswith("2.1.1.2  No")

    missing = MissingItemsModel()
    qtmodeltester.check(missing)
    missing.set_missing(detail.missing)
    qtmodeltester.check(missing)
    assert missing.rowCount() == len(detail.missing)
    assert missing.index(0, 0).data(ITEM_ID_ROLE) == detail.missing[0].item_id


def test_a_long_session_does_not_use_up_none_or_true():
    """PySide6 6.12.0 on Python 3.11 loses a reference to True on every emit and to None on
    every empty QVariant it returns; ``import ui`` gives them a reserve (ui/_refcounts.py)."""

    from PySide6.QtCore import QObject, Signal
    from PySide6.QtGui import QStandardItemModel

    class Emitter(QObject):
        ping = Signal()

    emitter = Emitter()
    model = QStandardItemModel(1, 1)
    empty = model.index(0, 0)
    # more calls than the singletons have references in a plain interpreter (a few thousand)
    for _ in range(50_000):
        emitter.ping.emit()
        assert empty.data(Qt.ItemDataRole.UserRole) is None


def test_rows_model_shows_the_rows_it_was_given(qtmodeltester):
    from ui.models import RowsModel

    class Pairs(RowsModel[tuple[str, int]]):
        COLUMNS = ("Name", "Count")

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
            row = self.row_at(index)
            if row is None or role != Qt.ItemDataRole.DisplayRole:
                return None
            return str(row[index.column()])

    model = Pairs()
    model.set_rows([("a", 1), ("b", 2)])
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (2, 2)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Count"
    assert model.index(1, 1).data() == "2" and model.row(0) == ("a", 1)
    assert model.row_at(model.index(5, 0)) is None
