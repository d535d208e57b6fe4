"""The main window: the workspace's case list, and the case view when a case is open.

Features (printing, bundles, scoring, sampling) add their own menus through
``ui.extensions``; the window offers them ``menu(title)``, ``runner``, ``show_error``,
``refresh()`` and ``selected_case_ids()``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from fieldwork.errors import FieldworkError
from fieldwork.framework import Framework
from fieldwork.service import CaseDetail, CaseSummary, Change, Service
from fieldwork.store import WorkspaceKey
from ui import theme
from ui.case.view import CaseView
from ui.case_list import CaseListPage
from ui.extensions import EXTENSIONS
from ui.home import HomePage
from ui.housekeeping import Housekeeper
from ui.runner import ServiceRunner
from ui.settings import Preferences
from ui.unlock import IdleLock, prepare
from ui.widgets import (
    Key,
    WindowHelper,
    fit_to_screen,
    fits,
    install_tab_keys,
    set_shortcuts,
)

log = logging.getLogger(__name__)

GEOMETRY_KEY = "main_window/geometry"
SPLITTERS_KEY = "main_window/splitters"
LAST_WORKSPACE_KEY = "last_workspace"
#: The window's first size where the screen allows it (else the available screen).
PREFERRED_SIZE = QSize(1280, 800)


class MainWindow(QMainWindow):
    cases_loaded = Signal(int)  # number of cases now listed
    case_opened = Signal(str)  # case id, once the case view shows it
    case_closed = Signal(str)  # case id, back on the case list
    window_closed = Signal()  # the window has closed and the workspace is released

    _open_windows: ClassVar[list[MainWindow]] = []  # windows opened from File ▸ Open

    def __init__(
        self,
        workspace: Path,
        *,
        user: str | None = None,
        settings: QSettings | None = None,
        key: WorkspaceKey | None = None,
    ):
        super().__init__()
        self.workspace_path = Path(workspace)
        self.settings = settings if settings is not None else QSettings()
        self.preferences = Preferences(self.settings)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app)
            WindowHelper.install(app)
            self.preferences.apply_text_size(app)
        self.framework: Framework | None = None
        self._close_when_idle = False
        self._closed = False
        self._provided: dict[str, Callable[[], object]] = {}
        self.setWindowTitle(f"{self.workspace_path.name} — Fieldwork")
        # The integrity check and backup run beside the work (ui/housekeeping.py) so that a
        # national-sized workspace opens quickly; they start once the list is shown.
        self.runner = ServiceRunner(
            lambda: Service.open(
                self.workspace_path, user=user, check=False, backup=False, passphrase=key
            ),
            self,
            on_error=lambda error: self.show_error(error),  # the window's one failure path
        )
        self.housekeeper = Housekeeper(self.workspace_path, self.runner, self, key=key)
        self.housekeeper.finished.connect(self._checked)
        self.runner.idle.connect(self._runner_idle)

        self.case_list = CaseListPage(self)
        self.case_list.open_requested.connect(self.open_case)
        self.case_model = self.case_list.model  # the rows; the table shows them via a proxy
        self.case_table = self.case_list.table
        self.home = HomePage(self.case_list, self)
        self.home.continue_requested.connect(self.open_case)
        self.home.failed.connect(self.show_error)
        self.case_view = CaseView(self.runner, self)
        self.case_view.changed.connect(self._case_changed)
        self.case_view.close_requested.connect(self.close_case)
        self.case_view.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.case_view.internal_error.connect(self.show_error)
        self.case_view.auto_advance = self.preferences.auto_advance
        self.preferences.changed.connect(self._preferences_changed)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.home)
        self.pages.addWidget(self.case_view)
        self.setCentralWidget(self.pages)
        # The window's size is the inspector's: content changing as items are shown must
        # not push new minimum sizes onto it.
        layout = self.layout()
        assert layout is not None  # a QMainWindow always has its layout
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.statusBar().addPermanentWidget(self.case_view.save_indicator)
        self.undo_group = QUndoGroup(self)
        #: The workbench's own actions (each in a menu, each with a shortcut).
        self.own_actions: list[QAction] = list(self.case_view.actions_by_name.values())

        self._make_menus()
        for name in EXTENSIONS:
            module, _, function = name.partition(":")
            getattr(importlib.import_module(module), function)(self)
        self._make_help_menu()
        self.tab_keys = install_tab_keys(self)
        self._yield_clashing_shortcuts()
        self._show_list_actions(True)
        # An encrypted workspace locks after an idle time (ui/unlock.py).
        self.idle_lock = IdleLock(self, key, self.settings) if key is not None else None

        self._restore_geometry()
        self.statusBar().showMessage("Opening workspace…")
        self.refresh()

    # -- features made on first use ----------------------------------------------------------
    def provide(self, name: str, make: Callable[[], object]) -> None:
        """``window.<name>`` is ``make()``, made the first time it is asked for: a feature
        whose module is heavy (bundles' cryptography and zip files) is loaded when it is
        first used rather than at start-up."""
        self._provided[name] = make

    if not TYPE_CHECKING:  # type checkers keep seeing only the attributes the window has

        def __getattr__(self, name: str) -> Any:
            make = self.__dict__.get("_provided", {}).pop(name, None)
            if make is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = make()
            setattr(self, name, value)
            return value

    # -- menus -----------------------------------------------------------------------------
    def menu(self, title: str) -> QMenu:
        """The menu with this title, created at the end of the menu bar if it is new."""
        for action in self.menuBar().actions():
            if action.menu() is not None and action.text() == title:
                return action.menu()  # type: ignore[return-value]
        return self.menuBar().addMenu(title)

    def _add(
        self,
        menu: QMenu,
        text: str,
        keys: list[Key],
        slot: Any,
        *,
        context: QWidget | None = None,
    ) -> QAction:
        action = QAction(text, self)
        set_shortcuts(action, *keys)
        if context is not None:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            context.addAction(action)
        else:
            self.addAction(action)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.own_actions.append(action)
        return action

    def _make_menus(self) -> None:
        view = self.case_view.actions_by_name
        file_menu = self.menu("&File")
        self._add(
            file_menu, "&Open workspace…", [QKeySequence.StandardKey.Open], self.choose_workspace
        )
        self.print_action = self._add(
            file_menu, "&Print…", [QKeySequence.StandardKey.Print], self._print
        )
        file_menu.addSeparator()
        quit_action = self._add(
            file_menu, "&Quit", [QKeySequence.StandardKey.Quit, "Ctrl+Q"], self.close
        )
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        edit_menu = self.menu("&Edit")
        self.undo_action = self._add(
            edit_menu, "&Undo", [QKeySequence.StandardKey.Undo], self.case_view.undo
        )
        self.redo_action = self._add(
            edit_menu,
            "&Redo",
            ["Ctrl+Shift+Z", QKeySequence.StandardKey.Redo, "Ctrl+Y"],
            self.case_view.redo,
        )
        self.undo_group.canUndoChanged.connect(self._update_undo)
        self.undo_group.canRedoChanged.connect(self._update_undo)
        self.undo_group.undoTextChanged.connect(self._update_undo)
        self.undo_group.redoTextChanged.connect(self._update_undo)
        edit_menu.addSeparator()
        self._add(edit_menu, "&Find…", [QKeySequence.StandardKey.Find], self.find_text)
        edit_menu.addSeparator()
        settings_action = self._add(
            edit_menu,
            "&Settings…",
            [QKeySequence.StandardKey.Preferences, "Ctrl+,"],
            self.edit_settings,
        )
        settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)

        case_menu = self.menu("Ca&se")
        self.open_action = self._add(
            case_menu,
            "&Open the selected case",
            [Qt.Key.Key_Return, Qt.Key.Key_Enter],
            self.case_list.open_current,
            context=self.home,
        )
        case_menu.addAction(self.home.continue_action)
        self.own_actions.append(self.home.continue_action)
        case_menu.addAction(view["close_case"])
        case_menu.addSeparator()
        case_menu.addAction(view["completion"])
        case_menu.addAction(view["mark_complete"])
        case_menu.addAction(view["attributes"])
        case_menu.addSeparator()
        case_menu.addAction(view["retry"])

        answer_menu = self.menu("&Answer")
        for name in ("answer_yes", "answer_no", "answer_na", "clear_answer"):
            answer_menu.addAction(view[name])
        answer_menu.addSeparator()
        answer_menu.addAction(view["note"])

        go_menu = self.menu("&Go")
        for name in ("next_item", "previous_item", "next_unanswered"):
            go_menu.addAction(view[name])
        go_menu.addSeparator()
        go_menu.addAction(view["guidance"])
        self._update_undo()

    def _make_help_menu(self) -> None:
        help_menu = self.menu("&Help")
        self._add(
            help_menu,
            "&Keyboard shortcuts",
            [QKeySequence.StandardKey.HelpContents],
            self.show_shortcuts,
        )
        about = self._add(help_menu, "&About Fieldwork", ["Ctrl+Shift+F1"], self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)

    def _yield_clashing_shortcuts(self) -> None:
        """If a feature brought its own Print action, ours steps aside (one Ctrl+P).

        A feature's action takes a key only from a menu or the window itself, so those are
        the actions looked at (not every object in the window: that walk, and wrapping each
        action it finds for Python, cost start-up tens of milliseconds)."""
        mine = set(self.print_action.shortcuts())
        for action in [*self.actions(), *self._actions_in_menus()]:
            if action is not self.print_action and mine & set(action.shortcuts()):
                self.print_action.setShortcuts([])
                self.print_action.setVisible(False)
                return

    def _actions_in_menus(self) -> list[QAction]:
        """Every action of the menu bar's menus and their submenus."""
        found: list[QAction] = []
        menus = [a.menu() for a in self.menuBar().actions()]
        while menus:
            menu = menus.pop()
            if not isinstance(menu, QMenu):
                continue
            for action in menu.actions():
                found.append(action)
                menus.append(action.menu())
        return found

    def _show_list_actions(self, on_list: bool) -> None:
        self.open_action.setEnabled(on_list)
        self.home.continue_action.setEnabled(on_list)
        self.case_view.set_active(not on_list)
        self._update_undo()

    def _update_undo(self, *args: object) -> None:
        on_case = self.pages.currentWidget() is self.case_view
        stack = self.undo_group.activeStack()
        can_undo = on_case and stack is not None and stack.canUndo()
        can_redo = on_case and stack is not None and stack.canRedo()
        self.undo_action.setEnabled(can_undo)
        self.redo_action.setEnabled(can_redo)
        self.undo_action.setText(f"&Undo {stack.undoText()}" if can_undo and stack else "&Undo")
        self.redo_action.setText(f"&Redo {stack.redoText()}" if can_redo and stack else "&Redo")

    def menu_actions(self) -> list[tuple[str, QAction]]:
        """Every action in the menus, with its menu's title (for help and tests)."""
        out = []
        for top in self.menuBar().actions():
            menu = top.menu()
            if not isinstance(menu, QMenu):
                continue
            for action in menu.actions():
                if not action.isSeparator() and action.isVisible():
                    out.append((top.text().replace("&", ""), action))
        return out

    def show_shortcuts(self) -> None:
        """F1: every key, written as the platform writes it, grouped by task."""
        from ui import help as help_dialogs  # loaded when asked for, not at start-up

        help_dialogs.show_keys(self, self.menu_actions())

    def show_about(self) -> None:
        from ui import help as help_dialogs

        help_dialogs.show_about(self, self.workspace_path, self.framework)

    def _preferences_changed(self) -> None:
        self.case_view.auto_advance = self.preferences.auto_advance

    def edit_settings(self) -> None:
        from ui.settings import SettingsDialog

        dialog = SettingsDialog(self.preferences, self)
        dialog.open()

    # -- the case list ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Fetch the case list again (after an import, for example)."""

        def fetch(service: Service) -> tuple[Framework, list[CaseSummary]]:
            return service.framework, service.cases()

        self.runner.submit(fetch, self._show_cases, self._load_failed)

    def _show_cases(self, result: tuple[Framework, list[CaseSummary]]) -> None:
        framework, cases = result
        self.framework = framework
        titles = {s.id: s.title for s in framework.samples}
        self.case_list.set_cases(titles, cases)
        self.statusBar().showMessage(f"{len(cases)} cases", 5000)
        self.settings.setValue(LAST_WORKSPACE_KEY, str(self.workspace_path.resolve()))
        if self.pages.currentWidget() is self.home:
            self.case_list.table.setFocus()
        self.home.refresh(self.runner)
        self.cases_loaded.emit(len(cases))
        self.housekeeper.start()

    def _checked(self, damage: BaseException | None) -> None:
        if damage is not None:
            self.statusBar().showMessage("The workspace failed its integrity check.")
            self.show_error(damage)

    def _load_failed(self, error: BaseException) -> None:
        self.statusBar().showMessage("The workspace could not be opened.")
        self.show_error(error)

    def selected_case_ids(self) -> list[str]:
        """The open case; else the cases selected in the list; else every listed case."""
        if self.pages.currentWidget() is self.case_view and self.case_view.session:
            return [self.case_view.session.case_id]
        return self.case_list.selected_case_ids() or self.case_list.visible_case_ids()

    def find_text(self) -> None:
        if self.pages.currentWidget() is self.case_view:
            self.case_view.show_find()
        else:
            self.case_list.focus_filter()

    def _print(self) -> None:
        print_cases = getattr(self, "print_cases", None)
        if callable(print_cases):
            self.case_view.flush()
            print_cases(self.selected_case_ids())
        else:
            self.statusBar().showMessage("Printing is not available in this build.", 8000)

    def _case_changed(self, change: Change) -> None:
        self.case_model.apply_change(change)

    # -- a case ----------------------------------------------------------------------------
    def open_case(self, case_id: str) -> None:
        self.statusBar().showMessage("Opening the case…")
        self.runner.submit(lambda service: service.case(case_id), self._show_case, self.show_error)

    def _show_case(self, detail: CaseDetail) -> None:
        if self.framework is None:
            return
        self.case_view.open_case(self.framework, detail)
        stack = self.case_view.session.undo_stack if self.case_view.session else None
        if stack is not None:
            if stack not in self.undo_group.stacks():
                self.undo_group.addStack(stack)
            self.undo_group.setActiveStack(stack)
        self.pages.setCurrentWidget(self.case_view)
        self._show_list_actions(False)
        self.case_view.focus_navigator()
        self.statusBar().showMessage(f"Case {detail.summary.reference}", 5000)
        self.case_opened.emit(detail.summary.id)

    def close_case(self) -> None:
        """Back to the case list (after saving what is being typed)."""
        if self.pages.currentWidget() is not self.case_view or not self.case_view.can_leave():
            return
        self.case_view.leave()
        case_id = self.case_view.session.case_id if self.case_view.session else ""
        self.undo_group.setActiveStack(None)  # type: ignore[arg-type]  # Qt takes "no stack"
        self.pages.setCurrentWidget(self.home)
        self._show_list_actions(True)
        self.case_list.select_case(case_id)
        self.case_list.table.setFocus()
        self.home.refresh(self.runner)
        self.case_closed.emit(case_id)

    # -- size and place ----------------------------------------------------------------------
    def _splitters(self) -> list[QSplitter]:
        """The splitters whose positions are remembered: each has an object name."""
        return sorted(
            (s for s in self.findChildren(QSplitter) if s.objectName()),
            key=lambda s: s.objectName(),
        )

    def _restore_geometry(self) -> None:
        """The saved geometry if it still fits the screen (a laptop leaves its big monitor
        behind), else the preferred size within the available screen."""
        geometry = self.settings.value(GEOMETRY_KEY)
        if not (geometry is not None and self.restoreGeometry(geometry) and fits(self)):
            fit_to_screen(self, PREFERRED_SIZE)
        saved = self.settings.value(SPLITTERS_KEY)
        if isinstance(saved, dict):
            for splitter in self._splitters():
                state = saved.get(splitter.objectName())
                if state is not None:
                    splitter.restoreState(state)

    def _save_geometry(self) -> None:
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.setValue(
            SPLITTERS_KEY, {s.objectName(): s.saveState() for s in self._splitters()}
        )

    # -- workspaces ------------------------------------------------------------------------
    def choose_workspace(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            "Open workspace",
            str(self.workspace_path.parent),
            "Fieldwork workspaces (*.fieldwork)",
        )
        if not chosen or Path(chosen).resolve() == self.workspace_path.resolve():
            return
        go_ahead, key = prepare(self, Path(chosen), self.settings)
        if not go_ahead or not self.close():
            return
        window = MainWindow(Path(chosen), settings=self.settings, key=key)
        MainWindow._open_windows.append(window)
        window.window_closed.connect(lambda: MainWindow._open_windows.remove(window))
        window.show()

    # -- errors ----------------------------------------------------------------------------
    def show_error(self, error: BaseException) -> None:
        if isinstance(error, FieldworkError):
            QMessageBox.warning(self, "Fieldwork", error.message)
        else:
            log.error("internal error", exc_info=error)
            QMessageBox.critical(
                self,
                "Fieldwork: internal error",
                f"Something went wrong inside Fieldwork:\n{error!r}",
            )

    # -- closing ---------------------------------------------------------------------------
    def _runner_idle(self) -> None:
        if self._close_when_idle:
            self._close_when_idle = False
            QTimer.singleShot(0, self.close)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        self.case_view.flush()
        if self.runner.busy:
            # Writes are on their way: close once they are in (or have failed and been shown).
            self._close_when_idle = True
            self.statusBar().showMessage("Saving before closing…")
            event.ignore()
            return
        if not self.case_view.can_leave(every_case=True):
            event.ignore()
            return
        self._save_geometry()
        self.settings.sync()
        self.housekeeper.stop()
        self.runner.stop()
        self._closed = True
        super().closeEvent(event)
        self.window_closed.emit()
