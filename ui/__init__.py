"""The Qt application. Calls into ``fieldwork``; holds no business rule of its own."""

from __future__ import annotations

import sys
from types import ModuleType

from ui._refcounts import immortalize_singletons

immortalize_singletons()  # before any Qt call: see ui/_refcounts.py


def cheapen_feature_hook() -> bool:
    """Make PySide6's import hook ask its one question without ``inspect.getsource``.

    Once PySide6's ``shiboken6`` is imported it replaces ``__import__`` and, after each new
    module, asks whether its source mentions "PySide6" (``from __feature__ import
    snake_case`` is switched per module). It asks with ``inspect.getsource``, which decodes
    the whole file, splits it into lines and keeps them (``linecache``): about 75 ms for
    the 230-odd modules the first window loads. Reading the file's bytes gives the same
    answers in about 12 ms; a module that is not a plain ``.py`` file (built in, or in
    the packaged application's archive) still gets PySide's own answer. Returns False when
    this PySide6 has no such hook (a later release may drop or change it), or when it is
    already made cheap.
    """
    import PySide6  # noqa: F401  # its shiboken6 installs the hook (before any Qt module)

    feature = sys.modules.get("shibokensupport.feature")
    upstream = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or upstream is None or getattr(upstream, "cheap", False):
        return False

    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(upstream(module))

    mod_uses_pyside.cheap = True  # type: ignore[attr-defined]
    mod_uses_pyside.upstream = upstream  # type: ignore[attr-defined]
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[attr-defined]
    return True


cheapen_feature_hook()
