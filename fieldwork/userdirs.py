"""The user's own folders: where workspaces, settings and logs live on each system.

An installed application must not write beside its executable (the installer
puts it where an inspector has no write access, and updates replace that
folder), so everything per-user goes where the operating system expects it,
as ``platformdirs`` knows it:

- workspaces (the default folder): Documents/Fieldwork on every system;
- settings: %LOCALAPPDATA%\\Fieldwork (Windows), ~/Library/Application
  Support/Fieldwork (macOS), ~/.config/Fieldwork (Linux);
- logs: %LOCALAPPDATA%\\Fieldwork\\Logs, ~/Library/Logs/Fieldwork,
  ~/.local/state/Fieldwork/log.

Window state and recent files stay in Qt's ``QSettings``, which uses each
system's native place for them.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

import platformdirs

from fieldwork import __version__
from fieldwork.errors import FieldworkError

APP_NAME = "Fieldwork"
LOG_FILE_NAME = "fieldwork.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5
DEMO_NAME = "North West demo"
WORKSPACE_SUFFIX = ".fieldwork"

log = logging.getLogger(__name__)


class UserFolderError(FieldworkError):
    """The system did not say where the user's folders are (no home folder, say)."""


def documents_dir() -> Path:
    """The user's documents folder."""
    return _checked(platformdirs.user_documents_path(), "documents folder")


def workspaces_dir() -> Path:
    """Where new workspaces go unless the user chooses otherwise: Documents/Fieldwork."""
    return documents_dir() / APP_NAME


def settings_dir() -> Path:
    """The application's settings folder (not roaming: keys and settings stay on this laptop)."""
    return _checked(platformdirs.user_config_path(APP_NAME, appauthor=False), "settings folder")


def data_dir() -> Path:
    """The application's own data folder, for files that are neither settings nor logs."""
    return _checked(platformdirs.user_data_path(APP_NAME, appauthor=False), "data folder")


def log_dir() -> Path:
    """The folder that holds the application's log files."""
    return _checked(platformdirs.user_log_path(APP_NAME, appauthor=False), "log folder")


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


def default_demo_path() -> Path:
    """A new demo workspace in the workspaces folder, numbered if the name is taken."""
    folder = workspaces_dir()
    path = folder / f"{DEMO_NAME}{WORKSPACE_SUFFIX}"
    n = 2
    while path.exists():
        path = folder / f"{DEMO_NAME} ({n}){WORKSPACE_SUFFIX}"
        n += 1
    return path


def ensure_dir(path: Path) -> Path:
    """Create the folder (and its parents) if need be; a clear error if the system refuses."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserFolderError(
            f"cannot create this folder ({exc.strerror or exc})", file=str(path)
        ) from exc
    return path


def application_dir() -> Path | None:
    """The folder the packaged application runs from, or None when run from Python."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return None


def start_log_file(level: int = logging.INFO) -> Path:
    """Log to a rotating file in the log folder, once per process, and return its path.

    Called when the GUI starts. Several files of ``LOG_MAX_BYTES`` each are kept,
    so a log never fills the disk. Calling it again adds no second handler.
    """
    path = log_file()
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path:
            return path
    ensure_dir(path.parent)
    try:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        raise UserFolderError(
            f"cannot write the log file ({exc.strerror or exc})", file=str(path)
        ) from exc
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    log.info(
        "Fieldwork %s starting (Python %s, %s, %s)",
        __version__,
        sys.version.split()[0],
        sys.platform,
        "packaged" if application_dir() else "from source",
    )
    return path


def _checked(path: Path, what: str) -> Path:
    """The path, if it is a real per-user place: absolute and outside the application folder."""
    if not path.is_absolute():
        # platformdirs falls back on "~" when the system names no home folder,
        # which would put files wherever the program was started from.
        raise UserFolderError(
            f"the system does not say where your {what} is (is HOME or USERPROFILE set?)",
            file=str(path),
        )
    app = application_dir()
    if app is not None and path.resolve().is_relative_to(app):
        raise UserFolderError(
            f"your {what} would be inside the application's own folder ({app}); "
            "Fieldwork keeps your files elsewhere",
            file=str(path),
        )
    return path
