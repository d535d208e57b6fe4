"""Importing return bundles at the centre: the public face of three modules.

- ``reading``: every check of one bundle, cheapest and signer first (no writing);
- ``merging``: the plan of what importing it would do (the preview) and its commit;
- ``batching``: a run of bundles in one transaction, the path ``fieldwork import`` and
  sync share.
"""

from __future__ import annotations

from fieldwork.bundles.batching import bundle_order, import_many, preview_many
from fieldwork.bundles.merging import Change, ImportPlan, ImportResult, apply_import, plan_import
from fieldwork.bundles.reading import AlreadyImported, ReturnContents, read_return

__all__ = [
    "AlreadyImported",
    "Change",
    "ImportPlan",
    "ImportResult",
    "ReturnContents",
    "apply_import",
    "bundle_order",
    "import_many",
    "plan_import",
    "preview_many",
    "read_return",
]
