"""Importing a run of return bundles: the one import path of ``fieldwork import`` and sync.

The run is one transaction: bundles share index pages, and writing them once instead
of once per bundle is what makes a national import fast (a savepoint per bundle
costs more than the writing itself). If writing one bundle fails, the run is rolled
back and done again without it, so each bundle still goes in whole or not at all.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fieldwork.bundles import container
from fieldwork.bundles.keystore import Keyring
from fieldwork.bundles.merging import ImportPlan, ImportResult, apply_import, plan_import
from fieldwork.bundles.schemas import BundleError
from fieldwork.errors import FieldworkError
from fieldwork.service import Service

Progress = Callable[[int, int, str], None]
log = logging.getLogger(__name__)
ROWS_STEP = 10_000  # progress is reported each time this many more rows are in
CACHE_KIB = 256 * 1024  # the page cache of a run of imports


@contextmanager
def larger_cache(service: Service, kib: int = CACHE_KIB) -> Iterator[None]:
    """A bigger page cache for a run of imports: index pages of a large central workspace
    stay in memory instead of being read again for each bundle. The file is not changed."""
    old = service.db.execute("PRAGMA cache_size").fetchone()[0]
    service.db.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        service.db.execute(f"PRAGMA cache_size = {int(old)}")


#: The garbage collector's thresholds during a run: a first generation of 50,000 objects, not
#: 700. A national run allocates millions of short-lived rows, dicts and tuples that reference
#: counting frees, and with the default the collector ran thousands of times to find almost
#: no cycles (about a tenth of the run). Collections still happen; nothing is switched off.
GC_THRESHOLD = (50_000, 20, 20)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector's thresholds of a run of imports, the ones before restored after it."""
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*old)


class _WriteFailed(Exception):
    """A bundle that passed its checks could not be written: the run is rolled back and
    tried again without it."""


def import_many(
    service: Service,
    paths: Iterable[str | Path],
    keyring: Keyring,
    *,
    progress: Progress | None = None,
    on_plan: Callable[[ImportPlan], None] | None = None,
) -> list[ImportResult | FieldworkError]:
    """Import bundles, oldest sequence first (so none is refused as older); the results come
    in the order the paths were given. A bundle that fails its checks is reported and the
    others still go in; ``on_plan`` sees the plan (the preview) of each bundle written.
    Progress is reported per bundle and per 10,000 rows.
    """
    given = [Path(p) for p in paths]
    ordered = sorted(given, key=bundle_order)
    failed: dict[Path, FieldworkError] = {}
    while True:
        results: dict[Path, ImportResult | FieldworkError] = dict(failed)
        plans: list[ImportPlan] = []
        todo = [p for p in ordered if p not in failed]
        rows = 0
        try:
            with larger_cache(service), fewer_collections(), service.workspace.write():
                for n, path in enumerate(todo):
                    if progress:
                        progress(n, len(todo), path.name)
                    try:
                        plan = plan_import(service, path, keyring)
                    except BundleError as exc:
                        results[path] = exc
                        continue
                    try:
                        results[path] = apply_import(service, plan, in_run=True)
                    except Exception as exc:
                        failed[path] = _write_error(path, exc)
                        raise _WriteFailed from exc
                    before, rows = rows, rows + plan.rows
                    plan.release()
                    plans.append(plan)
                    if progress and rows // ROWS_STEP > before // ROWS_STEP:
                        progress(n + 1, len(todo), f"{rows // ROWS_STEP * ROWS_STEP:,} rows")
        except _WriteFailed:
            continue
        break
    if progress:
        progress(len(todo), len(todo), "done")
    for plan in plans:
        if on_plan:
            on_plan(plan)
    return [results[p] for p in given]


def preview_many(
    service: Service, paths: Iterable[str | Path], keyring: Keyring
) -> list[ImportPlan | FieldworkError]:
    """What importing the bundles would do, each on its own (nothing is written)."""
    results: list[ImportPlan | FieldworkError] = []
    for path in sorted((Path(p) for p in paths), key=bundle_order):
        try:
            results.append(plan_import(service, path, keyring))
        except FieldworkError as exc:
            results.append(exc)
    return results


def _write_error(path: Path, exc: Exception) -> FieldworkError:
    if isinstance(exc, FieldworkError):
        return exc
    log.exception("writing %s failed", path)
    return BundleError(f"could not be written ({exc}); nothing of it was imported", file=str(path))


def bundle_order(path: Path) -> tuple[str, int, str]:
    """Sort key: by inspector, then oldest sequence first (unreadable files first)."""
    try:
        manifest = container.peek_manifest(path)
    except BundleError:
        return ("", 0, path.name)
    return (manifest.inspector_id, manifest.sequence, path.name)
