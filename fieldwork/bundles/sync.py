"""The sync folder: a network share or a synced cloud folder that bundles pass through.

On a laptop, sync opens any new assignment bundle for this inspector found in the
folder and writes the newest return bundle there (replacing the inspector's older
ones: each return bundle holds everything). At the centre, sync imports the newest
return bundle of each laptop's series in one run, through the same import path as
``fieldwork import``; a bad bundle is reported as refused (and the command exits
non-zero), the others still go in. Every sync appends what it
did to ``<workspace>.sync.log``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from fieldwork.bundles import container, ledger, meta, trust
from fieldwork.bundles.assignment import Opened, update_from_assignment
from fieldwork.bundles.batching import import_many
from fieldwork.bundles.keystore import Keyring
from fieldwork.bundles.merging import ImportResult
from fieldwork.bundles.returns import changed_since_last_export, export_return
from fieldwork.bundles.schemas import BundleError
from fieldwork.errors import FieldworkError, InvalidChange
from fieldwork.service import Service

Progress = Callable[[int, int, str], None]
AskPassphrase = Callable[[Path], str | None]


@dataclass
class SyncReport:
    folder: Path
    log: list[str] = field(default_factory=list)
    written: Path | None = None
    opened: list[Opened] = field(default_factory=list)
    imported: list[ImportResult] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def log_path(workspace: Path) -> Path:
    return workspace.with_name(workspace.name + ".sync.log")


def sync_folder(service: Service, folder: str | Path | None = None) -> Path:
    """The workspace's sync folder; a folder given here is remembered for next time."""
    if folder is not None:
        chosen = Path(folder).expanduser().resolve()
        if not chosen.is_dir():
            raise InvalidChange("the sync folder does not exist", file=str(chosen))
        if meta.get(service, meta.SYNC_FOLDER) != str(chosen):
            with service.workspace.write():
                meta.put(service, meta.SYNC_FOLDER, str(chosen))
        return chosen
    stored = meta.get(service, meta.SYNC_FOLDER)
    if not stored:
        raise InvalidChange(
            "this workspace has no sync folder yet; give one with --folder",
            file=str(service.workspace.path),
        )
    if not Path(stored).is_dir():
        raise InvalidChange(
            "the sync folder cannot be reached (is the share connected?)", file=stored
        )
    return Path(stored)


def _bundles(
    folder: Path, report: SyncReport | None = None
) -> list[tuple[Path, container.Manifest]]:
    """Every readable bundle in the folder with its manifest; an unreadable one is reported
    as refused (in ``report``), never skipped in silence."""
    found = []
    for path in sorted(folder.glob(f"*{container.EXTENSION}")):
        try:
            found.append((path, container.peek_manifest(path)))
        except BundleError as exc:
            if report is not None:
                report.failed.append((path, exc.message))
                report.log.append(f"refused {path.name}: {exc.message}")
    return found


def sync(
    service: Service,
    keyring: Keyring,
    *,
    folder: str | Path | None = None,
    passphrase: AskPassphrase | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Sync a laptop or a central workspace with its folder (see the module's description)."""
    report = SyncReport(sync_folder(service, folder))
    if meta.is_laptop(service):
        _sync_laptop(service, keyring, report, passphrase, progress)
    else:
        _sync_central(service, keyring, report, progress)
    _write_log(service, report)
    return report


def _sync_laptop(
    service: Service,
    keyring: Keyring,
    report: SyncReport,
    passphrase: AskPassphrase | None,
    progress: Progress | None,
) -> None:
    mine = meta.get(service, meta.INSPECTOR_ID)
    inspection = service.inspection()
    candidates = [
        (path, manifest)
        for path, manifest in _bundles(report.folder)
        if manifest.kind == "assignment"
        and manifest.inspector_id == mine
        and inspection is not None
        and manifest.inspection_id == inspection.id
    ]
    last = ledger.last_sequence(service, "imported", "assignment", mine)
    new = sorted(
        ((p, m) for p, m in candidates if m.sequence > last), key=lambda pm: pm[1].sequence
    )
    steps = len(new) + 1
    for n, (path, manifest) in enumerate(new):
        if progress:
            progress(n, steps, f"opening {path.name}")
        secret = passphrase(path) if passphrase else None
        if not secret:
            report.log.append(
                f"assignment {manifest.sequence} waiting ({path.name}): it needs "
                "the passphrase the lead inspector gave you"
            )
            continue
        try:
            opened = update_from_assignment(service, path, passphrase=secret, keyring=keyring)
        except FieldworkError as exc:
            report.failed.append((path, exc.message))
            report.log.append(f"assignment {manifest.sequence} refused: {exc.message}")
            continue
        report.opened.append(opened)
        report.log.append(
            f"opened assignment {opened.sequence} ({path.name}): {len(opened.new_cases)} new "
            f"cases, {len(opened.released_cases)} withdrawn (moved to another inspector: read-only "
            f"here), {opened.new_comments} new comments"
        )
    if progress:
        progress(steps - 1, steps, "writing the return bundle")
    own = [
        (p, m) for p, m in _bundles(report.folder) if m.kind == "return" and m.inspector_id == mine
    ]
    if changed_since_last_export(service) or not own:
        target = _return_path(service, report.folder)
        exported = export_return(service, target, keyring=keyring)
        report.written = exported.path
        report.log.append(f"wrote return bundle {exported.sequence} ({exported.path.name})")
        for path, manifest in own:
            if manifest.sequence < exported.sequence:
                with suppress(OSError):
                    path.unlink()
                    report.log.append(f"removed superseded {path.name}")
    else:
        report.log.append("nothing new to return since the last return bundle")
    if progress:
        progress(steps, steps, "done")


def _return_path(service: Service, folder: Path) -> Path:
    mine = meta.get(service, meta.INSPECTOR_ID)
    row = service.db.execute("SELECT name FROM inspectors WHERE id = ?", [mine]).fetchone()
    sequence = ledger.next_sequence(service, "exported", "return", mine)
    return folder / ledger.default_name("return", row[0] if row else "inspector", sequence)


def _sync_central(
    service: Service, keyring: Keyring, report: SyncReport, progress: Progress | None
) -> None:
    inspection = service.inspection()
    waiting = [
        (path, manifest)
        for path, manifest in _bundles(report.folder, report)
        if manifest.kind == "return"
        and inspection is not None
        and manifest.inspection_id == inspection.id
        and not ledger.was_imported(service, manifest.bundle_id)
    ]
    # Each return bundle holds everything its laptop recorded: only the newest of each series
    # (one laptop's bundles) needs importing; an older one is tried only if the newest is
    # refused. A new laptop is a new series, numbered from 1: it is never "older".
    by_series: dict[tuple[str, str], list[Path]] = {}
    for path, manifest in sorted(waiting, key=lambda pm: -pm[1].sequence):
        series = trust.series_of_key(service, manifest.signer_key_id)
        last = ledger.last_sequence(
            service, "imported", "return", manifest.inspector_id, series=series
        )
        if manifest.sequence <= last:
            report.log.append(
                f"skipped {path.name}: bundle {last} from the same laptop, already imported, "
                "holds everything it does"
            )
            continue
        by_series.setdefault((manifest.inspector_id, series), []).append(path)
    if not by_series:
        report.log.append("no new return bundles")
    while by_series:
        newest = {group: paths[0] for group, paths in by_series.items()}
        results = import_many(service, list(newest.values()), keyring, progress=progress)
        outcome = dict(zip(newest.values(), results, strict=True))
        for group, path in newest.items():
            result = outcome[path]
            older = by_series.pop(group)[1:]
            if isinstance(result, FieldworkError):
                report.failed.append((path, result.message))
                report.log.append(f"refused {path.name}: {result.message}")
                if older:
                    by_series[group] = older
                continue
            report.imported.append(result)
            counts = result.counts
            report.log.append(
                f"imported {path.name} ({result.inspector_name}, bundle {result.sequence}): "
                f"{counts['new']} new, {counts['updated']} updated, {counts['conflicts']} "
                "conflicts"
            )
            if older:
                report.log.append(f"skipped {len(older)} older bundle(s) it supersedes")


def _write_log(service: Service, report: SyncReport) -> None:
    stamp = service.workspace.now()
    lines = [f"{stamp} sync with {report.folder}"] + [f"{stamp}   {line}" for line in report.log]
    with suppress(OSError), log_path(service.workspace.path).open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
