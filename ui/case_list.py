"""The case list: a table model over the rows the service returned, and its filter/sort proxy."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractProxyModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.service import CaseSummary, Change

Index = QModelIndex | QPersistentModelIndex

#: Role giving a case's id on any cell of its row.
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    SAMPLE = 0
    REFERENCE = 1
    STATUS = 2
    COMPLETENESS = 3
    DISPOSAL = 4
    ROSH = 5
    GRADE = 6
    INSPECTOR = 7


HEADERS = {
    Column.SAMPLE: "Sample",
    Column.REFERENCE: "Reference",
    Column.STATUS: "Status",
    Column.COMPLETENESS: "Complete",
    Column.DISPOSAL: "Disposal",
    Column.ROSH: "Risk of serious harm",
    Column.GRADE: "Officer grade",
    Column.INSPECTOR: "Inspector",
}

# Roles as plain ints: a view asks data() for a dozen roles per cell on every paint, and
# comparing ints is cheaper than looking up Qt's enums each time.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TEXT_ROLES = frozenset({_DISPLAY, int(Qt.ItemDataRole.AccessibleTextRole)})
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_CASE_ID = int(CASE_ID_ROLE)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
#: Every role the list answers; a view asks for a dozen, and most get None at once.
_ANSWERED = _TEXT_ROLES | {_TOOLTIP, _ALIGNMENT, _CASE_ID}
_COLUMNS = len(Column)
_COMPLETENESS = int(Column.COMPLETENESS)
_STATUS = int(Column.STATUS)
#: Rows whose search text is made in one slice of idle time (a few milliseconds).
INDEX_SLICE = 1000
#: Filter results kept for reuse (typing back over a search, or narrowing it further).
_KEPT_FILTERS = 32
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
#: A case central moved to another inspector (fieldwork/withdrawals.py): read-only here.
WITHDRAWN = "withdrawn"
MOVED = "moved to another inspector"
_STATUS_ORDER = {"not started": 0, "in progress": 1, "complete": 2, WITHDRAWN: 3}
_ROSH_ORDER = {"low": 0, "medium": 1, "high": 2, "very high": 3}


def status_text(case: CaseSummary) -> str:
    """The status column: a case central moved to another inspector shows as withdrawn."""
    return WITHDRAWN if case.withdrawn is not None else case.status


def _attribute(case: CaseSummary, name: str) -> str:
    value = case.attributes.get(name)
    return "" if value is None else str(value)


class CaseListModel(QAbstractTableModel):
    """One row per case; holds only what the service fetched, never queries.

    A row's cells are made when the row is first shown (a view shows a few dozen of 10,000),
    so filling the list costs little more than holding the rows. The search text of every
    row (lower case, all columns) and the sort keys of a column are made when first needed:
    the search texts in the background once the list is shown (``index_search``), so the
    first keystroke finds them ready, and filtering or sorting is a pass over plain lists
    rather than a call of ``data()`` per cell.
    """

    COLUMNS = tuple(HEADERS[c] for c in Column)

    def __init__(self, sample_titles: dict[str, str] | None = None, parent: Any = None):
        super().__init__(parent)
        self._rows: list[CaseSummary] = []
        self._cells: list[tuple[str, ...] | None] = []  # made when first shown
        self._search: list[str] | None = None  # made on first filter, or in the background
        self._search_so_far: list[str] = []  # the texts made so far, in the background
        self._row_of: dict[str, int] | None = None  # made on first lookup
        self._sort_keys: dict[int, list[Any]] = {}  # made on first use, dropped on change
        self._sample_titles = sample_titles or {}

    # -- filling ---------------------------------------------------------------------------
    def set_sample_titles(self, titles: dict[str, str]) -> None:
        self._sample_titles = dict(titles)

    def set_cases(self, rows: Sequence[CaseSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cells = [None] * len(self._rows)
        self._search, self._search_so_far = None, []
        self._row_of = None
        self._sort_keys = {}
        self.endResetModel()

    def apply_change(self, change: Change) -> None:
        """Show a saved change's new status and progress on its case's row."""
        row = self.row_of(change.case_id)
        if row is None:
            return
        case = dataclasses.replace(
            self._rows[row], status=change.status, done=change.done, total=change.total
        )
        self.update_case(case)

    def update_case(self, case: CaseSummary) -> None:
        row = self.row_of(case.id)
        if row is None:
            return
        self._rows[row] = case
        self._cells[row] = cells = self._cells_of(case)
        texts = self._search if self._search is not None else self._search_so_far
        if row < len(texts):
            texts[row] = " ".join(cells).lower()
        self._sort_keys = {}
        self.dataChanged.emit(
            self.index(row, 0),
            self.index(row, _COLUMNS - 1),
            [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole],
        )

    def _cells_of(self, case: CaseSummary) -> tuple[str, ...]:
        return (
            self._sample_titles.get(case.sample, case.sample),
            case.reference,
            status_text(case),
            f"{case.completeness}%",
            _attribute(case, "disposal"),
            _attribute(case, "rosh"),
            _attribute(case, "officer_grade"),
            MOVED if case.withdrawn is not None else case.inspector_name or "",
        )

    def _cells_at(self, row: int) -> tuple[str, ...]:
        cells = self._cells[row]
        if cells is None:
            cells = self._cells[row] = self._cells_of(self._rows[row])
        return cells

    # -- what the proxy and the window read ------------------------------------------------
    def case_at(self, row: int) -> CaseSummary:
        return self._rows[row]

    def row_of(self, case_id: str) -> int | None:
        if self._row_of is None:
            self._row_of = {case.id: n for n, case in enumerate(self._rows)}
        return self._row_of.get(case_id)

    def search_texts(self) -> list[str]:
        """Every row's search text, made now for the rows that have none yet."""
        if self._search is None:
            self.index_search(len(self._rows))
        assert self._search is not None
        return self._search

    def search_ready(self) -> bool:
        return self._search is not None

    def index_search(self, rows: int) -> bool:
        """Make the search texts of up to ``rows`` more rows; True once every row has one.

        The list page calls this in slices while the event loop is idle, so that the first
        keystroke filters at once without the list having waited for the texts to appear.
        """
        if self._search is not None:
            return True
        done, cells_at = self._search_so_far, self._cells_at
        end = min(len(self._rows), len(done) + rows)
        done += [" ".join(cells_at(n)).lower() for n in range(len(done), end)]
        if len(done) < len(self._rows):
            return False
        self._search, self._search_so_far = done, []
        return True

    def sort_keys(self, column: int) -> list[Any]:
        """A key per row that orders the column as a reader expects (numbers as numbers)."""
        keys = self._sort_keys.get(column)
        if keys is None:
            keys = self._sort_keys[column] = self._make_sort_keys(column)
        return keys

    def _make_sort_keys(self, column: int) -> list[Any]:
        if column == Column.COMPLETENESS:
            return [(c.completeness, c.done) for c in self._rows]
        if column == Column.STATUS:
            return [_STATUS_ORDER.get(status_text(c), -1) for c in self._rows]
        if column == Column.ROSH:
            return [_ROSH_ORDER.get(_attribute(c, "rosh"), -1) for c in self._rows]
        cells_at = self._cells_at
        return [cells_at(n)[column].casefold() for n in range(len(self._rows))]

    # -- QAbstractTableModel ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and 0 <= section < _COLUMNS
            and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
        ):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: int, column: int, role: int) -> Any:
        """What ``data()`` gives for a row and column (the proxy asks here directly)."""
        if role in _TEXT_ROLES:
            cells = self._cells[row]
            return (cells or self._cells_at(row))[column]
        if role == _TOOLTIP and column == _COMPLETENESS:
            case = self._rows[row]
            return f"{case.done} of {case.total} applicable items done"
        if role == _TOOLTIP and column == _STATUS:
            withdrawn = self._rows[row].withdrawn
            if withdrawn is not None:
                return f"Read-only here: moved to another inspector, {withdrawn.describe()}."
        if role == _CASE_ID:
            return self._rows[row].id
        if role == _ALIGNMENT and column == _COMPLETENESS:
            return _RIGHT
        return None


class CaseFilterProxy(QAbstractProxyModel):
    """Type-to-filter and sort over a ``CaseListModel``.

    Every word typed must appear somewhere in the row (any column). The proxy keeps a
    plain list from its rows to the source's rows; ``QSortFilterProxyModel`` would call back
    into Python once per row and comparison, which is too slow for a national workspace.

    The filter is incremental: the last few results are kept, in the order shown, and a
    keystroke that narrows a kept search ("E12" to "E123", or a word added) searches only
    that result, already in order; deleting back to a kept search takes it as it is.
    """

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._source: CaseListModel | None = None
        self._words: tuple[str, ...] = ()
        self._sort_column = -1
        self._order = Qt.SortOrder.AscendingOrder
        self._rows: list[int] = []  # proxy row -> source row
        self._inverse: list[int] | None = None  # source row -> proxy row or -1; made on use
        self._found: dict[tuple[str, ...], list[int]] = {}  # kept results, in the order shown

    # -- source ----------------------------------------------------------------------------
    def setSourceModel(self, model: CaseListModel) -> None:  # type: ignore[override]
        old = self._source
        if old is not None:
            old.modelReset.disconnect(self._source_reset)
            old.dataChanged.disconnect(self._source_data_changed)
            old.layoutChanged.disconnect(self._source_reset)
            old.rowsInserted.disconnect(self._source_reset)
            old.rowsRemoved.disconnect(self._source_reset)
        self.beginResetModel()
        super().setSourceModel(model)
        self._source = model
        model.modelReset.connect(self._source_reset)
        model.dataChanged.connect(self._source_data_changed)
        model.layoutChanged.connect(self._source_reset)
        model.rowsInserted.connect(self._source_reset)
        model.rowsRemoved.connect(self._source_reset)
        self._found = {}
        self._rebuild()
        self.endResetModel()

    def _source_reset(self, *args: object) -> None:
        self.beginResetModel()
        self._found = {}
        self._rebuild()
        self.endResetModel()

    def _source_data_changed(
        self, top: QModelIndex, bottom: QModelIndex, roles: list[int] | None = None
    ) -> None:
        self._found = {}  # the row may now match other words, or sort elsewhere next time
        inverse = self._proxy_rows()
        for source_row in range(top.row(), bottom.row() + 1):
            row = inverse[source_row] if source_row < len(inverse) else -1
            if row >= 0:
                self.dataChanged.emit(
                    self.index(row, top.column()), self.index(row, bottom.column()), roles or []
                )

    # -- filtering and sorting -------------------------------------------------------------
    def filter_text(self) -> str:
        return " ".join(self._words)

    def set_filter_text(self, text: str) -> None:
        words = tuple(text.casefold().split())
        if words == self._words:
            return
        self.beginResetModel()
        self._words = words
        self._rebuild()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [(self.mapToSource(i).row(), i.column()) for i in persistent]
        self._sort_column, self._order = column, order
        self._rows = self._in_order(self._rows)  # the same rows, in the new order
        self._inverse = None
        self._found = {self._words: self._rows}
        inverse = self._proxy_rows()
        self.changePersistentIndexList(
            persistent,
            [
                self.index(inverse[row], col) if row >= 0 and inverse[row] >= 0 else QModelIndex()
                for row, col in sources
            ],
        )
        self.layoutChanged.emit()

    def _in_order(self, rows: list[int]) -> list[int]:
        """Source rows in the order shown: sorted on the column chosen, else as the source."""
        model = self._source
        if model is not None and 0 <= self._sort_column < _COLUMNS:
            keys = model.sort_keys(self._sort_column)
            descending = self._order == Qt.SortOrder.DescendingOrder
            return sorted(rows, key=keys.__getitem__, reverse=descending)
        return sorted(rows)

    def _rebuild(self) -> None:
        self._inverse = None
        model, words = self._source, self._words
        if model is None:
            self._rows = []
            return
        rows = self._found.get(words)
        if rows is None:
            if not words:
                rows = self._in_order(list(range(model.rowCount())))
            else:
                rows = self._search(model.search_texts(), words)
            self._keep(words, rows)
        self._rows = rows

    def _search(self, texts: list[str], words: tuple[str, ...]) -> list[int]:
        """The rows holding every word, in the order shown, from the narrowest kept result."""
        narrower = [
            rows
            for kept, rows in self._found.items()
            if all(any(old in new for new in words) for old in kept)
        ]
        rows = min(narrower, key=len) if narrower else self._in_order(list(range(len(texts))))
        for word in words:  # each word narrows the rows already found
            rows = [n for n in rows if word in texts[n]]
        return rows

    def _keep(self, words: tuple[str, ...], rows: list[int]) -> None:
        found = self._found
        found[words] = rows
        while len(found) > _KEPT_FILTERS:
            oldest = next(w for w in found if w and w != words)  # "everything" is kept
            del found[oldest]

    def _proxy_rows(self) -> list[int]:
        """Source row -> proxy row (-1 when filtered out), made when first asked for."""
        if self._inverse is None:
            inverse = [-1] * (self._source.rowCount() if self._source is not None else 0)
            for proxy_row, source_row in enumerate(self._rows):
                inverse[source_row] = proxy_row
            self._inverse = inverse
        return self._inverse

    # -- QAbstractProxyModel ---------------------------------------------------------------
    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Straight to the source's row: a view asks for a dozen roles per cell per paint,
        # and going through mapToSource and a source index each time doubles the cost.
        # An invalid index has row -1.
        if role not in _ANSWERED:
            return None
        row, rows, model = index.row(), self._rows, self._source
        if 0 <= row < len(rows) and model is not None:
            return model.cell(rows[row], index.column(), role)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def mapToSource(self, proxy: Index) -> QModelIndex:
        model = self.sourceModel()
        if model is None or not proxy.isValid() or proxy.row() >= len(self._rows):
            return QModelIndex()
        return model.index(self._rows[proxy.row()], proxy.column())

    def mapFromSource(self, source: Index) -> QModelIndex:
        inverse = self._proxy_rows()
        if not source.isValid() or source.row() >= len(inverse):
            return QModelIndex()
        row = inverse[source.row()]
        return self.index(row, source.column()) if row >= 0 else QModelIndex()

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self._rows) and 0 <= column < _COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def sibling(self, row: int, column: int, index: Index) -> QModelIndex:
        return self.index(row, column)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMNS

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and bool(self._rows)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        model = self.sourceModel()
        if orientation == Qt.Orientation.Horizontal and model is not None:
            return model.headerData(section, orientation, role)
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
            return section + 1
        return None


class CaseTable(QTableView):
    """The case table; typing while it has focus goes to the filter."""

    typed = Signal(str)

    def keyboardSearch(self, search: str) -> None:
        self.typed.emit(search)


class CaseListPage(QWidget):
    """The filter box and the case table."""

    open_requested = Signal(str)  # case id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = CaseListModel(parent=self)
        self.proxy = CaseFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Type to filter: reference, sample, status, grade…")
        self.filter_edit.setAccessibleName("Filter cases")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)
        self.filter_edit.returnPressed.connect(self.open_current)
        self.filter_edit.installEventFilter(self)
        filter_label = QLabel("&Filter:", self)
        filter_label.setBuddy(self.filter_edit)

        self.table = CaseTable(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Cases")
        self.table.setAccessibleDescription(
            "Every case of the workspace. Type to filter, Enter to open the selected case."
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.typed.connect(self._typed)
        self.table.doubleClicked.connect(lambda _: self.open_current())
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Case count")

        bar = QHBoxLayout()
        bar.addWidget(filter_label)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.setFocusProxy(self.table)
        self._size_columns()
        # The search texts are made in slices while the event loop is idle, once the list
        # is shown (CaseListModel.index_search).
        self._indexing = QTimer(self)
        self._indexing.setInterval(0)
        self._indexing.timeout.connect(self._index_some)

    # -- behaviour -------------------------------------------------------------------------
    def set_cases(self, titles: dict[str, str], cases: Sequence[CaseSummary]) -> None:
        self.model.set_sample_titles(titles)
        self.model.set_cases(cases)
        self._select_first()
        self._show_count()
        self._indexing.start()

    def _index_some(self) -> None:
        if self.model.index_search(INDEX_SLICE):
            self._indexing.stop()

    def _size_columns(self) -> None:
        """Column widths from the font, not from the rows: measuring 10,000 rows is slow."""
        metrics = self.table.fontMetrics()
        widths = {
            Column.SAMPLE: "Court reports and case allocation",
            Column.REFERENCE: "Reference_W",
            Column.STATUS: "not started__",
            Column.COMPLETENESS: "Complete__",
            Column.DISPOSAL: "post-release licence_",
            Column.ROSH: "Risk of serious harm",
            Column.GRADE: "Officer grade",
        }
        for column, sample in widths.items():
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 16)
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)

    def _filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._select_first()
        self._show_count()

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.summary.setText(f"{total} cases" if shown == total else f"{shown} of {total} cases")

    def _select_first(self) -> None:
        if self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))

    def _typed(self, text: str) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.insert(text)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if watched is self.filter_edit and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown):
                self.table.setFocus(Qt.FocusReason.TabFocusReason)
                return False
            if event.key() == Qt.Key.Key_Escape and self.filter_edit.text():
                self.filter_edit.clear()
                return True
        return super().eventFilter(watched, event)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def current_case_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return index.data(CASE_ID_ROLE)  # type: ignore[no-any-return]

    def selected_case_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [r.data(CASE_ID_ROLE) for r in sorted(rows, key=lambda i: i.row())]

    def visible_case_ids(self) -> list[str]:
        return [self.proxy.index(r, 0).data(CASE_ID_ROLE) for r in range(self.proxy.rowCount())]

    def open_current(self) -> None:
        case_id = self.current_case_id()
        if case_id:
            self.open_requested.emit(case_id)

    def select_case(self, case_id: str) -> None:
        row = self.model.row_of(case_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
