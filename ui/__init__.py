"""The Qt application. Calls into ``fieldwork``; holds no business rule of its own."""

from ui._refcounts import immortalize_singletons

immortalize_singletons()  # before any Qt call: see ui/_refcounts.py

# The core the window and its menus open with, loaded before PySide6: once PySide6 is
# imported, its feature hook reads the source of every module imported after it
# (inspect.getsource), which cost start-up tens of milliseconds for modules that never use
# Qt. Nothing here is extra work: the window needs each of these before it is shown.
import fieldwork.bundles.sync  # noqa: E402, F401
import fieldwork.central  # noqa: E402, F401
import fieldwork.home  # noqa: E402, F401
import fieldwork.interviews.figures  # noqa: E402, F401
import fieldwork.keys  # noqa: E402, F401
import fieldwork.sampling.summary  # noqa: E402, F401
import fieldwork.scoring.tables  # noqa: E402, F401
import fieldwork.service  # noqa: E402, F401
