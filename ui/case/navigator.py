"""The case navigator: standards → key questions → prompts and judgements, each with its state."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont, QGuiApplication, QStandardItem, QStandardItemModel
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
class _Group:
    """A standard or key question row: its cells and the items counted in its progress."""

    kind: NodeKind
    label: str
    cells: tuple[QStandardItem, QStandardItem]
    members: list[str] = field(default_factory=list)  # item ids under it
    progress: tuple[int, int] | None = None  # (done, applicable) as shown


_Roles = dict[int, Any]
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_TEXT_ROLES = (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole)


class NavigatorModel(QStandardItemModel):
    """A tree over one case's items: standards, key questions, then prompts and judgements.

    The cells hold their text, icon, colour and font (a ``QStandardItemModel``): painting
    the navigator reads them without calling into Python, which for a tree of ~80 rows is
    most of the cost of a repaint. An answer changes the cells of its own row and of its
    key question's and standard's rows, one ``dataChanged`` each, and nothing else."""

    COLUMNS = ("Item", "State")

    def __init__(self, parent: Any = None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(self.COLUMNS))
        self._items: dict[str, CaseItem] = {}
        self._cells: dict[str, tuple[QStandardItem, QStandardItem]] = {}  # item id -> row
        self._groups: dict[tuple[NodeKind, str], _Group] = {}
        self._parents: dict[str, list[tuple[NodeKind, str]]] = {}  # item id -> its groups
        self._case_id: str | None = None
        self._commented: set[str] = set()  # items with a quality-assurance comment
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            # colours and fonts are held in the cells: a new text size or palette restyles
            app.fontChanged.connect(self._restyle)
            app.paletteChanged.connect(self._restyle)

    # -- filling ---------------------------------------------------------------------------
    def set_case(self, framework: Framework, detail: CaseDetail) -> None:
        """Show a case: rebuild the tree if it is another case, else refresh what changed."""
        if detail.summary.id == self._case_id and set(self._items) == {
            i.item_id for i in detail.items
        }:
            self.update_items(detail.items)
            return
        self.beginResetModel()
        blocked = self.blockSignals(True)  # one reset, not a signal per row built
        try:
            self._case_id = detail.summary.id
            self._build(framework, detail)
        finally:
            self.blockSignals(blocked)
        self.endResetModel()

    def _build(self, framework: Framework, detail: CaseDetail) -> None:
        self.removeRows(0, self.rowCount())
        self._cells, self._groups, self._parents = {}, {}, {}
        self._commented = set()
        self._items = {i.item_id: i for i in detail.items}
        by_kq: dict[str, list[CaseItem]] = {}
        for item in detail.items:
            by_kq.setdefault(item.key_question_id, []).append(item)
        root = self.invisibleRootItem()
        for standard in framework.case_standards(detail.summary.sample):
            s_key = (NodeKind.STANDARD, standard.id)
            s_cells = self._group(s_key, f"{standard.id} {standard.title}")
            for kq in standard.key_questions:
                k_key = (NodeKind.KEY_QUESTION, kq.id)
                k_cells = self._group(k_key, f"{kq.id} {kq.text}")
                for item in by_kq.get(kq.id, ()):
                    cells = (QStandardItem(), QStandardItem())
                    for cell in cells:
                        cell.setFlags(_FLAGS)
                    self._cells[item.item_id] = cells
                    self._parents[item.item_id] = [k_key, s_key]
                    for key in (k_key, s_key):
                        self._groups[key].members.append(item.item_id)
                    self._show_item(item)
                    k_cells[0].appendRow(list(cells))
                self._show_group(k_key)
                s_cells[0].appendRow(list(k_cells))
            self._show_group(s_key)
            root.appendRow(list(s_cells))

    def _group(self, key: tuple[NodeKind, str], label: str) -> tuple[QStandardItem, QStandardItem]:
        cells = (QStandardItem(), QStandardItem())
        for cell in cells:
            cell.setFlags(_FLAGS)
        self._groups[key] = _Group(key[0], label, cells)
        return cells

    def update_items(self, items: tuple[CaseItem, ...] | list[CaseItem]) -> None:
        """Take new states; signal each changed row and its parents' progress."""
        groups: set[tuple[NodeKind, str]] = set()
        for item in items:
            old = self._items.get(item.item_id)
            if old == item or item.item_id not in self._cells:
                continue
            self._items[item.item_id] = item
            self._show_item(item)
            groups.update(self._parents[item.item_id])
        for key in sorted(groups, key=lambda k: (k[0].value, k[1])):
            self._show_group(key)

    def set_commented(self, item_ids: set[str]) -> None:
        """Mark the items that carry a quality-assurance comment."""
        changed = (item_ids ^ self._commented) & set(self._cells)
        self._commented = set(item_ids)
        for item_id in sorted(changed):
            self._show_item(self._items[item_id])

    def _restyle(self, *_changed: object) -> None:
        for item in self._items.values():
            self._show_item(item)
        for key in self._groups:
            self._show_group(key, force=True)

    # -- what each cell holds --------------------------------------------------------------
    def _show_item(self, item: CaseItem) -> None:
        label = item_label(item)
        state = state_text(item)
        text = f"{label}: {state}"
        if item.state is ItemState.NA_RULE and item.rule_note:
            text += f" ({item.rule_note})"
        if item.item_id in self._commented:
            text += ". Has a quality assurance comment"
            state += f"  {QA_MARK}"
        common: _Roles = {
            Qt.ItemDataRole.ToolTipRole: text,
            Qt.ItemDataRole.AccessibleTextRole: text,
            ITEM_ID_ROLE: item.item_id,
        }
        if not item.applies:
            common[Qt.ItemDataRole.ForegroundRole] = _greyed()
        if not item.applies or item.kind is ItemKind.JUDGEMENT:
            common[Qt.ItemDataRole.FontRole] = _font(
                bold=item.kind is ItemKind.JUDGEMENT and item.applies, italic=not item.applies
            )
        first, second = self._cells[item.item_id]
        _set_roles(
            first,
            {
                **common,
                Qt.ItemDataRole.DisplayRole: label,
                Qt.ItemDataRole.DecorationRole: state_icon(item.state),
            },
        )
        _set_roles(second, {**common, Qt.ItemDataRole.DisplayRole: state})

    def _show_group(self, key: tuple[NodeKind, str], *, force: bool = False) -> None:
        group = self._groups[key]
        counted = [self._items[i] for i in group.members if self._items[i].applies]
        done = (sum(1 for i in counted if i.missing is None), len(counted))
        if done == group.progress and not force:
            return  # what an answer changes most often: the item, not the count
        group.progress = done
        progress = f"{done[0]} of {done[1]}" if done[1] else "Does not apply"
        text = f"{group.label}: {progress} done"
        common: _Roles = {
            Qt.ItemDataRole.ToolTipRole: text,
            Qt.ItemDataRole.AccessibleTextRole: text,
        }
        if group.kind is NodeKind.STANDARD:
            common[Qt.ItemDataRole.FontRole] = _font(bold=True)
        if not done[1]:
            common[Qt.ItemDataRole.ForegroundRole] = _greyed()
        _set_roles(group.cells[0], {**common, Qt.ItemDataRole.DisplayRole: group.label})
        _set_roles(group.cells[1], {**common, Qt.ItemDataRole.DisplayRole: progress})

    # -- lookups ---------------------------------------------------------------------------
    def index_of(self, item_id: str) -> QModelIndex:
        cells = self._cells.get(item_id)
        return cells[0].index() if cells is not None else QModelIndex()

    # shadows QStandardItemModel.item(row, column), which nothing here uses: an index's case
    # item is what the case view asks for
    def item(self, index: Index) -> CaseItem | None:  # type: ignore[override]
        if not index.isValid():
            return None
        item_id = index.data(ITEM_ID_ROLE)
        return self._items.get(item_id) if isinstance(item_id, str) else None

    def first_item_under(self, index: Index) -> CaseItem | None:
        if not index.isValid():
            return None
        first = self.index(index.row(), 0, index.parent())
        while self.hasChildren(first):
            first = self.index(0, 0, first)
        return self.item(first)


def _set_roles(cell: QStandardItem, roles: _Roles) -> None:
    """Give ``cell`` exactly these roles: one ``dataChanged`` for what is set, and one for
    each role it no longer has (a row that applies again loses its grey)."""
    model = cell.model()
    if model is None:
        for role, value in roles.items():
            cell.setData(value, role)
        return
    index = cell.index()
    for role in set(model.itemData(index)) - set(roles) - {Qt.ItemDataRole.EditRole}:
        cell.setData(None, role)
    model.setItemData(index, roles)


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
