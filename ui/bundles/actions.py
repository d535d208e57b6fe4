"""The Bundles menu's actions: export, import, verify, sync, conflicts and keys."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from fieldwork.allocation import find_inspector
from fieldwork.bundles import container, ledger, meta
from fieldwork.bundles.assignment import (
    Opened,
    export_assignment,
    open_assignment,
    update_from_assignment,
)
from fieldwork.bundles.conflicts import Conflict, conflicts, resolve
from fieldwork.bundles.importer import ImportPlan, ImportResult, apply_import, plan_import
from fieldwork.bundles.returns import export_return
from fieldwork.bundles.sync import SyncReport, sync, sync_folder
from fieldwork.bundles.verify import describe
from fieldwork.errors import FieldworkError, InvalidChange
from fieldwork.keys import (
    KeyProblem,
    Keyring,
    init_central_keys,
    keys_dir,
    revoke_inspector_keys,
    rotate_central_keys,
    rotate_inspector_key,
)
from fieldwork.keys import (
    describe as describe_keys,
)
from fieldwork.service import Service
from fieldwork.store import WorkspaceKey, is_encrypted, key_for
from ui.bundles.conflicts import ConflictsDialog
from ui.bundles.preview import PreviewDialog
from ui.export_assignment import (
    AssignmentRequest,
    ExportAssignmentDialog,
    MakeKeysDialog,
    Readiness,
    readiness,
    return_problem,
)
from ui.widgets import show_saved

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
FILTER = f"Fieldwork bundles (*{container.EXTENSION})"


def _ask_passphrase(parent: QWidget, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok and text else None


class Bundles(QObject):
    """The Bundles menu of one main window."""

    progressed = Signal(int, int, str)  # emitted on the worker thread, shown on the GUI thread
    imported = Signal(object)  # ImportResult
    exported = Signal(object)  # Exported
    verified = Signal(list)  # the lines describing the bundle
    synced = Signal(object)  # SyncReport
    resolved = Signal(object)  # Conflict
    revoked = Signal(str, list)  # inspector's name, ids of the keys retired
    previewing = Signal(object)  # PreviewDialog, once shown
    workspace_created = Signal(object)  # Opened: a laptop workspace made from an assignment

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.kind = "central"
        self.keyring: Keyring | None = None
        self.folder = window.workspace_path.parent
        self.progress_dialog: QProgressDialog | None = None
        self.preview_dialog: PreviewDialog | None = None
        self.conflicts_dialog: ConflictsDialog | None = None
        self.export_dialog: ExportAssignmentDialog | None = None
        self.make_keys_dialog: MakeKeysDialog | None = None
        self.ask_open_file: Callable[[str], Path | None] = self._open_file
        self.ask_save_file: Callable[[str, str], Path | None] = self._save_file
        self.ask_folder: Callable[[str], Path | None] = self._choose_folder
        self.ask_passphrase: Callable[[str, str], str | None] = lambda title, label: (
            _ask_passphrase(self.window, title, label)
        )
        self.ask_key_owner: Callable[[list[str]], str | None] = self._choose_key_owner
        self.ask_confirm: Callable[[str, str], bool] = self._confirm
        self.ask_new_workspace: Callable[[], Path | None] = self._new_workspace_file
        self.new_windows: list[Any] = []  # windows opened on workspaces made here
        self._new_key: WorkspaceKey | None = None  # the key of the workspace just made
        self.show_text: Callable[[str, str], None] = self._show_text
        self.progressed.connect(self._show_progress)
        window.runner.submit(lambda s: meta.get(s, meta.KIND, "central"), self._set_kind)

    def _set_kind(self, kind: str) -> None:
        self.kind = kind

    # -- dialogs (replaced in tests) ------------------------------------------------------------
    def _open_file(self, title: str) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(self.window, title, str(self.folder), FILTER)
        return Path(chosen) if chosen else None

    def _save_file(self, title: str, name: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self.window, title, str(self.folder / name), FILTER)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix == container.EXTENSION else path.with_suffix(container.EXTENSION)

    def _choose_folder(self, title: str) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self.window, title, str(self.folder))
        return Path(chosen) if chosen else None

    def _new_workspace_file(self) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(
            self.window,
            "New fieldwork workspace",
            str(self.folder / "my-cases.fieldwork"),
            "Fieldwork workspaces (*.fieldwork)",
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix == ".fieldwork" else path.with_suffix(".fieldwork")

    def _choose_key_owner(self, names: list[str]) -> str | None:
        name, ok = QInputDialog.getItem(
            self.window,
            "Revoke a key",
            "Whose signing key to revoke (a lost or stolen laptop)?",
            names,
            0,
            False,
        )
        return name if ok else None

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self.window,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _show_text(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=self.window)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()

    # -- keys -----------------------------------------------------------------------------------
    def _keys(self) -> Keyring | None:
        """The window's keyring, unlocked with a passphrase asked for once per session."""
        if self.keyring is None:
            passphrase = self.ask_passphrase(
                "Your keys", "Passphrase of your keys (to sign and to open bundles):"
            )
            if passphrase is None:
                return None
            self.keyring = Keyring(keys_dir(self.window.workspace_path), passphrase)
        return self.keyring

    def make_keys(
        self, parent: QWidget | None = None, then: Callable[[], None] | None = None
    ) -> None:
        """Ask for the keys' passphrase (checked as it is typed, and confirmed), then make
        the inspectorate's keys; ``then`` runs once they are made."""
        dialog = MakeKeysDialog(parent or self.window)
        dialog.chosen.connect(lambda passphrase: self._make_keys(passphrase, then))
        self.make_keys_dialog = dialog
        dialog.open()

    def _make_keys(self, passphrase: str, then: Callable[[], None] | None) -> None:
        self.keyring = Keyring(keys_dir(self.window.workspace_path), passphrase)
        keyring = self.keyring

        def made(records: Any) -> None:
            self._status("Made the inspectorate's keys: " + ", ".join(r.short for r in records))
            if then is not None:
                then()

        self._run("Making keys…", lambda s: init_central_keys(s, keyring), made)

    def rotate_keys(self) -> None:
        keyring = self._keys()
        if keyring is None:
            return

        def rotate(service: Service) -> str:
            if meta.is_laptop(service):
                return f"Your new signing key is {rotate_inspector_key(service, keyring).short}."
            records = rotate_central_keys(service, keyring)
            return "New inspectorate keys: " + ", ".join(r.short for r in records)

        self._run("Rotating keys…", rotate, self._status)

    def revoke_key(self) -> None:
        """Central: retire an inspector's signing key (a lost laptop), after confirmation;
        the same core function as ``fieldwork keys revoke``."""
        if self.kind == "fieldwork":
            self.window.show_error(
                InvalidChange(
                    "keys are revoked at the centre; on a laptop, rotate your own key instead"
                )
            )
            return
        self.window.runner.submit(
            lambda s: [i.name for i in s.inspectors()], self._revoke_for, self._failed
        )

    def _revoke_for(self, names: list[str]) -> None:
        if not names:
            self.window.show_error(InvalidChange("there are no inspectors whose key to revoke"))
            return
        name = self.ask_key_owner(names)
        if name is None:
            return
        if not self.ask_confirm(
            "Revoke a key",
            f"Revoke {name}'s signing key? Return bundles signed with it will no longer be "
            f"accepted. {name}'s next assignment bundle issues a new key.",
        ):
            return

        def revoke(service: Service) -> tuple[str, list[str]]:
            inspector = find_inspector(service, name)
            return inspector.name, revoke_inspector_keys(service, inspector.id)

        def done(result: tuple[str, list[str]]) -> None:
            who, retired = result
            if retired:
                self._status(
                    f"Retired {len(retired)} key(s) of {who}; their next assignment issues a "
                    "new one."
                )
            else:
                self._status(f"{who} has no active signing key: nothing to revoke.")
            self.revoked.emit(who, retired)

        self.window.runner.submit(revoke, done, self._failed)

    def list_keys(self) -> None:
        self.window.runner.submit(
            describe_keys,
            lambda lines: self.show_text("Keys", "\n".join(lines) or "No keys yet."),
            self._failed,
        )

    # -- export ---------------------------------------------------------------------------------
    def export(self) -> None:
        """Central: an inspector's assignment. Laptop: the return bundle."""
        if self.kind == "fieldwork":
            # what a return bundle needs is checked before anything is asked
            self.window.runner.submit(return_problem, self._export_return, self._failed)
            return
        kind = self.kind
        self.window.runner.submit(
            lambda s: readiness(s, kind), self._show_export_dialog, self._failed
        )

    def _export_return(self, problem: str) -> None:
        if problem:
            self.window.show_error(InvalidChange(problem, file=str(self.window.workspace_path)))
            return
        path = self.ask_save_file("Save return bundle", "return" + container.EXTENSION)
        keyring = self._keys() if path else None
        if path is None or keyring is None:
            return
        self._run(
            "Writing the return bundle…",
            lambda s: export_return(s, path, keyring=keyring),
            self._exported,
        )

    def _show_export_dialog(self, ready: Readiness) -> None:
        """The export dialog: what is missing first (with the fix), then the questions."""
        dialog = ExportAssignmentDialog(
            ready,
            self.folder,
            lambda name: ledger.default_name("assignment", name, 1),
            keys_unlocked=self.keyring is not None,
            parent=self.window,
        )
        dialog.make_keys_requested.connect(
            lambda: self.make_keys(dialog, then=lambda: self._check_export_again(dialog))
        )
        dialog.submitted.connect(self._export_assignment)
        self.export_dialog = dialog
        dialog.open()

    def _check_export_again(self, dialog: ExportAssignmentDialog) -> None:
        kind = self.kind
        self.window.runner.submit(
            lambda s: readiness(s, kind),
            lambda ready: dialog.show_readiness(ready, keys_unlocked=self.keyring is not None),
            self._failed,
        )

    def _export_assignment(self, request: AssignmentRequest) -> None:
        if request.keys_passphrase is not None:
            self.keyring = Keyring(keys_dir(self.window.workspace_path), request.keys_passphrase)
        keyring = self.keyring
        if keyring is None:
            return
        self._run(
            f"Writing {request.inspector}'s assignment…",
            lambda s: export_assignment(
                s, request.inspector, request.path, passphrase=request.passphrase, keyring=keyring
            ),
            self._exported,
        )

    def _exported(self, result: Any) -> None:
        self._status(f"Wrote {result.kind} bundle {result.sequence} to {result.path.name}.")
        detail = (
            f"Give {result.inspector_name} the bundle's passphrase separately."
            if result.kind == "assignment"
            else "Hand it in through the sync folder, or as your lead inspector asked."
        )
        show_saved(
            self.window,
            "Bundle written",
            f"Wrote {result.kind} bundle {result.sequence}:",
            Path(result.path),
            detail,
        )
        self.exported.emit(result)

    # -- import ---------------------------------------------------------------------------------
    def import_bundle(self) -> None:
        path = self.ask_open_file("Import bundle")
        if path is None:
            return
        self.folder = path.parent
        if self.kind == "fieldwork":
            passphrase = self.ask_passphrase(
                "Open assignment", "The passphrase your lead inspector gave you:"
            )
            ring = self._keys() if passphrase else None
            if passphrase is None or ring is None:
                return

            def open_(service: Service) -> Any:
                return update_from_assignment(service, path, passphrase=passphrase, keyring=ring)

            self._run("Opening the assignment…", open_, self._opened)
            return
        keyring = self._keys()
        if keyring is None:
            return
        self._run("Checking the bundle…", lambda s: plan_import(s, path, keyring), self._preview)

    def _opened(self, opened: Any) -> None:
        if opened.already_opened:
            self._status("That assignment was already opened here: nothing changed.")
        else:
            withdrawn = len(opened.released_cases)
            moved = (
                f"{withdrawn} withdrawn (moved to another inspector: read-only here), "
                if withdrawn
                else ""
            )
            self._status(
                f"Opened assignment {opened.sequence}: {len(opened.new_cases)} new cases, "
                f"{moved}{opened.new_comments} new comments."
            )
        self.window.refresh()

    def _preview(self, plan: ImportPlan) -> None:
        if plan.already_imported:
            self._status("That bundle was already imported: nothing changed.")
            return
        dialog = self.preview_dialog = PreviewDialog(plan, self.window)
        dialog.accepted.connect(lambda: self._apply(plan))
        dialog.finished.connect(lambda _result: setattr(self, "preview_dialog", None))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        self.previewing.emit(dialog)

    def _apply(self, plan: ImportPlan) -> None:
        self._run("Importing…", lambda s: apply_import(s, plan), self._imported)

    def _imported(self, result: ImportResult) -> None:
        counts = result.counts
        self._status(
            f"Imported {result.path.name}: {counts['new']} new, {counts['updated']} updated, "
            f"{counts['conflicts']} conflicts."
        )
        self.imported.emit(result)
        self.window.refresh()

    # -- a first assignment: a new workspace ----------------------------------------------------
    def open_as_new_workspace(self) -> None:
        """Make an inspector's fieldwork workspace from their first assignment bundle, then
        open it in a window of its own. The work runs beside the runner's queue, on a thread
        of its own: the runner's service is this window's workspace, not the new one."""
        bundle = self.ask_open_file("Open your assignment bundle")
        target = self.ask_new_workspace() if bundle else None
        if bundle is None or target is None:
            return
        passphrase = self.ask_passphrase(
            "Open assignment", "The passphrase your lead inspector gave you:"
        )
        key_passphrase = (
            self.ask_passphrase(
                "Your signing key", "Choose a passphrase to protect your signing key:"
            )
            if passphrase
            else None
        )
        if passphrase is None or key_passphrase is None:
            return
        keyring = Keyring(keys_dir(target), key_passphrase)
        self._status("Opening the assignment…", 0)

        def work() -> Opened:
            opened = open_assignment(bundle, target, passphrase=passphrase, keyring=keyring)
            # The new workspace is encrypted with the key passphrase: its window gets the
            # key, derived here off the GUI thread, rather than asking again.
            self._new_key = key_for(target, key_passphrase) if is_encrypted(target) else None
            return opened

        self.window.runner.beside(
            work, self._workspace_created, self._failed, name="open-assignment"
        )

    def _workspace_created(self, opened: Opened) -> None:
        self._status(
            f"Made {opened.workspace.name}: {len(opened.new_cases)} cases for "
            f"{opened.inspector_name}. The inspectorate's key is {opened.central_key}."
        )
        from ui.main_window import MainWindow

        window = MainWindow(opened.workspace, settings=self.window.settings, key=self._new_key)
        self.new_windows.append(window)
        window.show()
        self.workspace_created.emit(opened)

    # -- verify ---------------------------------------------------------------------------------
    def verify(self) -> None:
        path = self.ask_open_file("Verify bundle")
        if path is None:
            return
        keyring = self.keyring if self.kind == "central" else None

        def check(service: Service) -> list[str]:
            return describe(path, service=service if keyring else None, keyring=keyring)

        def done(lines: list[str]) -> None:
            self.show_text("Bundle checked", "\n".join(lines))
            self.verified.emit(lines)

        self._run("Checking the bundle…", check, done)

    # -- sync -----------------------------------------------------------------------------------
    def sync(self) -> None:
        def folder_of(service: Service) -> str:
            return meta.get(service, meta.SYNC_FOLDER)

        self.window.runner.submit(folder_of, self._sync_in, self._failed)

    def _sync_in(self, stored: str) -> None:
        folder = Path(stored) if stored else self.ask_folder("Choose the sync folder")
        if folder is None:
            return
        keyring = self._keys()
        if keyring is None:
            return
        if self.kind == "fieldwork":
            self.window.runner.submit(
                lambda s: _waiting_assignments(s, folder),
                lambda waiting: self._sync_laptop(folder, keyring, waiting),
                self._failed,
            )
            return
        self._run(
            "Syncing…",
            lambda s: sync(s, keyring, folder=folder, progress=self.progressed.emit),
            self._synced,
        )

    def _sync_laptop(self, folder: Path, keyring: Keyring, waiting: int) -> None:
        passphrase = None
        if waiting:
            passphrase = self.ask_passphrase(
                "New assignment", "A new assignment is waiting. Its passphrase:"
            )

        def run(service: Service) -> SyncReport:
            return sync(
                service,
                keyring,
                folder=folder,
                passphrase=lambda _path: passphrase,
                progress=self.progressed.emit,
            )

        self._run("Syncing…", run, self._synced)

    def _synced(self, report: SyncReport) -> None:
        self._status(report.log[-1] if report.log else "Synced.")
        if report.failed:
            self.show_text("Sync", "\n".join(report.log))
        self.synced.emit(report)
        self.window.refresh()

    # -- conflicts ------------------------------------------------------------------------------
    def show_conflicts(self) -> None:
        self.window.runner.submit(conflicts, self._conflicts_shown, self._failed)

    def _conflicts_shown(self, found: list[Conflict]) -> None:
        if self.conflicts_dialog is None:
            dialog = self.conflicts_dialog = ConflictsDialog(found, self.window)
            dialog.resolve_requested.connect(self._resolve)
            dialog.finished.connect(lambda _r: setattr(self, "conflicts_dialog", None))
            dialog.open()
        else:
            self.conflicts_dialog.show_conflicts(found)

    def _resolve(self, conflict_id: str, side: str) -> None:
        def run(service: Service) -> tuple[Conflict, list[Conflict]]:
            return resolve(service, conflict_id, side), conflicts(service)

        def done(result: tuple[Conflict, list[Conflict]]) -> None:
            resolved, remaining = result
            self._conflicts_shown(remaining)
            self._status(
                f"Kept the {side} version of {resolved.item_id} in case {resolved.case_reference}."
            )
            self.resolved.emit(resolved)
            self.window.refresh()

        self.window.runner.submit(run, done, self._failed)

    # -- shared ---------------------------------------------------------------------------------
    def _run(self, label: str, op: Callable[[Service], Any], done: Callable[[Any], None]) -> None:
        dialog = QProgressDialog(label, "", 0, 0, self.window)
        dialog.setWindowTitle("Bundles")
        dialog.setAccessibleName("Bundle progress")
        dialog.setCancelButton(None)  # type: ignore[arg-type]
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        self.progress_dialog = dialog
        self._status(label, 0)

        def finished(result: Any) -> None:
            self._finish()
            done(result)

        self.window.runner.submit(op, finished, self._failed)

    def _show_progress(self, done: int, total: int, what: str) -> None:
        dialog = self.progress_dialog
        if dialog is not None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(done)
            dialog.setLabelText(what)

    def _finish(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()

    def _failed(self, error: BaseException) -> None:
        self._finish()
        if isinstance(error, KeyProblem):
            self.keyring = None  # a wrong passphrase is asked for again next time
        self._status("Nothing was changed.")
        self.window.show_error(error)

    def _status(self, text: str, timeout: int = 8000) -> None:
        self.window.statusBar().showMessage(text, timeout)


def _waiting_assignments(service: Service, folder: Path) -> int:
    """How many assignment bundles for this laptop's inspector wait in the folder."""
    sync_folder(service, folder)
    mine = meta.get(service, meta.INSPECTOR_ID)
    last = ledger.last_sequence(service, "imported", "assignment", mine)
    count = 0
    for path in folder.glob(f"*{container.EXTENSION}"):
        try:
            manifest = container.peek_manifest(path)
        except FieldworkError:
            continue
        if manifest.kind == "assignment" and manifest.inspector_id == mine:
            count += manifest.sequence > last
    return count
