"""The workspace ``meta`` entries bundles and sync keep (key/value rows)."""

from __future__ import annotations

from fieldwork.service import Service

INSPECTOR_ID = "inspector_id"  # on a laptop: whose fieldwork workspace this is
SYNC_FOLDER = "sync_folder"
KIND = "kind"  # 'central' or 'fieldwork'


def get(service: Service, key: str, default: str = "") -> str:
    row = service.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else default


def is_laptop(service: Service) -> bool:
    """The "laptop or central?" choice: an inspector's fieldwork workspace, or central's.
    Every command that does one thing on a laptop and another at the centre asks here."""
    return get(service, KIND, "central") == "fieldwork"


def is_central(service: Service) -> bool:
    return not is_laptop(service)


def put(service: Service, key: str, value: str) -> None:
    """Inside a write: set a meta entry."""
    service.db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
