"""The case navigator: standards → key questions → prompts and judgements, each with its state."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QTreeView

from fieldwork.applicability import CaseItem, ItemKind, ItemState
from fieldwork.framework import Framework
from fieldwork.service import CaseDetail
from ui import theme
from ui.icons import state_icon

Index = QModelIndex | QPersistentModelIndex

#: Role giving an item's id (prompt or key-question id) on item rows; None on group rows.
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1

STATE_WORDS = {
    ItemState.UNANSWERED: "Not answered",
    ItemState.YES: "Yes",
    ItemState.NO: "No",
    ItemState.NA_RULE: "Does not apply",
    ItemState.NA_CHOICE: "Not applicable",
}


#: Shown beside an item's state when quality assurance has commented on it.
QA_MARK = "· QA comment"


def state_text(item: CaseItem) -> str:
    """How an item's state reads in the navigator and to a screen reader."""
    if item.kind is ItemKind.JUDGEMENT and item.state in (ItemState.YES, ItemState.NO):
        word = "Satisfactory" if item.state is ItemState.YES else "Not satisfactory"
    else:
        word = STATE_WORDS[item.state]
    if item.missing and item.state is not ItemState.UNANSWERED:
        word += f" (needs {item.missing})"
    return word


_GREYED: dict[int, Any] = {}  # palette cache key -> its quiet colour
_FONTS: dict[tuple[str, bool, bool], QFont] = {}  # (font key, bold, italic) -> font


def _greyed() -> Any:
    """Secondary text ("Does not apply"): quieter than the rest, still 4.5:1 (WCAG AA).
    The palette's disabled grey measured 1.9:1 against white. Worked out once per palette:
    a repaint asks for it on every such row."""
    palette = QApplication.palette()
    colour = _GREYED.get(palette.cacheKey())
    if colour is None:
        colour = _GREYED[palette.cacheKey()] = theme.quiet(palette)
    return colour


def _font(*, bold: bool = False, italic: bool = False) -> QFont:
    """The application's font, bold or italic; made once per font, not per repaint."""
    base = QApplication.font()
    key = (base.key(), bold, italic)
    font = _FONTS.get(key)
    if font is None:
        font = _FONTS[key] = QFont(base)
        font.setBold(bold)
        font.setItalic(italic)
    return font


def item_label(item: CaseItem) -> str:
    if item.kind is ItemKind.JUDGEMENT:
        return f"Judgement on {item.key_question_id}"
    return f"{item.item_id}  {item.text}"


class NodeKind(Enum):
    STANDARD = "standard"
    KEY_QUESTION = "key question"
    ITEM = "item"


@dataclass
class _Node:
    kind: NodeKind
    key: str  # standard, key question or item id
    label: str
    parent: int  # node number of the parent, -1 at the top
    row: int
    children: list[int] = field(default_factory=list)


class NavigatorModel(QAbstractItemModel):
    """A tree over one case's items. Internal ids are node numbers into a flat list."""

    COLUMNS = ("Item", "State")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._nodes: list[_Node] = []
        self._top: list[int] = []
        self._items: dict[str, CaseItem] = {}
        self._node_of: dict[str, int] = {}  # item id -> node number
        self._case_id: str | None = None
        self._commented: set[str] = set()  # items with a quality-assurance comment
        self._progress: dict[int, tuple[int, int]] = {}  # group node -> (done, applicable)

    # -- filling ---------------------------------------------------------------------------
    def set_case(self, framework: Framework, detail: CaseDetail) -> None:
        """Show a case: rebuild the tree if it is another case, else refresh what changed."""
        if detail.summary.id == self._case_id and set(self._items) == {
            i.item_id for i in detail.items
        }:
            self.update_items(detail.items)
            return
        self.beginResetModel()
        self._case_id = detail.summary.id
        self._build(framework, detail)
        self.endResetModel()

    def _build(self, framework: Framework, detail: CaseDetail) -> None:
        self._nodes, self._top, self._node_of = [], [], {}
        self._commented = set()
        self._progress = {}
        self._items = {i.item_id: i for i in detail.items}
        by_kq: dict[str, list[CaseItem]] = {}
        for item in detail.items:
            by_kq.setdefault(item.key_question_id, []).append(item)
        for standard in framework.case_standards(detail.summary.sample):
            s = self._add(NodeKind.STANDARD, standard.id, f"{standard.id} {standard.title}", -1)
            for kq in standard.key_questions:
                k = self._add(NodeKind.KEY_QUESTION, kq.id, f"{kq.id} {kq.text}", s)
                for item in by_kq.get(kq.id, ()):
                    self._node_of[item.item_id] = self._add(
                        NodeKind.ITEM, item.item_id, item_label(item), k
                    )

    def _add(self, kind: NodeKind, key: str, label: str, parent: int) -> int:
        siblings = self._top if parent < 0 else self._nodes[parent].children
        number = len(self._nodes)
        self._nodes.append(_Node(kind, key, label, parent, len(siblings)))
        siblings.append(number)
        return number

    def update_items(self, items: tuple[CaseItem, ...] | list[CaseItem]) -> None:
        """Take new states; signal each changed row and its parents' progress."""
        touched: set[int] = set()
        for item in items:
            old = self._items.get(item.item_id)
            if old == item or item.item_id not in self._node_of:
                continue
            self._items[item.item_id] = item
            number = self._node_of[item.item_id]
            touched.add(number)
            parent = self._nodes[number].parent
            while parent >= 0:
                touched.add(parent)
                self._progress.pop(parent, None)
                parent = self._nodes[parent].parent
        roles = [
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.FontRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ]
        for number in sorted(touched):
            self._row_changed(number, roles)

    def set_commented(self, item_ids: set[str]) -> None:
        """Mark the items that carry a quality-assurance comment."""
        changed = (item_ids ^ self._commented) & set(self._node_of)
        self._commented = set(item_ids)
        for item_id in sorted(changed):
            self._row_changed(
                self._node_of[item_id],
                [
                    Qt.ItemDataRole.DisplayRole,
                    Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole,
                ],
            )

    def _row_changed(self, number: int, roles: list[Qt.ItemDataRole]) -> None:
        """Signal one row's cells one by one: a view repaints a single changed cell, but
        repaints its whole viewport for a range of several (QAbstractItemView::dataChanged),
        which on every answer would repaint every visible row of the navigator."""
        row = self._nodes[number].row
        for column in range(len(self.COLUMNS)):
            index = self.createIndex(row, column, number)
            self.dataChanged.emit(index, index, roles)

    # -- lookups ---------------------------------------------------------------------------
    def index_of(self, item_id: str) -> QModelIndex:
        number = self._node_of.get(item_id)
        if number is None:
            return QModelIndex()
        return self.createIndex(self._nodes[number].row, 0, number)

    def item(self, index: Index) -> CaseItem | None:
        node = self._node(index)
        return self._items.get(node.key) if node and node.kind is NodeKind.ITEM else None

    def first_item_under(self, index: Index) -> CaseItem | None:
        node = self._node(index)
        while node is not None and node.kind is not NodeKind.ITEM:
            if not node.children:
                return None
            node = self._nodes[node.children[0]]
        return self._items.get(node.key) if node else None

    def _node(self, index: Index) -> _Node | None:
        if not index.isValid():
            return None
        number = index.internalId()
        return self._nodes[number] if 0 <= number < len(self._nodes) else None

    def _items_under(self, node: _Node) -> list[CaseItem]:
        if node.kind is NodeKind.ITEM:
            return [self._items[node.key]]
        out: list[CaseItem] = []
        for child in node.children:
            out.extend(self._items_under(self._nodes[child]))
        return out

    # -- QAbstractItemModel ----------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not (0 <= column < len(self.COLUMNS)):
            return QModelIndex()
        if parent.isValid():
            if parent.column() != 0:
                return QModelIndex()
            node = self._node(parent)
            siblings = node.children if node else []
        else:
            siblings = self._top
        if not (0 <= row < len(siblings)):
            return QModelIndex()
        return self.createIndex(row, column, siblings[row])

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self._node(child)
        if node is None or node.parent < 0:
            return QModelIndex()
        return self.createIndex(self._nodes[node.parent].row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._top)
        if parent.column() != 0:
            return 0
        node = self._node(parent)
        return len(node.children) if node else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None:
            return None
        column = index.column()
        if node.kind is NodeKind.ITEM:
            return self._item_data(self._items[node.key], node, column, role)
        done, applicable = self._progress_of(index.internalId(), node)
        progress = f"{done} of {applicable}" if applicable else "Does not apply"
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label if column == 0 else progress
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{node.label}: {progress} done"
        if role == Qt.ItemDataRole.FontRole and node.kind is NodeKind.STANDARD:
            return _font(bold=True)
        if role == Qt.ItemDataRole.ForegroundRole and not applicable:
            return _greyed()
        return None

    def _progress_of(self, number: int, node: _Node) -> tuple[int, int]:
        """(done, applicable) under a standard or key question; counted once per change, not
        for every role of every repaint."""
        found = self._progress.get(number)
        if found is None:
            items = [i for i in self._items_under(node) if i.applies]
            found = self._progress[number] = (
                sum(1 for i in items if i.missing is None),
                len(items),
            )
        return found

    def _item_data(self, item: CaseItem, node: _Node, column: int, role: int) -> Any:
        commented = item.item_id in self._commented
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return node.label
            return state_text(item) + (f"  {QA_MARK}" if commented else "")
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return state_icon(item.state)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            text = f"{node.label}: {state_text(item)}"
            if item.state is ItemState.NA_RULE and item.rule_note:
                text += f" ({item.rule_note})"
            if commented:
                text += ". Has a quality assurance comment"
            return text
        if role == Qt.ItemDataRole.ForegroundRole and not item.applies:
            return _greyed()
        if role == Qt.ItemDataRole.FontRole and (
            not item.applies or item.kind is ItemKind.JUDGEMENT
        ):
            return _font(
                bold=item.kind is ItemKind.JUDGEMENT and item.applies, italic=not item.applies
            )
        if role == ITEM_ID_ROLE:
            return item.item_id
        return None


def scroll_with_headings(view: QTreeView, index: QModelIndex) -> None:
    """Scroll the navigator to ``index`` keeping its key question's and standard's headings
    in view above it where the view is tall enough: the inspector sees where the item is."""
    if not index.isValid():
        return
    view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
    item_rect = view.visualRect(index)
    viewport = view.viewport().rect()
    ancestors = []
    parent = index.parent()
    while parent.isValid():
        ancestors.append(parent)
        parent = parent.parent()
    for heading in reversed(ancestors):  # the standard first, then the key question
        top = view.visualRect(heading)
        if top.top() >= 0 and item_rect.bottom() <= viewport.bottom():
            return  # this heading and the item are both in view already
        shift = item_rect.bottom() - top.top()
        if shift < viewport.height():
            view.scrollTo(heading, QAbstractItemView.ScrollHint.PositionAtTop)
            return
    view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)


class ColumnFit(QObject):
    """Keeps a tree view's column as wide as its widest cell, as the header's
    ResizeToContents mode does, measuring only the cells that changed.

    ResizeToContents measures every row of the column again on every ``dataChanged`` that
    touches it: some 650 calls of ``data()`` for each row an answer changes in the
    navigator. Here a reset measures every row once; a change measures its own cells."""

    def __init__(self, view: QTreeView, column: int):
        super().__init__(view)
        self._view, self._column = view, column
        self._widths: dict[tuple[int, int], int] = {}  # (row, internal id) -> width
        view.header().setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        model = view.model()
        for signal in (
            model.modelReset,
            model.layoutChanged,
            model.rowsInserted,
            model.rowsRemoved,
            model.rowsMoved,
        ):
            signal.connect(self.refit)
        model.dataChanged.connect(self._changed)
        view.installEventFilter(self)
        self.refit()

    def refit(self) -> None:
        """Measure every cell of the column."""
        self._widths = {}
        model = self._view.model()
        parents = [QModelIndex()]
        while parents:
            parent = parents.pop()
            for row in range(model.rowCount(parent)):
                self._measure(model.index(row, self._column, parent))
                first = model.index(row, 0, parent)
                if model.hasChildren(first):
                    parents.append(first)
        self._fit()

    def _measure(self, index: QModelIndex) -> None:
        self._widths[(index.row(), index.internalId())] = self._view.sizeHintForIndex(index).width()

    def _changed(self, top_left: QModelIndex, bottom_right: QModelIndex, *_roles: object) -> None:
        if not top_left.column() <= self._column <= bottom_right.column():
            return
        for row in range(top_left.row(), bottom_right.row() + 1):
            self._measure(top_left.siblingAtRow(row).siblingAtColumn(self._column))
        self._fit()

    def _fit(self) -> None:
        header = self._view.header()
        width = max(max(self._widths.values(), default=0), header.sectionSizeHint(self._column))
        if header.sectionSize(self._column) != width:
            header.resizeSection(self._column, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.FontChange,
            QEvent.Type.ApplicationFontChange,
            QEvent.Type.StyleChange,
        ):
            self.refit()  # a new text size (Settings) or style: every width changes
        return False
