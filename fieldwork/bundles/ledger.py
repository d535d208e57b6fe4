"""The bundles a workspace has written and read: their sequence numbers and summaries.

Sequence numbers count each inspector's bundles of each kind. A receiver refuses a
bundle older than one it has already taken, and takes the same bundle twice as
"already done".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldwork.bundles import container
from fieldwork.framework import Framework
from fieldwork.service import Service


@dataclass(frozen=True)
class Exported:
    """A bundle this workspace wrote."""

    path: Path
    kind: str
    bundle_id: str
    inspector_id: str
    inspector_name: str
    sequence: int
    file_sha256: str
    counts: Mapping[str, int] = field(default_factory=dict)
    issued_key: str | None = None  # id of a signing key issued inside the bundle
    signer_key: str = ""  # fingerprint (short) of the key that signed it, for people to compare


def default_name(kind: str, inspector_name: str, sequence: int) -> str:
    slug = "-".join("".join(c if c.isalnum() else " " for c in inspector_name.lower()).split())
    return f"{kind}-{slug or 'inspector'}-{sequence:04d}{container.EXTENSION}"


def next_sequence(
    service: Service, direction: str, kind: str, inspector_id: str, *, series: str | None = None
) -> int:
    """The next number of this inspector's bundles of this kind (within ``series`` if given)."""
    sql = "SELECT MAX(sequence) FROM bundles WHERE direction = ? AND kind = ? AND inspector_id = ?"
    params = [direction, kind, inspector_id]
    if series is not None:
        sql += " AND series = ?"
        params.append(series)
    row = service.db.execute(sql, params).fetchone()
    return int(row[0] or 0) + 1


def last_sequence(
    service: Service, direction: str, kind: str, inspector_id: str, *, series: str | None = None
) -> int:
    return next_sequence(service, direction, kind, inspector_id, series=series) - 1


def was_imported(service: Service, bundle_id: str) -> bool:
    """Whether the bundle with this (signed) id has been taken here."""
    row = service.db.execute(
        "SELECT 1 FROM bundles WHERE id = ? AND direction = 'imported'", [bundle_id]
    ).fetchone()
    return row is not None


def framework_fields(framework: Framework) -> dict[str, str]:
    return {"id": framework.id, "version": framework.version, "hash": framework.content_hash}


def record_bundle(
    service: Service,
    manifest: container.Manifest,
    direction: str,
    digest: str,
    summary: Mapping[str, Any],
    *,
    series: str = "",
) -> None:
    service.db.execute(
        "INSERT INTO bundles (id, direction, kind, inspector_id, sequence, created_at, "
        "recorded_at, file_sha256, summary, series) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            manifest.bundle_id,
            direction,
            manifest.kind,
            manifest.inspector_id,
            manifest.sequence,
            manifest.created_at,
            service.workspace.now(),
            digest,
            json.dumps(dict(summary)),
            series,
        ],
    )
