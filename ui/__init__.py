"""The Qt application. Calls into ``fieldwork``; holds no business rule of its own."""

from __future__ import annotations

import linecache
import os
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
            except FileNotFoundError:
                answer = _answer_without_file(module, path)
                if answer is not None:
                    return answer
            except OSError:
                pass
        return bool(upstream(module))

    mod_uses_pyside.cheap = True  # type: ignore[attr-defined]
    mod_uses_pyside.upstream = upstream  # type: ignore[attr-defined]
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[attr-defined]
    return True


def _answer_without_file(module: ModuleType, path: str) -> bool | None:
    """PySide's answer for a module whose ``.py`` file is not there, without ``inspect``.

    The packaged application's modules are such: compiled into the executable's archive,
    their ``__file__`` names where the source would be. ``inspect.getsource`` then finds the
    module, asks ``linecache``, which asks the module's loader for the source (PyInstaller's
    loader reads that missing file; a loader may hold the source elsewhere), and answers
    False when there is none. This asks the loader directly, as ``linecache`` would. None
    (ask PySide) when ``linecache`` already holds something for the path, or the path is
    relative (``linecache`` then searches ``sys.path``).
    """
    if path in linecache.cache or not os.path.isabs(path):
        return None
    namespace = vars(module)
    loader = namespace.get("__loader__")
    if loader is None:
        loader = getattr(namespace.get("__spec__"), "loader", None)
    get_source = getattr(loader, "get_source", None)
    name = namespace.get("__name__")
    if get_source is None or not name:
        return False
    try:
        source = get_source(name)
    except (ImportError, OSError):
        return False
    return source is not None and "PySide6" in source


cheapen_feature_hook()
