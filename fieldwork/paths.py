"""Where Fieldwork finds its bundled resources and keeps per-user files."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, inside a frozen app."""
    override = os.environ.get("FIELDWORK_RESOURCES")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def frameworks_dir() -> Path:
    return resources_dir() / "frameworks"


def schema_path(name: str) -> Path:
    return resources_dir() / "schemas" / f"{name}.schema.json"
