"""The Bundles menu: export, import (with a preview), verify and sync bundles; keys; conflicts.

Every bundle operation runs on the runner's worker thread (it owns the workspace
connection); only the dialogs run here. Passphrases are asked for on the GUI
thread before the work is submitted. The ``ask_*`` attributes are the one place
each dialog is asked for, so tests can answer them instead.
"""

from ui.bundles.menu import install

__all__ = ["install"]
